"""The library API: build the documents of a brief.

Everything is gathered and rendered in memory first; files are written only when every
document of the build has rendered and kept to its page budget, so a failure leaves the
output folder as it was. A build whose inputs have not changed since the last build of
the same outputs renders nothing (see :mod:`briefgen.write.manifest`).
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from briefgen.errors import PageBudgetError, Problem, StrictWarningsError, UsageError
from briefgen.model.brief import Brief
from briefgen.model.validate import LoadedBrief, load_brief, missing_translations
from briefgen.render import PDF_VARIANTS
from briefgen.render.glyphs import check_glyphs
from briefgen.render.html import find_theme_file, render_html, template_search_path
from briefgen.render.resources import Confinement
from briefgen.view.context import build_context
from briefgen.workers import ignore_interrupts, worker_context
from briefgen.write.files import write_all
from briefgen.write.manifest import (MANIFEST_NAME, current_read_files, fingerprint, is_up_to_date, options_key,
                                     read_manifest, sha256, updated_manifest)

if TYPE_CHECKING:
    import weasyprint

DEFAULT_FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; shared by the command line and the API."""

    output_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    templates: Path | None = None
    #: Languages to build: some of the brief's, "all" of them, or None for its default.
    languages: tuple[str, ...] | Literal["all"] | None = None
    strict: bool = False
    pdf_variant: str = PDF_VARIANTS[0]
    #: Render even when nothing changed since the last build.
    force: bool = False


@dataclass(frozen=True)
class RenderedFile:
    """One finished output file, still in memory."""

    document_id: str
    format: str
    relative_path: Path
    data: bytes
    pages: int | None = None


@dataclass
class BuildResult:
    """What a build rendered and wrote, and the warnings about the brief."""

    brief: Brief
    warnings: list[Problem]
    files: list[RenderedFile] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    #: True when nothing changed since the last build, so nothing was rendered.
    up_to_date: bool = False


def output_name(document_id: str, language: str, extension: str) -> str:
    """``letter.pdf`` for English, ``letter.fr.pdf`` for French."""
    return f"{document_id}.{extension}" if language == "en" else f"{document_id}.{language}.{extension}"


@dataclass
class RenderedDocument:
    """One document in one language, rendered in every requested format, and what it read."""

    files: list[RenderedFile]
    warnings: list[Problem]
    read_files: set[str]


def render_document(brief: Brief, options: BuildOptions, language: str, document_id: str,
                    brief_dir: Path) -> RenderedDocument:
    """Render ``document_id`` of ``brief`` in ``language``, in every requested format, in memory.

    Files the document refers to are read only from ``brief_dir`` and the template folders;
    each refused reference becomes a warning. Raises :class:`PageBudgetError` when the
    document is longer than its budget.
    """
    # WeasyPrint and python-docx take most of a second to import: only a build that renders pays.
    from briefgen.render.docx import docx_bytes, html_to_docx
    from briefgen.render.pdf import layout_pdf, pdf_bytes

    search_path = template_search_path(options.templates)
    template_name = f"{document_id}.html.j2"
    html = render_html(template_name, build_context(brief, document_id, language=language), search_path)
    folder = Path(brief.id)
    confinement = Confinement(brief_dir, [brief_dir, *search_path])
    rendered: list[RenderedFile] = []
    page_numbers = None
    if "html" in options.formats:
        rendered.append(RenderedFile(document_id, "html", folder / output_name(document_id, language, "html"),
                                     html.encode()))
    if "pdf" in options.formats:
        laid_out = layout_pdf(html, confinement)
        check_page_budgets(brief, document_id, laid_out)
        page_numbers = {anchor: number for number, page in enumerate(laid_out.pages, start=1)
                        for anchor in page.anchors}
        rendered.append(RenderedFile(document_id, "pdf", folder / output_name(document_id, language, "pdf"),
                                     pdf_bytes(laid_out, variant=options.pdf_variant), pages=len(laid_out.pages)))
    if "docx" in options.formats:
        document = html_to_docx(html, reference=find_theme_file("reference.docx", search_path),
                                template_name=template_name, page_numbers=page_numbers,
                                images=confinement.local_path)
        rendered.append(RenderedFile(document_id, "docx", folder / output_name(document_id, language, "docx"),
                                     docx_bytes(document)))
    warnings = [Problem(template_name, 1, 1, "", message) for message in dict.fromkeys(confinement.warnings())]
    return RenderedDocument(rendered, warnings, set(confinement.read))


def _render_job(job: tuple) -> RenderedDocument:
    # Each job has a worker process of its own, whose memory the system frees at once when it
    # ends. Python's cycle collector would walk the garbage of a long document's layout to free
    # it: at 200 issues, one collection of 420,000 objects took 0.8 s of the pack's 20 s, at 100
    # issues none (the garbage stayed below the threshold), so the time grew faster than the issues.
    gc.disable()
    return render_document(*job)


def check_page_budgets(brief: Brief, document_id: str, laid_out: "weasyprint.Document") -> None:
    """Raise :class:`PageBudgetError` if ``laid_out`` or one of its issue notes is over budget."""
    budgets = brief.budgets
    pages = len(laid_out.pages)
    if document_id in budgets and pages > budgets[document_id]:
        raise PageBudgetError(f"{document_id}: {pages} pages, budget {budgets[document_id]}")
    if document_id != "briefing-pack":
        return
    # Every top-level section of the pack starts on a new page, so a note runs from the page
    # of its own anchor to the page before the next section's.
    sections = _section_anchors(brief)
    section_starts = sorted((index, anchor) for index, page in enumerate(laid_out.pages)
                            for anchor in page.anchors if anchor in sections)
    for (start, anchor), (next_start, _) in zip(section_starts, section_starts[1:] + [(pages, "")]):
        note_pages = next_start - start
        if anchor.startswith("issue-") and note_pages > budgets["issue-note"]:
            raise PageBudgetError(f"{document_id}: issue note '{anchor.removeprefix('issue-')}': "
                                  f"{note_pages} pages, budget {budgets['issue-note']}")


