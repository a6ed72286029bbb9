"""The ``briefgen`` command line: arguments parsed and results printed, over :mod:`briefgen.commands`.

Exit codes: 0 done, 1 build failed, 2 bad input. A user's mistake is reported in one
line per problem, never with a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from briefgen import __version__, timings
from briefgen.errors import BriefgenError, InvalidBriefError, StrictWarningsError, UsageError
from briefgen.render import PDF_VARIANTS, subsetting_warning
from briefgen.workers import stop_all
from briefgen.write.files import discard_unfinished, output_error

#: Faults of the machine, not bugs: reported as a message wherever they are met.
MACHINE_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO}


def _fail(error: BriefgenError) -> None:
    click.echo(str(error), err=True)
    sys.exit(error.exit_code)


FORMATS = ("pdf", "docx", "html")


def _parse_formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    formats = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"'{value}': choose from {', '.join(FORMATS)}, separated by commas")
    return formats


class _Commands(click.Group):
    """The command group: a user's mistake is one message and an exit code, a bug a traceback."""

    def invoke(self, ctx: click.Context):
        timings.command_started()
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except BaseException as error:
            # Whatever the command left running or half made goes first: its workers, which may
            # still write into its staging folders, then those folders; a second Ctrl-C waits.
            with _interrupts_ignored():
                stop_all()
                discard_unfinished()
            _report(error)
        finally:
            if timings.enabled():
                click.echo(timings.report(), err=True)


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored during the block, then handled as before (the command line may run in a
    process that goes on, as in a test)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _report(error: BaseException) -> None:
    """Say what stopped the command, and exit with its code."""
    if isinstance(error, BriefgenError):
        _fail(error)
    if isinstance(error, KeyboardInterrupt):
        click.echo("interrupted: nothing more was written", err=True)
        sys.exit(130)
    if isinstance(error, OSError) and error.errno in MACHINE_FAULTS:
        _fail(output_error(error, error.filename or "."))
    _report_bug()


def _report_bug() -> None:
    traceback.print_exc()
    click.echo("This is a bug in briefgen, not a mistake of yours: please report it with the command "
               "and the files that caused it.", err=True)
    sys.exit(1)


def run() -> None:
    """The ``briefgen`` command, as the console script and ``python -m briefgen`` start it: the
    command line, then the end of the process.

    Once the command is done and nothing else runs in the process, it ends without tearing the
    interpreter down: freeing every object and module of WeasyPrint, lxml and pydantic one by one
    takes a tenth of a second of a build, for memory the system takes back at once. Every file
    the commands write is closed before they return; what they printed is flushed here.
    """
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code
    if not isinstance(code, int):  # as Python exits on a message
        if code is not None:
            click.echo(code, err=True)
        code = 0 if code is None else 1
    if threading.active_count() > 1:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone (| head), or a stream closed
            stream.flush()
    os._exit(code)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """Turn a YAML brief for a state visit into briefing packs and letters (PDF and Word)."""


@main.command(name="validate")
@click.argument("briefs", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. a missing French text) as failures, as build does.")
def validate_command(briefs: tuple[Path, ...], strict: bool) -> None:
    """Check BRIEFS against brief format v1 and everything build checks before laying out;
    print every problem as PATH:LINE:COL: key: message."""
    from briefgen.commands.validate import validate

    result = validate(briefs)
    for report in result.briefs:
        if report.valid:
            for warning in report.warnings:
                click.echo(str(warning), err=True)
            if strict and (count := len(report.warnings)):
                click.echo(f"{report.path}: {count} warning{'s' if count != 1 else ''} and --strict given: "
                           "not valid", err=True)
            else:
                click.echo(f"{report.path}: valid")
    if not result.valid:
        click.echo("\n".join(str(problem) for problem in result.problems), err=True)
        sys.exit(InvalidBriefError.exit_code)
    if strict and any(report.warnings for report in result.briefs):
        sys.exit(StrictWarningsError.exit_code)


