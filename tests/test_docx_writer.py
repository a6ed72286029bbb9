"""Tests of the HTML → DOCX writer and of the reference document it styles with.

Each test renders a small HTML snippet, saves the .docx, reopens it and checks
the Word XML that a reader (Word, LibreOffice) would see.
"""

from __future__ import annotations

import copy
import os
import runpy
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
import pytest
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Inches
from lxml import etree

from briefgen.errors import BuildError, StyleMissingError
from briefgen.render.docx import docx_bytes, html_to_docx, schema, write_docx
from conftest import docx_xml, minimal_brief, pdf_text, require_tool, run_briefgen, write_brief

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "templates" / "reference.docx"
TEMPLATE = "note.html.j2"
NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
W = "{{{}}}".format(NS["w"])


def page(body: str, *, head: str = "", lang: str = "en") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">{head}</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def build(
    tmp_path: Path,
    body: str,
    *,
    head: str = "",
    lang: str = "en",
    reference: Path = REFERENCE,
    page_numbers: dict[str, int] | None = None,
) -> Path:
    target = tmp_path / "out.docx"
    write_docx(
        page(body, head=head, lang=lang), target, reference=reference, template_name=TEMPLATE, page_numbers=page_numbers
    )
    return target


def xml(path: Path, member: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(member))


