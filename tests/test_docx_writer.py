"""Tests of the HTML → DOCX writer and of the reference document it styles with.

Each test renders a small HTML snippet, saves the .docx, reopens it and checks
the Word XML that a reader (Word, LibreOffice) would see.
"""

from __future__ import annotations

import runpy
import struct
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from docx.shared import Inches
from lxml import etree

from briefgen.errors import BuildError, StyleMissingError
from briefgen.render.docx import html_to_docx, write_docx

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "templates" / "reference.docx"
TEMPLATE = "note.html.j2"
NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "dc": "http://purl.org/dc/elements/1.1/",
}
W = "{%s}" % NS["w"]


def page(body: str, *, head: str = "", lang: str = "en") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">{head}</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def build(tmp_path: Path, body: str, **kwargs) -> Path:
    target = tmp_path / "out.docx"
    write_docx(page(body, **kwargs), target, reference=REFERENCE, template_name=TEMPLATE)
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


def test_span_class_is_a_character_style(tmp_path):
    out = build(tmp_path, '<p>Level: <span class="priority">high</span><span class="source-ref">[1]</span></p>')
    runs = docx.Document(str(out)).paragraphs[0].runs
    assert [(r.text, r.style.name) for r in runs] == [
        ("Level: ", "Default Paragraph Font"),
        ("high", "Priority"),
        ("[1]", "Source Ref"),
    ]


def test_lang_attribute_sets_w_lang_on_runs(tmp_path):
    out = build(tmp_path, '<p>See <span lang="fr" class="native-name">Ministère</span>.</p><p lang="fr-CA">Bonjour</p>')
    document = xml(out, "word/document.xml")
    langs = {
        "".join(r.itertext()): r.find("w:rPr/w:lang", NS).get(W + "val")
        for r in document.iterfind(".//w:r", NS)
        if r.find("w:rPr/w:lang", NS) is not None
    }
    assert langs == {"Ministère": "fr", "Bonjour": "fr-CA"}


def test_html_lang_sets_the_document_language(tmp_path):
    out = build(tmp_path, "<p>Bonjour</p>", lang="fr")
    lang = xml(out, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(W + "val") == "fr"


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


def test_body_keeps_the_reference_section_and_nothing_else(tmp_path):
    out = build(tmp_path, "<p>Only</p>")
    document = docx.Document(str(out))
    assert [p.text for p in document.paragraphs] == ["Only"]
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    assert section.left_margin == section.top_margin == Inches(1)


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


def test_table_class_is_a_table_style(tmp_path):
    out = build(tmp_path, '<table class="cover-meta"><tr><th>Date</th><td>1 May</td></tr></table>')
    assert docx.Document(str(out)).tables[0].style.name == "Cover Meta"


# -- links, bookmarks, pictures --------------------------------------------------------------


def test_external_link_is_a_real_hyperlink(tmp_path):
    out = build(tmp_path, '<p>See <a href="https://example.org/a?b=1&amp;c=2">the <em>site</em></a>.</p>')
    rels = xml(out, "word/_rels/document.xml.rels")
    document = xml(out, "word/document.xml")
    link = document.find(".//w:hyperlink", NS)
    rel = rels.find(f"rel:Relationship[@Id='{link.get('{%s}id' % NS['r'])}']", NS)
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
    assert link.get("{%s}id" % NS["r"]) is None
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
    assert [(p.style.name, p.text) for p in section.footer.paragraphs] == [
        ("Running Footer", "Footer text"),
        ("Small", "Small print"),
    ]
    assert "".join(xml(out, "word/header1.xml").itertext()) == "PROTECTED B"


def test_toc_is_a_field_with_cached_entries(tmp_path):
    out = build(
        tmp_path,
        """<nav class="toc"><h2>Contents</h2>
          <ol><li><a href="#summary">Summary</a><ol><li><a href="#detail">Detail</a></li></ol></li>
              <li><a href="#background">Background</a></li></ol>
        </nav>
        <h2 id="summary">Summary</h2><h3 id="detail">Detail</h3><h2 id="background">Background</h2>""",
    )
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
    settings = xml(out, "word/settings.xml")
    assert settings.find("w:updateFields", NS).get(W + "val") == "true"


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


# -- the reference document ------------------------------------------------------------------


def load_reference_tool() -> SimpleNamespace:
    return SimpleNamespace(**runpy.run_path(str(ROOT / "tools" / "make_reference_docx.py"), run_name="make_reference"))


def test_reference_defines_every_listed_style_as_a_real_style():
    tool = load_reference_tool()
    defined = {name.lower() for name in style_ids(REFERENCE)}
    assert [spec.name for spec in tool.STYLES if spec.name.lower() not in defined] == []
    for name in ("Marking", "Cover Meta", "Running Header", "Source Ref", "toc 2", "List Number 2", "Hyperlink"):
        assert name.lower() in defined


def test_reference_page_and_language():
    document = docx.Document(str(REFERENCE))
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    assert {section.left_margin, section.right_margin, section.top_margin, section.bottom_margin} == {Inches(1)}
    lang = xml(REFERENCE, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(W + "val") == "en-CA"
    assert document.styles["Normal"].font.name == "Noto Serif"


def test_reference_generation_is_deterministic(tmp_path):
    tool = load_reference_tool()
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    tool.main([str(first)])
    tool.main([str(second)])
    assert first.read_bytes() == second.read_bytes() == REFERENCE.read_bytes()