def _section_anchors(brief: Brief) -> set[str]:
    return {"overview", "asks", "signatories", "letter", "sources"} | {f"issue-{i.id}" for i in brief.issues}


@dataclass(frozen=True)
class PreparedBuild:
    """A loaded, valid brief, the languages to build it in, and its warnings so far."""

    loaded: LoadedBrief
    languages: list[str]
    warnings: list[Problem]


def prepare(brief_path: Path, options: BuildOptions) -> PreparedBuild:
    """Load and validate the brief and resolve the languages to build.

    Raises :class:`~briefgen.errors.InvalidBriefError` for a bad brief,
    :class:`~briefgen.errors.UsageError` for a language the brief does not have and
    :class:`~briefgen.errors.StrictWarningsError` for warnings under ``strict``.
    """
    loaded = load_brief(brief_path)
    brief = loaded.brief
    languages = brief.langs if options.languages == "all" else list(options.languages or brief.langs[:1])
    unknown = [language for language in languages if language not in brief.langs]
    if unknown:
        raise UsageError(f"{brief_path}: the brief is written in {', '.join(brief.langs)} only, not "
                         f"{', '.join(unknown)}; add a languages list (e.g. languages: [en, fr]) and the texts")
    warnings = loaded.warnings + [warning for language in languages if language != brief.langs[0]
                                  for warning in missing_translations(brief, loaded.line_map, language)]
    if options.strict and warnings:
        raise StrictWarningsError(warnings)
    return PreparedBuild(loaded, languages, warnings)


def render_prepared(prepared: PreparedBuild, brief_path: Path, options: BuildOptions,
                    read_files: set[str]) -> list[RenderedFile]:
    """Every document in every language and format of ``prepared``, in memory; adds to its warnings.

    Raises :class:`~briefgen.render.glyphs.MissingGlyphError` for characters no font covers,
    :class:`PageBudgetError`, and :class:`~briefgen.errors.BuildError` or
    :class:`~briefgen.errors.TemplateError` when a document cannot be produced.
    """
    brief = prepared.loaded.brief
    check_glyphs(brief, prepared.loaded.line_map)
    with _fewer_collections():
        documents = _render_all(brief, options, prepared.languages, brief_path.resolve().parent)
    for document in documents:
        prepared.warnings.extend(document.warnings)
        read_files.update(document.read_files)
    return [file for document in documents for file in document.files]


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    # WeasyPrint makes millions of small objects: with Python's default thresholds the cyclic
    # collector took a fifth of a 226-page layout and grew faster than the pages (measured:
    # 5.7 s of 30 s; 0.9 s with these). This is for documents rendered in this process; a
    # worker process does without the collector (see _render_job).
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _render_all(brief: Brief, options: BuildOptions, languages: list[str], brief_dir: Path) -> list[RenderedDocument]:
    """Every document in every language, side by side in worker processes when PDFs are laid out."""
    jobs = [(brief, options, language, document_id, brief_dir)
            for language in languages for document_id in brief.document_ids]
    workers = min(len(jobs), os.cpu_count() or 1) if "pdf" in options.formats else 1
    if workers > 1:
        # Laying out a PDF is the slow part and uses one core: the documents go side by side,
        # each in a process of its own, forked with WeasyPrint and python-docx imported once here.
        # Leaving the pool terminates the workers, so Ctrl-C stops everything at once.
        import briefgen.render.docx  # noqa: F401
        import briefgen.render.pdf  # noqa: F401

        with worker_context().Pool(workers, initializer=ignore_interrupts, maxtasksperchild=1) as pool:
            return pool.map(_render_job, jobs, chunksize=1)
    return [render_document(*job) for job in jobs]


def render(brief_path: Path, options: BuildOptions) -> BuildResult:
    """Load, validate and render the brief at ``brief_path`` in memory, writing nothing (the live preview)."""
    prepared = prepare(brief_path, options)
    files = render_prepared(prepared, brief_path, options, set())
    return BuildResult(prepared.loaded.brief, prepared.warnings, files)


def build(brief_path: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Load, validate and render the brief at ``brief_path``, then write its documents.

    Raises the errors of :func:`prepare` and :func:`render_prepared`; nothing is written in
    any of these cases. When nothing changed since the last build of the same outputs,
    renders nothing and returns a result marked ``up_to_date``.
    """
    prepared = prepare(brief_path, options)
    brief = prepared.loaded.brief
    search_path = template_search_path(options.templates)
    settings = {**asdict(options), "languages": prepared.languages, "output_dir": None, "force": None}
    key = options_key(settings)
    manifest = read_manifest(options.output_dir / brief.id)
    entry = manifest.get(key, {})
    if not options.force and is_up_to_date(options.output_dir, entry, fingerprint(
            brief_path, search_path, settings, current_read_files(entry))):
        return BuildResult(brief, prepared.warnings, up_to_date=True)

    read_files: set[str] = set()
    files = render_prepared(prepared, brief_path, options, read_files)
    read_hashes = current_read_files({"read": dict.fromkeys(sorted(read_files))})
    outputs = {str(file.relative_path): sha256(file.data) for file in files}
    manifest_file = (Path(brief.id) / MANIFEST_NAME, updated_manifest(
        manifest, key, fingerprint(brief_path, search_path, settings, read_hashes), read_hashes, outputs))
    written = write_all(options.output_dir, [(file.relative_path, file.data) for file in files] + [manifest_file])
    return BuildResult(brief, prepared.warnings, files, written[:-1])
