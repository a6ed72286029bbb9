"""Every PDF is accessible and archivable, read back with independent tools.

pdfinfo (tagged, title), pdffonts (every font embedded and subset), qpdf (--check, and
--json for the catalog and the structure tree), pdftotext (native-script names).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_briefgen, require_tool

DOCUMENTS = ("briefing-pack", "delegation-pack", "leave-behind", "letter")
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def qpdf_objects(path: Path) -> dict:
    result = subprocess.run([require_tool("qpdf"), "--json=2", "--json-key=qpdf", str(path)],
                            capture_output=True, text=True, check=True)
    return {key: value["value"] for key, value in json.loads(result.stdout)["qpdf"][1].items()
            if isinstance(value, dict) and "value" in value}


def catalog(objects: dict) -> dict:
    return next(v for v in objects.values() if isinstance(v, dict) and v.get("/Type") == "/Catalog")


def structure_types(objects: dict) -> Counter:
    return Counter(v.get("/S") for v in objects.values() if isinstance(v, dict) and v.get("/Type") == "/StructElem")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_pdf_is_tagged_titled_pdf_ua_with_its_language(sample_build, document) -> None:
    folder, _ = sample_build
    pdf = folder / f"{document}.pdf"
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+\S", info, re.M)
    assert re.search(r"^Author:\s+Canadian Coalition on Human Rights in China$", info, re.M)
    assert re.search(r"^CreationDate:\s+Tue Jan 13 00:00:00 2026 UTC$", info, re.M)
    metadata = subprocess.run([require_tool("pdfinfo"), "-meta", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
    assert 'pdfuaid:part="1"' in metadata
    objects = qpdf_objects(pdf)
    root = catalog(objects)
    assert root["/Lang"] == "u:en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] is True
    assert root["/MarkInfo"]["/Marked"] is True
    kinds = structure_types(objects)
    assert kinds["/H1"] == 1
    assert kinds["/L"] >= 1 and kinds["/LI"] >= 1


def test_the_pack_structure_has_headings_tables_with_header_cells_and_bookmarks(sample_build) -> None:
    folder, _ = sample_build
    objects = qpdf_objects(folder / "briefing-pack.pdf")
    kinds = structure_types(objects)
    assert kinds["/H1"] == 1 and kinds["/H2"] >= 8 and kinds["/H3"] >= 20
    assert kinds["/Table"] >= 3 and kinds["/TH"] >= 5
    assert "/Outlines" in catalog(objects)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_font_is_embedded_and_subset_and_qpdf_finds_no_error(sample_build, document) -> None:
    folder, _ = sample_build
    pdf = folder / f"{document}.pdf"
    fonts = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        name, embedded, subset = line.split()[0], *re.findall(r"\b(yes|no)\b", line)[:2]
        assert (embedded, subset) == ("yes", "yes"), line
        assert re.match(r"[A-Z]{6}\+", name), line
    check = subprocess.run([require_tool("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout


def test_the_letter_fits_an_email_and_the_pack_stays_small(sample_build) -> None:
    folder, _ = sample_build
    assert (folder / "letter.pdf").stat().st_size <= 100_000
    assert (folder / "briefing-pack.pdf").stat().st_size <= 1_000_000


def test_chinese_tibetan_and_uyghur_names_print_and_can_be_extracted(tmp_path: Path) -> None:
    brief = Path(__file__).parent / "fixtures" / "scripts.yaml"
    result = run_briefgen("build", str(brief), "-o", str(tmp_path), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "scripts" / "briefing-pack.pdf"
    text = subprocess.run([require_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.translate(BIDI_CONTROLS)
    assert "习近平" in text and "黎智英" in text
    assert "ئىلھام توختى" in text
    # Tibetan vowel signs sit above the line, so poppler puts them on lines of their own:
    # the characters come out complete and in order once the layout's whitespace is removed.
    assert "བོད་ལྗོངས་" in re.sub(r"\s+", "", text)
    fonts = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    for family in ("Noto-Serif-CJK-SC", "Noto-Serif-Tibetan", "Noto-Naskh-Arabic"):
        assert family in fonts
    languages = [(element["/S"], element["/Lang"]) for element in qpdf_objects(pdf).values()
                 if isinstance(element, dict) and element.get("/Type") == "/StructElem" and "/Lang" in element]
    assert languages == [("/Span", "u:zh"), ("/Span", "u:zh"), ("/Span", "u:bo"), ("/Span", "u:ug")]


def test_a_character_no_font_covers_fails_the_build_before_anything_is_written(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    text = (Path(__file__).parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    brief.write_text(text.replace("title: First issue", "title: First issue \ue000"), encoding="utf-8")
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr == (f"{brief}:14:12: issues[0].title: U+E000 PRIVATE USE CHARACTER is covered by no "
                             "installed font; it is a private-use character: replace it\n")
    assert not (tmp_path / "out").exists()


def test_pdf_a_for_archiving_on_request(tmp_path: Path) -> None:
    brief = Path(__file__).parent / "fixtures" / "minimal.yaml"
    result = run_briefgen("build", str(brief), "-o", str(tmp_path), "--format", "pdf", "--pdf-variant", "pdf/a-3b")
    assert result.returncode == 0, result.stderr
    metadata = subprocess.run([require_tool("pdfinfo"), "-meta", str(tmp_path / "minimal" / "leave-behind.pdf")],
                              capture_output=True, text=True, check=True).stdout
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata


def test_a_warning_says_when_the_fast_font_subsetter_is_missing(monkeypatch) -> None:
    import ctypes
    import ctypes.util

    from weasyprint.text import ffi

    from briefgen.render import subsetting_warning

    assert subsetting_warning() is None, "make test installs libharfbuzz-subset0"
    assert ffi.harfbuzz_subset is not None, "WeasyPrint finds the same library"
    # Missing: neither the loader nor the system's library index finds it.
    loader = ctypes.CDLL

    def without_subsetter(name, *arguments, **options):
        if "harfbuzz-subset" in str(name):
            raise OSError(f"{name}: cannot open shared object file")
        return loader(name, *arguments, **options)

    monkeypatch.setattr(ctypes, "CDLL", without_subsetter)
    assert subsetting_warning() is None, "the library index still finds it"
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert subsetting_warning() == (
        "warning: libharfbuzz-subset is not installed, so fonts are subset about 4 times more slowly; "
        "install libharfbuzz-subset0 (Debian/Ubuntu) or your system's HarfBuzz subset library")