def body_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of each top-level body paragraph."""
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs]


def style_ids(path: Path) -> dict[str, str]:
    """Style name → style id, as stored in styles.xml."""
    styles = xml(path, "word/styles.xml")
    return {
        s.find("w:name", NS).get(W + "val"): s.get(W + "styleId") for s in styles.iterfind("w:style", NS)
    }


def tiny_png(path: Path, width: int = 4, height: int = 2) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + b"\x1f\x38\x64" * width for _ in range(height))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )
    return path


# -- blocks and styles ---------------------------------------------------------------


def test_headings_map_to_title_and_heading_styles(tmp_path):
    out = build(tmp_path, "<h1>Note</h1><h2>Summary</h2><h3>Detail</h3><h4>Finer</h4><p>Text</p>")
    assert body_paragraphs(out) == [
        ("Title", "Note"),
        ("Heading 1", "Summary"),
        ("Heading 2", "Detail"),
        ("Heading 3", "Finer"),
        ("Normal", "Text"),
    ]


def test_classes_map_to_styles_and_nearest_container_wins(tmp_path):
    out = build(
        tmp_path,
        """<p class="marking">Protected B</p>
        <p class="subtitle">For information</p>
        <aside class="fact"><p>In a box</p>Loose text
          <div class="note-meta"><p>Inner</p><p class="small">Own class</p></div>
          <p>Back to fact</p>
        </aside>
        <blockquote><p>Quoted</p></blockquote>""",
    )
    assert body_paragraphs(out) == [
        ("Marking", "Protected B"),
        ("Subtitle", "For information"),
        ("Fact", "In a box"),
        ("Fact", "Loose text"),
        ("Note Meta", "Inner"),
        ("Small", "Own class"),
        ("Fact", "Back to fact"),
        ("Quote", "Quoted"),
    ]


def test_first_class_is_the_style(tmp_path):
    out = build(tmp_path, '<p class="source small">Statistics Canada</p>')
    assert body_paragraphs(out) == [("Source", "Statistics Canada")]


def test_special_classes_never_name_a_style(tmp_path):
    out = build(
        tmp_path,
        """<section class="cover"><p>Cover</p></section>
        <h2 class="page-break">Annex</h2>
        <p class="page-break fact">Boxed</p>
        <nav class="toc page-break"><h2>Contents</h2><ul><li><a href="#annex">Annex</a></li></ul></nav>""",
    )
    paragraphs = docx.Document(str(out)).paragraphs
    assert [(p.style.name, p.text, bool(p.paragraph_format.page_break_before)) for p in paragraphs] == [
        ("Normal", "Cover", False),
        ("Heading 1", "Annex", True),
        ("Fact", "Boxed", True),
        ("TOC Heading", "Contents", True),
        ("toc 1", "Annex", False),
    ]


def test_whitespace_collapses_like_a_browser(tmp_path):
    out = build(
        tmp_path,
        """<p>
             Several   words,
           <strong> bold </strong>  and\tmore&nbsp;&nbsp;kept   </p>
        <div>   </div>
        <p>one<br>   two  </p>""",
    )
    document = docx.Document(str(out))
    assert [p.text for p in document.paragraphs] == ["Several words, bold and more\xa0\xa0kept", "one\ntwo"]


def test_comments_are_ignored(tmp_path):
    out = build(tmp_path, "<!-- a comment --><p>Before<!-- inside -->after</p>")
    assert body_paragraphs(out) == [("Normal", "Beforeafter")]


def test_inline_formatting_combines(tmp_path):
    out = build(tmp_path, "<p><strong>b <em>bi</em></strong> <code>x()</code> H<sub>2</sub>O E=mc<sup>2</sup></p>")
    runs = docx.Document(str(out)).paragraphs[0].runs
    by_text = {run.text: run for run in runs}
    assert by_text["b "].bold and not by_text["b "].italic
    assert by_text["bi"].bold and by_text["bi"].italic
    assert by_text["x()"].font.name == "Noto Sans Mono"
    assert [r.text for r in runs if r.font.subscript] == ["2"]
    assert [r.text for r in runs if r.font.superscript] == ["2"]


@pytest.mark.parametrize("pairs", [150, 750])  # 750 pairs: deeper than a frame or two per level lets Python go
def test_inline_markup_nested_deep_comes_out_once_formatted(tmp_path, pairs):
    nested = "<em><strong>" * pairs + "deep" + "</strong></em>" * pairs
    html = page(f'<p>{nested} after<span class="footnote">{nested.replace("deep", "noted")}</span></p>')
    html_to_docx(html, reference=REFERENCE, template_name=TEMPLATE).save(tmp_path / "out.docx")
    runs = docx.Document(str(tmp_path / "out.docx")).paragraphs[0].runs
    assert [(run.text, run.bold, run.italic) for run in runs if run.text] == [("deep", True, True),
                                                                              (" after", None, None)]
    notes = xml(tmp_path / "out.docx", "word/footnotes.xml")
    (note,) = [run for run in notes.iterfind(".//w:r", NS) if run.findtext("w:t", namespaces=NS) == "noted"]
    assert note.find("w:rPr/w:b", NS) is not None and note.find("w:rPr/w:i", NS) is not None
    assert docx_xml(tmp_path / "out.docx").count(">deep<") == docx_xml(tmp_path / "out.docx").count(">noted<") == 1


def test_blocks_nested_too_deep_are_an_error():
    html = page("<div>\n" * 250 + "<p>x</p>" + "</div>" * 250)
    with pytest.raises(BuildError) as error:
        html_to_docx(html, reference=REFERENCE, template_name=TEMPLATE)
    assert str(error.value) == (
        "note.html.j2: <div> on HTML line 204 lies deeper than 200 nested elements, more than .docx output allows"
    )


def test_html_nested_too_deep_to_read_is_an_error():
    html = page("<p>" + "<em>" * 2100 + "x" + "</em>" * 2100 + "</p>")
    with pytest.raises(BuildError) as error:
        html_to_docx(html, reference=REFERENCE, template_name=TEMPLATE)
    assert str(error.value) == "note.html.j2: the rendered HTML nests elements too deep to be read, on HTML line 5"


def test_span_class_is_a_character_style(tmp_path):
    out = build(tmp_path, '<p>Level: <span class="priority">high</span><span class="source-ref">[1]</span></p>')
    runs = docx.Document(str(out)).paragraphs[0].runs
    assert [(r.text, r.style.name) for r in runs] == [
        ("Level: ", "Default Paragraph Font"),
        ("high", "Priority"),
        ("[1]", "Source Ref"),
    ]


def test_lang_attribute_sets_w_lang_on_runs(tmp_path):
    out = build(tmp_path, '<p>See <span lang="fr" class="native-name">Ministère</span>.</p><p lang="fr-FR">Bonjour</p>')
    document = xml(out, "word/document.xml")
    langs = {
        "".join(r.itertext()): r.find("w:rPr/w:lang", NS).get(W + "val")
        for r in document.iterfind(".//w:r", NS)
        if r.find("w:rPr/w:lang", NS) is not None
    }
    assert langs == {"Ministère": "fr-CA", "Bonjour": "fr-FR"}


def attributes(element: etree._Element | None) -> dict[str, str]:
    """The attributes of ``element`` by local name; none for a missing element."""
    return {} if element is None else {etree.QName(name).localname: value for name, value in element.attrib.items()}


def scripts(paragraph: etree._Element) -> list[tuple[str, dict[str, str], dict[str, str], bool]]:
    """(text, w:rFonts attributes, w:lang attributes, whether w:rtl) of each run of ``paragraph``."""
    return [
        (
            "".join(r.itertext()),
            attributes(r.find("w:rPr/w:rFonts", NS)),
            attributes(r.find("w:rPr/w:lang", NS)),
            r.find("w:rPr/w:rtl", NS) is not None,
        )
        for r in paragraph.iterfind(".//w:r", NS)
    ]


CJK = {"eastAsia": "Noto Serif CJK SC"}
TIBETAN = {"cs": "Noto Serif Tibetan"}
ARABIC = {"cs": "Noto Naskh Arabic"}


def test_runs_in_chinese_tibetan_and_uyghur_get_their_fonts_and_languages(tmp_path):
    out = build(
        tmp_path,
        """<p>Xi Jinping (<span class="native-name" lang="zh">习近平</span>), Tibet
        (<span class="native-name" lang="bo">བོད་ལྗོངས་</span>) and Ilham Tohti
        (<span class="native-name" lang="ug">ئىلھام توختى</span>).</p>""",
    )
    (paragraph,) = xml(out, "word/document.xml").findall(".//w:body/w:p", NS)
    assert scripts(paragraph) == [
        ("Xi Jinping (", {}, {}, False),
        ("习近平", CJK, {"eastAsia": "zh-CN"}, False),
        ("), Tibet (", {}, {}, False),
        ("བོད་ལྗོངས་", TIBETAN, {"bidi": "bo-CN"}, False),
        (") and Ilham Tohti (", {}, {}, False),
        ("ئىلھام توختى", ARABIC, {"bidi": "ug-CN"}, True),
        (").", {}, {}, False),
    ]
    named = [r for r in paragraph.iterfind("w:r", NS) if r.find("w:rPr/w:lang", NS) is not None]
    assert {r.find("w:rPr/w:rStyle", NS).get(W + "val") for r in named} == {style_ids(out)["Native Name"]}
    assert paragraph.find("w:pPr/w:bidi", NS) is None


def test_text_in_other_scripts_is_split_by_script_wherever_it_is(tmp_path):
    out = build(
        tmp_path,
        """<p lang="en">In 2026 习近平、黎智英 met; བོད་ལྗོངས་ · ئىلھام توختى</p>
        <p><span lang="zh-Hant">黎智英 (Jimmy Lai)</span> <code>习近平()</code></p>""",
    )
    first, second = xml(out, "word/document.xml").findall(".//w:body/w:p", NS)
    assert scripts(first) == [
        ("In 2026 ", {}, {"val": "en-CA"}, False),
        ("习近平、黎智英", CJK, {"eastAsia": "zh-CN"}, False),
        (" met; ", {}, {"val": "en-CA"}, False),
        ("བོད་ལྗོངས་", TIBETAN, {"bidi": "bo-CN"}, False),
        (" · ", {}, {"val": "en-CA"}, False),
        ("ئىلھام توختى", ARABIC, {"bidi": "ar-SA"}, True),
    ]
    mono = dict.fromkeys(("ascii", "hAnsi", "cs"), "Noto Sans Mono")
    assert scripts(second) == [
        ("黎智英", {"eastAsia": "Noto Serif CJK TC"}, {"eastAsia": "zh-TW"}, False),
        (" (Jimmy Lai)", {}, {"val": "zh-TW"}, False),
        (" ", {}, {}, False),
        ("习近平", {**mono, **CJK}, {"eastAsia": "zh-CN"}, False),
        ("()", mono, {}, False),
    ]


def test_paragraph_entirely_in_uyghur_is_right_to_left(tmp_path):
    out = build(tmp_path, '<p lang="ug">ئىلھام توختى (<strong>ئۇيغۇر</strong>)، 2014.</p><p>Ilham ئىلھام</p>')
    uyghur, mixed = xml(out, "word/document.xml").findall(".//w:body/w:p", NS)
    assert uyghur.find("w:pPr/w:bidi", NS) is not None
    assert scripts(uyghur) == [
        ("ئىلھام توختى (", ARABIC, {"bidi": "ug-CN"}, True),
        ("ئۇيغۇر", ARABIC, {"bidi": "ug-CN"}, True),
        (")، 2014.", ARABIC, {"bidi": "ug-CN"}, True),
    ]
    bold = uyghur.findall("w:r", NS)[1].find("w:rPr", NS)
    assert bold.find("w:b", NS) is not None and bold.find("w:bCs", NS) is not None
    assert mixed.find("w:pPr/w:bidi", NS) is None


def test_libreoffice_prints_each_script_in_its_font(tmp_path):
    soffice, pdffonts = require_tool("soffice"), require_tool("pdffonts")
    out = build(
        tmp_path,
        """<p>Xi Jinping (<span lang="zh">习近平</span>), Jimmy Lai (<span lang="zh-Hant">黎智英</span>),
        Tibet (<span lang="bo">བོད་ལྗོངས་</span>)</p><p lang="ug">ئىلھام توختى ئۇيغۇر</p>""",
    )
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=300,
    )
    fonts = subprocess.run([pdffonts, str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True).stdout
    for font in ("NotoSerifCJK", "NotoSerifTibetan", "NotoNaskhArabic"):
        assert font in fonts


@pytest.mark.parametrize(("lang", "word_lang"),
                         [("en", "en-CA"), ("fr", "fr-CA"), ("FR", "fr-CA"), ("zh-Hant", "zh-TW")])
def test_html_lang_sets_the_document_language(tmp_path, lang, word_lang):
    out = build(tmp_path, "<p>Bonjour</p>", lang=lang)
    lang_element = xml(out, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang_element.get(W + "val") == word_lang


def test_head_sets_core_properties(tmp_path):
    head = (
        "<title>Briefing  note:\n Widgets</title>"
        '<meta name="author" content="Jane Doe"><meta name="subject" content="Widgets">'
        '<meta name="keywords" content="widgets, policy"><meta name="description" content="For decision">'
        '<meta name="dcterms.created" content="2026-01-15"><meta name="generator" content="briefgen">'
        '<link rel="stylesheet" href="brief.css"><style>p { color: red }</style>'
    )
    out = build(tmp_path, "<p>Body</p>", head=head)
    props = docx.Document(str(out)).core_properties
    assert (props.title, props.author, props.subject, props.keywords, props.comments) == (
        "Briefing note: Widgets",
        "Jane Doe",
        "Widgets",
        "widgets, policy",
        "For decision",
    )
    assert props.created.isoformat() == "2026-01-15T00:00:00+00:00"
    core = xml(out, "docProps/core.xml")
    assert core.findtext("dc:title", namespaces=NS) == "Briefing note: Widgets"
    assert core.findtext("dc:creator", namespaces=NS) == "Jane Doe"
    assert body_paragraphs(out) == [("Normal", "Body")]


def test_core_properties_come_from_the_html_alone(tmp_path):
    head = (
        '<title>Note</title><meta name="author" content="Global Affairs">'
        '<meta name="dcterms.created" content="2026-01-15">'
    )
    out = build(tmp_path, "<p>Body</p>", head=head)
    core = xml(out, "docProps/core.xml")
    assert {etree.QName(child).localname: child.text for child in core} == {
        "title": "Note",
        "creator": "Global Affairs",
        "created": "2026-01-15T00:00:00Z",
        "modified": "2026-01-15T00:00:00Z",
        "lastModifiedBy": "Global Affairs",
        "revision": "1",
    }


def test_reference_metadata_does_not_leak(tmp_path):
    bare = tmp_path / "bare.docx"
    docx.Document().save(str(bare))  # python-docx's template: author "python-docx", dated 2013, and more
    out = build(tmp_path, "<p>Body</p>", reference=bare)
    core = xml(out, "docProps/core.xml")
    assert [etree.QName(child).localname for child in core] == ["revision"]


def test_body_keeps_the_reference_section_and_nothing_else(tmp_path):
    out = build(tmp_path, "<p>Only</p>")
    document = docx.Document(str(out))
    assert [p.text for p in document.paragraphs] == ["Only"]
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    assert (round(section.left_margin.cm, 2), round(section.top_margin.cm, 2)) == (2.2, 2.3)


# -- lists -------------------------------------------------------------------------------


def num_pr(paragraph) -> tuple[str, str] | None:
    pr = paragraph._p.find("w:pPr/w:numPr", NS)
    if pr is None:
        return None
    return pr.find("w:numId", NS).get(W + "val"), pr.find("w:ilvl", NS).get(W + "val")


def test_each_ordered_list_restarts_at_one(tmp_path):
    out = build(tmp_path, "<ol><li>a</li><li>b</li></ol><p>Between</p><ol><li>c</li></ol>")
    paragraphs = docx.Document(str(out)).paragraphs
    first, second = num_pr(paragraphs[0])[0], num_pr(paragraphs[3])[0]
    assert num_pr(paragraphs[1])[0] == first
    assert first != second

    numbering = xml(out, "word/numbering.xml")
    styles = xml(out, "word/styles.xml")
    style_num = styles.find("w:style[@w:styleId='ListNumber']/w:pPr/w:numPr/w:numId", NS).get(W + "val")
    style_abstract = numbering.find(f"w:num[@w:numId='{style_num}']/w:abstractNumId", NS).get(W + "val")
    for num_id in (first, second):
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num.find("w:abstractNumId", NS).get(W + "val") == style_abstract
        assert num.find("w:lvlOverride[@w:ilvl='0']/w:startOverride", NS).get(W + "val") == "1"


def test_nested_lists_use_deeper_list_styles(tmp_path):
    out = build(
        tmp_path,
        """<ul><li>one<ul><li>two<ul><li>three</li></ul></li></ul></li></ul>
        <ol><li>first<ol><li>inner</li></ol>continued</li><li><p>para</p><p>second para</p></li></ol>""",
    )
    assert body_paragraphs(out) == [
        ("List Bullet", "one"),
        ("List Bullet 2", "two"),
        ("List Bullet 3", "three"),
        ("List Number", "first"),
        ("List Number 2", "inner"),
        ("List Continue", "continued"),
        ("List Number", "para"),
        ("List Continue", "second para"),
    ]
    paragraphs = docx.Document(str(out)).paragraphs
    assert num_pr(paragraphs[4]) is not None and num_pr(paragraphs[4])[0] != num_pr(paragraphs[3])[0]
    assert num_pr(paragraphs[5]) is None and num_pr(paragraphs[7]) is None
    assert num_pr(paragraphs[6])[0] == num_pr(paragraphs[3])[0]


def list_style(kind: str, level: int) -> str:
    """The name of Word's list style of ``kind`` ("Bullet", "Number" or "Continue") for ``level``."""
    return f"List {kind}" + ("" if level == 1 else f" {level}")


