"""The e-mail carries the letter: the plain and HTML bodies of each draft hold the whole letter
text (greeting, opening, body, the asks, closing, the signatories with their count, the
contact) as the attached PDF prints it, a line naming the PDF attached, and the sender; the
subject is the letter's. Each draft is parsed with the email package and compared with the
text of its own attachment.
"""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from conftest import LETTER_BRIEF, PEOPLE, normalise, pdf_text, run_briefgen, write_brief, write_recipients


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> Path:
    """The letters of an English and a French recipient, the letter signed by an organisation,
    a coalition with members and an individual."""
    folder = tmp_path_factory.mktemp("email")
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    data["signatories"] += [{"id": "cchrc", "name": "A Coalition of Groups", "kind": "coalition",
                             "members": ["First Member", "Second Member"]},
                            {"id": "jane", "name": "Jane Doe", "kind": "individual"}]
    data["letter"]["signed_by"] = ["group", "cchrc", "jane"]
    brief = write_brief(folder, data)
    recipients = write_recipients(folder, PEOPLE[:2])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(folder / "out"))
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letter-test" / "letters"


def parsed(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def paragraphs(plain: str) -> list[str]:
    return [normalise(block) for block in re.split(r"\n\s*\n", plain.replace("\r\n", "\n")) if block.strip()]


@pytest.mark.parametrize(("slug", "expected"), [
    ("ann-arbour", {
        "greeting": "Dear Ms Arbour,", "subject": "Human rights during your visit",
        "count": "Signed by 2 organizations and 1 individual:",
        "attached": "The letter is attached as a PDF: letter-test-letter.pdf",
        "footnote": "1. Members: First Member, Second Member."}),
    ("cleo-cote", {
        "greeting": "Madame la Députée,", "subject": "Les droits de la personne pendant votre visite",
        "count": "Signée par 2 organisations et 1 personne :",
        "attached": "La lettre est jointe en PDF : letter-test-letter.pdf",
        "footnote": "1. Membres : First Member, Second Member."}),
])
def test_the_body_is_the_letter_as_its_pdf_prints_it(drafts: Path, tmp_path: Path, slug: str,
                                                     expected: dict[str, str]) -> None:
    message = parsed(drafts / f"{slug}.eml")
    assert message["Subject"] == expected["subject"]
    plain = message.get_body(("plain",)).get_content()
    blocks = paragraphs(plain)
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "letter-test-letter.pdf"
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(attachment.get_content())
    # The PDF's text without its list bullets and the call of the members' footnote.
    letter = pdf_text(pdf).replace("• ", "").replace("A Coalition of Groups1", "A Coalition of Groups")
    *letter_part, attached, signature = blocks
    assert letter_part[0] == expected["greeting"]
    assert attached == expected["attached"]
    assert signature == "Casey Contact A Coalition"
    # The whole letter after its subject line, and nothing else, in the PDF's order; the
    # footnote (the coalition's members) at the foot of the page is left out.
    emailed = " ".join(re.sub(r"(^| )- ", r"\1", block) for block in letter_part)
    subject = f": {expected['subject']} "
    after_subject = letter[letter.index(subject) + len(subject):]
    assert after_subject == f"{emailed} {expected['footnote']}"
    assert expected["count"] in emailed
    assert "Jane Doe" in emailed and "A Coalition of Groups" in emailed
    assert "Contact" in emailed and "casey@coalition.example" in emailed
    assert "First Member" not in plain


def test_the_html_body_says_what_the_plain_body_says(drafts: Path) -> None:
    for slug, language in (("ann-arbour", "en"), ("cleo-cote", "fr")):
        message = parsed(drafts / f"{slug}.eml")
        plain = message.get_body(("plain",)).get_content()
        page = lxml_html.document_fromstring(message.get_body(("html",)).get_content())
        assert page.get("lang") == language
        assert [element.tag for element in page.body][:2] == ["p", "p"]
        assert page.body.find("ol") is not None and page.body.find("ul") is not None
        assert not page.xpath("//@class | //@data-per-recipient | //img")
        html_text = normalise(" ".join(element.text_content() for element in page.body))
        plain_text = normalise(re.sub(r"(?m)^(\d+\.|-) ", "", plain))
        assert html_text == plain_text


def test_the_blocks_are_those_after_the_subject_line_without_what_only_prints() -> None:
    from briefgen.mail.drafts import letter_blocks

    html = ('<html><body><section class="letter"><div class="head"><p>Coalition, 1 Main St</p>'
            '<img src="logo.png" alt="Logo"></div><div class="addressee"><p>The PM</p></div>'
            '<p class="letter-date">13 January 2026</p><h1 class="letter-subject">Re: Rights</h1>'
            '<p data-per-recipient>Dear PM,</p><p>We write<span class="footnote">A note.</span> now.</p>'
            '<ol><li>Act.</li></ol><div class="signer"><img src="sig.png" alt="Signature"><p>Ann Lee</p>'
            '<p class="running-footer">Page 1</p></div><p><a href="mailto:a@b.org" class="x">a@b.org</a></p>'
            '</section></body></html>')
    assert letter_blocks(html) == ("<p>Dear PM,</p>", "<p>We write now.</p>", "<ol><li>Act.</li></ol>",
                                   "<p>Ann Lee</p>", '<p><a href="mailto:a@b.org">a@b.org</a></p>')
