"""A hostile template folder reads nothing outside the template folders, through the real command:
``..``, absolute paths and links to files or folders elsewhere are refused, by template name
and line, and no output (HTML, PDF text, .docx XML) holds the secret file's content; links
that stay inside the template folders, and a template folder that is itself a link, work.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefgen.render.html import default_theme_dir
from conftest import docx_xml, minimal_brief, pdf_text, run_briefgen, write_brief

SECRET = "SECRET-3F9A-NOT-FOR-ANY-DOCUMENT"
DEFAULT_BASE = (default_theme_dir() / "_base.html.j2").read_text(encoding="utf-8")


def leave_behind(body: str) -> str:
    """A leave-behind template whose body is ``body``, on the default frame."""
    return '{% extends "_base.html.j2" %}{% block body %}<h1>Leave-behind</h1>\n' + body + "{% endblock %}"


@pytest.fixture
def hostile(tmp_path: Path):
    """``(theme, secret)``: an empty theme folder, and a secret file outside it that a
    template would show if it could read it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.html"
    secret.write_text(f"<p>{SECRET}</p>\n", encoding="utf-8")
    theme = tmp_path / "theme"
    theme.mkdir()
    return theme, secret


def build(tmp_path: Path, theme: Path, *formats: str):
    """``briefgen build`` of the minimal brief (leave-behind only) with ``--templates theme``."""
    briefs = tmp_path / "briefs"
    briefs.mkdir(exist_ok=True)
    data = {**minimal_brief(), "documents": ["leave-behind"]}
    return run_briefgen("build", str(write_brief(briefs, data)), "-o", str(tmp_path / "out"), "--templates",
                        str(theme), "--format", ",".join(formats or ("pdf", "docx", "html")))


def outputs_text(out: Path) -> str:
    """Everything the build wrote, as a reader would see it: HTML, PDF text, .docx XML."""
    texts = []
    for path in sorted(out.rglob("*")):
        if path.suffix == ".pdf":
            texts.append(pdf_text(path))
        elif path.suffix == ".docx":
            texts.append(docx_xml(path))
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def refusal(theme: Path, what: str) -> str:
    """The message refusing ``what`` (its location and access) to a build with ``--templates theme``."""
    return (f"{what}: briefgen reads templates only from the template folders ({theme.resolve()}, "
            f"{default_theme_dir().resolve()}); put the file there\n")


CASES = {}


def case(make_hostile):
    """Register ``make_hostile(theme, secret)``, which makes ``theme`` hostile and returns the
    location and the access that the refusal names."""
    CASES[make_hostile.__name__.replace("_", "-")] = make_hostile
    return make_hostile


def base_with_stylesheet(theme: Path, name: str) -> None:
    """The default frame in ``theme``, its stylesheet taken from ``name``."""
    (theme / "_base.html.j2").write_text(DEFAULT_BASE.replace('stylesheet("briefgen.css")', f'stylesheet("{name}")'))


@case
def stylesheet_dotdot(theme: Path, secret: Path) -> str:
    name = os.path.relpath(secret, theme)
    base_with_stylesheet(theme, name)
    return f"_base.html.j2:14: stylesheet('{name}')"


@case
def stylesheet_absolute(theme: Path, secret: Path) -> str:
    base_with_stylesheet(theme, str(secret))
    return f"_base.html.j2:14: stylesheet('{secret}')"


@case
def include_a_link_to_a_file(theme: Path, secret: Path) -> str:
    (theme / "notes.html.j2").symlink_to(secret)
    (theme / "leave-behind.html.j2").write_text(leave_behind('{% include "notes.html.j2" %}'))
    return "leave-behind.html.j2:2: template 'notes.html.j2'"


@case
def include_through_a_link_to_a_folder(theme: Path, secret: Path) -> str:
    (theme / "partials").symlink_to(secret.parent, target_is_directory=True)
    (theme / "leave-behind.html.j2").write_text(leave_behind('{% include "partials/secret.html" %}'))
    return "leave-behind.html.j2:2: template 'partials/secret.html'"


@case
def import_dotdot(theme: Path, secret: Path) -> str:
    name = f"../{secret.parent.name}/{secret.name}"
    (theme / "leave-behind.html.j2").write_text(leave_behind('{% import "' + name + '" as secret %}'))
    return f"leave-behind.html.j2:2: template '{name}'"


@case
def extends_absolute(theme: Path, secret: Path) -> str:
    (theme / "leave-behind.html.j2").write_text('{% extends "' + str(secret) + '" %}')
    return f"leave-behind.html.j2:1: template '{secret}'"


@case
def the_document_template_is_a_link(theme: Path, secret: Path) -> str:
    (theme / "leave-behind.html.j2").symlink_to(secret)
    return "leave-behind.html.j2: template 'leave-behind.html.j2'"


@case
def reference_docx_is_a_link(theme: Path, secret: Path) -> str:
    (theme / "reference.docx").symlink_to(secret)
    return "reference.docx"


@pytest.mark.parametrize("name", CASES)
def test_a_hostile_theme_reads_nothing_outside_the_template_folders(name: str, hostile, tmp_path: Path) -> None:
    theme, secret = hostile
    refused = CASES[name](theme, secret)
    result = build(tmp_path, theme)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == refusal(theme, refused)
    assert SECRET not in outputs_text(tmp_path / "out")


def test_links_that_stay_inside_the_template_folders_are_read(hostile, tmp_path: Path) -> None:
    theme, _ = hostile
    real = tmp_path / "real-theme"
    (real / "parts").mkdir(parents=True)
    (real / "parts" / "note.html.j2").write_text("<p>From a linked partial.</p>\n")
    (real / "note.html.j2").symlink_to(Path("parts") / "note.html.j2")
    (real / "print.css").symlink_to(default_theme_dir() / "briefgen.css")
    (real / "_base.html.j2").write_text(DEFAULT_BASE.replace('stylesheet("briefgen.css")', 'stylesheet("print.css")'))
    (real / "leave-behind.html.j2").write_text(leave_behind('{% include "note.html.j2" %}'))
    theme.rmdir()
    theme.symlink_to(real, target_is_directory=True)
    result = build(tmp_path, theme, "html", "pdf")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "minimal"
    html = (folder / "leave-behind.html").read_text(encoding="utf-8")
    assert "<p>From a linked partial.</p>" in html
    assert (default_theme_dir() / "briefgen.css").read_text(encoding="utf-8").replace("</", "<\\/") in html
    assert "From a linked partial." in pdf_text(folder / "leave-behind.pdf")


def test_a_file_linked_from_outside_the_template_folders_is_not_read_to_tell_if_a_build_is_up_to_date(
        tmp_path: Path, hostile) -> None:
    theme, secret = hostile
    (theme / "notes.txt").symlink_to(secret)
    assert build(tmp_path, theme, "html").returncode == 0
    secret.write_text("changed, and never read by a template", encoding="utf-8")
    again = build(tmp_path, theme, "html")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("up to date: ")
