"""A theme's template builds on the default theme's file of the same name, as ``default/<name>``.

A user changes one block of a default template without copying it; a template that uses
its own file (``{% extends "letter.html.j2" %}`` in a theme's ``letter.html.j2``) is a clear
error naming the file and the way out, not a recursion a thousand deep; ``default/`` reads
only from the default theme's folder.
"""

from __future__ import annotations

from pathlib import Path

from briefgen.render.html import default_theme_dir
from conftest import minimal_brief, pdf_text, run_briefgen, write_brief


def build(tmp_path: Path, theme: Path, *formats: str):
    """``briefgen build`` of the minimal brief (leave-behind only) with ``--templates theme``."""
    data = {**minimal_brief(), "documents": ["leave-behind"]}
    return run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"), "--templates",
                        str(theme), "--format", ",".join(formats or ("pdf", "docx", "html")))


def test_a_theme_template_extends_the_default_one_and_changes_one_block(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "leave-behind.html.j2").write_text(
        '{% extends "default/leave-behind.html.j2" %}{% block title %}Our own title{% endblock %}\n', encoding="utf-8")
    result = build(tmp_path, theme)
    assert result.returncode == 0, result.stderr
    folder = next((tmp_path / "out").iterdir())
    html = (folder / "leave-behind.html").read_text(encoding="utf-8")
    assert "<title>Our own title</title>" in html
    default = run_briefgen("build", str(tmp_path / "brief.yaml"), "-o", str(tmp_path / "default"), "--format", "pdf")
    assert default.returncode == 0, default.stderr
    # Everything else is the default template's: the same words on the page.
    default_pdf = next((tmp_path / "default").iterdir()) / "leave-behind.pdf"
    assert pdf_text(folder / "leave-behind.pdf") == pdf_text(default_pdf)


def test_a_template_that_extends_its_own_file_is_an_error_that_says_what_to_write(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    template = theme / "leave-behind.html.j2"
    template.write_text('{% extends "leave-behind.html.j2" %}\n', encoding="utf-8")
    result = build(tmp_path, theme, "pdf")
    assert result.returncode == 1
    assert result.stderr == (
        f"leave-behind.html.j2: {template.resolve()} uses itself ('leave-behind.html.j2'), which would never end; "
        'to build on the default theme\'s leave-behind.html.j2, write {% extends "default/leave-behind.html.j2" %}\n')
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_default_names_only_the_default_themes_folder(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "secret.html.j2").write_text("<p>not the default theme's</p>", encoding="utf-8")
    (theme / "leave-behind.html.j2").write_text('{% include "default/secret.html.j2" %}', encoding="utf-8")
    result = build(tmp_path, theme, "pdf")
    assert result.returncode == 1
    assert result.stderr == f"template default/secret.html.j2 not found in {default_theme_dir()}\n"
    (theme / "leave-behind.html.j2").write_text('{% extends "default/../../x.html.j2" %}', encoding="utf-8")
    result = build(tmp_path, theme, "pdf")
    assert result.returncode == 1
    assert result.stderr == (f"leave-behind.html.j2:1: template 'default/../../x.html.j2': briefgen reads templates "
                             f"only from the template folders ({default_theme_dir().resolve()}); put the file there\n")
