"""English and French: `--lang fr` writes every document in French, with no English label left.

The French catalog is checked against the templates, the French PDFs and .docx files are
read back, and dates and markings are checked in their official French forms.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from briefgen.view.dates import date_range, day_heading, long_date
from briefgen.view.markings import localize_marking
from briefgen.view.translations import catalog_path
from conftest import (ROOT, SAMPLE, docx_text, docx_xml, in_language, minimal_brief, normalise, pdf_text,
                      require_tool, run_briefgen, write_brief)

DOCUMENTS = ("briefing-pack", "delegation-pack", "leave-behind", "letter")


def french_catalog():
    with catalog_path("fr").open("rb") as stream:
        return read_po(stream, locale="fr")


@pytest.fixture(scope="module")
def french_build(sample_build) -> Path:
    folder, result = sample_build
    assert result.stderr == ""
    return folder


def test_every_fixed_word_of_the_templates_has_a_french_translation() -> None:
    # As babel.cfg extracts them for `make translations`: the templates, the greetings of letters, and
    # what a screen reader says of a change marked in an addendum.
    extracted = {message[2] if isinstance(message[2], str) else message[2][0]
                 for message in extract_from_dir(str(ROOT), method_map=[
                     ("templates/**.j2", "jinja2"), ("briefgen/prepare/greetings.py", "python"),
                     ("briefgen/mail/**.py", "python"), ("briefgen/view/changes.py", "python")],
                     options_map={"templates/**.j2": {"extensions": "jinja2.ext.i18n"}})}
    catalog = french_catalog()
    in_catalog = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
    assert extracted == in_catalog, "run make translations"
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"no French for {message.id!r}"


def test_lang_fr_writes_the_four_documents_beside_the_english_names(tmp_path) -> None:
    # .docx and HTML only: PDFs are named the same way, and laying them out would add nothing.
    result = run_briefgen("build", str(SAMPLE), "-o", str(tmp_path), "--lang", "fr", "--format", "docx,html")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "carney-china-2026").iterdir()) == sorted(
        [".briefgen-build.json", *(f"{document}.fr.{ext}" for document in DOCUMENTS for ext in ("html", "docx"))])


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_english_label_is_left_in_a_french_document(french_build, document) -> None:
    texts = [pdf_text(french_build / f"{document}.fr.pdf"), docx_text(french_build / f"{document}.fr.docx")]
    for message in french_catalog():
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[1]
        french = message.string if isinstance(message.string, str) else message.string[1]
        label = re.split(r"%\(|\{", english)[0].strip()
        if len(label) < 3 or label == re.split(r"%\(|\{", french)[0].strip():
            continue
        for text in texts:
            for shown in (label, label.upper()):
                assert not re.search(rf"(?<!\w){re.escape(shown)}(?!\w)", text), (document, label)


def test_french_documents_carry_french_markings_dates_and_language(french_build) -> None:
    pack = pdf_text(french_build / "briefing-pack.fr.pdf")
    assert "NON CLASSIFIÉ" in pack and "UNCLASSIFIED" not in pack
    assert "13–17 janvier 2026" in pack
    assert "Table des matières" in pack and "Page 2 de" in pack
    letter = pdf_text(french_build / "letter.fr.pdf")
    assert "13 janvier 2026" in letter
    assert "Signée par 3 organisations :" in letter.replace("\u00a0", " ")
    html = (french_build / "letter.fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert 'w:lang w:val="fr-CA"' in docx_xml(french_build / "letter.fr.docx")
    catalog = subprocess.run([require_tool("qpdf"), "--json=2", "--json-key=qpdf",
                              str(french_build / "letter.fr.pdf")], capture_output=True, text=True, check=True)
    assert '"/Lang": "u:fr"' in catalog.stdout


def test_the_french_letter_carries_the_french_text_of_the_brief(french_build) -> None:
    import yaml

    french = in_language(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")), "fr")
    letter = pdf_text(french_build / "letter.fr.pdf").replace("\u00a0", " ")
    assert normalise(french["letter"]["salutation"]).replace("\u00a0", " ") in letter
    assert "Objet : " + normalise(french["letter"]["subject"]).replace("\u00a0", " ") in letter
    asks = {ask["id"]: normalise(ask["text"]).replace("\u00a0", " ") for ask in french["asks"]}
    for ask_id in french["letter"]["asks"]:
        assert asks[ask_id] in letter


def test_a_missing_french_text_is_a_warning_with_its_line_and_strict_fails(tmp_path: Path) -> None:
    data = minimal_brief()
    data["languages"] = ["en", "fr"]
    data["title"] = {"en": "Minimal brief", "fr": "Note minimale"}
    data["issues"][0]["title"] = {"en": "First issue"}
    brief = write_brief(tmp_path, data)
    warning = f"{brief}:18:3: issues[0].title: warning: no French text; the English is used\n"

    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "fr", "--format", "html")
    assert result.returncode == 0
    assert result.stderr == warning
    assert "First issue" in (tmp_path / "out" / "minimal" / "briefing-pack.fr.html").read_text(encoding="utf-8")

    strict = run_briefgen("build", str(brief), "-o", str(tmp_path / "strict"), "--lang", "fr", "--strict")
    assert strict.returncode == 1
    assert strict.stderr == warning + "1 warning and --strict given: nothing written\n"


def test_a_language_the_brief_is_not_written_in_is_refused(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, minimal_brief())
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "fr")
    assert result.returncode == 2
    assert result.stderr == (f"{brief}: the brief is written in en only, not fr; add a languages list "
                             "(e.g. languages: [en, fr]) and the texts\n")


def test_lang_all_builds_every_language_of_the_brief(tmp_path: Path) -> None:
    data = minimal_brief()
    data["language"] = "fr"
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path), "--lang", "all",
                          "--format", "html")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "minimal").iterdir()) == [
        ".briefgen-build.json", "briefing-pack.fr.html", "delegation-pack.fr.html", "leave-behind.fr.html"]


def test_dates_as_each_language_writes_them() -> None:
    start, end = dt.date(2026, 1, 13), dt.date(2026, 1, 17)
    assert long_date(start, "en") == "January 13, 2026"
    assert long_date(start, "fr") == "13 janvier 2026"
    assert long_date(dt.date(2026, 2, 1), "fr") == "1er février 2026"
    # Within a month an en dash without spaces; across months spaced, a no-break space before it.
    assert date_range(start, end, "en") == "January 13–17, 2026"
    assert date_range(start, end, "fr") == "13–17 janvier 2026"
    assert date_range(dt.date(2026, 1, 30), dt.date(2026, 2, 1), "fr") == "30 janvier\u00a0– 1er février 2026"
    assert date_range(dt.date(2026, 1, 30), dt.date(2026, 2, 2), "en") == "January 30\u00a0– February 2, 2026"
    assert date_range(dt.date(2026, 12, 31), dt.date(2027, 1, 2), "en") == "December 31, 2026\u00a0– January 2, 2027"
    assert day_heading(dt.date(2026, 2, 1), "fr") == "dimanche 1er février"
    assert day_heading(start, "en") == "Tuesday, January 13"


def test_markings_have_their_official_french() -> None:
    assert [localize_marking(m, "fr") for m in ("UNCLASSIFIED", "PROTECTED A", "Protected B", "TOP SECRET",
                                                "EYES ONLY")] == [
        "NON CLASSIFIÉ", "PROTÉGÉ A", "PROTÉGÉ B", "TRÈS SECRET", "EYES ONLY"]
    assert localize_marking("PROTECTED A", "en") == "PROTECTED A"