@main.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of brief format v1."""
    from briefgen.model.schema import brief_schema_text
    click.echo(brief_schema_text(), nl=False)


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", default="Official visit", show_default=True, help="Title of the brief.")
@click.option("--lang", "language", type=click.Choice(["en", "fr", "en,fr", "fr,en"]), default="en",
              show_default=True, help="Language, or two for a bilingual brief.")
def new(path: Path, title: str, language: str) -> None:
    """Write a commented starter brief at PATH that validates and builds."""
    from briefgen.commands.new import write_starter  # Jinja: for this command only
    for written in write_starter(path, title, language.split(",")):
        click.echo(f"wrote {written}")


@main.command(name="build")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("out"), show_default=True, help="Folder the documents are written under.")
@click.option("--format", "formats", default="pdf,docx", show_default=True, callback=_parse_formats,
              help="Formats to write, comma-separated: pdf, docx, html.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Folder whose files override the default theme's files of the same name.")
@click.option("--lang", "language", metavar="TAG|all",
              help="Language to build: one of the brief's (a BCP 47 tag: en, fr, zh-Hans…), or all of them; "
                   "default the brief's first.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. a source nobody cites) as failures.")
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), default=PDF_VARIANTS[0], show_default=True,
              help="PDF flavour: accessible PDF/UA, or PDF/A for archiving.")
@click.option("--force", is_flag=True, help="Render even if nothing changed since the last build.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes laying out PDFs; default one per core.")
@click.option("--timings", "show_timings", is_flag=True,
              help="Print how long each stage took on stderr (any command: BRIEFGEN_TIMINGS=1).")
@click.option("--since", metavar="OLD_BRIEF",
              help="An earlier version of BRIEF (a file, or git:REV for BRIEF's file at a git revision): also "
                   "write addendum-N, what changed since, with the changed notes reissued.")
@click.option("--addendum", "addendum_number", type=click.IntRange(min=1), metavar="N",
              help="The addendum's number, when BRIEF has no version.")
@click.option("--split-notes", is_flag=True,
              help="Also write each issue note on its own: OUTPUT/<brief id>/notes/<issue id>.<format>.")
def build_command(brief: Path, output_dir: Path, formats: tuple[str, ...], templates: Path | None,
                  language: str | None, strict: bool, pdf_variant: str, force: bool, jobs: int | None,
                  show_timings: bool, since: str | None, addendum_number: int | None, split_notes: bool) -> None:
    """Build the documents of BRIEF into OUTPUT/<brief id>/<document id>.<format>.

    With --since OLD_BRIEF (an earlier version of BRIEF: a file, or git:REV), also
    OUTPUT/<brief id>/addendum-<N>.<format>, N being BRIEF's version (else --addendum N): what
    changed since, by issue, then the notes that changed reissued in full, their changes marked
    (tracked changes in Word). OLD_BRIEF must be the same brief (its id) with a lower version;
    when nothing in it differs, no addendum is written. With --split-notes, also
    OUTPUT/<brief id>/notes/<issue id>.<format>: each issue note on its own, with the pack's
    marking, file number and header block.
    """
    if show_timings:
        timings.turn_on()
    # Importing WeasyPrint takes most of a second; `validate` must not pay for it, nor a build
    # that the manifest alone finds unchanged.
    from briefgen.commands.build import BuildOptions, build, unchanged
    options = BuildOptions(output_dir=output_dir, formats=formats, templates=templates,
                           languages="all" if language == "all" else (language,) if language else None,
                           strict=strict, pdf_variant=pdf_variant, force=force, jobs=jobs, since=since,
                           addendum=addendum_number, split_notes=split_notes)
    with timings.stage("look for an unchanged build"):
        same = unchanged(brief, options)
    if same is None:
        if "pdf" in formats and (warning := subsetting_warning()):
            click.echo(warning, err=True)
        result = build(brief, options)
    for warning in (result if same is None else same).warnings:
        click.echo(str(warning), err=True)
    if same is None and result.unchanged_since:
        click.echo(f"no addendum: nothing changed since {result.unchanged_since}")
    if same is not None or result.up_to_date:
        folder = same.folder if same is not None else output_dir / result.brief.id
        click.echo(f"up to date: {folder} (nothing changed since the last build; --force renders again)")
        return
    kept = {id(file) for file in result.kept}
    for rendered, path in zip(result.files, result.written):
        pages = f" ({rendered.pages} page{'s' if rendered.pages != 1 else ''})" if rendered.pages else ""
        click.echo(f"{'kept' if id(rendered) in kept else 'wrote'} {path}{pages}")


@main.command(name="serve")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on, on 127.0.0.1 only; 0 picks a free one.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Folder whose files override the default theme's files of the same name.")
@click.option("--lang", "language", metavar="TAG",
              help="Language of the documents shown, one of the brief's (en, fr, zh-Hans…); default the brief's "
                   "first.")
def serve_command(brief: Path, port: int, templates: Path | None, language: str | None) -> None:
    """Preview the documents of BRIEF in the browser, reloaded when they change.

    Serves, on 127.0.0.1 only, an index at / and each document at /<document id>.html as its
    pages, laid out as its PDF is (page size and margins, markings, footnotes, page numbers);
    at /<document id>.html?flow the HTML that `build --format html` writes, and at
    /<document id>.pdf the PDF that `build --format pdf` writes (with --lang fr:
    /<document id>.fr.html, .fr.pdf; --lang zh-Hans: .zh-Hans.html). Whenever the brief, a file in
    its folder or a template changes, the documents are rendered again and the open page reloads itself; a brief that
    becomes invalid shows its problems in the page (and a PDF asked for is a 409 of them)
    until it is fixed.
    """
    from briefgen.commands.serve import PreviewServer

    with PreviewServer(brief, port, templates, language) as server:
        click.echo(f"Serving {server.url} (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve()


@contextlib.contextmanager
def _progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """``update(done, total)`` drawing a progress bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    # No auto-refresh: its thread would be running when the letter workers are forked.
    with Progress(console=Console(stderr=True), transient=True, auto_refresh=False) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total, refresh=True)


