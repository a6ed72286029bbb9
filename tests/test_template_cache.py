"""Compiled templates kept for every environment of a process and on disk for the next process
(briefgen/render/bytecode.py): used again while the template is unchanged, compiled again
when it is edited, and never read from a folder that someone else could have written in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from briefgen.render.bytecode import SharedBytecode, cache_folder
from briefgen.render.limits import LimitedEnvironment
from conftest import LETTER_BRIEF, run_briefgen


def _environment(folder: Path, templates: Path) -> tuple[jinja2.Environment, list[str]]:
    """An environment over ``templates`` caching in ``folder``, and the names it compiles."""
    compiled: list[str] = []

    class Counting(LimitedEnvironment):
        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
            compiled.append(name)
            return super().compile(source, name, filename, raw, defer_init)

    env = Counting(loader=jinja2.FileSystemLoader(templates), bytecode_cache=SharedBytecode(folder),
                   autoescape=True)
    return env, compiled


def test_a_template_compiled_once_is_used_by_other_environments_and_processes(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text("<p>{{ word }}</p>", encoding="utf-8")
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    first, compiled = _environment(folder, templates)
    assert first.get_template("page.html.j2").render(word="one") == "<p>one</p>"
    assert compiled == ["page.html.j2"]
    # Another environment of the process: from memory; of another process: from the folder.
    assert first.bytecode_cache.memory and list(folder.iterdir())
    second, compiled_again = _environment(folder, templates)
    assert second.get_template("page.html.j2").render(word="two") == "<p>two</p>"
    assert compiled_again == []
    (templates / "page.html.j2").write_text("<div>{{ word }}</div>", encoding="utf-8")
    third, compiled_edited = _environment(folder, templates)
    assert third.get_template("page.html.j2").render(word="three") == "<div>three</div>"
    assert compiled_edited == ["page.html.j2"]


def test_a_folder_others_may_write_in_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = cache_folder(LimitedEnvironment, {"autoescape": True})
    assert folder is not None and folder.parent == tmp_path / "briefgen"
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)
    assert cache_folder(LimitedEnvironment, {"autoescape": True}) is None
    folder.chmod(0o700)
    (tmp_path / "briefgen").chmod(0o777)
    assert cache_folder(LimitedEnvironment, {"autoescape": True}) is None


def test_other_options_compile_into_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder(LimitedEnvironment, {"autoescape": True}) != cache_folder(LimitedEnvironment,
                                                                                  {"autoescape": False})
    assert cache_folder(LimitedEnvironment, {}) != cache_folder(jinja2.Environment, {})


def test_a_build_without_a_cache_folder_to_be_had_builds_the_same(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    cached = run_briefgen("build", str(LETTER_BRIEF), "-o", str(tmp_path / "cached"), "--format", "html")
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", str(LETTER_BRIEF), "-o",
                             str(tmp_path / "uncached"), "--format", "html"], capture_output=True, text=True,
                            env={**os.environ, "XDG_CACHE_HOME": str(blocked)})
    assert (cached.returncode, result.returncode, result.stderr) == (0, 0, "")
    for path in (tmp_path / "cached" / "letter-test").glob("*.html"):
        assert (tmp_path / "uncached" / "letter-test" / path.name).read_bytes() == path.read_bytes()
