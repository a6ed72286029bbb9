"""Languages as data (issue 21): BCP 47 tags, whole documents in Chinese and in right-to-left
Uyghur in both formats, English labels for a language with no catalog, letters in each
recipient's language, and the files named after the language.

Each test builds only what it reads: the Chinese letter and leave-behind once, the Uyghur
documents once; PDFs are read back with poppler, the .docx reopened as XML and laid out by
LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import (FIXTURES, ROOT, line_starting, minimal_brief, pdf_pages, pdf_text, require_tool, run_briefgen,
                      write_brief, write_recipients)

from briefgen.view.dates import date_range, long_date
from briefgen.view.markings import localize_marking

ZH = FIXTURES / "languages" / "zh-letter.yaml"
UG = FIXTURES / "languages" / "ug-letter.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# What poppler puts around right-to-left text and embedded left-to-right runs.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f\u2066\u2067\u2068\u2069"))


def bare(text: str) -> str:
    """``text`` without whitespace or bidi controls: Chinese has no spaces, and a line break may fall anywhere."""
    return re.sub(r"\s+", "", text.translate(_BIDI_CONTROLS))


def raw_pdf_text(path: Path) -> str:
    """The text poppler extracts from the PDF at ``path``, its quotes as printed (conftest's
    ``pdf_text`` makes them straight)."""
    return subprocess.run([require_tool("pdftotext"), str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def part(path: Path, name: str) -> str:
    """The XML of the part ``name`` of the .docx at ``path``."""
    with zipfile.ZipFile(path) as package:
        return package.read(name).decode("utf-8")


def libreoffice_text(docx: Path, folder: Path) -> str:
    """The text of ``docx`` as LibreOffice lays it out (converted to PDF, read by poppler)."""
    soffice = require_tool("soffice")
    subprocess.run([soffice, "-env:UserInstallation=file:///tmp/lo-profile-lang21", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder), str(docx)], check=True, capture_output=True, timeout=240)
    return pdf_text(folder / (docx.stem + ".pdf"))


@pytest.fixture(scope="module")
def chinese(tmp_path_factory) -> Path:
    """The zh-Hans documents of the Chinese test brief, in the three formats."""
    out = tmp_path_factory.mktemp("zh")
    result = run_briefgen("build", str(ZH), "-o", str(out), "--lang", "zh-Hans", "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the catalog is complete and every shown text translated
    return out / "zh-letter"


@pytest.fixture(scope="module")
def uyghur(tmp_path_factory) -> Path:
    """Every document of the Uyghur test brief in Uyghur, in the three formats."""
    out = tmp_path_factory.mktemp("ug")
    result = run_briefgen("build", str(UG), "-o", str(out), "--lang", "ug", "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    return out / "ug-letter"


def test_language_tags_are_checked_with_a_located_message_that_says_what_to_write(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8").replace(
        "title: Minimal brief\n", "title: {en: Minimal brief, zh_Hans: 简报, xx: X}\nlanguages: [en, zh-hans, und]\n")
    brief = tmp_path / "brief.yaml"
    brief.write_text(text, encoding="utf-8")
    result = run_briefgen("validate", str(brief))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{brief}:3:8: title: 'zh_Hans' is not a BCP 47 tag; write zh-Hans (with a hyphen)",
        f"{brief}:4:17: languages[1]: write the language 'zh-hans' as zh-Hans",
        f"{brief}:4:26: languages[2]: unknown language 'und'; use a BCP 47 tag such as en, fr, es, de, hi, "
        "zh-Hans, zh-Hant, bo or ug",
    ]


def test_a_text_in_a_language_the_brief_does_not_declare_says_how_to_declare_it(tmp_path: Path) -> None:
    data = minimal_brief()
    data["languages"] = ["en", "fr"]
    data["title"] = {"en": "Minimal brief", "zh-Hans": "简报"}
    brief = write_brief(tmp_path, data)
    result = run_briefgen("validate", str(brief))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].endswith(
        "title.zh-Hans: 'zh-Hans' is not a language of this brief; add it to languages: [en, fr, zh-Hans]")


def test_a_text_only_in_an_undeclared_language_is_located_too(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8").replace("title: Minimal brief\n",
                                                                          "title: {de: Kurz}\n")
    brief = tmp_path / "brief.yaml"
    brief.write_text(text, encoding="utf-8")
    result = run_briefgen("validate", str(brief))
    assert result.returncode == 2
    assert result.stderr == (f"{brief}:3:9: title.de: 'de' is not a language of this brief; add it to languages: "
                             "[en, de]\n")


def test_chinese_dates_come_from_cldr_and_ranges_say_zhi() -> None:
    start = dt.date(2026, 1, 13)
    assert long_date(dt.date(2026, 1, 12), "zh-Hans") == "2026年1月12日"
    assert date_range(start, dt.date(2026, 1, 17), "zh-Hans") == "2026年1月13日至17日"
    assert date_range(start, dt.date(2026, 2, 2), "zh-Hans") == "2026年1月13日至2月2日"
    assert date_range(dt.date(2025, 12, 30), dt.date(2026, 1, 2), "zh-Hans") == "2025年12月30日至2026年1月2日"


def test_markings_are_translated_where_a_government_standard_gives_them_else_kept_as_written() -> None:
    assert localize_marking("PROTECTED B", "fr") == "PROTÉGÉ B"
    assert localize_marking("PROTECTED B", "zh-Hans") == "PROTECTED B"
    assert localize_marking("内部资料", "zh-Hans") == "内部资料"


def test_the_chinese_files_are_named_by_their_tag_and_only_the_documents_the_language_covers(chinese) -> None:
    assert sorted(path.name for path in chinese.iterdir() if not path.name.startswith(".")) == sorted(
        f"{document}.zh-Hans.{ext}" for document in ("leave-behind", "letter") for ext in ("html", "pdf", "docx"))


def test_the_chinese_letter_pdf_is_in_chinese_with_chinese_labels_date_and_punctuation(chinese) -> None:
    html = (chinese / "letter.zh-Hans.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in html
    text = bare(raw_pdf_text(chinese / "letter.zh-Hans.pdf"))
    for expected in ("马克·卡尼阁下", "2026年1月12日", "事由：关于您访华期间的人权问题", "尊敬的总理：",
                     "我们敦促您：", "在北京会谈中直接提出黎智英案。", "由1个组织联署：", "此致敬礼！",
                     # Markdown typed with ASCII punctuation comes out in Chinese punctuation.
                     "加拿大的人权政策应当“一以贯之”，而非临时应付。",
                     "本译文由briefgen提供，并非联盟的官方译文。"):
        assert expected in text, expected
    assert "Re:" not in text and "\u202f" not in text


def test_the_chinese_leave_behind_pdf_has_its_range_labels_and_full_width_parentheses(chinese) -> None:
    text = bare(pdf_text(chinese / "leave-behind.zh-Hans.pdf"))
    for expected in ("2026年1月13日至17日", "议题概要", "黎智英案。黎智英遭到拘押和起诉。", "我们的诉求",
                     "（总理）", "提出诉求的组织", "1个组织：加拿大关注中国人权联盟", "联系人"):
        assert expected in text, expected


@pytest.mark.parametrize("document", ["letter", "leave-behind"])
def test_the_chinese_docx_sets_the_east_asian_language_and_font_and_libreoffice_lays_it_out(
        chinese, document: str, tmp_path: Path) -> None:
    docx = chinese / f"{document}.zh-Hans.docx"
    styles = part(docx, "word/styles.xml")
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S).group()
    assert re.search(r'<w:rFonts [^>]*w:eastAsia="Noto Serif CJK SC"', defaults)
    assert re.search(r'<w:lang [^>]*w:val="zh-CN"', defaults) and 'w:eastAsia="zh-CN"' in defaults
    body = part(docx, "word/document.xml")
    assert 'w:eastAsia="Noto Serif CJK SC"' in body and '<w:lang w:eastAsia="zh-CN"/>' in body
    laid_out = bare(libreoffice_text(docx, tmp_path))
    expected = "事由：关于您访华期间的人权问题" if document == "letter" else "2026年1月13日至17日"
    assert expected in laid_out and "本译文由briefgen提供，并非联盟的官方译文。" in laid_out
    # Word's lines of Chinese are as tall as the PDF's: the line spacing of reference.docx, made for
    # Noto Serif's single line (1.362 em), scaled to Noto Serif CJK's (1.437 em); pages as in the PDF.
    line = re.compile(r'<w:pPrDefault>.*?<w:spacing [^>]*w:line="(\d+)"', re.S)
    reference = int(line.search(part(ROOT / "templates" / "reference.docx", "word/styles.xml")).group(1))
    assert int(line.search(styles).group(1)) == round(reference * 1.362 / 1.437)
    assert pdf_pages(tmp_path / docx.with_suffix(".pdf").name) == pdf_pages(docx.with_suffix(".pdf"))


def test_the_uyghur_letter_is_laid_out_right_to_left_in_the_pdf(uyghur) -> None:
    html = (uyghur / "letter.ug.html").read_text(encoding="utf-8")
    assert '<html lang="ug" dir="rtl">' in html
    text = bare(pdf_text(uyghur / "letter.ug.pdf"))
    # The Uyghur comes back in logical order, its letters ۆ ۇ ۈ ې ى among it.
    assert "بىزسىزگە17ئۆلكىدىنخەتيازدۇق.ۆۇۈېى" in text
    assert "ھۆرمەتلىكMarkCarney" in text


def test_the_uyghur_docx_is_right_to_left_paragraphs_section_and_tables(uyghur, tmp_path: Path) -> None:
    letter = part(uyghur / "letter.ug.docx", "word/document.xml")
    paragraphs = re.findall(r"<w:p>.*?</w:p>|<w:p .*?</w:p>", letter, re.S)
    assert paragraphs and all("<w:bidi/>" in paragraph for paragraph in paragraphs)
    assert re.search(r"<w:sectPr[^>]*>.*<w:bidi/>.*</w:sectPr>", letter, re.S)
    assert "<w:rtl/>" in letter and 'w:bidi="ug-CN"' in letter
    # Latin names stay runs of their own, left to right, inside the right-to-left paragraph.
    latin = re.search(r"<w:r>((?:<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?)<w:t[^>]*> ?Mark Carney</w:t>", letter)
    assert latin and "<w:rtl/>" not in latin.group(1)
    pack = part(uyghur / "briefing-pack.ug.docx", "word/document.xml")
    tables = re.findall(r"<w:tblPr>.*?</w:tblPr>", pack, re.S)
    assert tables and all("<w:bidiVisual/>" in table for table in tables)
    laid_out = bare(libreoffice_text(uyghur / "letter.ug.docx", tmp_path))
    assert "ئۆلكىدىن" in laid_out


def test_a_language_without_a_catalog_prints_english_labels_with_one_warning_and_strict_fails(tmp_path: Path) -> None:
    data = minimal_brief()
    data["languages"] = ["en", "hi"]
    data["title"] = {"en": "Minimal brief", "hi": "संक्षिप्त विवरण"}
    data["language_documents"] = {"hi": ["leave-behind"]}
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "hi", "--format", "html,pdf")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{brief}:{line_starting(brief, '- hi')}:3: languages[1]: warning: briefgen has no Hindi (hi) translation "
        "of its 96 labels (such as "
        "'Ask', 'Asks', 'Background'): they are printed in English; translate them in "
        "briefgen/locale/hi/LC_MESSAGES/briefgen.po (docs/theme.md)"]
    html = (tmp_path / "out" / "minimal" / "leave-behind.hi.html").read_text(encoding="utf-8")
    assert '<html lang="hi">' in html and "The issues in brief" in html and "संक्षिप्त विवरण" in html
    text = raw_pdf_text(tmp_path / "out" / "minimal" / "leave-behind.hi.pdf")
    assert "संक्षिप्त विवरण" in text and "The issues in brief" in text and "13–14 जन॰ 2026" in text
    strict = run_briefgen("build", str(brief), "-o", str(tmp_path / "strict"), "--lang", "hi", "--strict")
    assert strict.returncode == 1
    assert "no Hindi (hi) translation of its 96 labels" in strict.stderr
    assert not (tmp_path / "strict").exists()


def test_recipients_who_read_chinese_get_the_chinese_letter(tmp_path: Path) -> None:
    recipients = write_recipients(tmp_path, [
        {"name": "Ann Arbour", "email": "ann@example.org", "language": "en"},
        {"name": "Wang Fang", "email": "wang@example.org", "language": "zh-hans",
         "salutation": "尊敬的王芳女士："}])
    result = run_briefgen("letters", str(ZH), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    letters = tmp_path / "out" / "zh-letter" / "letters"
    chinese = bare(pdf_text(letters / "wang-fang.pdf"))
    assert "尊敬的王芳女士：" in chinese and "我们敦促您：" in chinese and "2026年1月12日" in chinese
    english = bare(pdf_text(letters / "ann-arbour.pdf"))
    assert "Weurgeyouto:" in english and "我们" not in english


def test_the_uyghur_and_chinese_pdfs_are_pdf_ua_clean_with_their_language(uyghur, chinese) -> None:
    from pypdf import PdfReader
    from test_pdfua import assert_clean, pdfua_reports

    pdfs = {uyghur / "letter.ug.pdf": "ug", uyghur / "briefing-pack.ug.pdf": "ug",
            chinese / "letter.zh-Hans.pdf": "zh-Hans", chinese / "leave-behind.zh-Hans.pdf": "zh-Hans"}
    assert_clean(pdfua_reports(pdfs))
    for pdf, language in pdfs.items():
        assert PdfReader(pdf).trailer["/Root"]["/Lang"] == language


def test_the_preview_serves_a_language_by_its_tag_in_any_case() -> None:
    from briefgen.commands.serve import render_pages

    prepared, files = render_pages(ZH, None, "zh-hans")
    assert prepared.languages == ["zh-Hans"]
    assert sorted(file.relative_path.name for file in files) == ["leave-behind.zh-Hans.html", "letter.zh-Hans.html"]
