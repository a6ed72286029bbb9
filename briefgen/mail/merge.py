"""Personalised letters for a list of recipients: a PDF (and a .docx) and an e-mail draft each.

The library API behind ``briefgen letters``. Everything is checked first (the brief, the
recipients, the sender's address, the template); the letters are staged beside the output
as they finish and moved into place only when every one has rendered and kept to its page
budget, so a failure leaves the letters folder as it was.

Where the time goes (profiled with cProfile; ``bench/letters.py`` measures it): laying out
and drawing a two-page letter in WeasyPrint takes ~110 ms of CPU, the e-mail draft ~6 ms.
So the letter is laid out once per batch and each recipient's addressee and salutation
composed onto it (:mod:`briefgen.render.mailmerge`), the body of the drafts is made once
per salutation, and the batches run in parallel worker processes. Per letter, that leaves
~7 ms of layout, ~2 ms of drawing, ~2 ms of composing the PDF and ~3 ms for the draft.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from multiprocessing.pool import Pool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.errors import InvalidBriefError, InvalidRecipientsError, PageBudgetError, Problem, RowProblem
from briefgen.load.recipients import Recipient, load_recipients
from briefgen.mail.drafts import DraftContent, Sender, build_draft, message_id
from briefgen.model.brief import Brief
from briefgen.model.validate import LoadedBrief, load_brief, missing_translations
from briefgen.render.html import (default_theme_dir, find_theme_file, render_html, template_environment,
                                  template_search_path)
from briefgen.render.glyphs import check_glyphs, uncovered
from briefgen.render.mailmerge import Fallback, fallback_notices
from briefgen.render.resources import Confinement
from briefgen.view.context import build_context
from briefgen.workers import ignore_interrupts, worker_context

if TYPE_CHECKING:
    from briefgen.render.mailmerge import ComposedLetter

TEMPLATE = "letter.html.j2"
LETTERS_FOLDER = "letters"
#: What ``briefgen letters`` writes per recipient; other files in the folder are left alone.
OUTPUT_SUFFIXES = (".pdf", ".docx", ".eml")
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


@dataclass(frozen=True)
class MergedLetter:
    """One recipient's finished letter and the names of its files (``<slug>.pdf``, ``.eml``, ``.docx``)."""

    recipient: Recipient
    slug: str
    language: str
    pages: int
    files: tuple[str, ...]
    #: Why the letter was laid out whole rather than composed; None if it was composed.
    fallback: Fallback | None = None


@dataclass
class LettersResult:
    """What ``write_letters`` rendered and wrote, and what deserves a warning or a notice."""

    brief: Brief
    folder: Path
    letters: list[MergedLetter]
    warnings: list[RowProblem | Problem | str]
    written: list[Path]
    removed: list[Path]


def letter_languages(brief: Brief) -> list[str]:
    """The languages the brief's letter can be sent in, its default language first."""
    return brief.langs


def choose_languages(brief: Brief, recipients: list[Recipient],
                     shown: str) -> tuple[list[str], list[RowProblem | Problem]]:
    """The language of each recipient's letter, and a warning per language the brief lacks.

    A recipient gets their ``language`` when the brief has it, else the brief's default.
    """
    available = letter_languages(brief)
    chosen: list[str] = []
    unmet: dict[str, list[int]] = {}
    for recipient in recipients:
        if recipient.language in available:
            chosen.append(recipient.language)
        else:
            chosen.append(available[0])
            if recipient.language:
                unmet.setdefault(recipient.language, []).append(recipient.line)
    warnings: list[RowProblem | Problem] = []
    for language, lines in unmet.items():
        many = len(lines) > 1
        warnings.append(RowProblem(
            shown, lines[0], "language",
            f"warning: the letter is not written in {language} (the brief has {', '.join(available)}), so "
            f"{len(lines)} recipient{'s' if many else ''} who asked for it (line{'s' if many else ''} "
            f"{', '.join(map(str, lines))}) get{'' if many else 's'} it in {available[0]}"))
    return chosen, warnings


