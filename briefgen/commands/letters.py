"""``briefgen letters``: a personalised letter (PDF, and .docx) and an e-mail draft per recipient.

Everything is prepared first (the brief, the recipients, the sender's address, the
template); the letters are staged beside the output as they finish and moved into place
only when every one has rendered and kept to its page budget, so a failure leaves the
letters folder as it was.

Where the time goes (profiled with cProfile; ``bench/letters.py`` measures it): laying out
and drawing a two-page letter in WeasyPrint takes ~110 ms of CPU, the e-mail draft ~6 ms.
So the letter is laid out once per batch and each recipient's addressee, salutation, closing
and paragraphs naming their fields composed onto it (:mod:`briefgen.render.mailmerge`), the
body of the drafts is made once per salutation, and the batches run in parallel worker
processes. Per letter, that leaves
~7 ms of layout, ~2 ms of drawing, ~2 ms of composing the PDF and ~3 ms for the draft.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import DraftsError, JournalLockedError, PageBudgetError, Problem, RowProblem
from briefgen.load.recipients import Recipient
from briefgen.mail import journal
from briefgen.mail.drafts import letter_draft
from briefgen.mail.outbox import OUTBOX_NAME, Outbox, OutboxEntry, read_outbox
from briefgen.model.brief import Brief
from briefgen.model.registry import mail_merged
from briefgen.prepare.letters import PreparedLetters, Sender, prepare_letters
from briefgen.render.html import default_theme_dir, template_search_path
from briefgen.render.letters import check_letter_template, render_letters
from briefgen.render.mailmerge import Fallback, fallback_notices
from briefgen.text import slugify
from briefgen.workers import Workers, cores, run_jobs, stopped_on_failure, worker_pool
from briefgen.write.files import Staging, writing

LETTERS_FOLDER = "letters"
#: Letters laid out together in one WeasyPrint document at most: more share the layout of
#: the letter, fewer keep the memory of a batch small.
MAX_BATCH = 128

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LetterOptions:
    """Where and how to write the letters; shared by the command line and the API."""

    output_dir: Path = Path("out")
    jobs: int | None = None
    docx: bool = False
    templates: Path | None = None
    #: ``--columns``: which column of the recipients file is which field, ``{field: column}``.
    columns: dict[str, str] | None = None
    #: ``--where``: the rows to write to, ``(column, value)`` pairs.
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MergedLetter:
    """One recipient's finished letter, the names of its files (``<slug>.pdf``, ``.eml``, ``.docx``)
    and its draft's envelope."""

    recipient: Recipient
    slug: str
    language: str
    pages: int
    files: tuple[str, ...]
    message_id: str
    sender: str
    #: Why the letter was laid out whole rather than composed; None if it was composed.
    fallback: Fallback | None = None


@dataclass
class LettersResult:
    """What :func:`letters` rendered and wrote, and what deserves a warning or a notice."""

    brief: Brief
    folder: Path
    letters: list[MergedLetter]
    warnings: list[RowProblem | Problem | str]
    written: list[Path]
    removed: list[Path]


def recipient_slugs(recipients: list[Recipient], taken: set[str] = frozenset()) -> list[str]:
    """A file name (without suffix) per recipient, from the name, in the order of the list:
    unique against every name given before it and against ``taken``.

    "Jean Côté", "Jean Cote" and "Jean Cote 2" get ``jean-cote``, ``jean-cote-2`` and ``jean-cote-2-2``.
    """
    used = set(taken)
    slugs = []
    for recipient in recipients:
        base = slugify(recipient.name) or slugify(recipient.email.partition("@")[0]) or "recipient"
        slug, number = base, 1
        while slug in used:
            number += 1
            slug = f"{base}-{number}"
        used.add(slug)
        slugs.append(slug)
    return slugs


