"""Hostile and broken input: located errors, content shown as text, nothing read from outside,
all-or-nothing builds, and no traceback or hang for any brief (property-based).

The located messages of each broken brief are in tests/fixtures/invalid/ (see test_validate).
"""

from __future__ import annotations

import socket
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.cli import main
from briefgen.errors import InvalidBriefError
from briefgen.load.yamlfile import MAX_BYTES, LineMap, LocatingLoader, parse_yaml
from briefgen.load.yamlfile import _FastLocatingLoader as FastLocatingLoader
from briefgen.model.validate import validate_brief
from conftest import (FIXTURES, SAMPLE, docx_text, minimal_brief, pdf_text, processes_naming, require_tool,
                      run_briefgen, write_brief)

HOSTILE = {
    "template": "{{ 7*7 }} {% raw %}{% endraw %}",
    "script": "<script>alert('x')</script>",
    "handler": '<img src="x" onerror="alert(1)">',
    "link": "[click me](javascript:alert(1))",
}


def peak_memory_kb_validating(brief: Path) -> tuple[int, int]:
    """Exit code and peak memory (KB) of a process that validates ``brief``; fails on a hang."""
    result = subprocess.run([sys.executable, "-c", (
        "import resource, sys\n"
        "from briefgen.cli import main\n"
        "try:\n    main(['validate', sys.argv[1]])\n"
        "finally:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"),
        str(brief)], capture_output=True, text=True, timeout=20)
    return result.returncode, int(result.stderr.splitlines()[-1])


def test_billion_laughs_stops_quickly_without_the_memory_growing() -> None:
    baseline_code, baseline_kb = peak_memory_kb_validating(FIXTURES / "minimal.yaml")
    code, peak_kb = peak_memory_kb_validating(FIXTURES / "invalid" / "billion-laughs.yaml")
    assert (baseline_code, code) == (0, 2)
    assert peak_kb - baseline_kb < 30_000, f"{peak_kb - baseline_kb} KB more than validating a small brief"


def test_a_brief_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    brief = tmp_path / "huge.yaml"
    brief.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    result = run_briefgen("validate", str(brief))
    assert result.returncode == 2
    assert result.stderr == f"{brief}:1:1: the file is larger than 5 MB, the limit for one file\n"


def test_hostile_text_comes_out_as_harmless_text_in_every_format(tmp_path: Path) -> None:
    data = minimal_brief()
    data["title"] = f"Title {HOSTILE['template']}"
    issue = data["issues"][0]
    issue["summary"] = " ".join(HOSTILE.values())
    issue["facts"][0]["text"] = f"Fact {HOSTILE['script']}"
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"),
                          "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "minimal"
    html = (folder / "briefing-pack.html").read_text(encoding="utf-8")
    tree = lxml.html.document_fromstring(html)
    assert tree.xpath("//script") == []
    assert [name for element in tree.iter() for name in element.attrib if name.startswith("on")] == []
    assert [href for href in tree.xpath("//@href") if not href.startswith(("#", "http", "mailto:"))] == []
    assert "{{ 7*7 }}" in html and "49" not in html
    assert "&lt;script&gt;" in html
    for text in (pdf_text(folder / "briefing-pack.pdf"), docx_text(folder / "briefing-pack.docx")):
        assert "Title {{ 7*7 }}" in text
        assert "<script>alert('x')</script>" in text
        assert "[click me](javascript:alert(1))" in text


