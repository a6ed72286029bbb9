"""Render one document of a brief, in one language, in every format asked for, in memory.

The document's template renders the HTML (checked against the subset); WeasyPrint lays
it out for the PDF, whose pages the page budgets are checked on, and the same HTML
becomes the .docx, its contents carrying the PDF's page numbers. A short document that
spills a few lines onto a last page is laid out again on the theme's tighter page, and
kept so when that saves the page: in both formats, since both come from the same HTML.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import __version__, timings
from briefgen.errors import Problem
from briefgen.model.registry import document
from briefgen.render.budgets import check_page_budgets
from briefgen.render.resources import Confinement, find_theme_file

if TYPE_CHECKING:  # the layout's process has the HTML already, and needs neither the model nor pydantic
    from briefgen.model.brief import Brief
    from briefgen.model.facts import BriefFacts


@dataclass(frozen=True)
class RenderedFile:
    """One finished output file, still in memory."""

    document_id: str
    format: str
    relative_path: Path
    data: bytes
    pages: int | None = None


@dataclass
class RenderedDocument:
    """One document in one language, rendered in every requested format, and what it read."""

    files: list[RenderedFile]
    warnings: list[Problem]
    read_files: set[str]
    #: How long each stage of it took, when timings are on (see :mod:`briefgen.timings`).
    timings: list[tuple[str, float]] = field(default_factory=list)
    #: What its files depend on besides the files it read (:func:`document_key`), when known.
    key: str | None = None
    #: Whether its files are those of the last build, read back instead of laid out again.
    kept: bool = False
    #: Its file name without the extension (``letter.fr``).
    name: str = ""


def output_name(document_id: str, language: str, extension: str, default: str = "en") -> str:
    """``letter.pdf`` in ``default`` (the brief's :attr:`~briefgen.model.brief.Brief.unnamed_language`),
    ``letter.fr.pdf``, ``letter.zh-Hans.pdf`` in the others."""
    return f"{document_id}.{extension}" if language == default else f"{document_id}.{language}.{extension}"


def output_path(document_id: str, language: str, extension: str, *, number: int | None = None,
                issue: str | None = None, default: str = "en") -> Path:
    """Where an output goes in the brief's folder: ``letter.fr.pdf``, an addendum's ``addendum-2.pdf``
    (numbered ``number``); for a document made per issue, in its folder and named after the issue:
    ``notes/tibet-boarding-schools.fr.pdf``. ``default`` is the language named by no tag."""
    declared = document(document_id)
    if declared.per_issue:
        return Path(declared.folder or document_id) / output_name(issue or "", language, extension, default)
    return Path(output_name(declared.output_id(number), language, extension, default))


def document_html(brief: Brief, document_id: str, language: str, search_path: list[Path], *,
                  previous: Brief | None = None, number: int | None = None, issue: str | None = None) -> str:
    """The HTML of ``document_id`` of ``brief`` in ``language``, from its template in ``search_path``;
    the addendum is made against ``previous``, the earlier version, and numbered ``number``; ``issue``
    names the issue of a document made per issue (a note on its own)."""
    from briefgen.render.html import render_html
    from briefgen.view.changes import addendum_context
    from briefgen.view.context import build_context

    declared = document(document_id)
    context = (addendum_context(previous, brief, document_id, number, language) if declared.addendum
               else build_context(brief, document_id, language=language, issue=issue))
    return render_html(declared.template, context, search_path)


def render_document(facts: BriefFacts, document_id: str, language: str, formats: tuple[str, ...], html: str, *,
                    search_path: list[Path], brief_dir: Path, pdf_variant: str,
                    number: int | None = None, issue: str | None = None,
                    spare_core: bool = False) -> RenderedDocument:
    """Render ``document_id`` of the brief ``facts`` tells of (:attr:`~briefgen.model.brief.Brief.facts`)
    in ``language``, from its HTML ``html`` (:func:`document_html`), in each of ``formats``, in memory.

    The theme's files come from ``search_path``; files the document refers to are read only from
    ``brief_dir`` and the template folders, and each refused reference becomes a warning.
    An addendum is numbered ``number``; ``issue`` names the issue of a document made per issue
    (a note on its own). With ``spare_core``, the document uses a second process: a long one is
    laid out in two page runs side by side (:mod:`briefgen.render.weasyprint_runs`), the second of
    which makes the .docx; the .docx of another is made in a child while the PDF is written.
    Raises :class:`~briefgen.errors.PageBudgetError` when the document is longer than its budget.
    """
    start = timings.mark()
    declared = document(document_id)
    folder = Path(facts.id)
    confinement = Confinement(brief_dir, [brief_dir, *search_path])
    rendered: list[RenderedFile] = []
    page_numbers = None

    def path(extension: str) -> Path:
        return folder / output_path(document_id, language, extension, number=number, issue=issue,
                                    default=facts.unnamed_language)

    reference = find_theme_file("reference.docx", search_path) if "docx" in formats else None
    docx_job = made_docx = None
    if "pdf" in formats:
        # With a core to spare, a long document is laid out in two runs side by side, and the
        # child that lays out the second makes the .docx too once it has drawn its pages.
        docx_of = (functools.partial(_docx_file, html, reference, declared.template, confinement)
                   if reference is not None else None)
        html, laid_out = layout_document(html, document_id, confinement,  # the .docx is made from its HTML
                                         side_by_side=pdf_variant if spare_core else None, after=docx_of)
        in_runs = hasattr(laid_out, "after_result")
        check_page_budgets(facts, declared, language, laid_out)
        page_numbers = {anchor: number for number, page in enumerate(laid_out.pages, start=1)
                        for anchor in page.anchors}
        if spare_core and reference is not None and not in_runs:
            # All the .docx needs now is the HTML and these page numbers: a child forked here
            # makes it on a core to spare while this process writes the PDF. The child uses
            # neither Pango nor fontconfig, whose threads a fork after a layout leaves behind.
            from briefgen.workers import in_child

            docx_job = in_child(functools.partial(_docx_file, html, reference, declared.template, confinement),
                                page_numbers)
        from briefgen.render.pdf import pdf_bytes  # WeasyPrint: only a build that lays out a PDF imports it

        with timings.stage("PDF"):
            data = pdf_bytes(laid_out, variant=pdf_variant)
        if in_runs:
            made_docx = laid_out.after_result()
        rendered.append(RenderedFile(document_id, "pdf", path("pdf"),
                                     data, pages=len(laid_out.pages)))
    if reference is not None:
        if made_docx is not None or docx_job is not None:
            if made_docx is None:
                with timings.stage(".docx, beside the PDF: waited for"):
                    made_docx = docx_job.result()
            docx, read, refused, stages = made_docx
            confinement.read += read
            confinement.refused += refused
        else:
            docx, _, _, stages = _docx_file(html, reference, declared.template, confinement, page_numbers)
        timings.add(None, stages)
        rendered.append(RenderedFile(document_id, "docx", path("docx"),
                                     docx))
    if "html" in formats:  # the HTML both formats were made from, first as ever
        rendered.insert(0, RenderedFile(document_id, "html", path("html"),
                                        html.encode()))
    warnings = [Problem(declared.template, 1, 1, "", message) for message in dict.fromkeys(confinement.warnings())]
    return RenderedDocument(rendered, warnings, set(confinement.read), timings.since(start),
                            name=str(path("").relative_to(folder)).rstrip("."))


def _docx_file(html: str, reference: Path, template_name: str, confinement: Confinement,
               page_numbers: dict[str, int] | None) -> tuple[bytes, list[str], list[str], list[tuple[str, float]]]:
    """The .docx of ``html`` (styled by ``reference``, named ``template_name`` in errors, its
    contents taking the PDF's ``page_numbers``, its images read through ``confinement``); the
    files it read and refused there, and its timings, for a parent it was made for in a child."""
    from briefgen.render.docx import docx_bytes, html_to_docx

    read, refused, start = len(confinement.read), len(confinement.refused), timings.mark()
    with timings.stage(".docx"):
        docx = docx_bytes(html_to_docx(html, reference=reference, template_name=template_name,
                                       page_numbers=page_numbers, images=confinement.local_path))
    return docx, confinement.read[read:], confinement.refused[refused:], timings.since(start)


def document_key(name: str, html: str, formats: tuple[str, ...], pdf_variant: str, brief_dir: Path,
                 templates: str) -> str:
    """What the files of the document ``name`` (``letter.fr``) depend on besides the files it reads:
    its HTML, the formats and PDF variant, the brief's folder its references are read from, and
    ``templates``, the digest of the theme's files (stylesheets and reference.docx are read past
    the HTML)."""
    digest = hashlib.sha256()
    for part in (__version__, name, html, ",".join(formats), pdf_variant, str(brief_dir.resolve()), templates):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def layout_document(html: str, document_id: str, confinement: Confinement, *, side_by_side: str | None = None,
                    after=None):
    """The HTML the PDF of ``document_id`` is made from and its WeasyPrint layout: ``html``, or
    for a document that may fit the theme's tighter page, the tighter HTML when that saves a page.
    ``side_by_side`` and ``after`` are :func:`~briefgen.render.pdf.layout_pdf`'s, for a document
    that is not laid out again on the tighter page."""
    from briefgen.render.pdf import layout_pdf

    fits_tighter = document(document_id).fits_tighter
    with timings.stage("layout"):
        laid_out = (layout_pdf(html, confinement) if fits_tighter
                    else layout_pdf(html, confinement, side_by_side=side_by_side, after=after))
    if fits_tighter and len(laid_out.pages) > 1:
        tighter_html = tighter(html)
        with timings.stage("tighter layout"):
            tighter_layout = layout_pdf(tighter_html, confinement)
        if len(tighter_layout.pages) < len(laid_out.pages):
            return tighter_html, tighter_layout
    return html, laid_out


def tighter(html: str) -> str:
    """``html`` with the class ``tight`` on its ``<body>``: the theme's tighter page (``.tight { page: tight }``)."""
    def add_class(match: re.Match) -> str:
        attributes = match.group(1) or ""
        if re.search(r"""\bclass\s*=\s*["']""", attributes):
            return "<body" + re.sub(r"""(\bclass\s*=\s*["'])""", r"\1tight ", attributes, count=1) + ">"
        return f'<body class="tight"{attributes}>'
    head_end = html.find("</head>") + 1  # a stylesheet or a title may spell "<body" too
    return html[:head_end] + re.sub(r"<body(\s[^>]*)?>", add_class, html[head_end:], count=1)