def sender_from(brief_data: dict[str, Any]) -> Sender | None:
    """Who the drafts come from: the letter's contact, else the brief's, if one has an e-mail address.

    ``brief_data`` is the ``brief`` of a template context, its texts in the letter's language.
    """
    letter_contact = (brief_data.get("letter") or {}).get("contact")
    prepared_by = brief_data["prepared_by"]
    for contact in (letter_contact, prepared_by.get("contact")):
        if contact and contact.get("email"):
            return Sender(contact["name"], contact["email"], prepared_by["organization"])
    return None


def _check_recipient_glyphs(recipients: list[Recipient], shown: str) -> None:
    """Refuse recipients with a character no installed font can print (it would print as a box)."""
    problems = [RowProblem(shown, recipient.line, column, message)
                for recipient in recipients
                for column, texts in (("name", [recipient.name]), ("title", [recipient.title]),
                                      ("salutation", [recipient.salutation]),
                                      ("constituency", [recipient.constituency]), ("address", recipient.address))
                for text in texts if text for message in uncovered(text)]
    if problems:
        raise InvalidRecipientsError(problems)


def recipient_slugs(recipients: list[Recipient]) -> list[str]:
    """A file name (without suffix) per recipient, from the name, unique within the list."""
    seen: dict[str, int] = {}
    slugs = []
    for recipient in recipients:
        base = _slugify(recipient.name) or _slugify(recipient.email.partition("@")[0]) or "recipient"
        seen[base] = seen.get(base, 0) + 1
        slugs.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return slugs


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-")


def _checked_inputs(brief_path: Path, recipients_path: Path) -> tuple[
        LoadedBrief, list[Recipient], list[str], list[RowProblem | Problem]]:
    """The brief (loaded), the recipients, each one's language and the warnings, all checked."""
    loaded = load_brief(brief_path)
    brief = loaded.brief
    if brief.letter is None:
        raise InvalidBriefError([loaded.line_map.problem(("letter",), "the brief has no letter to send; "
                                                         "add a letter section")])
    if sender_from(build_context(brief, "letter")["brief"]) is None:
        raise InvalidBriefError([loaded.line_map.problem(("letter", "contact"), "no e-mail address to send the "
                                                         "letters from: add an email to letter.contact (or to "
                                                         "prepared_by.contact)")])
    check_glyphs(brief, loaded.line_map)
    recipients = load_recipients(recipients_path)
    _check_recipient_glyphs(recipients, str(recipients_path))
    languages, warnings = choose_languages(brief, recipients, str(recipients_path))
    warnings += [warning for language in sorted(set(languages) - {brief.langs[0]})
                 for warning in missing_translations(brief, loaded.line_map, language)
                 if warning.key_path.split(".")[0].split("[")[0] == "letter"]
    return loaded, recipients, languages, warnings


def _check_page_budgets(letters: list[MergedLetter], budget: int, recipients_file: str) -> None:
    """Raise :class:`PageBudgetError` naming every letter longer than ``budget`` pages, in the
    order of the recipients file."""
    over = sorted((letter for letter in letters if letter.pages > budget), key=lambda letter: letter.recipient.line)
    if over:
        raise PageBudgetError("\n".join(
            f"letter to {letter.recipient.name} ({recipients_file}:{letter.recipient.line}): {letter.pages} pages, "
            f"budget {budget}" for letter in over))


def _start_worker() -> None:
    """A letters worker's initializer: Ctrl-C is the parent's; WeasyPrint is imported now,
    while the parent checks the inputs."""
    ignore_interrupts()
    import briefgen.render.pdf  # noqa: F401


