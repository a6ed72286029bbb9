"""Runs of other scripts (Chinese, Tibetan, Uyghur, Devanagari) in names and in running text:
each tagged with its language in the HTML, the PDF's structure tree and the .docx, never
``und``; given back as written by poppler and pypdf (pdfminer.six where the glyph order
allows); set in Word with the script's font and language, and laid out by LibreOffice at the
line pitch of the text around it; a character of theirs that no font covers is a located error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from itertools import groupby
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import (LETTER_BRIEF, line_starting, minimal_brief, require_tool, run_briefgen, write_brief,
                      write_recipients)

#: Per script: its language, a name in it, and a phrase of it inside an English sentence.
SCRIPTS = {
    "chinese": ("zh", "黎智英", "人权"),
    "tibetan": ("bo", "བོད་ཀྱི", "བོད་ཀྱི་རྒྱལ་ཁབ"),
    "uyghur": ("ug", "ئىلھام توختى", "ئۇيغۇر"),
    "devanagari": ("hi", "कैलाश सत्यार्थी", "मानवाधिकार"),
}
#: Word's fonts and languages for each: the w:rFonts slot and font, the w:lang attribute and value.
WORD = {
    "chinese": ("eastAsia", "Noto Serif CJK SC", "eastAsia", "zh-CN"),
    "tibetan": ("cs", "Noto Serif Tibetan", "bidi", "bo-CN"),
    "uyghur": ("cs", "Noto Naskh Arabic", "bidi", "ug-CN"),
    "devanagari": ("cs", "Noto Serif Devanagari", "bidi", "hi-IN"),
}
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
#: A sentence a line holds whole, so that each line of a paragraph has a word of the marker.
SENTENCE = "The {marker} delegation raises {phrase} with the ministry today."
MARKERS = {"latin": "alpha", "devanagari": "bravo", "tibetan": "charlie", "uyghur": "delta", "chinese": "echo"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def squashed(text: str) -> str:
    """``text`` without white space and bidi controls: how the brief's text is compared."""
    return re.sub(r"\s+", "", text.translate(BIDI_CONTROLS))


