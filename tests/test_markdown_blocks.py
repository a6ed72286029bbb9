"""Markdown in a brief: tables laid out as real tables in both formats, and what briefgen does
not lay out (headings, rules, code blocks, HTML, images) said at its line instead of printed
as typed without a word."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from conftest import line_starting, minimal_brief, normalise, pdf_text, run_briefgen, write_brief

TABLE = "Cases recorded:\n\n| Year | Place | Cases |\n|:-----|:-----:|------:|\n| 2024 | Lhasa | 12 |\n" \
        "| 2025 | *Shigatse* | 1,030 |\n"


def test_a_markdown_table_is_a_table_in_the_pdf_and_in_word(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"][0]["background"] = TABLE
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    folder = tmp_path / "out" / "minimal"
    html = (folder / "briefing-pack.html").read_text(encoding="utf-8")
    assert '<table class="text-table">' in html and '<th scope="col">Year</th>' in html
    assert '<td class="align-right">1,030</td>' in html
    text = normalise(pdf_text(folder / "briefing-pack.pdf"))
    assert "Year Place Cases" in text and "2025 Shigatse 1,030" in text

    document = docx.Document(str(folder / "briefing-pack.docx"))
    table = next(table for table in document.tables if table.cell(0, 0).text == "Year")
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Year", "Place", "Cases"], ["2024", "Lhasa", "12"], ["2025", "Shigatse", "1,030"]]
    header = table.rows[0]._tr
    assert header.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None  # repeats on every page
    assert [table.cell(2, column).paragraphs[0].alignment for column in range(3)] == [
        None, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT]
    assert table.cell(2, 1).paragraphs[0].runs[0].italic


MISTAKES = {
    "# The schools\n\nText.": "a heading prints as typed: headings are not allowed in a text; write the line as a "
                              "paragraph, in bold (**…**) if it must stand out",
    "First part.\n\n---\n\nSecond part.": "a rule (---) prints as typed: rules are not allowed in a text; leave a "
                                          "blank line between paragraphs",
    "A <b>bold</b> claim.": "HTML prints as typed: HTML is not allowed in a text; use Markdown: **bold**, "
                            "*italic*, [words](https://…)",
    "A map: ![map](map.png)": "an image prints as typed: images are not allowed in a text; a theme's template "
                              "(--templates) can show one",
    "```\nquoted\n```": "a code block (```) prints as typed: code blocks are not allowed in a text; write the "
                        "text as a paragraph",
}


@pytest.mark.parametrize("text, message", MISTAKES.items(), ids=["heading", "rule", "html", "image", "code"])
def test_markdown_briefgen_does_not_lay_out_is_a_warning_at_its_line(tmp_path: Path, text: str,
                                                                    message: str) -> None:
    data = minimal_brief()
    data["issues"][0]["background"] = text
    brief = write_brief(tmp_path, data)
    line = line_starting(brief, "  background:")
    column = len("  background: ") + 1
    expected = f"{brief}:{line}:{column}: issues[0].background: warning: {message}\n"
    validated = run_briefgen("validate", str(brief))
    assert (validated.returncode, validated.stderr) == (0, expected)
    strict = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "html", "--strict")
    assert strict.returncode != 0 and strict.stderr.startswith(expected)
    assert not (tmp_path / "out").exists()


def test_text_that_only_looks_like_markdown_is_no_warning(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"][0]["background"] = "#MeToo reached Lhasa; 5 - 3 < 4, mail <desk@example.org>."
    result = run_briefgen("validate", str(write_brief(tmp_path, data)))
    assert (result.returncode, result.stderr) == (0, "")