def write_letters(brief_path: Path, recipients_path: Path, options: LetterOptions = LetterOptions(),
                  progress: Progress | None = None) -> LettersResult:
    """Render a letter and a draft for every recipient, then write them into
    ``OUTPUT/<brief id>/letters/`` and remove the letter files of earlier runs that this one
    did not write (so that ``briefgen send`` cannot deliver a stale draft).

    Raises :class:`~briefgen.errors.InvalidBriefError` for a bad brief, one without a letter
    or without a contact e-mail address, :class:`~briefgen.errors.InvalidRecipientsError`
    for bad recipients, and :class:`~briefgen.errors.BuildError` (e.g. a letter over its page
    budget) or :class:`~briefgen.errors.TemplateError`; nothing is written in any of these cases.
    """
    workers = max(1, options.jobs or os.cpu_count() or 1)
    # The workers start first and import WeasyPrint (half a second) while this process checks
    # the inputs; it never imports WeasyPrint itself. On any failure they are terminated.
    with (worker_context().Pool(workers, initializer=_start_worker) if workers > 1 else nullcontext()) as pool:
        loaded, recipients, languages, warnings = _checked_inputs(brief_path, recipients_path)
        brief = loaded.brief
        folder = options.output_dir / brief.id / LETTERS_FOLDER
        created_output_dir = not options.output_dir.exists()
        options.output_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=options.output_dir, prefix=".briefgen-letters-"))
        letters: list[MergedLetter] = []
        try:
            for batch in render_letters(brief, recipients, languages, into=staging,
                                        recipients_file=str(recipients_path), docx=options.docx, pool=pool,
                                        workers=workers, search_path=tuple(template_search_path(options.templates)),
                                        brief_dir=brief_path.parent):
                letters += batch
                if progress:
                    progress(len(letters), len(recipients))
            _check_page_budgets(letters, brief.budgets["letter"], str(recipients_path))
            # The workers write without syncing each file (hundreds of fsyncs took longer than the
            # letters); one sync puts them all on disk before they are moved into place.
            os.sync()
            folder.mkdir(parents=True, exist_ok=True)
            written = []
            for staged in sorted(staging.iterdir()):
                written.append(folder / staged.name)
                os.replace(staged, written[-1])
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if created_output_dir:
                options.output_dir.rmdir()
            raise
    staging.rmdir()
    kept = set(written)
    removed = [path for path in sorted(folder.iterdir()) if path.suffix in OUTPUT_SUFFIXES and path not in kept]
    for path in removed:
        path.unlink()
    by_slug = {letter.slug: letter for letter in letters}
    letters = [by_slug[slug] for slug in recipient_slugs(recipients)]
    notices = fallback_notices(TEMPLATE, [(letter.slug, letter.fallback) for letter in letters])
    return LettersResult(brief, folder, letters, warnings + notices, written, removed)


@dataclass(frozen=True)
class LetterBatch:
    """Letters in one language that one worker lays out as one document."""

    brief: Brief
    language: str
    letters: tuple[tuple[str, Recipient], ...]
    into: Path
    recipients_file: str
    docx: bool
    drafted: dt.datetime
    search_path: tuple[Path, ...]
    brief_dir: Path


def render_letters(brief: Brief, recipients: list[Recipient], languages: list[str], *, into: Path,
                   recipients_file: str, docx: bool = False, pool: Pool | None = None, workers: int = 1,
                   search_path: tuple[Path, ...] = (), brief_dir: Path = Path(".")) -> Iterator[list[MergedLetter]]:
    """Render each recipient's letter (in ``languages[i]``) as PDF, draft and, with ``docx``, .docx,
    into the folder ``into``; yield the letters of each batch as it is written, in no particular order.

    ``recipients_file`` names the file the recipients come from in messages. The ``workers``
    processes of ``pool`` share the work (without a pool, this process does it all).
    ``search_path`` lists the folders of templates (default: the default theme) and
    ``brief_dir`` is the brief's folder, which relative references in the letter start from.
    A letter over its page budget is written too: :func:`write_letters` checks them all.
    """
    search_path = search_path or (default_theme_dir(),)
    for language in sorted(set(languages)):
        # Template errors are reported here, by name and line, before any batch is rendered.
        first = recipients[languages.index(language)]
        render_html(TEMPLATE, build_context(brief, "letter", first.letter_fields(), language=language),
                    list(search_path))
    drafted = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    by_language: dict[str, list[tuple[str, Recipient]]] = {}
    for slug, recipient, language in zip(recipient_slugs(recipients), recipients, languages):
        by_language.setdefault(language, []).append((slug, recipient))
    # Each batch lays the letter out once: as few batches as keep every worker busy.
    batches = [LetterBatch(brief, language, tuple(group[start:start + size]), into, recipients_file, docx, drafted,
                           search_path, brief_dir)
               for language, group in by_language.items()
               for size in [min(MAX_BATCH, math.ceil(len(group) / workers))]
               for start in range(0, len(group), size)]
    yield from (pool.imap_unordered(render_batch, batches) if pool else map(render_batch, batches))


