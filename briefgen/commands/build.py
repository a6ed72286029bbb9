"""``briefgen build``: the documents of a brief, in every language and format asked for.

Everything is prepared and rendered in memory first; files are written only when every
document of the build has rendered and kept to its page budget, so a failure leaves the
output folder as it was. A build whose inputs have not changed since the last build of
the same outputs renders nothing (see :mod:`briefgen.write.manifest`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import timings
from briefgen.errors import PageBudgetError, Problem
from briefgen.model.brief import Brief
from briefgen.prepare.brief import LanguageChoice, PreparedBrief, prepare_brief
from briefgen.prepare.glyphs import check_glyphs
from briefgen.render import PDF_VARIANTS
from briefgen.render.budgets import located
from briefgen.render.resources import template_search_path
from briefgen.workers import cores, run_jobs, worker_pool
from briefgen.write.files import Staging
if TYPE_CHECKING:
    from briefgen.render.document import RenderedDocument, RenderedFile
from briefgen.write.manifest import (MANIFEST_NAME, current_read_files, fingerprint, is_up_to_date, options_key,
                                     read_manifest, sha256, updated_manifest)

DEFAULT_FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; shared by the command line and the API."""

    output_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    templates: Path | None = None
    #: Languages to build: some of the brief's, "all" of them, or None for its default.
    languages: LanguageChoice = None
    strict: bool = False
    pdf_variant: str = PDF_VARIANTS[0]
    #: Render even when nothing changed since the last build.
    force: bool = False
    #: Worker processes laying out PDFs side by side; None for one per core.
    jobs: int | None = None


@dataclass
class BuildResult:
    """What a build rendered and wrote, and the warnings about the brief."""

    brief: Brief
    warnings: list[Problem]
    files: list[RenderedFile] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    #: True when nothing changed since the last build, so nothing was rendered.
    up_to_date: bool = False


def _render_job(job: tuple) -> RenderedDocument:
    # Each job has a worker process of its own, whose memory the system frees at once when it
    # ends. Python's cycle collector would walk the garbage of a long document's layout to free
    # it: at 200 issues, one collection of 420,000 objects took 0.8 s of the pack's 20 s, at 100
    # issues none (the garbage stayed below the threshold), so the time grew faster than the issues.
    gc.disable()
    return _render_one(job)


def _render_one(job: tuple) -> RenderedDocument:
    from briefgen.render.document import render_document

    prepared, options, language, document_id = job
    return render_document(prepared.brief, document_id, language, options.formats,
                           search_path=template_search_path(options.templates), brief_dir=prepared.folder,
                           pdf_variant=options.pdf_variant)


def render_prepared(prepared: PreparedBrief, options: BuildOptions) -> list[RenderedDocument]:
    """Every document of ``prepared`` in every language and format of ``options``, in memory.

    Raises :class:`~briefgen.errors.MissingGlyphError` for characters no font covers,
    :class:`~briefgen.errors.PageBudgetError`, and :class:`~briefgen.errors.BuildError` or
    :class:`~briefgen.errors.TemplateError` when a document cannot be produced.
    """
    with timings.stage("glyph check"):
        check_glyphs(prepared.brief, prepared.line_map)
    # A language that the brief's language_documents limits is built in those documents only.
    jobs = [(prepared, options, language, document_id)
            for language in prepared.languages for document_id in prepared.brief.documents_in(language)]
    workers = min(len(jobs), options.jobs or cores()) if "pdf" in options.formats else 1
    if {"pdf", "docx"} & set(options.formats):
        # Laying out a PDF is the slow part and uses one core: the documents go side by side,
        # each in a process of its own, forked with WeasyPrint and python-docx imported once here.
        with timings.stage("import WeasyPrint and python-docx"):
            import briefgen.render.docx  # noqa: F401
            import briefgen.render.pdf  # noqa: F401
    try:
        with timings.stage(f"render {len(jobs)} document{'s' if len(jobs) != 1 else ''} "
                           f"({workers} process{'es' if workers != 1 else ''})"), \
                _fewer_collections(), worker_pool(workers, one_job_each=True) as pool:
            documents = list(run_jobs(pool, _render_job if pool else _render_one, jobs))
    except PageBudgetError as error:
        raise located(error, prepared.brief, prepared.line_map) from None
    from briefgen.render.document import output_name

    for (_, _, language, document_id), rendered in zip(jobs, documents):
        name = output_name(document_id, language, "", prepared.brief.unnamed_language).rstrip(".")
        timings.add(name, rendered.timings)
    return documents


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


def render(brief_path: Path | str, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Prepare and render the brief at ``brief_path`` in memory, writing nothing (the live preview)."""
    prepared = prepare_brief(brief_path, options.languages, strict=options.strict)
    documents = render_prepared(prepared, options)
    return BuildResult(prepared.brief, _warnings(prepared, documents),
                       [file for document in documents for file in document.files])


def build(brief_path: Path | str, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Prepare and render the brief at ``brief_path``, then write its documents.

    Raises the errors of :func:`~briefgen.prepare.brief.prepare_brief` and of
    :func:`render_prepared`; nothing is written in any of these cases. When nothing changed
    since the last build of the same outputs, renders nothing and returns a result marked
    ``up_to_date``.
    """
    brief_path = Path(brief_path)
    with timings.stage("load and validate the brief"):
        prepared = prepare_brief(brief_path, options.languages, strict=options.strict)
    brief = prepared.brief
    search_path = template_search_path(options.templates)
    settings = {**asdict(options), "languages": prepared.languages, "output_dir": None, "force": None,
                "jobs": None}
    key = options_key(settings)
    manifest, damaged = read_manifest(options.output_dir / brief.id)
    if damaged:
        prepared.warnings.append(Problem(str(options.output_dir / brief.id / MANIFEST_NAME), 1, 1, "", damaged))
    entry = manifest.get(key, {})
    with timings.stage("compare with the last build"):
        up_to_date = not options.force and is_up_to_date(options.output_dir, entry, fingerprint(
            brief_path, search_path, settings, current_read_files(entry)))
    if up_to_date:
        return BuildResult(brief, prepared.warnings, up_to_date=True)

    documents = render_prepared(prepared, options)
    files = [file for document in documents for file in document.files]
    read_files = {name for document in documents for name in document.read_files} | set(map(str, prepared.inputs))
    read_hashes = current_read_files({"read": dict.fromkeys(sorted(read_files))})
    outputs = {str(file.relative_path): sha256(file.data) for file in files}
    with timings.stage("write the files"), Staging(options.output_dir, brief.id) as staging:
        for file in files:
            staging.write(file.relative_path.relative_to(brief.id), file.data)
        staging.write(MANIFEST_NAME, updated_manifest(
            manifest, key, fingerprint(brief_path, search_path, settings, read_hashes), read_hashes, outputs))
        written = staging.switch(options.output_dir / brief.id)
    return BuildResult(brief, _warnings(prepared, documents), files, written[:-1])


def _warnings(prepared: PreparedBrief, documents: list[RenderedDocument]) -> list[Problem]:
    return prepared.warnings + [warning for document in documents for warning in document.warnings]