def test_a_theme_cannot_read_files_or_reach_the_network(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections = []

    def accept() -> None:
        try:
            connections.append(listener.accept())
        except OSError:
            pass

    watcher = threading.Thread(target=accept)
    watcher.start()
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "leave-behind.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block body %}<h1>Leave-behind</h1>'
        '<p><img src="file:///etc/hostname" alt="outside"></p>'
        f'<p><img src="http://127.0.0.1:{port}/tracker.png" alt="network"></p>'
        '<p><img src="../secret.png" alt="parent"></p>{% endblock %}', encoding="utf-8")
    (tmp_path / "secret.png").write_bytes(b"not read")
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    data = minimal_brief()
    data["documents"] = ["leave-behind"]
    result = run_briefgen("build", str(write_brief(briefs, data)), "-o", str(tmp_path / "out"),
                          "--templates", str(theme), "--format", "pdf,docx")
    watcher.join()
    listener.close()
    assert result.returncode == 0, result.stderr
    assert connections == []
    assert "word/media/" not in "".join(zipfile.ZipFile(tmp_path / "out" / "minimal" / "leave-behind.docx").namelist())
    refused = [line for line in result.stderr.splitlines() if "not read" in line]
    assert refused == [
        "leave-behind.html.j2:1:1: warning: not read: file:///etc/hostname (outside the brief's and the "
        "templates' folders)",
        f"leave-behind.html.j2:1:1: warning: not read: http://127.0.0.1:{port}/tracker.png (outside the "
        "brief's and the templates' folders)",
        f"leave-behind.html.j2:1:1: warning: not read: {(tmp_path / 'secret.png').as_uri()} (outside the "
        "brief's and the templates' folders)",
    ]


def test_a_theme_runs_in_the_sandbox(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "leave-behind.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block body %}<h1>x</h1><p>{{ brief.issues.append(1) }}</p>'
        "{% endblock %}", encoding="utf-8")
    data = minimal_brief()
    data["documents"] = ["leave-behind"]
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"),
                          "--templates", str(theme))
    assert result.returncode == 1
    assert result.stderr == "leave-behind.html.j2:1: access to attribute 'append' of 'list' object is unsafe.\n"


@pytest.mark.parametrize(("body", "message"), [
    ("{{ 1 / 0 }}", "division by zero"),
    ("{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}", "maximum recursion depth exceeded"),
])
def test_a_template_that_divides_by_zero_or_recurses_without_end_is_located(body: str, message: str,
                                                                          tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "leave-behind.html.j2").write_text(body, encoding="utf-8")
    data = minimal_brief()
    data["documents"] = ["leave-behind"]
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"),
                          "--templates", str(theme))
    assert (result.returncode, result.stderr) == (1, f"leave-behind.html.j2:1: {message}\n")


def test_a_failed_build_leaves_earlier_outputs_byte_for_byte_and_no_temporary_files(tmp_path: Path) -> None:
    data = minimal_brief()
    brief = write_brief(tmp_path, data)
    out = tmp_path / "out"
    assert run_briefgen("build", str(brief), "-o", str(out)).returncode == 0
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    theme = tmp_path / "theme"
    theme.mkdir()
    # The third document fails, after two have rendered.
    (theme / "leave-behind.html.j2").write_text("{{ no_such_thing.attribute }}", encoding="utf-8")
    data["title"] = "A changed title"
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(out), "--templates", str(theme))
    assert result.returncode == 1
    assert result.stderr == "leave-behind.html.j2:1: 'no_such_thing' is undefined\n"
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
    assert [path.name for path in out.iterdir()] == ["minimal"]


def test_a_bug_shows_a_traceback_and_asks_for_a_report(monkeypatch, tmp_path: Path) -> None:
    import briefgen.commands.build

    def broken(*_args, **_kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(briefgen.commands.build, "build", broken)
    result = CliRunner().invoke(main, ["build", str(write_brief(tmp_path, minimal_brief()))])
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: simulated bug" in result.stderr
    assert result.stderr.endswith("This is a bug in briefgen, not a mistake of yours: please report it with the "
                                  "command and the files that caused it.\n")
    # Ctrl-C is handled again as before: a process that goes on (this one) is not left deaf to it.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def check_never_crashes(text: str) -> None:
    """Loading and validating ``text`` succeeds or raises InvalidBriefError with located problems."""
    try:
        data, line_map = parse_yaml(text, "brief.yaml")
        validate_brief(data, line_map)
    except InvalidBriefError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path == "brief.yaml" and problem.line >= 1 and problem.column >= 1
            assert str(problem).startswith(f"brief.yaml:{problem.line}:{problem.column}: ")


YAML_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                         st.dates())
YAML_VALUES = st.recursive(YAML_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(YAML_VALUES)
def test_random_yaml_data_never_crashes_the_validator(value) -> None:
    check_never_crashes(yaml.safe_dump(value, allow_unicode=True))


@settings(max_examples=150, deadline=2000)
@given(st.text(max_size=200))
def test_random_text_never_crashes_the_loader(text: str) -> None:
    check_never_crashes(text)


SAMPLE_LINES = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "indent", "dedent", "truncate", "swap"]),
                          st.integers(0, len(SAMPLE_LINES) - 1)), min_size=1, max_size=4))