# The list style level of each depth of nesting: Word's list styles go five levels deep.
LEVELS = (1, 2, 3, 4, 5, 5, 5)


def nested_list(tag: str, words: list[str]) -> str:
    """A ``tag`` list of two items, the first holding a list of the remaining ``words``; each item says its word."""
    if not words:
        return ""
    return f"<{tag}><li>{words[0]}{nested_list(tag, words[1:])}</li><li>{words[0]} again</li></{tag}>"


def abstract_of(numbering: etree._Element, num_id: str) -> etree._Element:
    abstract_id = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(W + "val")
    return numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']", NS)


def test_lists_deeper_than_five_take_the_fifth_level_styles(tmp_path):
    words = [f"level{depth}" for depth in range(1, 8)]
    out = build(tmp_path, nested_list("ol", words) + nested_list("ul", words))
    styles = [list_style(kind, level) for kind in ("Number", "Bullet") for level in LEVELS]
    paragraphs = docx.Document(str(out)).paragraphs
    numbered, bulleted = paragraphs[:14], paragraphs[14:]
    assert [(p.style.name, p.text) for p in paragraphs] == [
        (style, text) for half in (styles[:7], styles[7:]) for style, text in
        [*zip(half, words), *zip(half[::-1], [f"{word} again" for word in words[::-1]])]
    ]
    assert {num_pr(p)[1] for p in paragraphs} == {"0"}  # Word's list styles are one level each
    num_ids = [num_pr(p)[0] for p in numbered[:7]]
    assert [num_pr(p)[0] for p in numbered[7:]] == num_ids[::-1]  # each list continues after the one inside it
    assert len(set(num_ids)) == 7

    numbering, style_xml = xml(out, "word/numbering.xml"), xml(out, "word/styles.xml")
    fifth = style_xml.find("w:style[@w:styleId='ListNumber5']/w:pPr/w:numPr/w:numId", NS).get(W + "val")
    definitions = [abstract_of(numbering, num_id) for num_id in [*num_ids, fifth]]
    assert definitions[4] is definitions[7]
    # Below the fifth level, each depth counts by a copy of the fifth level's definition, linked to no style.
    assert len({id(definition) for definition in definitions[4:7]}) == 3
    model = copy.deepcopy(definitions[4].find("w:lvl", NS))
    model.remove(model.find("w:pStyle", NS))
    for duplicate in definitions[5:7]:
        assert [(e.tag, dict(e.attrib)) for e in duplicate.find("w:lvl", NS).iter()] == [
            (e.tag, dict(e.attrib)) for e in model.iter()
        ]
        assert duplicate.find("w:nsid", NS).get(W + "val") != definitions[4].find("w:nsid", NS).get(W + "val")
    for num_id in num_ids:
        assert numbering.find(f"w:num[@w:numId='{num_id}']/w:lvlOverride/w:startOverride", NS).get(W + "val") == "1"
    bullet_ids = {p.style.name: num_pr(p)[0] for p in bulleted}
    assert bullet_ids["List Bullet 5"] == style_xml.find(
        "w:style[@w:styleId='ListBullet5']/w:pPr/w:numPr/w:numId", NS
    ).get(W + "val")


