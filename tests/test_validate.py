"""`briefgen validate`: every kind of bad brief gets exit 2 and exact, located messages.

One fixture per failure mode under tests/fixtures/invalid/, each with the exact stderr
it must produce in a file of the same name ending in .expected.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
import yaml
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import StrictWarningsError
from briefgen.view.markdown import MAX_NESTING
from conftest import FIXTURES, ROOT, SAMPLE

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("brief", INVALID, ids=[path.stem for path in INVALID])
def test_each_bad_brief_gets_its_exact_located_message(brief: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["validate", _relative(brief)])
    assert result.exit_code == 2
    assert result.stderr == brief.with_suffix(".expected").read_text(encoding="utf-8")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("brief", INVALID, ids=[path.stem for path in INVALID])
def test_build_refuses_each_bad_brief_with_the_message_validate_gives(brief: Path, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["build", _relative(brief), "-o", str(tmp_path), "--format", "html"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == brief.with_suffix(".expected").read_text(encoding="utf-8")
    assert list(tmp_path.iterdir()) == []


def test_there_is_a_fixture_for_every_failure_mode_the_issue_names() -> None:
    names = {path.stem for path in INVALID}
    assert {"syntax-error", "misspelt-key", "wrong-type", "dangling-issue", "duplicate-id",
            "duplicate-key", "top-level-list", "end-before-start", "misspelt-languages", "yaml-indented-more",
            "yaml-indented-less", "tab-indentation", "yaml-missing-colon", "yaml-list-item-dedented"} <= names


def test_the_sample_brief_and_the_minimal_brief_are_valid() -> None:
    result = CliRunner().invoke(main, ["validate", str(SAMPLE), str(FIXTURES / "minimal.yaml")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"{SAMPLE}: valid", f"{FIXTURES / 'minimal.yaml'}: valid"]


def test_all_problems_of_several_briefs_are_reported_at_once(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    briefs = [FIXTURES / "invalid" / "misspelt-key.yaml", FIXTURES / "invalid" / "dangling-letter-references.yaml"]
    result = CliRunner().invoke(main, ["validate", *map(_relative, briefs)])
    assert result.exit_code == 2
    expected = "".join(path.with_suffix(".expected").read_text(encoding="utf-8") for path in briefs)
    assert result.stderr == expected


def test_several_problems_in_one_file_each_get_a_line(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Minimal brief", "titel: Minimal brief").replace("by: [group]", "by: [nobody]")
    brief = tmp_path / "brief.yaml"
    brief.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(brief)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{brief}:3:1: titel: unknown key 'titel'; did you mean 'title'?",
        f"{brief}:23:10: asks[0].by[0]: no signatory has the id 'nobody'; known: group",
    ]


def test_a_missing_file_is_reported_without_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(missing)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == f"{missing}:1:1: no such file\n"


@pytest.mark.parametrize("name", ["id-too-long", "markdown-nested-too-deep"])
def test_build_reports_what_would_end_in_a_traceback_as_validate_does(name: str, tmp_path: Path) -> None:
    # An id too long for a file name, emphasis too deep for the layout's recursion.
    brief = FIXTURES / "invalid" / f"{name}.yaml"
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", _relative(brief), "-o", str(tmp_path)],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == brief.with_suffix(".expected").read_text(encoding="utf-8")


def test_markdown_nested_as_deep_as_briefgen_allows_is_valid_and_rendered_whole(tmp_path: Path) -> None:
    data = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    lists = "\n".join("  " * level + f"- list level {level + 1}" for level in range(MAX_NESTING))
    quotes = "> " * MAX_NESTING + "quoted at the deepest level"
    emphasis = "*" * (2 * MAX_NESTING) + "emphasised at the deepest level" + "*" * (2 * MAX_NESTING)
    data["issues"][0].update(background=lists, current_status=quotes, summary=emphasis)
    brief = tmp_path / "brief.yaml"
    brief.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", str(brief)]).exit_code == 0
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", str(brief), "-o", str(tmp_path / "out"),
                             "--format", "html"], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    tree = lxml.html.parse(str(tmp_path / "out" / "minimal" / "briefing-pack.html"))
    assert tree.xpath(f"//li[count(ancestor::ul) = {MAX_NESTING}]/text()") == [f"list level {MAX_NESTING}"]
    assert tree.xpath(f"//p[count(ancestor::blockquote) = {MAX_NESTING}]/text()") == ["quoted at the deepest level"]
    assert tree.xpath(f"//text()[count(ancestor::strong) = {MAX_NESTING}]") == ["emphasised at the deepest level"]


def test_a_brief_saved_as_utf8_with_a_byte_order_mark_is_valid_and_its_problems_keep_their_columns(
        tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    valid = tmp_path / "bom.yaml"
    valid.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = CliRunner().invoke(main, ["validate", str(valid)])
    assert (result.exit_code, result.stdout) == (0, f"{valid}: valid\n")
    invalid = tmp_path / "bom-invalid.yaml"
    invalid.write_bytes(b"\xef\xbb\xbf" + text.replace("briefgen: 1", "briefgen: 7", 1).encode("utf-8"))
    result = CliRunner().invoke(main, ["validate", str(invalid)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{invalid}:1:11: briefgen: ")  # the mark is no column


@pytest.mark.parametrize(("data", "message"), [
    (b"briefgen: 1\ntitle: \x81\x8d\n", '2:8: the file is not UTF-8 text; save it as UTF-8 (in most editors: Save As, '
                                          'then the encoding "UTF-8")'),
    ("briefgen: 1\n".encode("utf-32"), '1:1: the file is UTF-32 text, not UTF-8; save it as UTF-8 (in most editors: '
                                        'Save As, then the encoding "UTF-8")'),
])
def test_a_file_in_no_encoding_or_in_utf32_is_named_so(tmp_path: Path, data: bytes, message: str) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_bytes(data)
    result = CliRunner().invoke(main, ["validate", str(brief)])
    assert (result.exit_code, result.stderr) == (2, f"{brief}:{message}\n")


def test_validate_reports_what_build_would_refuse_or_warn_about_before_any_layout(tmp_path: Path) -> None:
    data = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    data["languages"] = ["en", "fr"]
    data["title"] = {"en": "Minimal brief", "fr": "Note minimale"}
    data["subtitle"] = {"en": "In English only"}
    data["issues"][0]["summary"] = "A private-use character \ue000 no font can know."
    data["letter"] = {"to": {"name": "The Prime Minister"}, "subject": "A subject", "salutation": "Dear Sir,",
                      "opening": "We write.", "closing": "Sincerely,"}
    brief = tmp_path / "brief.yaml"
    brief.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    lines = brief.read_text(encoding="utf-8").splitlines()
    # Where each key is, and the column of its value.
    line_of = {key: next(f"{number}:{line.find(': ') + 3 if ': ' in line else 1}"
                         for number, line in enumerate(lines, 1) if line.lstrip(" -").startswith(key))
               for key in ("subtitle:", "summary:", "letter:")}
    result = CliRunner().invoke(main, ["validate", str(brief)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{brief}:{line_of['summary:']}: issues[0].summary: U+E000 PRIVATE USE CHARACTER is covered by no "
        "installed font; it is a private-use character: replace it\n")

    data["issues"][0]["summary"] = "A summary."
    brief.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(brief)])
    assert (result.exit_code, result.stdout) == (0, f"{brief}: valid\n")
    assert result.stderr == (
        f"{brief}:{line_of['subtitle:']}: subtitle: warning: no French text; the English is used\n"
        f"{brief}:{line_of['letter:']}: letter: warning: the letter has no e-mail address to be sent from, so "
        "briefgen letters will refuse it; add an email to letter.contact (or to prepared_by.contact)\n")

    strict = CliRunner().invoke(main, ["validate", "--strict", str(brief)])
    assert (strict.exit_code, strict.stdout) == (StrictWarningsError.exit_code, "")
    assert strict.stderr == result.stderr + f"{brief}: 2 warnings and --strict given: not valid\n"