@main.command(name="letters")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--recipients", "recipients", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CSV, Excel (.xlsx) or YAML file: name (or first and last name), email, title, salutation, "
                   "language, constituency, address…; see docs/recipients.md.")
@click.option("--columns", "columns", multiple=True, metavar="FIELD=COL,…",
              help="Which column of the file is which field: FIELD=COLUMN[,FIELD=COLUMN…], "
                   "e.g. email=Courriel,name=\"Nom complet\".")
@click.option("--where", "where", multiple=True, metavar="COLUMN=VALUE",
              help="Write only to the rows whose COLUMN is VALUE (case and accents aside); repeat it for "
                   "more values or columns.")
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("out"), show_default=True, help="Folder the letters are written under.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes; default one per core.")
@click.option("--docx", is_flag=True, help="Also write a Word .docx of each letter.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Folder whose files override the default theme's files of the same name.")
def letters_command(brief: Path, recipients: Path, columns: tuple[str, ...], where: tuple[str, ...],
                    output_dir: Path, jobs: int | None, docx: bool, templates: Path | None) -> None:
    """Write a personalised letter (PDF) and an e-mail draft (.eml) for each recipient
    into OUTPUT/<brief id>/letters/."""
    from briefgen.commands.letters import LetterOptions, letters
    from briefgen.load.columns import parse_columns
    from briefgen.load.recipients import parse_where

    if warning := subsetting_warning():
        click.echo(warning, err=True)
    started = time.monotonic()
    with _progress_bar("letters") as progress:
        result = letters(brief, recipients, LetterOptions(output_dir=output_dir, jobs=jobs, docx=docx,
                                                          templates=templates, columns=parse_columns(columns),
                                                          where=tuple(parse_where(where))), progress)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if result.removed:
        click.echo(f"removed {len(result.removed)} files of an earlier run for recipients no longer listed")
    kinds = "PDF, .docx and e-mail draft" if docx else "PDF and e-mail draft"
    count = len(result.letters)
    click.echo(f"wrote {count} letter{'s' if count != 1 else ''} ({kinds} each) to {result.folder} "
               f"in {time.monotonic() - started:.1f} s")