def test_continuation_paragraphs_deeper_than_five_take_the_fifth_level_style(tmp_path):
    items = "".join(f"<ul><li><p>level{depth}</p><p>more{depth}</p>" for depth in range(1, 8)) + "</li></ul>" * 7
    out = build(tmp_path, items)
    continuations = [(style, text) for style, text in body_paragraphs(out) if text.startswith("more")]
    assert continuations == [
        (list_style("Continue", level), f"more{depth}") for depth, level in enumerate(LEVELS, 1)
    ]


def test_brief_with_lists_nested_four_five_and_seven_deep(tmp_path):
    def markdown(kind: str, name: str, depth: int) -> str:
        marker = "-" if kind == "ul" else "1."
        return "\n".join("   " * level + f"{marker} {name}{level + 1}" for level in range(depth))

    data = minimal_brief()
    data["issues"][0]["summary"] = "\n\nThen:\n\n".join(
        [markdown("ul", "four", 4), markdown("ol", "five", 5), markdown("ul", "seven", 7)]
    )
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"), "--format", "docx")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "minimal" / "briefing-pack.docx"
    listed = [(p.style.name, p.text, num_pr(p)[1]) for p in docx.Document(str(out)).paragraphs
              if p.text[:-1] in ("four", "five", "seven")]
    depths = {"four": 4, "five": 5, "seven": 7}
    assert listed == [
        (list_style("Number" if name == "five" else "Bullet", level), f"{name}{depth}", "0")
        for name, deepest in depths.items() for depth, level in enumerate(LEVELS[:deepest], 1)
    ]
    soffice = require_tool("soffice")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=300,
    )
    text = pdf_text(tmp_path / "briefing-pack.pdf")
    for name, deepest in depths.items():
        for depth in range(1, deepest + 1):
            assert f"{name}{depth}" in text


def test_class_on_list_item_keeps_its_number(tmp_path):
    out = build(tmp_path, '<ol><li class="fact">x</li></ol>')
    paragraph = docx.Document(str(out)).paragraphs[0]
    assert paragraph.style.name == "Fact"
    assert num_pr(paragraph) is not None


# -- tables ---------------------------------------------------------------------------------


def test_table_header_rows_repeat_and_th_is_bold(tmp_path):
    out = build(
        tmp_path,
        """<table><caption>Table 1. Costs</caption>
          <thead><tr><th>Item</th><th>Cost</th><th>Note</th></tr></thead>
          <tbody><tr><td>A</td><td>1</td><td><p>x</p><ul><li>y</li></ul></td></tr>
                 <tr><td colspan="2">Total</td><td>3</td></tr></tbody>
        </table>""",
    )
    document = docx.Document(str(out))
    assert body_paragraphs(out) == [("Caption", "Table 1. Costs")]
    table = document.tables[0]
    assert table.style.name == "Table Grid"
    rows = table._tbl.findall("w:tr", NS)
    assert [row.find("w:trPr/w:tblHeader", NS) is not None for row in rows] == [True, False, False]
    header_runs = rows[0].findall(".//w:r", NS)
    assert [run.find("w:rPr/w:b", NS) is not None for run in header_runs] == [True, True, True]
    assert all(run.find("w:rPr/w:b", NS) is None for run in rows[1].findall(".//w:r", NS))
    assert rows[2].find("w:tc/w:tcPr/w:gridSpan", NS).get(W + "val") == "2"
    assert [cell.text for cell in table.rows[2].cells] == ["Total", "Total", "3"]
    note = table.rows[1].cells[2]
    assert [(p.style.name, p.text) for p in note.paragraphs] == [("Normal", "x"), ("List Bullet", "y")]


def test_table_columns_share_the_width_by_their_text(tmp_path):
    out = build(
        tmp_path,
        """<table><tr><th>No.</th><th>Ask</th><th>Of whom</th></tr>
          <tr><td>1</td><td>Confront, during the discussions in Beijing, the detention and prosecution of Hong Kong
            media magnate Jimmy Lai amid the erosion of the rule of law in Hong Kong.</td><td>Prime Minister</td></tr>
          <tr><td colspan="3">A note across the whole table, which leaves the widths alone</td></tr></table>""",
    )
    document = docx.Document(str(out))
    section = document.sections[0]
    table = document.tables[0]._tbl
    grid = [int(col.get(W + "w")) for col in table.findall("w:tblGrid/w:gridCol", NS)]
    assert abs(sum(grid) - Emu(section.page_width - section.left_margin - section.right_margin).twips) <= 3
    assert grid[0] < grid[2] < grid[1]
    # Each cell is as wide as the columns it spans, and the shortest word still fits.
    widths = [
        [int(tc.find("w:tcPr/w:tcW", NS).get(W + "w")) for tc in tr.findall("w:tc", NS)]
        for tr in table.findall("w:tr", NS)
    ]
    assert widths[:2] == [grid, grid]
    assert abs(widths[2][0] - sum(grid)) <= 3
    assert grid[0] >= 30 * 20  # "No." and 5pt of padding either side, in twips


def test_table_class_is_a_table_style(tmp_path):
    out = build(tmp_path, '<table class="cover-meta"><tr><th>Date</th><td>1 May</td></tr></table>')
    assert docx.Document(str(out)).tables[0].style.name == "Cover Meta"


# -- links, bookmarks, pictures --------------------------------------------------------------


def test_external_link_is_a_real_hyperlink(tmp_path):
    out = build(tmp_path, '<p>See <a href="https://example.org/a?b=1&amp;c=2">the <em>site</em></a>.</p>')
    rels = xml(out, "word/_rels/document.xml.rels")
    document = xml(out, "word/document.xml")
    link = document.find(".//w:hyperlink", NS)
    rel = rels.find(f"rel:Relationship[@Id='{link.get('{{{}}}id'.format(NS['r']))}']", NS)
    assert rel.get("Target") == "https://example.org/a?b=1&c=2"
    assert rel.get("TargetMode") == "External"
    assert rel.get("Type").endswith("/hyperlink")
    assert "".join(link.itertext()) == "the site"
    assert {r.find("w:rPr/w:rStyle", NS).get(W + "val") for r in link.iterfind("w:r", NS)} == {
        style_ids(out)["Hyperlink"]
    }


def test_mailto_link_is_external(tmp_path):
    out = build(tmp_path, '<p><a href="mailto:info@example.org">Write</a></p>')
    rels = xml(out, "word/_rels/document.xml.rels")
    rel = rels.find("rel:Relationship[@Target='mailto:info@example.org']", NS)
    assert rel is not None and rel.get("TargetMode") == "External"


def test_internal_link_points_at_heading_bookmark(tmp_path):
    out = build(tmp_path, '<p>Go to <a href="#background">Background</a></p><h2 id="background">Background</h2>')
    document = xml(out, "word/document.xml")
    link = document.find(".//w:hyperlink", NS)
    assert link.get(W + "anchor") == "background"
    assert link.get("{{{}}}id".format(NS["r"])) is None
    heading = document.findall(".//w:body/w:p", NS)[1]
    start = heading.find("w:bookmarkStart", NS)
    assert start.get(W + "name") == "background"
    assert heading.find("w:bookmarkEnd", NS).get(W + "id") == start.get(W + "id")
    assert "".join(heading.itertext()) == "Background"


def test_image_alt_text_becomes_docpr_descr(tmp_path):
    image = tiny_png(tmp_path / "logo.png")
    out = build(tmp_path, f'<p><img src="{image}" alt="Ministry logo" width="96"></p>')
    document = xml(out, "word/document.xml")
    assert document.find(".//wp:docPr", NS).get("descr") == "Ministry logo"
    assert document.find(".//wp:extent", NS).get("cx") == str(914400)
    assert len(docx.Document(str(out)).inline_shapes) == 1


