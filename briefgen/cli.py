"""The ``briefgen`` command line: a thin layer over :mod:`briefgen.build`.

Exit codes: 0 done, 1 build failed, 2 bad input. A user's mistake is reported in one
line per problem, never with a traceback.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from briefgen import __version__
from briefgen.errors import BriefgenError, InvalidBriefError
from briefgen.model.brief import LANGUAGES
from briefgen.model.validate import load_brief
from briefgen.render import PDF_VARIANTS


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
        try:
            return super().invoke(ctx)
        except BriefgenError as error:
            _fail(error)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing more was written", err=True)
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception:
            traceback.print_exc()
            click.echo("This is a bug in briefgen, not a mistake of yours: please report it with the command "
                       "and the files that caused it.", err=True)
            sys.exit(1)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """Turn a YAML brief for a state visit into briefing packs and letters (PDF and Word)."""


@main.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def validate(briefs: tuple[Path, ...]) -> None:
    """Check BRIEFS against brief format v1; print every problem as PATH:LINE:COL: key: message."""
    problems = []
    for path in briefs:
        try:
            loaded = load_brief(path)
        except InvalidBriefError as error:
            problems.extend(error.problems)
        else:
            for warning in loaded.warnings:
                click.echo(str(warning), err=True)
            click.echo(f"{path}: valid")
    if problems:
        click.echo("\n".join(str(problem) for problem in problems), err=True)
        sys.exit(InvalidBriefError.exit_code)


@main.command(name="build")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("out"), show_default=True, help="Folder the documents are written under.")
@click.option("--format", "formats", default="pdf,docx", show_default=True, callback=_parse_formats,
              help="Formats to write, comma-separated: pdf, docx, html.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Folder whose files override the default theme's files of the same name.")
@click.option("--lang", "language", type=click.Choice(["en", "fr", "all"]),
              help="Language to build: en, fr, or all of the brief's; default the brief's first.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. a source nobody cites) as failures.")
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), default=PDF_VARIANTS[0], show_default=True,
              help="PDF flavour: accessible PDF/UA, or PDF/A for archiving.")
def build_command(brief: Path, output_dir: Path, formats: tuple[str, ...], templates: Path | None,
                  language: str | None, strict: bool, pdf_variant: str) -> None:
    """Build the documents of BRIEF into OUTPUT/<brief id>/<document id>.<format>."""
    # Importing WeasyPrint takes most of a second; `validate` must not pay for it.
    from briefgen.build import BuildOptions, build
    from briefgen.render.pdf import subsetting_warning

    if "pdf" in formats and (warning := subsetting_warning()):
        click.echo(warning, err=True)
    result = build(brief, BuildOptions(output_dir=output_dir, formats=formats, templates=templates,
                                       languages=(language,) if language in LANGUAGES else language,
                                       strict=strict, pdf_variant=pdf_variant))
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    for rendered, path in zip(result.files, result.written):
        pages = f" ({rendered.pages} page{'s' if rendered.pages != 1 else ''})" if rendered.pages else ""
        click.echo(f"wrote {path}{pages}")