def _names_of_others(folder: Path) -> tuple[Outbox | None, set[str], list[Problem]]:
    """The outbox of an earlier run in ``folder``, the stems of the files it did not write
    (a recipient's files must not take their names), and a warning if it is damaged."""
    try:
        earlier = read_outbox(folder)
    except DraftsError:
        # Which files are ours is unknown: none is removed, and every name in the folder is taken.
        earlier, damaged = None, [Problem(str(folder / OUTBOX_NAME), 1, 1, "", (
            "warning: damaged: this is not the record briefgen letters writes; no file of the earlier run is "
            "removed, and the record is written anew"))]
    else:
        damaged = []
    ours = earlier.files() if earlier else set()
    others = {path.name.partition(".")[0] for path in _entries(folder) if path.name not in ours}
    return earlier, others, damaged


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _check_page_budgets(letters: list[MergedLetter], budget: int, recipients_file: str) -> None:
    """Raise :class:`PageBudgetError` naming every letter longer than ``budget`` pages, in the
    order of the recipients file."""
    over = sorted((letter for letter in letters if letter.pages > budget), key=lambda letter: letter.recipient.line)
    if over:
        raise PageBudgetError("\n".join(
            f"letter to {letter.recipient.name} ({recipients_file}:{letter.recipient.line}): {letter.pages} pages, "
            f"budget {budget}" for letter in over))


def _start_worker() -> None:
    """A letters worker's initializer: WeasyPrint is imported now, while the parent checks the inputs."""
    import briefgen.render.pdf  # noqa: F401


def letters(brief_path: Path | str, recipients_path: Path | str, options: LetterOptions = LetterOptions(),
            progress: Progress | None = None) -> LettersResult:
    """Render a letter and a draft for every recipient, then write them into
    ``OUTPUT/<brief id>/letters/`` and remove the letter files of earlier runs that this one
    did not write (so that ``briefgen send`` cannot deliver a stale draft).

    Raises :class:`~briefgen.errors.InvalidBriefError` for a bad brief, one without a letter
    or without a contact e-mail address, :class:`~briefgen.errors.InvalidRecipientsError`
    for bad recipients, and :class:`~briefgen.errors.BuildError` (e.g. a letter over its page
    budget) or :class:`~briefgen.errors.TemplateError`; nothing is written in any of these cases.
    """
    workers = options.jobs or cores()
    # The workers start first and import WeasyPrint (half a second) while this process checks
    # the inputs; it never imports WeasyPrint itself. On any failure they are stopped.
    with worker_pool(workers, initializer=_start_worker) as pool:
        prepared = prepare_letters(brief_path, recipients_path, columns=options.columns, where=list(options.where))
        brief = prepared.prepared.brief
        folder = options.output_dir / brief.id / LETTERS_FOLDER
        if journal.in_use(folder):
            raise JournalLockedError(f"{folder}: a briefgen send is delivering these drafts; write the letters "
                                     "again when it has finished (or stop it first)")
        earlier, taken, warnings = _names_of_others(folder)
        slugs = recipient_slugs(prepared.recipients, taken)
        merged: list[MergedLetter] = []
        with Staging(options.output_dir, f"{brief.id}-{LETTERS_FOLDER}") as staging, stopped_on_failure(pool):
            for batch in render_all(prepared, slugs, into=staging.path, docx=options.docx, pool=pool,
                                    workers=workers, search_path=tuple(template_search_path(options.templates))):
                merged += batch
                if progress:
                    progress(len(merged), len(prepared.recipients))
            _check_page_budgets(merged, brief.budgets[mail_merged().id], prepared.recipients_file)
            by_slug = {letter.slug: letter for letter in merged}
            ordered = [by_slug[slug] for slug in slugs]
            staging.write(OUTBOX_NAME, _outbox(brief, prepared.recipients_file, ordered).to_bytes(), sync=False)
            # The workers write without syncing each file (hundreds of fsyncs took longer than the
            # letters); one sync puts them all on disk before the folder is switched.
            os.sync()
            ours = earlier.files() if earlier else set()
            removed = [folder / name for name in sorted(ours - {path.name for path in staging.path.iterdir()})
                       if (folder / name).exists()]
            written = staging.switch(folder, keep=lambda relative: len(relative.parts) > 1 or relative.name not in ours)
    notices = fallback_notices(mail_merged().template, [(letter.slug, letter.fallback) for letter in ordered])
    return LettersResult(brief, folder, ordered, prepared.warnings + warnings + notices,
                         [path for path in written if path.name != OUTBOX_NAME], removed)