# -- page furniture --------------------------------------------------------------------------


def test_running_header_and_footer_go_to_the_section(tmp_path):
    out = build(
        tmp_path,
        """<div class="running-header"><p>PROTECTED B</p></div>
        <footer class="running-footer"><p>Footer text</p><p class="small">Small print</p></footer>
        <p>Body text</p>""",
    )
    assert body_paragraphs(out) == [("Normal", "Body text")]
    section = docx.Document(str(out)).sections[0]
    assert [(p.style.name, p.text) for p in section.header.paragraphs] == [("Running Header", "PROTECTED B")]
    # As the PDF's @bottom-left and @bottom-right boxes, the footer's last line and the page number share a line.
    footer = section.footer.paragraphs
    assert [(p.style.name, p.text) for p in footer] == [
        ("Running Footer", "Footer text"),
        ("Small", "Small print\tPage 1 of 1"),
    ]
    assert [(stop.position, stop.alignment) for stop in footer[-1].paragraph_format.tab_stops] == [
        (section.page_width - section.left_margin - section.right_margin, WD_TAB_ALIGNMENT.RIGHT)
    ]
    assert {run.style.name for run in footer[-1].runs[1:]} == {"page number"}
    assert "".join(xml(out, "word/header1.xml").itertext()) == "PROTECTED B"
    assert not section.different_first_page_header_footer


def test_a_footer_with_nothing_else_has_the_page_number_alone_at_the_right(tmp_path):
    out = build(tmp_path, "<p>Body text</p>")
    footer = docx.Document(str(out)).sections[0].footer.paragraphs
    assert [(p.style.name, p.text, p.alignment) for p in footer] == [
        ("Footer", "Page 1 of 1", WD_ALIGN_PARAGRAPH.RIGHT)
    ]


def fields(paragraph) -> list[str]:
    """The field codes and text of ``paragraph``, in order: "{ PAGE }" for a field."""
    out = []
    for run in paragraph.iterfind(".//w:r", NS):
        kind = run.find("w:fldChar", NS)
        if kind is not None:
            out.append({"begin": "{", "separate": "|", "end": "}"}[kind.get(W + "fldCharType")])
        out.extend(t.text for t in run.iterfind("w:instrText", NS))
        out.extend(t.text for t in run.iterfind("w:t", NS))
    return out


def footer_xml(path: Path, kind: str) -> etree._Element:
    """The footer part that the body's section uses for ``kind`` ("default" or "first") pages."""
    reference = xml(path, "word/document.xml").find(f".//w:sectPr/w:footerReference[@w:type='{kind}']", NS)
    rels = xml(path, "word/_rels/document.xml.rels")
    target = rels.find(f"rel:Relationship[@Id='{reference.get('{{{}}}id'.format(NS['r']))}']", NS).get("Target")
    return xml(path, f"word/{target}")


def test_footer_ends_with_page_number_fields(tmp_path):
    out = build(tmp_path, '<footer class="running-footer"><p class="marking">Protected B</p></footer><p>Body</p>')
    (line,) = footer_xml(out, "default").findall("w:p", NS)  # the marking at the left, the number at the right
    assert line.find("w:pPr/w:pStyle", NS).get(W + "val") == style_ids(out)["Marking"]
    assert line.find("w:pPr/w:jc", NS).get(W + "val") == "left"
    assert fields(line) == ["Protected B", "Page ", "{", " PAGE ", "|", "1", "}", " of ", "{", " NUMPAGES ", "|", "1",
                            "}"]
    assert line.findall("w:r", NS)[1].find("w:tab", NS) is not None
    # Every run of the page number, field characters included, is in the "page number" style, or the
    # number would take the marking's bold capitals.
    number_runs = line.findall("w:r", NS)[1:]
    assert {run.find("w:rPr/w:rStyle", NS).get(W + "val") for run in number_runs} == {style_ids(out)["page number"]}


def test_page_label_meta_words_the_page_number(tmp_path):
    head = '<meta name="briefgen:page-label" content="Page {page} sur {pages}">'
    out = build(tmp_path, "<p>Body</p>", head=head, lang="fr")
    (number,) = footer_xml(out, "default").findall("w:p", NS)  # no running footer: the page number alone
    assert fields(number) == ["Page ", "{", " PAGE ", "|", "1", "}", " sur ", "{", " NUMPAGES ", "|", "1", "}"]


def test_page_label_without_page_is_an_error(tmp_path):
    with pytest.raises(BuildError, match=r'<meta name="briefgen:page-label"> on HTML line 3: .* has no \{page\}'):
        html_to_docx(
            page("", head='<meta name="briefgen:page-label" content="Folio">'), reference=REFERENCE,
            template_name=TEMPLATE
        )


def test_cover_page_has_the_marking_but_no_page_number(tmp_path):
    out = build(
        tmp_path,
        """<div class="running-header"><p class="marking">Protected B</p></div>
        <div class="running-footer"><p class="marking">Protected B</p></div>
        <section class="cover"><h1>Brief</h1></section>
        <section><h2 class="page-break">Summary</h2></section>""",
    )
    section = docx.Document(str(out)).sections[0]
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_header.paragraphs] == ["Protected B"]
    assert [p.text for p in section.header.paragraphs] == ["Protected B"]
    first = footer_xml(out, "first")
    assert ["".join(p.itertext()) for p in first.findall("w:p", NS)] == ["Protected B"]
    assert first.find(".//w:fldChar", NS) is None
    (line,) = footer_xml(out, "default").findall("w:p", NS)
    assert fields(line)[:4] == ["Protected B", "Page ", "{", " PAGE "]


def test_cover_without_marking_has_an_empty_first_footer(tmp_path):
    out = build(tmp_path, '<section class="cover"><h1>Brief</h1></section><p>Body</p>')
    section = docx.Document(str(out)).sections[0]
    assert section.different_first_page_header_footer
    assert ["".join(p.itertext()) for p in footer_xml(out, "first").findall("w:p", NS)] == [""]
    assert fields(footer_xml(out, "default").find("w:p", NS))[1:3] == ["{", " PAGE "]


def test_cover_later_in_the_document_is_not_a_title_page(tmp_path):
    out = build(tmp_path, '<p>Before</p><section class="cover"><h1>Brief</h1></section>')
    assert not docx.Document(str(out)).sections[0].different_first_page_header_footer


TOC_DOCUMENT = """<nav class="toc"><h2>Contents</h2>
  <ol><li><a href="#summary">Summary</a><ol><li><a href="#detail">Detail</a></li></ol></li>
      <li><a href="#background">Background</a></li></ol>
</nav>
<h2 id="summary">Summary</h2><h3 id="detail">Detail</h3><h2 id="background">Background</h2>"""