def scripts_brief() -> dict:
    """A brief with a name and a phrase of each script, the Uyghur name's language given (which
    makes Arabic script Uyghur in the whole brief), and paragraphs whose line pitch is measured."""
    data = minimal_brief()
    data["id"] = "scripts"
    data["documents"] = ["briefing-pack"]
    issue = data["issues"][0]
    issue["people"] = [{"name": script.title(), "native_name": name} for script, (_, name, _) in SCRIPTS.items()]
    issue["people"][2]["native_lang"] = "ug"
    issue["background"] = "; ".join(f"in {script} one says {phrase}" for script, (_, _, phrase) in SCRIPTS.items())
    issue["facts"][0]["text"] = "The river is called गंगा नदी and the school བོད་ལྗོངས་."
    phrases = {"latin": "the case of every person named here", "devanagari": "मानवाधिकार कैलाश",
               "tibetan": "བོད་ཀྱི བོད་ལྗོངས་", "uyghur": "ئۇيغۇر ئىلھام", "chinese": "人权 黎智英"}
    issue["current_status"] = "\n\n".join(" ".join(SENTENCE.format(marker=MARKERS[kind], phrase=phrase)
                                                   for _ in range(6)) for kind, phrase in phrases.items())
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The briefing pack of :func:`scripts_brief` in PDF, .docx and HTML: its folder."""
    folder = tmp_path_factory.mktemp("scripts")
    brief = write_brief(folder, scripts_brief())
    result = run_briefgen("build", str(brief), "-o", str(folder / "out"), "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "scripts"


@pytest.fixture(scope="module")
def extracted(built) -> dict[str, str]:
    """The PDF's text as each extractor gives it, squashed."""
    from pdfminer.high_level import extract_text

    pdf = built / "briefing-pack.pdf"
    poppler = subprocess.run([require_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    pypdf = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    return {"poppler": squashed(poppler), "pypdf": squashed(pypdf), "pdfminer": squashed(extract_text(str(pdf)))}


@pytest.mark.parametrize("tool", ["poppler", "pypdf"])
@pytest.mark.parametrize("script", SCRIPTS)
def test_poppler_and_pypdf_give_back_the_briefs_text_in_names_and_running_text(extracted, tool, script) -> None:
    _, name, phrase = SCRIPTS[script]
    assert squashed(name) in extracted[tool] and squashed(phrase) in extracted[tool]
    if script == "uyghur" and tool == "poppler":
        # poppler takes the punctuation that follows right-to-left text, with no space
        # between, into it (Uyghur (‫)ئىلھام توختى‬): the brief's words come back, not the
        # template's parenthesis or semicolon in their place.
        assert squashed(f"{script.title()} (") in extracted[tool]
    else:
        assert squashed(f"{script.title()} ({name})") in extracted[tool]
        assert squashed(f"in {script} one says {phrase}") in extracted[tool]
    assert squashed("The river is called गंगा नदी and the school བོད་ལྗོངས་.") in extracted[tool]


@pytest.mark.parametrize("script", SCRIPTS)
def test_pdfminer_gives_back_each_scripts_names_and_phrases_but_arabic_reversed(extracted, script) -> None:
    _, name, phrase = SCRIPTS[script]
    if script == "uyghur":
        # A PDF draws right-to-left text in visual order; pdfminer reads the glyphs as drawn
        # and has no bidi algorithm, so each Uyghur word comes out reversed.
        assert squashed(phrase)[::-1] in extracted["pdfminer"]
        assert all(word[::-1] in extracted["pdfminer"] for word in name.split())
    else:
        # Its characters come in order; its layout analysis puts a line of Tibetan or
        # Devanagari words (a taller font) in a text box apart from the English around them.
        assert squashed(name) in extracted["pdfminer"] and squashed(phrase) in extracted["pdfminer"]


def structure_languages(pdf: Path) -> list[tuple[str, str]]:
    """(structure type, /Lang) of every structure element of ``pdf`` that has a /Lang, in tree order."""
    found: list[tuple[str, str]] = []
    stack = [PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        element = stack.pop().get_object()
        if "/Lang" in element:
            found.append((str(element["/S"]), str(element["/Lang"])))
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        stack.extend(reversed([kid for kid in kids if hasattr(kid, "get_object")
                               and hasattr(kid.get_object(), "get")]))
    return found


def html_runs(html: Path) -> list[tuple[str, str]]:
    """(lang, text) of every element with a ``lang`` inside the body of ``html``, in document order."""
    body = lxml.html.parse(str(html)).getroot().find("body")
    return [(element.get("lang"), element.text_content()) for element in body.iter() if element.get("lang")]


def test_each_run_has_its_language_in_the_html_and_the_pdfs_structure_tree_and_none_is_und(built) -> None:
    runs = html_runs(built / "briefing-pack.html")
    for language, name, phrase in SCRIPTS.values():
        assert (language, name) in runs and (language, phrase) in runs
    assert ("hi", "गंगा नदी") in runs and ("bo", "བོད་ལྗོངས་") in runs
    languages = structure_languages(built / "briefing-pack.pdf")
    # A run broken across two lines is a structure element on each: compared in turns of language.
    assert [key for key, _ in groupby(languages)] == [("/Span", key) for key, _ in groupby(lang for lang, _ in runs)]
    assert 'lang="und"' not in (built / "briefing-pack.html").read_text(encoding="utf-8")
    assert b"und" not in b"".join(language.encode() for _, language in languages)
    with zipfile.ZipFile(built / "briefing-pack.docx") as archive:
        assert not any('w:val="und"' in archive.read(name).decode() or '"und"' in archive.read(name).decode()
                       for name in archive.namelist() if name.endswith(".xml"))


def test_the_poppler_text_of_a_shaped_run_comes_from_its_actual_text(built) -> None:
    # Tibetan vowel signs sit above their letter: by the glyphs' places alone, poppler puts
    # them before it (ོབད for བོད). The run's /ActualText gives it back as written.
    pdf = built / "briefing-pack.pdf"
    text = subprocess.run([require_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "in tibetan one says བོད་ཀྱི་རྒྱལ་ཁབ;" in text.translate(BIDI_CONTROLS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_word_sets_each_script_in_its_font_slot_and_language(built, script) -> None:
    slot, font, lang_slot, language = WORD[script]
    with zipfile.ZipFile(built / "briefing-pack.docx") as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
    _, name, phrase = SCRIPTS[script]
    for text in (name, phrase):
        run = next(t.getparent() for t in document.iter(f"{W}t") if t.text == text)
        properties = run.find(f"{W}rPr")
        assert properties.find(f"{W}rFonts").attrib == {f"{W}{slot}": font}, text
        assert properties.find(f"{W}lang").get(f"{W}{lang_slot}") == language, text
        assert (properties.find(f"{W}rtl") is not None) == (script == "uyghur"), text


def line_pitches(pdf: Path, marker: str) -> list[float]:
    """The distances between the lines of the paragraph whose sentences name ``marker``: from
    the bottom of one line's Latin words to the next (pdftotext -bbox, in points)."""
    result = subprocess.run([require_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    page = next(page for page in result.split("<page ")[1:] if f">{marker}<" in page)
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)
    lines = sorted({round(float(bottom), 1) for bottom, word in words if word == marker})
    return [round(below - above, 1) for above, below in zip(lines, lines[1:])]


def test_libreoffice_and_the_pdf_lay_a_line_with_another_script_out_at_the_pitch_of_a_latin_one(built,
                                                                                                    tmp_path) -> None:
    soffice = require_tool("soffice")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(built / "briefing-pack.docx")],
                   capture_output=True, check=True, timeout=240)
    for pdf in (tmp_path / "briefing-pack.pdf", built / "briefing-pack.pdf"):
        latin = line_pitches(pdf, MARKERS["latin"])
        assert len(latin) >= 3 and max(latin) - min(latin) <= 0.2, (pdf, latin)
        for kind in ("devanagari", "tibetan", "uyghur", "chinese"):
            pitches = line_pitches(pdf, MARKERS[kind])
            # Positions are rounded to 0.1 pt here, and Word's exact spacing to 1/20 pt.
            assert len(pitches) >= 3 and all(abs(pitch - latin[0]) <= 0.2 for pitch in pitches), (pdf, kind, pitches)


def test_a_names_native_lang_tags_it_in_every_format(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"][0]["people"] = [{"name": "Sharad Pawar", "native_name": "शरद पवार", "native_lang": "mr"}]
    data["documents"] = ["briefing-pack"]
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path), "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "minimal"
    assert ("mr", "शरद पवार") in html_runs(folder / "briefing-pack.html")
    assert structure_languages(folder / "briefing-pack.pdf") == [("/Span", "mr")]
    with zipfile.ZipFile(folder / "briefing-pack.docx") as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
    run = next(t.getparent() for t in document.iter(f"{W}t") if t.text == "शरद पवार")
    assert run.find(f"{W}rPr/{W}lang").get(f"{W}bidi") == "mr-IN"


def test_arabic_script_is_arabic_unless_the_brief_names_a_language_of_it(tmp_path: Path) -> None:
    data = minimal_brief()
    data["documents"] = ["briefing-pack"]
    data["issues"][0]["background"] = "It is written حقوق الإنسان."
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path), "--format", "html")
    assert result.returncode == 0, result.stderr
    assert html_runs(tmp_path / "minimal" / "briefing-pack.html") == [("ar", "حقوق الإنسان")]
    data["issues"][0]["people"] = [{"name": "Ilham Tohti", "native_name": "ئىلھام توختى", "native_lang": "ug"}]
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path), "--format", "html")
    assert result.returncode == 0, result.stderr
    assert html_runs(tmp_path / "minimal" / "briefing-pack.html") == [("ug", "حقوق الإنسان"), ("ug", "ئىلھام توختى")]


def latin_fonts_only(folder: Path) -> dict[str, str]:
    """An environment in which fontconfig knows Noto Serif alone (no Tibetan, Arabic, CJK font)."""
    fonts = folder / "fonts"
    fonts.mkdir()
    serif = next(Path(line.split(":")[0]) for line in subprocess.run(
        [require_tool("fc-list"), "Noto Serif:style=Regular", "file"], capture_output=True, text=True,
        check=True).stdout.splitlines() if "NotoSerif-Regular" in line)
    shutil.copy(serif, fonts)
    config = folder / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f"<dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


def test_a_tibetan_uyghur_or_devanagari_character_no_font_covers_is_a_located_error_naming_it(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"][0]["people"] = [{"name": "Tibet", "native_name": "བོ"}, {"name": "Uyghur", "native_name": "ئۇ"},
                                   {"name": "Kamal", "native_name": "क"}]
    brief = write_brief(tmp_path, data)
    result = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(brief)], capture_output=True,
                            text=True, env=latin_fonts_only(tmp_path))
    first, second, third = (line_starting(brief, f"  - name: {name}") + 1 for name in ("Tibet", "Uyghur", "Kamal"))
    expected = [(0, first, 0x0F56, "TIBETAN LETTER BA"), (0, first, 0x0F7C, "TIBETAN VOWEL SIGN O"),
                (1, second, 0x0626, "ARABIC LETTER YEH WITH HAMZA ABOVE"), (1, second, 0x06C7, "ARABIC LETTER U"),
                (2, third, 0x0915, "DEVANAGARI LETTER KA")]
    assert (result.returncode, result.stderr) == (2, "".join(
        f"{brief}:{line}:18: issues[0].people[{index}].native_name: U+{code:04X} {name} is covered by no installed "
        "font; install fonts-noto-core\n" for index, line, code, name in expected)), result.stderr


