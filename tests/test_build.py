"""`briefgen build` on the sample: the pack in PDF, Word and HTML carries every fact with its citation.

The sample is built once per module through the real command line; assertions read the
PDF back with poppler's pdftotext and reopen the .docx with python-docx.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest
import yaml

from conftest import SAMPLE, require_tool

QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def normalise(text: str) -> str:
    """Text compared word for word: one space between words, straight quotes, no soft hyphens."""
    return re.sub(r"\s+", " ", text.translate(QUOTES).replace("\u00ad", "")).strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("out")
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", str(SAMPLE), "-o", str(out),
                             "--format", "pdf,docx,html"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return out / "carney-china-2026", result


@pytest.fixture(scope="module")
def sample() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf_text(built) -> str:
    pdftotext = require_tool("pdftotext")
    folder, _ = built
    text = subprocess.run([pdftotext, "-layout", str(folder / "briefing-pack.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    return normalise(text)


@pytest.fixture(scope="module")
def docx_text(built) -> str:
    folder, _ = built
    document = docx.Document(str(folder / "briefing-pack.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return normalise(" ".join(paragraphs + cells))


def test_build_says_what_it_wrote(built) -> None:
    folder, result = built
    lines = result.stdout.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        f"wrote {folder / name}" for name in ("briefing-pack.html", "briefing-pack.pdf", "briefing-pack.docx")]
    assert re.search(r"briefing-pack\.pdf \((\d+) pages\)$", lines[1])


def test_pdf_carries_every_fact_followed_by_its_citation(pdf_text, sample) -> None:
    for issue in sample["issues"]:
        for fact in issue["facts"]:
            assert normalise(fact["text"]) + " [1]" in pdf_text


def test_pdf_lists_the_source_with_author_place_and_date(pdf_text) -> None:
    assert ("Tenzin Nyidon. [Canadian rights groups urge Prime Minister Carney to raise human rights "
            "during his visit to China]. Dharamshala, January 13, 2026.") in pdf_text


def test_pdf_has_the_cover_and_every_issue_title(pdf_text, sample) -> None:
    assert "Prime Minister's Official Visit to China" in pdf_text
    assert "UNCLASSIFIED" in pdf_text
    assert "January 13 – 17, 2026" in pdf_text
    for number, issue in enumerate(sample["issues"], start=1):
        assert f"{number}. {issue['title']}" in pdf_text


def test_pdf_prints_native_script_names(pdf_text) -> None:
    assert "习近平" in pdf_text and "黎智英" in pdf_text


def test_pdf_is_tagged_and_titled(built) -> None:
    pdfinfo = require_tool("pdfinfo")
    folder, _ = built
    info = subprocess.run([pdfinfo, str(folder / "briefing-pack.pdf")], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Title:\s+Prime Minister's Official Visit to China$", info, re.M)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Page size:\s+612 x 792 pts \(letter\)$", info, re.M)


def test_docx_carries_every_fact_followed_by_its_citation(docx_text, sample) -> None:
    for issue in sample["issues"]:
        for fact in issue["facts"]:
            assert normalise(fact["text"]) + " [1]" in docx_text


def test_docx_uses_real_word_headings(built, sample) -> None:
    folder, _ = built
    document = docx.Document(str(folder / "briefing-pack.docx"))
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == ["Prime Minister's Official Visit to China"]
    issue_headings = [f"{n}. {issue['title']}" for n, issue in enumerate(sample["issues"], start=1)]
    assert issue_headings == [text for text in by_style["Heading 1"] if text in issue_headings]
    assert {"Summary", "Background", "Key facts", "Points to make", "Recommendation"} <= set(by_style["Heading 2"])
    assert document.core_properties.title == "Prime Minister's Official Visit to China"
    assert document.core_properties.author == "Canadian Coalition on Human Rights in China"


def test_html_is_the_semantic_source_of_both_formats(built) -> None:
    folder, _ = built
    html = (folder / "briefing-pack.html").read_text(encoding="utf-8")
    assert html.count("<h1>") == 1
    assert '<html lang="en">' in html
    assert "<script" not in html