def test_toc_is_a_field_with_cached_entries(tmp_path):
    out = build(tmp_path, TOC_DOCUMENT)
    assert body_paragraphs(out)[:4] == [
        ("TOC Heading", "Contents"),
        ("toc 1", "Summary"),
        ("toc 2", "Detail"),
        ("toc 1", "Background"),
    ]
    document = xml(out, "word/document.xml")
    assert document.findtext(".//w:instrText", namespaces=NS).strip() == 'TOC \\o "1-3" \\h \\z \\u'
    kinds = [f.get(W + "fldCharType") for f in document.iterfind(".//w:fldChar", NS)]
    assert kinds == ["begin", "separate", "end"]
    entries = document.findall(".//w:body/w:p", NS)[1:4]
    assert entries[0].find("w:r/w:fldChar", NS).get(W + "fldCharType") == "begin"
    assert entries[2].findall("w:r/w:fldChar", NS)[-1].get(W + "fldCharType") == "end"
    assert [e.find("w:hyperlink", NS).get(W + "anchor") for e in entries] == ["summary", "detail", "background"]
    assert document.find(".//w:hyperlink//w:rStyle", NS) is None
    assert document.find(".//w:hyperlink//w:tab", NS) is None  # no page numbers without page_numbers
    settings = xml(out, "word/settings.xml")
    assert settings.find("w:updateFields", NS).get(W + "val") == "true"


def test_toc_entries_carry_page_numbers_from_the_pdf(tmp_path):
    out = build(
        tmp_path, TOC_DOCUMENT,
        page_numbers={"summary": 2, "detail": 3, "elsewhere": 9},
    )
    assert body_paragraphs(out)[1:4] == [("toc 1", "Summary\t2"), ("toc 2", "Detail\t3"), ("toc 1", "Background")]
    entries = xml(out, "word/document.xml").findall(".//w:body/w:p", NS)[1:4]
    last_run = entries[0].find("w:hyperlink", NS).findall("w:r", NS)[-1]
    assert last_run.find("w:tab", NS) is not None and last_run.findtext("w:t", namespaces=NS) == "2"
    assert entries[2].findall("w:r/w:fldChar", NS)[-1].get(W + "fldCharType") == "end"


def test_toc_styles_have_a_dot_leader_tab_at_the_right_margin():
    styles = xml(REFERENCE, "word/styles.xml")
    ids = style_ids(REFERENCE)
    section = docx.Document(str(REFERENCE)).sections[0]
    text_width = Emu(section.page_width - section.left_margin - section.right_margin).twips
    for name in ("toc 1", "toc 2", "toc 3"):
        tab = styles.find(f"w:style[@w:styleId='{ids[name]}']/w:pPr/w:tabs/w:tab", NS)
        assert (tab.get(W + "val"), tab.get(W + "leader")) == ("right", "dot")
        assert abs(int(tab.get(W + "pos")) - text_width) <= 1


def test_no_toc_means_no_update_fields(tmp_path):
    out = build(tmp_path, "<nav><p>Plain nav</p></nav>")
    assert body_paragraphs(out) == [("Normal", "Plain nav")]
    assert xml(out, "word/settings.xml").find("w:updateFields", NS) is None


def test_page_breaks(tmp_path):
    out = build(
        tmp_path,
        """<p>Cover</p>
        <section class="page-break"><h2>Annex</h2><p>Text</p></section>
        <hr class="page-break">
        <p>After the rule</p>
        <hr>
        <p class="page-break">Classed paragraph</p>""",
    )
    paragraphs = docx.Document(str(out)).paragraphs
    assert [(p.text, bool(p.paragraph_format.page_break_before)) for p in paragraphs] == [
        ("Cover", False),
        ("Annex", True),
        ("Text", False),
        ("After the rule", True),
        ("", False),
        ("Classed paragraph", True),
    ]
    assert paragraphs[4]._p.find("w:pPr/w:pBdr/w:bottom", NS) is not None


# -- footnotes -------------------------------------------------------------------------------

FOOTNOTE_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
FOOTNOTE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def test_footnote_span_becomes_a_word_footnote(tmp_path):
    out = build(
        tmp_path,
        """<ul><li class="fact">Exports rose<span class="footnote">Statistics Canada. <em>Trade</em>.
          <a href="https://example.org/t">example.org</a></span> last year.</li></ul>
        <p>Second<span class="footnote">  Short, 2025. </span></p>""",
    )
    types = xml(out, "[Content_Types].xml")
    assert types.find("ct:Override[@PartName='/word/footnotes.xml']", NS).get("ContentType") == FOOTNOTE_CONTENT_TYPE
    rels = xml(out, "word/_rels/document.xml.rels")
    assert rels.find(f"rel:Relationship[@Type='{FOOTNOTE_TYPE}']", NS).get("Target") == "footnotes.xml"

    ids = style_ids(out)
    notes = xml(out, "word/footnotes.xml").findall("w:footnote", NS)
    assert [(n.get(W + "id"), n.get(W + "type")) for n in notes] == [
        ("-1", "separator"),
        ("0", "continuationSeparator"),
        ("1", None),
        ("2", None),
    ]
    assert notes[0].find(".//w:separator", NS) is not None
    assert notes[1].find(".//w:continuationSeparator", NS) is not None
    for note in notes[2:]:
        (paragraph,) = note.findall("w:p", NS)
        assert paragraph.find("w:pPr/w:pStyle", NS).get(W + "val") == ids["footnote text"]
        mark = paragraph.find("w:r", NS)
        assert mark.find("w:rPr/w:rStyle", NS).get(W + "val") == ids["footnote reference"]
        assert mark.find("w:footnoteRef", NS) is not None
    assert "".join(notes[2].itertext()) == " Statistics Canada. Trade. example.org"
    assert "".join(notes[3].itertext()) == " Short, 2025."
    assert notes[2].xpath(".//w:r[w:rPr/w:i]/w:t", namespaces=NS)[0].text == "Trade"
    link = notes[2].find(".//w:hyperlink", NS)
    note_rels = xml(out, "word/_rels/footnotes.xml.rels")
    assert note_rels.find(f"rel:Relationship[@Id='{link.get('{{{}}}id'.format(NS['r']))}']", NS).get("Target") == (
        "https://example.org/t"
    )

    body = xml(out, "word/document.xml")
    calls = body.findall(".//w:r[w:footnoteReference]", NS)
    assert [c.find("w:footnoteReference", NS).get(W + "id") for c in calls] == ["1", "2"]
    assert {c.find("w:rPr/w:rStyle", NS).get(W + "val") for c in calls} == {ids["footnote reference"]}
    assert [p.text for p in docx.Document(str(out)).paragraphs] == ["Exports rose last year.", "Second"]

    settings = xml(out, "word/settings.xml")
    assert [f.get(W + "id") for f in settings.findall("w:footnotePr/w:footnote", NS)] == ["-1", "0"]


def test_document_without_footnotes_has_no_footnotes_part(tmp_path):
    out = build(tmp_path, "<p>Plain</p>")
    with zipfile.ZipFile(out) as package:
        assert "word/footnotes.xml" not in package.namelist()
    assert xml(out, "word/settings.xml").find("w:footnotePr", NS) is None


def test_footnotes_replace_those_of_the_reference(tmp_path):
    noted = tmp_path / "noted.docx"
    write_docx(page('<p>A<span class="footnote">Old</span></p>'), noted, reference=REFERENCE, template_name=TEMPLATE)
    out = build(tmp_path, '<p>B<span class="footnote">New</span></p>', reference=noted)
    with zipfile.ZipFile(out) as package:
        assert package.namelist().count("word/footnotes.xml") == 1
    notes = xml(out, "word/footnotes.xml").findall("w:footnote", NS)
    assert [(n.get(W + "id"), "".join(n.itertext())) for n in notes[2:]] == [("1", " New")]
    rels = xml(out, "word/_rels/document.xml.rels")
    assert len(rels.findall(f"rel:Relationship[@Type='{FOOTNOTE_TYPE}']", NS)) == 1


