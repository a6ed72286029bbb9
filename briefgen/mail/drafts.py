"""E-mail drafts of a personalised letter: one RFC 5322 message per recipient, as ``.eml`` bytes.

The body carries the whole letter, not only the attachment: every paragraph and list the letter
prints after its subject line (the salutation, opening, body, asks, closing, the signatories
with their count, the contact), taken from the letter's own HTML so that the e-mail says what
the PDF says, as ``text/plain`` with a ``text/html`` alternative; then a line naming the PDF
attached, and the sender. Footnotes (a coalition's members) stay in the PDF. The
``Message-ID`` is derived from the brief, the recipient and the letter's content, so the same
letter to the same person always has the same id: that is what ``briefgen send`` journals to
never send a draft twice.

The headers with people's names and the subject are written by :mod:`briefgen.mail.headers`,
and every draft is read back before it is written: its headers must be exactly the ones
briefgen meant, To the one recipient, From and Reply-To the sender, or nothing is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import textwrap
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from typing import Any

from lxml import html as lxml_html
from markupsafe import Markup, escape

from briefgen.errors import UnsafeDraftError
from briefgen.load.recipients import Recipient
from briefgen.mail.headers import header_problem, mailbox_header, text_header
from briefgen.prepare.letters import Sender
from briefgen.view.markdown import render_block, render_inline

#: Drafts are written as they go over the wire: CRLF line ends, and 7-bit only (quoted-printable
#: or base64 bodies), so that any server takes them, with or without 8BITMIME.
DRAFT_POLICY = policy.SMTP.clone(cte_type="7bit")
WRAP_WIDTH = 72
# Marks a <br> while the text is extracted; source newlines inside a paragraph are just spaces.
_LINE_BREAK = "\u2028"
_ASCII_SPACES = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True)
class DraftContent:
    """What one e-mail says, in the letter's language; ``opening`` and ``asks`` are Markdown.

    ``blocks``, the HTML of the letter's paragraphs and lists (:func:`letter_blocks`), are the
    body when given, in place of the salutation, opening, asks and closing; ``attachment``
    names the PDF attached, in a line after them.
    """

    language: str
    subject: str
    salutation: str
    opening: str | None
    asks: tuple[str, ...]
    closing: str
    blocks: tuple[str, ...] = ()
    attachment: str | None = None


#: The blocks of the letter that the e-mail carries: those after its subject line (the letterhead,
#: the addressee and the date before it are for paper; the headers say who and when), except the
#: running headers and footers, which only print.
_BLOCKS = {"p", "ol", "ul", "h2", "h3", "h4", "blockquote"}
_NOT_IN_EMAIL = {"running-header", "running-footer"}
_KEPT_ATTRIBUTES = {"href", "lang", "dir"}


def letter_blocks(html: str) -> tuple[str, ...]:
    """The HTML of each paragraph and list of the letter in ``html`` (its ``section.letter``)
    after its subject line, in order, without footnotes, images or attributes other than
    links' and languages'."""
    root = lxml_html.document_fromstring(html)
    sections = root.xpath('//section[contains(concat(" ", normalize-space(@class), " "), " letter ")]')
    if not sections:
        return ()
    blocks: list[str] = []
    after_subject = False

    def walk(element) -> None:
        nonlocal after_subject
        for child in element:
            classes = set(child.get("class", "").split()) if isinstance(child.tag, str) else set()
            if "letter-subject" in classes:
                after_subject = True
            elif not isinstance(child.tag, str) or _NOT_IN_EMAIL & classes:
                continue
            elif child.tag in _BLOCKS and after_subject:
                blocks.append(_clean(child))
            elif child.tag in ("div", "section", "footer", "header"):
                walk(child)

    walk(sections[0])
    return tuple(block for block in blocks if block)


def _clean(block) -> str:
    """``block`` as e-mail HTML: no footnotes, images, classes or data attributes; '' if it says nothing."""
    for footnote in block.xpath('.//span[contains(concat(" ", normalize-space(@class), " "), " footnote ")]'
                                "|.//img"):
        footnote.drop_tree()
    for element in block.iter():
        for name in list(element.attrib):
            if name not in _KEPT_ATTRIBUTES:
                del element.attrib[name]
    block.tail = None
    return lxml_html.tostring(block, encoding="unicode").strip() if block.text_content().strip() else ""


def attachment_line(language: str, file_name: str) -> str:
    """The line of the e-mail that names the letter attached, in ``language``."""
    from briefgen.view.translations import translations

    _ = translations(language).gettext
    return _("The letter is attached as a PDF: %(file)s") % {"file": file_name}


def message_id(brief_id: str, recipient_email: str, content_hash: str, domain: str) -> str:
    """A ``Message-ID`` that stays the same as long as the brief, the address and the letter do."""
    digest = hashlib.sha256(f"{brief_id}\n{recipient_email.lower()}\n{content_hash}".encode()).hexdigest()
    return f"<{digest[:40]}@{domain}>"


@dataclass(frozen=True)
class LetterDraft:
    """The ``.eml`` bytes of one letter's draft, and its Message-ID."""

    data: bytes
    message_id: str