def render_batch(batch: LetterBatch) -> list[MergedLetter]:
    """Render the letters of ``batch`` and write each letter's files into ``batch.into`` (by the
    worker: no file crosses between processes).

    The letter is laid out once and each recipient's opening composed onto it
    (:func:`~briefgen.render.mailmerge.compose_letters`); the letters whose opening does not fit
    are laid out together as one document, split into one PDF per letter.
    """
    from briefgen.render.mailmerge import compose_letters

    brief = batch.brief
    contexts = [build_context(brief, "letter", recipient.letter_fields(), language=batch.language)
                for _, recipient in batch.letters]
    template = template_environment(batch.search_path, batch.language).get_template(TEMPLATE)
    htmls = [template.render(context) for context in contexts]
    confinement = Confinement(batch.brief_dir, [batch.brief_dir, *batch.search_path])
    composition = compose_letters(htmls, confinement)
    pdfs = composition.letters
    alone = [index for index, composed in enumerate(pdfs) if composed is None]
    if alone:
        for index, composed in zip(alone, _laid_out_together([htmls[index] for index in alone], confinement)):
            pdfs[index] = composed
    reference = find_theme_file("reference.docx", list(batch.search_path)) if batch.docx else None
    letters = []
    files: list[tuple[str, bytes]] = []
    for (slug, recipient), context, html, composed, fallback in zip(batch.letters, contexts, htmls, pdfs,
                                                                    composition.fallbacks):
        contents = {".pdf": composed.pdf,
                    ".eml": letter_draft(brief, recipient, context, html, composed.pdf, batch.drafted)}
        if reference:
            # Imported here: python-docx takes a twentieth of a second, which letters without --docx need not pay.
            from briefgen.render.docx import docx_bytes, html_to_docx

            contents[".docx"] = docx_bytes(html_to_docx(html, reference=reference, template_name=TEMPLATE))
        files += [(f"{slug}{suffix}", data) for suffix, data in contents.items()]
        letters.append(MergedLetter(recipient, slug, batch.language, composed.pages,
                                    tuple(f"{slug}{suffix}" for suffix in contents), fallback))
    for name, data in files:
        (batch.into / name).write_bytes(data)
    return letters


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


def letter_draft(brief: Brief, recipient: Recipient, context: dict[str, Any], html: str, pdf: bytes,
                 drafted: dt.datetime) -> bytes:
    """The e-mail draft of one letter (``html`` rendered from ``context``), its texts taken from the context."""
    letter = context["brief"]["letter"]
    sender = sender_from(context["brief"])
    assert sender is not None  # write_letters checked that the brief has a sender
    content = DraftContent(language=context["language"], subject=letter["subject"],
                           salutation=recipient.salutation or letter["salutation"], opening=letter["opening"],
                           asks=tuple(ask["text"] for ask in letter["asks"]), closing=letter["closing"])
    content_hash = hashlib.sha256(html.encode()).hexdigest()
    return build_draft(sender=sender, recipient_name=recipient.name, recipient_email=recipient.email,
                       content=content, pdf=pdf, attachment_name=f"{brief.id}-letter.pdf",
                       message_id=message_id(brief.id, recipient.email, content_hash,
                                             sender.email.rpartition("@")[2]),
                       date=drafted)
