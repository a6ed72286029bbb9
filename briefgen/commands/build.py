"""``briefgen build``: the documents of a brief, in every language and format asked for.

Everything is prepared and rendered in memory first; files are written only when every
document of the build has rendered and kept to its page budget, so a failure leaves the
output folder as it was. A build whose inputs have not changed since the last build of
the same outputs renders nothing (see :mod:`briefgen.write.manifest`).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen import timings
from briefgen.errors import PageBudgetError, Problem, UsageError
from briefgen.model.registry import addendum, per_issue_documents
from briefgen.render import PDF_VARIANTS
from briefgen.render.resources import template_search_path
from briefgen.shipped import Shipped
from briefgen.write.manifest import (MANIFEST_NAME, current_read_files, document_record, fingerprint, is_up_to_date,
                                     kept_document, kept_warnings, options_key, read_manifest, sha256,
                                     templates_digest, unchanged_build, updated_manifest)

if TYPE_CHECKING:
    from briefgen.model.brief import Brief
    from briefgen.model.facts import BriefFacts
    from briefgen.prepare.brief import LanguageChoice, PreparedBrief
    from briefgen.prepare.since import Since
    from briefgen.render.document import RenderedDocument, RenderedFile

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
    #: An earlier version of the brief (a file, or ``git:REV``): also write the addendum since it.
    since: str | None = None
    #: The addendum's number when the brief has no ``version``.
    addendum: int | None = None
    #: Also write each issue note on its own (``notes/<issue id>.<ext>``): the registry's per-issue documents.
    split_notes: bool = False


@dataclass(frozen=True)
class Unchanged:
    """A build found unchanged since the last one from the manifest alone: its folder, and the
    warnings the last build gave (the same inputs give the same warnings)."""

    folder: Path
    warnings: list[Problem]


@dataclass
class BuildResult:
    """What a build rendered and wrote, and the warnings about the brief."""

    #: The brief as prepared; see :attr:`brief`.
    prepared: Shipped[PreparedBrief]
    warnings: list[Problem]
    files: list[RenderedFile] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    #: True when nothing changed since the last build, so nothing was rendered.
    up_to_date: bool = False
    #: The files (as in ``files``) of the documents that had not changed since the last build:
    #: read back, not laid out again.
    kept: list[RenderedFile] = field(default_factory=list)
    #: The earlier version given with ``since`` when its content is the brief's: no addendum made.
    unchanged_since: str | None = None

    @property
    def brief(self) -> Brief:
        """The brief built, its typed model (read back from the process that loaded it when first asked for)."""
        return self.prepared.get().brief


def _render_job(job: tuple) -> RenderedDocument:
    # Each job has a worker process of its own, whose memory the system frees at once when it
    # ends. Python's cycle collector would walk the garbage of a long document's layout to free
    # it: at 200 issues, one collection of 420,000 objects took 0.8 s of the pack's 20 s, at 100
    # issues none (the garbage stayed below the threshold), so the time grew faster than the issues.
    gc.disable()
    return _render_one(job)


def _render_one(job: tuple) -> RenderedDocument:
    from briefgen.render.document import render_document

    facts, folder, options, language, document_id, html, number, issue, spare_core = job
    return render_document(facts, document_id, language, options.formats, html,
                           search_path=template_search_path(options.templates), brief_dir=folder,
                           pdf_variant=options.pdf_variant, number=number, issue=issue, spare_core=spare_core)


@dataclass
class DocumentPlan:
    """The documents of a build before any is laid out (:func:`plan_documents`)."""

    #: Each wanted document: read back when kept from the last build, None when it is to be rendered.
    documents: list[RenderedDocument | None]
    #: What each document's files depend on (:func:`~briefgen.render.document.document_key`).
    keys: list[str]
    #: The documents to render (indexes in ``documents``), longest first, and their jobs.
    to_render: list[int]
    jobs: list[tuple]
    #: Where the brief an over-long document is located in comes from (see :class:`~briefgen.shipped.Shipped`).
    prepared: Shipped[PreparedBrief]


def plan_documents(prepared: PreparedBrief, options: BuildOptions, manifest: dict[str, Any] | None = None,
                   since: Since | None = None, templates: str | None = None) -> DocumentPlan:
    """Which documents of ``prepared`` a build with ``options`` makes, their HTML, and which of them
    need to be laid out: everything before the layout, which needs neither WeasyPrint nor
    python-docx. ``manifest``, ``since`` and ``templates`` are as for :func:`render_prepared`.

    Raises :class:`~briefgen.errors.MissingGlyphError` for characters no font covers and
    :class:`~briefgen.errors.TemplateError` for a template that fails.
    """
    from briefgen.prepare.glyphs import check_glyphs
    from briefgen.render.document import document_html, document_key, output_path

    with timings.stage("glyph check"):
        check_glyphs(prepared.brief, prepared.line_map)
    search_path = template_search_path(options.templates)
    document_ids = prepared.brief.document_ids + ([addendum().id] if since and not since.unchanged else [])
    number = since.number if since else None
    # A language that the brief's language_documents limits is built in those documents only.
    limited = prepared.brief.language_documents
    wanted = [(document_id, language, None) for language in prepared.languages for document_id in document_ids
              if language not in limited or document_id in limited[language]]
    if options.split_notes:
        wanted += [(declared.id, language, issue.id) for language in prepared.languages
                   for declared in per_issue_documents() for issue in prepared.brief.issues
                   if language not in limited or declared.id in limited[language]]
    # The HTML of every document here, before any worker: each template is compiled once, not
    # in every worker, and a document whose HTML has not changed need not be laid out again.
    names = [str(output_path(document_id, language, "", number=number, issue=issue,
                             default=prepared.brief.unnamed_language)).rstrip(".")
             for document_id, language, issue in wanted]
    htmls = []
    for (document_id, language, issue), name in zip(wanted, names):
        with timings.stage(f"{name}: HTML"):
            htmls.append(document_html(prepared.brief, document_id, language, search_path,
                                       previous=since.brief if since else None, number=number, issue=issue))
    templates = templates or templates_digest(search_path)
    keys = [document_key(name, html, options.formats, options.pdf_variant, prepared.folder, templates)
            for name, html in zip(names, htmls)]
    documents: list[RenderedDocument | None] = [
        _kept(document_id, name, key, found)
        if manifest and (found := kept_document(options.output_dir, manifest, key)) else None
        for (document_id, _, _), name, key in zip(wanted, names, keys)]
    # The long pole first: the registry lists the documents longest first (the pack), and a
    # document's languages take about as long as each other, so that no worker is left with
    # a pack to lay out when the others are done.
    # The notes on their own, each a page or two, come last.
    to_render = sorted((index for index, rendered in enumerate(documents) if rendered is None),
                       key=lambda index: (document_ids.index(wanted[index][0]) if wanted[index][0] in document_ids
                                          else len(document_ids)))
    facts = prepared.brief.facts  # all that laying out needs of the brief: no model in the jobs
    jobs = [(facts, prepared.folder, options, wanted[index][1], wanted[index][0], htmls[index], number,
             wanted[index][2]) for index in to_render]
    return DocumentPlan(documents, keys, to_render, jobs, Shipped(prepared))


def import_renderers(formats: tuple[str, ...]) -> None:
    """Import what lays out ``formats``: WeasyPrint and python-docx for a PDF (its .docx takes the
    PDF's page numbers), python-docx alone for a Word-only build, which never imports WeasyPrint."""
    if "pdf" in formats:
        import briefgen.render.docx  # noqa: F401
        import briefgen.render.pdf  # noqa: F401
    elif "docx" in formats:
        import briefgen.render.docx  # noqa: F401,F811


def render_planned(plan: DocumentPlan, options: BuildOptions) -> list[RenderedDocument]:
    """The documents of ``plan``: those it keeps, and the others laid out, side by side in worker
    processes when there are several PDFs. Raises :class:`~briefgen.errors.PageBudgetError`
    (located in the brief) and :class:`~briefgen.errors.BuildError` when a document cannot be produced."""
    from briefgen.render.budgets import located
    from briefgen.workers import cores, run_jobs, worker_pool

    documents = list(plan.documents)
    allowed = options.jobs or cores()
    workers = min(len(plan.jobs), allowed) if "pdf" in options.formats else 1
    # Fewer documents than the processes allowed: each may use a second one (render_document).
    jobs = [(*job, workers < allowed) for job in plan.jobs]
    if jobs and not _imported(options.formats):
        # Laying out a PDF is the slow part and uses one core: the documents go side by side,
        # each in a process of its own, forked with WeasyPrint and python-docx imported once here.
        # Nothing is laid out here before the fork: Pango loads the fonts in a thread of its own,
        # and a worker forked while that thread held a lock waited for it for ever.
        with timings.stage("import WeasyPrint and python-docx" if "pdf" in options.formats
                           else "import python-docx"):
            import_renderers(options.formats)
    try:
        with timings.stage(f"render {len(jobs)} document{'s' if len(jobs) != 1 else ''} "
                           f"({workers} process{'es' if workers != 1 else ''})"), \
                _fewer_collections(), worker_pool(workers, one_job_each=True) as pool:
            for index, rendered in zip(plan.to_render, run_jobs(pool, _render_job if pool else _render_one, jobs)):
                rendered.key = plan.keys[index]
                documents[index] = rendered
    except PageBudgetError as error:
        prepared = plan.prepared.get()
        raise located(error, prepared.brief, prepared.line_map) from None
    for index in plan.to_render:
        timings.add(documents[index].name, documents[index].timings)
    return documents


def _imported(formats: tuple[str, ...]) -> bool:
    """Whether :func:`import_renderers` of ``formats`` has been done in this process (or has nothing to do)."""
    modules = (("briefgen.render.pdf", "briefgen.render.docx") if "pdf" in formats
               else ("briefgen.render.docx",) if "docx" in formats else ())
    return all(module in sys.modules for module in modules)


def render_prepared(prepared: PreparedBrief, options: BuildOptions, manifest: dict[str, Any] | None = None,
                    since: Since | None = None, templates: str | None = None) -> list[RenderedDocument]:
    """Every document of ``prepared`` in every language and format of ``options``, in memory,
    and the addendum since the earlier version ``since`` when it differs. ``templates`` is the
    theme's :func:`~briefgen.write.manifest.templates_digest`, read here when not given.

    With the ``manifest`` of the output folder, a document whose HTML, theme, options and
    read files are those of a document it lists, and whose files are still as written, is
    not laid out again: its files are read back (``kept``).

    Raises :class:`~briefgen.errors.MissingGlyphError` for characters no font covers,
    :class:`~briefgen.errors.PageBudgetError`, and :class:`~briefgen.errors.BuildError` or
    :class:`~briefgen.errors.TemplateError` when a document cannot be produced.
    """
    return render_planned(plan_documents(prepared, options, manifest, since, templates), options)


def _kept(document_id: str, name: str, key: str, found: tuple[dict[str, Any], list[bytes]]) -> RenderedDocument:
    """The document ``name`` of an earlier build that :func:`~briefgen.write.manifest.kept_document` found."""
    from briefgen.render.document import RenderedDocument, RenderedFile

    record, data = found
    files = [RenderedFile(document_id, file["format"], Path(file["path"]), content, pages=file["pages"])
             for file, content in zip(record["files"], data)]
    return RenderedDocument(files, [Problem(**warning) for warning in record["warnings"]], set(record["read"]),
                            key=key, kept=True, name=name)


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
    from briefgen.prepare.brief import prepare_brief

    prepared = prepare_brief(brief_path, options.languages, strict=options.strict)
    documents = render_prepared(prepared, options)
    return BuildResult(Shipped(prepared), _warnings(prepared.warnings, documents),
                       [file for document in documents for file in document.files])


def _request(options: BuildOptions) -> str:
    """The manifest's key for ``options`` as asked, before the brief resolves its languages."""
    return options_key({**asdict(options), "output_dir": None, "force": None, "jobs": None})


def unchanged(brief_path: Path | str, options: BuildOptions = BuildOptions()) -> Unchanged | None:
    """The last build of ``brief_path`` with ``options``, if no input has changed since and its
    outputs are as it wrote them; else None (and always None with ``options.force``).

    Reads only the manifests under the output folder and hashes the inputs and outputs they
    list, so that an unchanged rebuild costs what reading those files costs. A brief that
    is no longer valid has changed, so it is never unchanged.
    """
    if options.force or options.since:  # an earlier version named git:REV can change under its name
        return None
    found = unchanged_build(options.output_dir, Path(brief_path), _request(options),
                            template_search_path(options.templates))
    if found is None:
        return None
    folder, entry = found
    return Unchanged(folder, [Problem(**warning) for warning in kept_warnings(entry) or []])


@dataclass
class _Planned:
    """What a build finds before it lays anything out (:func:`_plan_build`): all of it plain
    values but the brief, which the parent unpickles only if something asks for it."""

    prepared: Shipped[PreparedBrief]
    #: Of the brief as prepared: its facts, warnings and input files besides itself.
    facts: BriefFacts
    warnings: list[Problem]
    inputs: tuple[Path, ...]
    #: The earlier version given with ``since`` when its content is the brief's: no addendum to make.
    unchanged_since: str | None
    templates: str
    settings: dict[str, Any]
    #: The manifest's key for the build's options.
    key: str
    manifest: dict[str, Any]
    damage: list[Problem]
    entry: dict[str, Any]
    up_to_date: bool
    #: None when the build is up to date.
    plan: DocumentPlan | None
    #: The stages timed while planning, for the process that prints them.
    timings: list[tuple[str, float]]


def _plan_build(job: tuple[Path, BuildOptions]) -> _Planned:
    """Everything :func:`build` does before laying out: load and check the brief, and the earlier
    version it is compared with; read the last build's manifest; render the documents' HTML."""
    brief_path, options = job
    start = timings.mark()
    with timings.stage("load and validate the brief"):  # the model's import included
        from briefgen.prepare.brief import prepare_brief

        prepared = prepare_brief(brief_path, options.languages, strict=options.strict)
    brief = prepared.brief
    if options.since:
        from briefgen.prepare.since import load_since

        since = load_since(prepared, options.since, options.addendum)
    else:
        since = None
    templates = templates_digest(template_search_path(options.templates))
    settings = {**asdict(options), "languages": prepared.languages, "output_dir": None, "force": None,
                "jobs": None}
    key = options_key(settings)
    if since:  # the earlier version is an input, whatever names it (git:HEAD moves)
        settings["since_sha256"] = since.digest
    manifest, damaged = read_manifest(options.output_dir / brief.id)
    damage = [Problem(str(options.output_dir / brief.id / MANIFEST_NAME), 1, 1, "", damaged)] if damaged else []
    entry = manifest.get(key, {})
    with timings.stage("compare with the last build"):
        up_to_date = not options.force and is_up_to_date(options.output_dir, entry, fingerprint(
            brief_path, templates, settings, current_read_files(entry)))
    plan = None if up_to_date else plan_documents(prepared, options, None if options.force else manifest, since,
                                                  templates)
    return _Planned(plan.prepared if plan else Shipped(prepared), brief.facts, prepared.warnings, prepared.inputs,
                    since.shown if since and since.unchanged else None, templates, settings, key, manifest, damage,
                    entry, up_to_date, plan, timings.since(start))


def build(brief_path: Path | str, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Prepare and render the brief at ``brief_path``, then write its documents.

    Raises the errors of :func:`~briefgen.prepare.brief.prepare_brief` and of
    :func:`render_prepared`; nothing is written in any of these cases. When nothing changed
    since the last build of the same outputs, renders nothing and returns a result marked
    ``up_to_date``.
    """
    brief_path = Path(brief_path)
    if options.addendum is not None and not options.since:
        raise UsageError(f"--addendum {options.addendum}: an addendum is made against an earlier version of the "
                         "brief; give it with --since OLD_BRIEF (a file, or git:REV)")
    planned = _planned(brief_path, options)
    templates, settings, manifest, entry = planned.templates, planned.settings, planned.manifest, planned.entry
    key, brief_id, unchanged_since = planned.key, planned.facts.id, planned.unchanged_since
    if planned.up_to_date:
        kept = kept_warnings(entry)
        return BuildResult(planned.prepared,
                           planned.warnings if kept is None else [Problem(**warning) for warning in kept],
                           up_to_date=True, unchanged_since=unchanged_since)

    documents = render_planned(planned.plan, options)
    files = [file for document in documents for file in document.files]
    read_files = {name for document in documents for name in document.read_files} | set(map(str, planned.inputs))
    read_hashes = current_read_files({"read": dict.fromkeys(sorted(read_files))})
    outputs = {str(file.relative_path): sha256(file.data) for file in files}
    # The manifest keeps the brief's and its documents' warnings, which the same inputs give again
    # (not the damaged manifest's, which this build mends).
    warnings = _warnings(planned.warnings, documents)
    from briefgen.write.files import Staging

    with timings.stage("write the files"), Staging(options.output_dir, brief_id) as staging:
        for file in files:
            staging.write(file.relative_path.relative_to(brief_id), file.data)
        staging.write(MANIFEST_NAME, updated_manifest(
            manifest, key, fingerprint(brief_path, templates, settings, read_hashes), read_hashes, outputs,
            brief_path=brief_path, request=_request(options), warnings=[asdict(warning) for warning in warnings],
            documents={document.name: _record(document) for document in documents if document.key}))
        written = staging.switch(options.output_dir / brief_id, keep=_not_stale(brief_id, entry, outputs))
    return BuildResult(planned.prepared, planned.damage + warnings, files, written[:-1],
                       unchanged_since=unchanged_since,
                       kept=[file for document in documents if document.kept for file in document.files])


def _planned(brief_path: Path, options: BuildOptions) -> _Planned:
    """:func:`_plan_build`, in a child process while this one imports WeasyPrint and python-docx
    when the build makes PDFs: each takes a few tenths of a second, and neither needs the other."""
    from briefgen.workers import in_child

    pending = in_child(_plan_build, (brief_path, options)) if "pdf" in options.formats else None
    if pending is None:
        planned = _plan_build((brief_path, options))
        timings.add(None, planned.timings)
        return planned
    started = time.perf_counter()
    import_renderers(options.formats)
    imported = time.perf_counter() - started
    planned = pending.result()
    timings.add(None, [*planned.timings, ("import WeasyPrint and python-docx, side by side with the above", imported)])
    return planned


def _not_stale(brief_id: str, entry: dict[str, Any], outputs: dict[str, str]) -> Callable[[Path], bool]:
    """Whether a file of the brief's folder stays: all do but the notes on their own that the last
    build of the same options wrote and this one does not (the note of an issue the brief dropped)."""
    folders = {Path(document.folder or document.id) for document in per_issue_documents()}
    stale = {Path(name).relative_to(brief_id) for name in entry.get("outputs", {}) if name not in outputs}
    stale = {path for path in stale if path.parent in folders}
    return lambda relative: relative not in stale


def _record(document: RenderedDocument) -> dict[str, Any]:
    """What the manifest keeps of ``document``, for a later build to keep it if it has not changed."""
    return document_record(document.key or "", [(str(file.relative_path), file.format, file.data, file.pages)
                                                 for file in document.files],
                           document.read_files, [asdict(warning) for warning in document.warnings])


def _warnings(brief_warnings: list[Problem], documents: list[RenderedDocument]) -> list[Problem]:
    return brief_warnings + [warning for document in documents for warning in document.warnings]