def letter_draft(brief_id: str, sender: Sender, recipient: Recipient, context: dict[str, Any], html: str,
                 pdf: bytes, drafted: dt.datetime) -> LetterDraft:
    """The e-mail draft of one copy of the letter (``html``, rendered from ``context``), its
    texts taken from the context; its Message-ID changes when the letter does."""
    letter = context["brief"]["letter"]
    # The texts as the letter prints them, typeset by the view: the subject too, with its curly
    # apostrophes and French spaces (Unicode text, which the Subject header carries encoded).
    printed_salutation = (context["recipient"] or {}).get("salutation")
    attachment_name = f"{brief_id}-letter.pdf"
    content = DraftContent(language=context["language"], subject=letter["subject"],
                           salutation=printed_salutation or letter["salutation"], opening=letter["opening"],
                           asks=tuple(ask["text"] for ask in letter["asks"]), closing=letter["closing"],
                           blocks=letter_blocks(html), attachment=attachment_name)
    content_hash = hashlib.sha256(html.encode()).hexdigest()
    identifier = message_id(brief_id, recipient.email, content_hash, sender.email.rpartition("@")[2])
    return LetterDraft(build_draft(sender=sender, recipient_name=recipient.name, recipient_email=recipient.email,
                                   content=content, pdf=pdf, attachment_name=attachment_name,
                                   message_id=identifier, date=drafted), identifier)


def build_draft(*, sender: Sender, recipient_name: str, recipient_email: str, content: DraftContent,
                pdf: bytes, attachment_name: str, message_id: str, date: dt.datetime) -> bytes:
    """The ``.eml`` bytes of one draft: body in text and HTML, the letter attached as a PDF.

    Raises :class:`~briefgen.errors.UnsafeDraftError` when the draft, read back, is not
    exactly what was meant (e.g. a name that would read as another address).
    """
    from_value, from_text = mailbox_header("From", sender.name, sender.email)
    to_value, to_text = mailbox_header("To", recipient_name, recipient_email)
    head = [("From", from_value), ("Reply-To", from_value), ("To", to_value),
            ("Subject", text_header("Subject", content.subject)), ("Date", format_datetime(date)),
            ("Message-ID", message_id)]
    message = EmailMessage(policy=DRAFT_POLICY)
    message["MIME-Version"] = "1.0"
    # A boundary of its own, from the Message-ID: the email package would search the whole
    # message for one that does not occur in it (a tenth of the time of a draft).
    boundary = "briefgen-" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
    message["Content-Type"] = f'multipart/mixed; boundary="{boundary}"'
    message["Content-Language"] = content.language
    message.attach(_body(content, sender))
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=attachment_name)
    data = "".join(f"{name}: {value}\r\n" for name, value in head).encode("ascii") + message.as_bytes()
    problem = header_problem(data, message_id=message_id, sender=sender.email, recipient=recipient_email,
                             texts={"From": from_text, "Reply-To": from_text, "To": to_text,
                                    "Subject": content.subject})
    if problem:
        raise UnsafeDraftError(f"the e-mail draft to {recipient_email} was not written: {problem}; check the "
                               "recipient's name, the letter's subject and its contact's name for text that mail "
                               "programs read otherwise")
    return data


@functools.lru_cache(maxsize=32)
def _body(content: DraftContent, sender: Sender) -> MIMEPart:
    """The body of a draft, as text with an HTML alternative: the same for every recipient of a
    letter who gets the same salutation, so made once (a third of the time of a draft)."""
    body = MIMEPart(policy=DRAFT_POLICY)
    body_html = _body_html(content, sender)
    body.set_content(_plain_text(body_html))
    body.add_alternative(f'<!DOCTYPE html>\n<html lang="{content.language}"><head><meta charset="utf-8">'
                         f"<title>{escape(content.subject)}</title></head>\n<body>\n{body_html}</body></html>\n",
                         subtype="html")
    return body


def _body_html(content: DraftContent, sender: Sender) -> Markup:
    signature = Markup("<br>\n").join(line for line in (sender.name, sender.organization) if line)
    if content.blocks:
        # The letter's own HTML, rendered and escaped by its template.
        parts = [Markup(block) + "\n" for block in content.blocks]
    else:
        parts = [Markup("<p>{}</p>\n").format(content.salutation), render_block(content.opening, content.language)]
        if content.asks:
            items = Markup("").join(Markup("<li>{}</li>\n").format(render_inline(ask, content.language))
                                    for ask in content.asks)
            parts.append(Markup("<ol>\n{}</ol>\n").format(items))
        parts.append(Markup("<p>{}</p>\n").format(content.closing))
    if content.attachment:
        parts.append(Markup("<p>{}</p>\n").format(attachment_line(content.language, content.attachment)))
    parts.append(Markup("<p>{}</p>\n").format(signature))
    return Markup("").join(parts)


def _plain_text(body_html: str) -> str:
    """The text of the body: paragraphs wrapped, asks numbered, each link's address after it."""
    root = lxml_html.fragment_fromstring(body_html, create_parent="div")
    for link in root.iter("a"):
        href = link.get("href", "")
        if href and href.removeprefix("mailto:") != link.text_content():
            link.tail = f" <{href.removeprefix('mailto:')}>" + (link.tail or "")
    for line_break in root.iter("br"):
        line_break.tail = _LINE_BREAK + (line_break.tail or "")
    blocks = []
    for block in root:
        if block.tag in ("ol", "ul"):
            blocks.append("\n".join(_wrap(item.text_content(), f"{number}. " if block.tag == "ol" else "- ")
                                    for number, item in enumerate(block.iter("li"), start=1)))
        else:
            blocks.append("\n".join(_wrap(line) for line in block.text_content().split(_LINE_BREAK)))
    return "\n\n".join(blocks) + "\n"


def _wrap(text: str, bullet: str = "") -> str:
    # Only ASCII white space is collapsed: the no-break spaces of French typography stay.
    return textwrap.fill(_ASCII_SPACES.sub(" ", text).strip(" "), WRAP_WIDTH, initial_indent=bullet,
                         subsequent_indent=" " * len(bullet), break_long_words=False, break_on_hyphens=False)