def test_footnote_in_a_running_header_is_an_error(tmp_path):
    with pytest.raises(BuildError, match=r'<span class="footnote"> on HTML line 5: Word allows footnotes only'):
        html_to_docx(
            page('<div class="running-header"><p>Marking<span class="footnote">x</span></p></div>'),
            reference=REFERENCE,
            template_name=TEMPLATE,
        )


# -- reproducible output -------------------------------------------------------------------------

REPRODUCIBLE_BODY = """
<div class="running-header"><p class="marking">Protected B</p></div>
<section class="cover"><h1>Brief</h1><p>See <a href="https://example.org">the site</a>.</p></section>
<nav class="toc"><h2>Contents</h2><ol><li><a href="#one">One</a></li></ol></nav>
<h2 id="one">One</h2>
<ol><li class="fact">Fact<span class="footnote">Source, <em>2025</em>.</span></li></ol>
<p><img src="{image}" alt="Logo" width="8"></p>
"""

CONVERT = """
import sys
from pathlib import Path
from briefgen.render.docx import html_to_docx
html, reference, target = Path(sys.argv[1]).read_text(), Path(sys.argv[2]), sys.argv[3]
html_to_docx(html, reference=reference, template_name="t", page_numbers={"one": 2}).save(target)
"""


def test_output_bytes_are_the_same_in_separate_processes(tmp_path):
    image = tiny_png(tmp_path / "logo.png")
    source = tmp_path / "in.html"
    source.write_text(page(REPRODUCIBLE_BODY.format(image=image),
                           head='<meta name="dcterms.created" content="2026-01-15">'))
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"out{seed}.docx"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", CONVERT, str(source), str(REFERENCE), str(target)], check=True, env=env)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    document = html_to_docx(source.read_text(), reference=REFERENCE, template_name="t", page_numbers={"one": 2})
    assert docx_bytes(document) == outputs[0]

    with zipfile.ZipFile(tmp_path / "out1.docx") as package:
        infos = package.infolist()
    names = [info.filename for info in infos]
    assert names[0] == "[Content_Types].xml" and names == sorted(names)
    assert {"word/footnotes.xml", "word/media/image1.png", "word/header1.xml"} <= set(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


# -- errors ------------------------------------------------------------------------------------


def test_unknown_element_is_an_error(tmp_path):
    with pytest.raises(BuildError) as caught:
        html_to_docx(page("<p>Fine</p>\n<marquee>Hi</marquee>"), reference=REFERENCE, template_name=TEMPLATE)
    assert str(caught.value) == "note.html.j2: <marquee> on HTML line 6 is not in briefgen's HTML subset"


def test_unknown_meta_is_an_error(tmp_path):
    with pytest.raises(BuildError) as caught:
        html_to_docx(page("", head='<meta name="viewport" content="x">'), reference=REFERENCE, template_name=TEMPLATE)
    assert str(caught.value) == 'note.html.j2: <meta name="viewport"> on HTML line 3 is not in briefgen\'s HTML subset'


def test_unknown_class_is_a_missing_style(tmp_path):
    with pytest.raises(StyleMissingError) as caught:
        html_to_docx(page('<p class="executive-summary">x</p>'), reference=REFERENCE, template_name=TEMPLATE)
    assert str(caught.value) == (
        f"Word style 'Executive Summary' (class 'executive-summary' in note.html.j2) is not defined in "
        f"{REFERENCE}; add it to the reference document"
    )


def test_style_of_the_wrong_kind_is_an_error(tmp_path):
    with pytest.raises(StyleMissingError, match="'Priority' .* is a character style .* <p> needs a paragraph style"):
        html_to_docx(page('<p class="priority">x</p>'), reference=REFERENCE, template_name=TEMPLATE)


def test_builtin_style_missing_from_reference_is_an_error(tmp_path):
    bare = tmp_path / "bare.docx"
    docx.Document().save(str(bare))  # python-docx's own template has no Hyperlink style
    with pytest.raises(StyleMissingError) as caught:
        html_to_docx(page('<p><a href="https://example.org">x</a></p>'), reference=bare, template_name=TEMPLATE)
    assert str(caught.value) == (
        f"Word style 'Hyperlink' (used for <a> in note.html.j2) is not defined in {bare}; "
        "add it to the reference document"
    )


def test_image_without_alt_is_an_error(tmp_path):
    image = tiny_png(tmp_path / "logo.png")
    with pytest.raises(BuildError) as caught:
        html_to_docx(page(f'<p>\n<img src="{image}"></p>'), reference=REFERENCE, template_name=TEMPLATE)
    assert str(caught.value) == "note.html.j2: <img> on HTML line 6 has no alt attribute; every image needs alt text"


def test_misplaced_element_is_an_error(tmp_path):
    with pytest.raises(BuildError, match=r"^note.html.j2: <li> on HTML line 5 is not allowed inside <div>$"):
        html_to_docx(page("<div><li>x</li></div>"), reference=REFERENCE, template_name=TEMPLATE)


def test_relative_link_is_an_error(tmp_path):
    with pytest.raises(BuildError, match='<a href="annex.html"> on HTML line 5'):
        html_to_docx(page('<p><a href="annex.html">x</a></p>'), reference=REFERENCE, template_name=TEMPLATE)


# -- the schema's order of children -----------------------------------------------------------

EVERY_CONSTRUCT = """<div class="running-header"><p class="marking">Protected B</p></div>
<div class="running-footer"><p>Footer <a href="https://example.org/">link</a></p></div>
<section class="cover"><h1 id="top">Brief</h1></section>
<nav class="toc"><h2>Contents</h2><ul><li><a href="#summary">Summary</a></li></ul></nav>
<h2 id="summary" class="page-break">Summary</h2>
<p lang="fr">Texte <strong>gras <em>italique</em></strong> <code>x</code> H<sub>2</sub>O x<sup>2</sup>
<span class="footnote">A note <a href="https://example.org/note">there</a>.</span>
习近平 (བོད་) <span lang="ug">ئۇيغۇر</span></p>
<p>ئۇيغۇر تىلى</p>
<ol><li>one<ol><li>two</li></ol>continued</li></ol><ul><li><p>a</p><p>b</p></li></ul>
<hr>
<table class="asks"><caption>Asks</caption><thead><tr><th>Ask</th><th>Of</th></tr></thead>
<tbody><tr><td colspan="2">Both</td></tr><tr><td><table><tr><td>Inner</td></tr></table></td><td>PM</td></tr></tbody>
</table>
<p><img src="{image}" alt="A flag" width="40"><br>After the break</p>"""


def out_of_order(path: Path) -> list[str]:
    """Each element of the XML parts of ``path`` whose children break the order of briefgen's schema table."""
    ordered = {qn(tag) for tag in schema.CHILD_ORDER}
    wrong = []
    with zipfile.ZipFile(path) as package:
        for name in sorted(package.namelist()):
            if name.endswith(".xml"):
                for parent in etree.fromstring(package.read(name)).iter(*ordered):
                    ranks = [schema.rank(parent, child) for child in parent]
                    if ranks != sorted(ranks):
                        children = [etree.QName(child).localname for child in parent]
                        wrong.append(f"{name}: {etree.QName(parent).localname}: {children}")
    return wrong


def test_every_construct_writes_children_in_schema_order(tmp_path):
    out = build(tmp_path, EVERY_CONSTRUCT.format(image=tiny_png(tmp_path / "flag.png")))
    assert out_of_order(out) == []


def test_the_sample_and_the_reference_have_children_in_schema_order(sample_build):
    folder, _ = sample_build
    for path in [REFERENCE, *sorted(folder.glob("*.docx"))]:
        assert out_of_order(path) == [], path


def test_insert_places_a_child_by_the_schema():
    settings = parse_xml(
        f'<w:settings {nsdecls("w", "w14")}><w:zoom/><w:compat/><w:decimalSymbol/><w14:docId/></w:settings>'
    )
    schema.insert(settings, OxmlElement("w:updateFields"))
    schema.insert(settings, OxmlElement("w:listSeparator"))  # before the extension, which comes after all
    schema.insert(settings, OxmlElement("w:writeProtection"))
    assert [etree.QName(child).localname for child in settings] == [
        "writeProtection", "zoom", "updateFields", "compat", "decimalSymbol", "listSeparator", "docId"
    ]
    section = parse_xml(f'<w:sectPr {nsdecls("w")}><w:headerReference/><w:pgSz/></w:sectPr>')
    schema.insert(section, OxmlElement("w:footerReference"))  # one choice with w:headerReference: after it
    assert [etree.QName(child).localname for child in section] == ["headerReference", "footerReference", "pgSz"]
    paragraph = parse_xml(f'<w:p {nsdecls("w")}><w:r/></w:p>')
    assert schema.get_or_insert(paragraph, "w:pPr") is paragraph[0]
    assert schema.get_or_insert(paragraph, "w:pPr") is paragraph[0] and len(paragraph) == 2


# -- the reference document ------------------------------------------------------------------


def load_reference_tool() -> SimpleNamespace:
    return SimpleNamespace(**runpy.run_path(str(ROOT / "tools" / "make_reference_docx.py"), run_name="make_reference"))


def test_reference_defines_every_listed_style_as_a_real_style():
    tool = load_reference_tool()
    defined = {name.lower() for name in style_ids(REFERENCE)}
    assert [spec.name for spec in tool.STYLES if spec.name.lower() not in defined] == []
    for name in ("Marking", "Cover Meta", "Running Header", "Source Ref", "toc 2", "List Number 2", "Hyperlink"):
        assert name.lower() in defined
    assert "footnote" not in defined  # a special class, not a style


def test_reference_footnote_styles():
    styles = docx.Document(str(REFERENCE)).styles
    text, reference = styles["footnote text"], styles["footnote reference"]
    assert (text.type, text.font.size.pt) == (docx.enum.style.WD_STYLE_TYPE.PARAGRAPH, 8)
    assert (reference.type, reference.font.superscript) == (docx.enum.style.WD_STYLE_TYPE.CHARACTER, True)


def test_reference_page_and_language():
    document = docx.Document(str(REFERENCE))
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [round(margin.cm, 2) for margin in margins] == [2.3, 2.2, 2.4, 2.2]  # @page margin in briefgen.css
    defaults = xml(REFERENCE, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert attributes(defaults.find("w:lang", NS)) == {"val": "en-CA", "eastAsia": "zh-CN", "bidi": "bo-CN"}
    assert document.styles["Normal"].font.name == "Noto Serif"


def test_reference_defaults_name_fonts_for_chinese_and_complex_scripts():
    defaults = xml(REFERENCE, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert attributes(defaults.find("w:rFonts", NS)) == {
        "ascii": "Noto Serif", "hAnsi": "Noto Serif", "eastAsia": "Noto Serif CJK SC", "cs": "Noto Serif Tibetan"
    }
    styles = xml(REFERENCE, "word/styles.xml")
    # Styles name the Latin font alone, so that typing Chinese or Tibetan anywhere gets the defaults.
    for fonts in styles.iterfind("w:style/w:rPr/w:rFonts", NS):
        assert not {"eastAsia", "cs"} & attributes(fonts).keys()


def test_reference_sizes_and_spacing_follow_the_stylesheet():
    styles = xml(REFERENCE, "word/styles.xml")
    ids = style_ids(REFERENCE)
    defaults = styles.find("w:docDefaults", NS)
    assert attributes(defaults.find("w:rPrDefault/w:rPr/w:sz", NS)) == {"val": "21"}  # 10.5pt
    # p { margin: 0 0 0.55em }, line-height 1.4 of a Noto font whose own line is 1.362 em
    assert attributes(defaults.find("w:pPrDefault/w:pPr/w:spacing", NS)) == {
        "after": "116", "line": "247", "lineRule": "auto"
    }

    def style(name: str) -> etree._Element:
        return styles.find(f"w:style[@w:styleId='{ids[name]}']", NS)

    heading = style("heading 1")
    assert {e.get(W + "val") for e in heading.findall("w:rPr/w:sz", NS) + heading.findall("w:rPr/w:szCs", NS)} == {
        "30"
    }
    # h2 { margin: 1.2em 0 0.4em }: Word, as CSS, puts the larger of the paragraph above's 5.8pt and this 18pt.
    assert attributes(heading.find("w:pPr/w:spacing", NS)) == {"before": "360", "after": "120"}
    assert heading.find("w:pPr/w:pBdr/w:bottom", NS).get(W + "sz") == "12"
    table = style("Overview")
    assert attributes(table.find("w:rPr/w:sz", NS)) == {"val": "19"}
    margins = table.find("w:tblPr/w:tblCellMar", NS)
    assert [margins.find(f"w:{side}", NS).get(W + "w") for side in ("top", "left", "bottom", "right")] == [
        "60", "100", "60", "100"
    ]
    assert [b.get(W + "val") for b in table.find("w:tblPr/w:tblBorders", NS)] == [
        "nil", "nil", "single", "nil", "single", "nil"
    ]
    numbering = xml(REFERENCE, "word/numbering.xml")
    num_id = style("List Bullet 2").find("w:pPr/w:numPr/w:numId", NS).get(W + "val")
    abstract = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(W + "val")
    ind = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl/w:pPr/w:ind", NS)
    assert attributes(ind) == {"left": "546", "hanging": "273"}  # ul { padding-left: 1.3em }, twice


def test_reference_list_styles_go_five_levels_deep():
    numbering, styles = xml(REFERENCE, "word/numbering.xml"), xml(REFERENCE, "word/styles.xml")
    ids = style_ids(REFERENCE)

    def style(name: str) -> etree._Element:
        return styles.find(f"w:style[@w:styleId='{ids[name]}']", NS)

    for kind in ("Bullet", "Number"):
        names = [list_style(kind, level) for level in range(1, 6)]
        levels = [abstract_of(numbering, style(name).find("w:pPr/w:numPr/w:numId", NS).get(W + "val")).find("w:lvl", NS)
                  for name in names]
        assert len({id(level) for level in levels}) == 5
        for depth, (name, level) in enumerate(zip(names, levels), 1):
            assert level.find("w:pStyle", NS).get(W + "val") == ids[name]
            assert attributes(level.find("w:pPr/w:ind", NS)) == {"left": str(273 * depth), "hanging": "273"}
            # Levels 4 and 5 continue level 3: the same marker, and the same spacing.
            assert [attributes(level.find(f"w:{tag}", NS)) for tag in ("numFmt", "lvlText", "rPr/w:rFonts")] == [
                attributes(levels[2].find(f"w:{tag}", NS)) for tag in ("numFmt", "lvlText", "rPr/w:rFonts")
            ]
            assert attributes(style(name).find("w:pPr/w:spacing", NS)) == {"after": "52"}
    for depth in (4, 5):
        assert attributes(style(list_style("Continue", depth)).find("w:pPr/w:ind", NS)) == {"left": str(273 * depth)}


def test_reference_generation_is_deterministic(tmp_path):
    tool = load_reference_tool()
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    tool.main([str(first)])
    tool.main([str(second)])
    assert first.read_bytes() == second.read_bytes() == REFERENCE.read_bytes()