def test_only_the_runs_of_other_scripts_change_in_the_html_and_not_in_the_head_or_an_element_of_their_language():
    from briefgen.render.languages import tag_languages

    head = '<!DOCTYPE html>\n<html lang="en"><head><title>人权</title><style>p > a { color: red }</style></head>'
    body = ('<body><p class="x">Tibet is བོད་ཀྱི་ and गंगा नदी; <span lang="zh-Hant">黎智英</span>, <span lang="ug">'
            'ئۇيغۇر</span><br>人权。<img alt="人" src="a.png"></p></body></html>')
    assert tag_languages(head + body, {"arabic": "ug"}) == head + (
        '<body><p class="x">Tibet is <span lang="bo">བོད་ཀྱི་</span> and <span lang="hi">गंगा नदी</span>; '
        '<span lang="zh-Hant">黎智英</span>, <span lang="ug">ئۇيغۇر</span><br><span lang="zh">人权</span>。'
        '<img alt="人" src="a.png"></p></body></html>')
    latin = head.replace("人权", "Rights") + "<body><p>Only Latin: Côté.</p></body></html>"
    assert tag_languages(latin) is latin


def test_a_native_name_in_no_script_of_the_table_takes_the_documents_language_not_und(tmp_path: Path) -> None:
    data = minimal_brief()
    data["documents"] = ["briefing-pack"]
    data["issues"][0]["people"] = [{"name": "Jimmy Lai", "native_name": "Lai Chee-ying"}]
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path), "--format", "html")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "minimal" / "briefing-pack.html").read_text(encoding="utf-8")
    assert '<span class="native-name">Lai Chee-ying</span>' in html
    assert html_runs(tmp_path / "minimal" / "briefing-pack.html") == []


