"""Shared fixtures: paths of the repository, the sample brief, and tool availability.

A test that needs an outside tool (pdftotext, soffice) skips with a reason when the tool
is missing, except under CI=true, where the Makefile must have installed it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "carney-china-2026.yaml"
FIXTURES = ROOT / "tests" / "fixtures"


def require_tool(name: str) -> str:
    """The path of command ``name``; skips the test when missing, fails under CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (make test installs it through apt-get)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def normalise(text: str) -> str:
    """Text compared word for word: one space between words, straight quotes, no soft hyphens,
    and a hyphenated word broken at the end of a line joined again."""
    text = re.sub(r"\s+", " ", text.translate(QUOTES).replace("\u00ad", "")).strip()
    return re.sub(r"(?<=\w)- (?=\w)", "-", text)


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text of a PDF (or of one page of it) as poppler's pdftotext extracts it, normalised."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run([require_tool("pdftotext"), "-layout", *pages, str(path), "-"],
                            capture_output=True, text=True, check=True)
    return normalise(result.stdout)


def pdf_pages(path: Path) -> int:
    """The page count pdfinfo reports."""
    info = subprocess.run([require_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


def docx_xml(path: Path) -> str:
    """Every XML part of a .docx, concatenated: what Word would read."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in sorted(archive.namelist())
                         if name.endswith(".xml"))


def docx_text(path: Path) -> str:
    """The text of the body paragraphs and table cells of a .docx, normalised."""
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return normalise(" ".join(paragraphs + cells))


def run_briefgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a child process."""
    return subprocess.run([sys.executable, "-m", "briefgen", *args], capture_output=True, text=True,
                          check=False, cwd=cwd)


def write_brief(folder: Path, data: dict, name: str = "brief.yaml") -> Path:
    """Write ``data`` as a brief file in ``folder`` and return its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def minimal_brief() -> dict:
    """A fresh copy of the minimal valid brief, to change in a test."""
    return yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The sample brief built once, all documents in PDF, .docx and HTML: (folder, process)."""
    out = tmp_path_factory.mktemp("out")
    result = run_briefgen("build", str(SAMPLE), "-o", str(out), "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    return out / "carney-china-2026", result


def in_language(value, language: str):
    """Brief data with every ``{en: ..., fr: ...}`` text resolved to ``language``."""
    if isinstance(value, dict):
        if value and set(value) <= {"en", "fr"}:
            return value[language]
        return {key: in_language(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [in_language(item, language) for item in value]
    return value


@pytest.fixture(scope="session")
def sample() -> dict:
    """The sample brief as plain data, in English."""
    return in_language(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")), "en")