def _outbox(brief: Brief, recipients_file: str, merged: list[MergedLetter]) -> Outbox:
    return Outbox(brief.id, mail_merged().id, recipients_file, tuple(
        OutboxEntry(draft=f"{letter.slug}.eml", files=letter.files, message_id=letter.message_id,
                    sender=letter.sender, recipient=letter.recipient.email, name=letter.recipient.name,
                    line=letter.recipient.line) for letter in merged))


@dataclass(frozen=True)
class LetterBatch:
    """Letters in one language that one worker lays out as one document and writes into ``into``."""

    brief: Brief
    language: str
    sender: Sender
    letters: tuple[tuple[str, Recipient], ...]
    into: Path
    docx: bool
    drafted: dt.datetime
    search_path: tuple[Path, ...]
    brief_dir: Path


def render_all(prepared: PreparedLetters, slugs: list[str], *, into: Path, docx: bool = False,
               pool: Workers | None = None, workers: int = 1,
               search_path: tuple[Path, ...] = ()) -> Iterator[list[MergedLetter]]:
    """Render each recipient's letter (in its language) as PDF, draft and, with ``docx``, .docx,
    into the folder ``into``, its files named after its slug of ``slugs``; yield the letters of
    each batch as it is written, in no particular order.

    The ``workers`` processes of ``pool`` share the work (without a pool, this process does
    it all). ``search_path`` lists the folders of templates (default: the default theme). A
    letter over its page budget is written too: :func:`letters` checks them all.
    """
    brief, recipients, languages = prepared.prepared.brief, prepared.recipients, prepared.languages
    search_path = search_path or (default_theme_dir(),)
    for language in sorted(set(languages)):
        check_letter_template(brief, recipients[languages.index(language)], language, list(search_path))
    drafted = dt.datetime.now(dt.UTC).replace(microsecond=0)
    by_language: dict[str, list[tuple[str, Recipient]]] = {}
    for slug, recipient, language in zip(slugs, recipients, languages):
        by_language.setdefault(language, []).append((slug, recipient))
    # Each batch lays the letter out once: as few batches as keep every worker busy.
    batches = [LetterBatch(brief, language, prepared.senders[language], tuple(group[start:start + size]), into,
                           docx, drafted, search_path, prepared.prepared.folder)
               for language, group in by_language.items()
               for size in [min(MAX_BATCH, math.ceil(len(group) / workers))]
               for start in range(0, len(group), size)]
    yield from run_jobs(pool, render_batch, batches, ordered=False)


def render_batch(batch: LetterBatch) -> list[MergedLetter]:
    """Render the letters of ``batch`` and write each letter's files into ``batch.into`` (by the
    worker: no file crosses between processes)."""
    slugs = [slug for slug, _ in batch.letters]
    rendered = render_letters(batch.brief, batch.language, [recipient for _, recipient in batch.letters],
                              search_path=list(batch.search_path), brief_dir=batch.brief_dir, docx=batch.docx)
    merged = []
    for slug, letter in zip(slugs, rendered):
        draft = letter_draft(batch.brief.id, batch.sender, letter.recipient, letter.context, letter.html,
                             letter.pdf, batch.drafted)
        contents = {".pdf": letter.pdf, ".eml": draft.data}
        if letter.docx is not None:
            contents[".docx"] = letter.docx
        for suffix, data in contents.items():
            with writing(batch.into.parent):
                (batch.into / f"{slug}{suffix}").write_bytes(data)
        merged.append(MergedLetter(letter.recipient, slug, batch.language, letter.pages,
                                   tuple(f"{slug}{suffix}" for suffix in contents), draft.message_id,
                                   batch.sender.email, letter.fallback))
    return merged
