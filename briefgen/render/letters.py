"""Render a batch of one letter's copies, one per recipient, in memory: the PDF side of ``briefgen letters``.

Each copy's HTML comes from the letter's template through the same path as any document
(:func:`~briefgen.render.html.render_html`, subset check included). The letter is laid
out once and each recipient's addressee, salutation, closing and the paragraphs naming
their fields composed onto it
(:func:`~briefgen.render.mailmerge.compose_letters`); the copies whose parts are laid out
otherwise than the first's (a paragraph a line longer) are composed in turn on a layout of
one of theirs, and those that still do not fit are laid out together as one document and
split into one PDF each.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.load.recipients import Recipient
from briefgen.model.brief import Brief
from briefgen.model.registry import mail_merged
from briefgen.prepare.greetings import greeting
from briefgen.render.html import render_html
from briefgen.render.resources import Confinement, find_theme_file
from briefgen.view.context import build_context

if TYPE_CHECKING:
    from briefgen.render.mailmerge import ComposedLetter, Fallback


#: Layouts of the letter at most for the letters whose parts are laid out otherwise than the
#: first's: each costs a layout of the whole letter, and saves one for each letter it takes.
RECOMPOSE_ROUNDS = 3


@dataclass(frozen=True)
class RenderedLetter:
    """One recipient's copy of the letter: its PDF (and .docx), and the HTML and context it came from."""

    recipient: Recipient
    context: dict[str, Any]
    html: str
    pdf: bytes
    pages: int
    docx: bytes | None = None
    #: Why the copy was laid out whole rather than composed; None if it was composed.
    fallback: Fallback | None = None


def letter_context(brief: Brief, recipient: Recipient, language: str) -> dict[str, Any]:
    """The template context of ``recipient``'s copy of the letter in ``language``: their
    salutation (given or built) and the closing that goes with it
    (:func:`~briefgen.prepare.greetings.greeting`), their fields in the letter's placeholders."""
    found = greeting(recipient, language)
    fields = recipient.letter_fields()
    fields["salutation"] = found.salutation
    fields["fields"] = {**fields["fields"], "salutation": found.salutation}
    # Only a closing of the recipient's own (French: it repeats the salutation) is composed per
    # recipient; the brief's closing is laid out once with the rest.
    fields["own_closing"] = found.closing is not None
    context = build_context(brief, mail_merged().id, fields, language=language)
    if found.closing is not None:
        context["brief"]["letter"]["closing"] = found.closing
    return context


def check_letter_template(brief: Brief, recipient: Recipient, language: str, search_path: list[Path]) -> None:
    """Render ``recipient``'s copy once, so that a template error is reported, by name and line,
    before any batch is laid out."""
    render_html(mail_merged().template, letter_context(brief, recipient, language), search_path)


def render_letters(brief: Brief, language: str, recipients: list[Recipient], *, search_path: list[Path],
                   brief_dir: Path, docx: bool = False) -> list[RenderedLetter]:
    """Each of ``recipients``' copies of the letter in ``language``, as PDF and, with ``docx``, .docx.

    Templates come from ``search_path``; relative references in the letter start from
    ``brief_dir``, the only folder besides the templates' that it may read.
    """
    from briefgen.render.mailmerge import Fallback, compose_letters

    template = mail_merged().template
    contexts = [letter_context(brief, recipient, language) for recipient in recipients]
    htmls = [render_html(template, context, search_path) for context in contexts]
    confinement = Confinement(brief_dir, [brief_dir, *search_path])
    composition = compose_letters(htmls, confinement)
    pdfs, fallbacks = list(composition.letters), list(composition.fallbacks)
    # A paragraph naming a recipient's field wraps onto a line more for some recipients (a long
    # constituency): those letters may share another layout, on which they are composed in turn.
    for _ in range(RECOMPOSE_ROUNDS):
        rest = [index for index, fallback in enumerate(fallbacks) if fallback is Fallback.SIZE]
        if len(rest) < 2:
            break
        again = compose_letters([htmls[index] for index in rest], confinement)
        if all(composed is None for composed in again.letters):
            break
        for index, composed in zip(rest, again.letters):
            if composed is not None:
                pdfs[index], fallbacks[index] = composed, None
    alone = [index for index, composed in enumerate(pdfs) if composed is None]
    if alone:
        for index, composed in zip(alone, _laid_out_together([htmls[index] for index in alone], confinement)):
            pdfs[index] = composed
    docx_files: list[bytes | None] = [None] * len(htmls)
    if docx:
        # Imported here: python-docx takes a twentieth of a second, which letters without --docx need not pay.
        from briefgen.render.docx import docx_bytes, html_to_docx

        reference = find_theme_file("reference.docx", search_path)
        docx_files = [docx_bytes(html_to_docx(html, reference=reference, template_name=template,
                                              images=confinement.local_path)) for html in htmls]
    return [RenderedLetter(recipient, context, html, composed.pdf, composed.pages, docx_file, fallback)
            for recipient, context, html, composed, docx_file, fallback
            in zip(recipients, contexts, htmls, pdfs, docx_files, fallbacks)]


def _laid_out_together(htmls: list[str], confinement: Confinement) -> Iterator[ComposedLetter]:
    """The PDF of each letter of ``htmls``, laid out as one document and split per letter."""
    from briefgen.render.mailmerge import ComposedLetter, combined_html
    from briefgen.render.pdf import layout_pdf, pdf_bytes

    laid_out = layout_pdf(combined_html(htmls), confinement)
    first_page_of: dict[str, int] = {}
    for index, page in enumerate(laid_out.pages):
        for anchor in page.anchors:
            # A letter's wrapper is split across its pages and each part carries its id.
            first_page_of.setdefault(anchor, index)
    for index in range(len(htmls)):
        pages = laid_out.pages[first_page_of[f"merge-{index}"]:first_page_of[f"merge-end-{index}"] + 1]
        yield ComposedLetter(pdf_bytes(laid_out.copy(pages)), len(pages))
