"""The .docx files open in a real word processor and show the same words as their PDFs.

LibreOffice converts every .docx of the sample to PDF; the word sequence it lays out must
match the WeasyPrint PDF of the same document (similarity >= 0.9), so the two formats
cannot drift apart. Both PDFs are read in content order (pdftotext -raw), so that table
columns of different widths do not shuffle the words, and dot leaders are dropped.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool

DOCUMENTS = ("briefing-pack", "delegation-pack", "leave-behind", "letter")


PUNCTUATION = ".,;:()[]\"'…·•-–"


def words(text: str) -> list[str]:
    """The words of ``text``, lower case, without dot leaders and the punctuation layouts treat differently."""
    text = re.sub(r"\.{2,}", " ", text)
    return [word.strip(PUNCTUATION).lower() for word in text.split() if word.strip(PUNCTUATION)]


def raw_text(pdf: Path) -> str:
    """The text of ``pdf`` in content-stream order."""
    return subprocess.run([require_tool("pdftotext"), "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def similarity(first: str, second: str) -> float:
    """How alike two texts are as word sequences, from 0 to 1."""
    return difflib.SequenceMatcher(None, words(first), words(second), autojunk=False).ratio()


@pytest.fixture(scope="module")
def libreoffice_pdfs(sample_build, tmp_path_factory) -> Path:
    soffice = require_tool("soffice")
    folder, _ = sample_build
    out = tmp_path_factory.mktemp("libreoffice")
    profile = tmp_path_factory.mktemp("profile")
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *(str(folder / f"{d}.docx") for d in DOCUMENTS)],
                   check=True, capture_output=True, timeout=300)
    return out


@pytest.mark.parametrize("document", DOCUMENTS)
def test_libreoffice_shows_the_same_words_as_the_pdf(sample_build, libreoffice_pdfs, document) -> None:
    folder, _ = sample_build
    ratio = similarity(raw_text(folder / f"{document}.pdf"), raw_text(libreoffice_pdfs / f"{document}.pdf"))
    print(f"{document}: similarity {ratio:.3f}")
    assert ratio >= 0.9, f"{document}: {ratio:.3f}"