def test_mutations_of_the_sample_never_crash_the_validator(mutations) -> None:
    check_never_crashes(mutated_sample(mutations))


def mutated_sample(mutations: list[tuple[str, int]]) -> str:
    """The sample brief with lines deleted, duplicated, indented, dedented, truncated or swapped."""
    lines = list(SAMPLE_LINES)
    for operation, index in mutations:
        index %= len(lines)
        line = lines[index]
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "indent":
            lines[index] = "  " + line
        elif operation == "dedent":
            lines[index] = line[2:] if line.startswith("  ") else line
        elif operation == "truncate":
            lines[index] = line[: len(line) // 2] + "\n"
        elif operation == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], line
        if not lines:
            lines = ["\n"]
    return "".join(lines)


def read_with(loader_class: type, text: str) -> str | None:
    """What ``loader_class`` reads from ``text`` (data, positions, problems), or None if it refuses it."""
    line_map = LineMap("brief.yaml")
    try:
        loader = loader_class(text, line_map)
        return repr((loader.load_located(), line_map, loader.problems))  # repr: NaN is not equal to itself
    except (yaml.YAMLError, RecursionError):
        return None


def test_briefs_are_parsed_by_libyaml() -> None:
    # PyYAML's wheels for Linux carry libyaml; without it a brief of 200 issues takes 1 s to parse, not 0.08 s.
    assert FastLocatingLoader is not None
    assert read_with(FastLocatingLoader, SAMPLE.read_text(encoding="utf-8")) == read_with(
        LocatingLoader, SAMPLE.read_text(encoding="utf-8"))


@settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "indent", "dedent", "truncate", "swap"]),
                          st.integers(0, len(SAMPLE_LINES) - 1)), min_size=1, max_size=4))
def test_libyaml_reads_mutations_of_the_sample_as_the_python_parser_does(mutations) -> None:
    text = mutated_sample(mutations)
    assert read_with(FastLocatingLoader, text) == read_with(LocatingLoader, text)


def tiny_png(width: int = 4, height: int = 4, rgb: bytes = b"\x12\x35\x5b") -> bytes:
    """A small solid-colour PNG, written without an imaging library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + rgb * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_an_image_beside_the_brief_is_embedded_in_both_formats_and_tracked(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "leave-behind.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block body %}<h1>Leave-behind</h1>'
        '<p><img src="logo.png" alt="The coalition\'s logo" width="40" height="40"></p>{% endblock %}',
        encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(tiny_png())
    data = minimal_brief()
    data["documents"] = ["leave-behind"]
    arguments = ("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"), "--templates", str(theme))
    result = run_briefgen(*arguments)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    folder = tmp_path / "out" / "minimal"
    images = subprocess.run([require_tool("pdfimages"), "-list", str(folder / "leave-behind.pdf")],
                            capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert len(images) == 1
    with zipfile.ZipFile(folder / "leave-behind.docx") as archive:
        assert any(name.startswith("word/media/") for name in archive.namelist())
        assert 'descr="The coalition\'s logo"' in archive.read("word/document.xml").decode()
    assert run_briefgen(*arguments).stdout.startswith("up to date")
    (tmp_path / "logo.png").write_bytes(tiny_png(rgb=b"\xaa\x00\x00"))
    assert "wrote" in run_briefgen(*arguments).stdout


def test_ctrl_c_during_a_build_leaves_the_earlier_outputs_as_they_were(tmp_path: Path) -> None:
    import signal
    import time

    out = tmp_path / "out"
    assert run_briefgen("build", str(SAMPLE), "-o", str(out), "--format", "pdf").returncode == 0
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    process = subprocess.Popen([sys.executable, "-m", "briefgen", "build", str(SAMPLE), "-o", str(out), "--force",
                                "--lang", "all"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(processes_naming(str(out))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # until the workers render the documents
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert (stdout, stderr) == ("", "interrupted: nothing more was written\n")
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
    assert [path.name for path in out.iterdir()] == ["carney-china-2026"]