def test_the_pdf_stays_pdf_ua_clean_and_the_docx_clean_for_openxml_audit(built) -> None:
    from test_pdfua import assert_clean, pdfua_reports
    from test_word_package import audit, findings

    assert_clean(pdfua_reports([built / "briefing-pack.pdf"]))
    status, reports = audit(built)
    assert {name: findings(report) for name, report in reports.items()} == {"briefing-pack.docx": []}
    assert status == 0


def test_a_mail_merged_letter_tags_and_gives_back_a_recipients_name_in_another_script(tmp_path: Path) -> None:
    people = [{"name": "कैलाश सत्यार्थी", "title": "Member of Parliament", "email": "k@example.org",
               "salutation": "Dear Mr Satyarthi,", "language": "en", "constituency": "Brampton North",
               "address": "House of Commons|Ottawa"},
              {"name": "བོད་ཀྱི་མི", "title": "Member of Parliament", "email": "t@example.org",
               "salutation": "Dear Member,", "language": "en", "constituency": "Ottawa Centre", "address": ""}]
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(write_recipients(tmp_path, people)),
                          "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / "out").glob("*/letters")
    for person, language in zip(people, ("hi", "bo")):
        pdf = folder / f"{person['email'].partition('@')[0]}.pdf"
        text = subprocess.run([require_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert text.splitlines()[0] == person["name"]
        assert squashed(person["name"]) in squashed("".join(page.extract_text() for page in PdfReader(pdf).pages))
        assert structure_languages(pdf) == [("/Span", language)]