def _parse_server(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"'{value}': give the server as HOST:PORT, e.g. smtp.example.org:587")
    return host.strip("[]"), int(port)


@main.command(name="send")
@click.argument("drafts_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--smtp", "server", required=True, metavar="HOST:PORT", callback=_parse_server,
              help="The SMTP server, e.g. smtp.example.org:587.")
@click.option("--starttls", is_flag=True, help="Upgrade the connection to TLS with STARTTLS (port 587).")
@click.option("--ssl", "use_ssl", is_flag=True, help="Connect with TLS from the start (port 465).")
@click.option("--cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Trust the server certificates signed by the authority in this PEM file.")
@click.option("--user", help="Log in as USER; the password is read from BRIEFGEN_SMTP_PASSWORD.")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
@click.option("--rate", type=click.IntRange(min=1), metavar="N", help="Send at most N messages a minute.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
              metavar="SECONDS", help="How long to wait for the server's answer to a command.")
@click.option("--data-timeout", type=click.FloatRange(min=0, min_open=True), default=600.0, show_default=True,
              metavar="SECONDS", help="How long to wait for the server to confirm a message it was sent.")
@click.option("--resend-uncertain", is_flag=True,
              help="Also send the drafts whose delivery was left uncertain (a dropped connection, a crash).")
@click.option("--resend-changed", is_flag=True,
              help="Also send a changed letter to those who were sent an earlier version of it.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Send at most N messages in this run (a provider's daily cap); run again to go on.")
def send_command(drafts_dir: Path, server: tuple[str, int], starttls: bool, use_ssl: bool, cafile: Path | None,
                 user: str | None, dry_run: bool, rate: int | None, timeout: float, data_timeout: float,
                 resend_uncertain: bool, resend_changed: bool, limit: int | None) -> None:
    """Deliver the drafts in DRAFTS_DIR through an SMTP server, each person at most once.

    Only the drafts that `briefgen letters` wrote there are sent, each to the address the
    recipients file gives, never to one read from the draft. A journal in DRAFTS_DIR records
    every outcome, so running the command again after a failure sends only what is left, and
    a letter written again (a typo fixed) is not sent to whoever had the earlier version,
    unless --resend-changed. With --limit N, it stops after N messages and the next run goes
    on. Exit 0 when everyone has the letter, or all but those --limit left for the next run.
    """
    from briefgen.commands.send import send
    from briefgen.mail.send import PASSWORD_VARIABLE, SmtpOptions

    if starttls and use_ssl:
        raise UsageError("give --starttls or --ssl, not both")
    password = os.environ.get(PASSWORD_VARIABLE)
    if user and not password:
        raise UsageError(f"--user {user} needs the password in the environment variable {PASSWORD_VARIABLE}")
    if user and not (starttls or use_ssl):
        raise UsageError("--user sends a password: use it with --starttls or --ssl")
    options = SmtpOptions(host=server[0], port=server[1],
                          security="starttls" if starttls else "ssl" if use_ssl else "none",
                          user=user, password=password if user else None, cafile=cafile, per_minute=rate,
                          timeout=timeout, data_timeout=data_timeout, resend_uncertain=resend_uncertain,
                          resend_changed=resend_changed, limit=limit)
    with _progress_bar("sending") as progress:
        report = send(drafts_dir, options, dry_run=dry_run, progress=progress)
    if dry_run:
        for draft in report.left:
            if draft not in report.held:
                click.echo(f"would send {draft.path.name} to {draft.recipient}")
    *problems, counts = report.summary()
    for line in problems:
        click.echo(line, err=True)
    click.echo(counts)
    if dry_run and report.held:
        click.echo(f"would stop at the limit of {limit}: {len(report.held)} left for the next run")
    elif note := report.limit_note():
        click.echo(note)
    if not dry_run and not report.done_within_limit:
        sys.exit(1)
