"""The .docx writer reads the document's stylesheet for Word's keeps, spacing and page.

briefgen/render/docx/breaks.py turns the CSS break rules into keep-with-next, keep-lines,
rows that do not split and page breaks, and a list's or a table's bottom margin into the
next paragraph's space before; briefgen/render/docx/pages.py gives the section the page
of the ``@page`` rules, named pages included. Each rule here on a small document.
"""

from __future__ import annotations

import io
import zipfile

import lxml.html
import pytest
from docx.shared import Cm
from lxml import etree

from briefgen.render.docx import docx_bytes, html_to_docx
from briefgen.render.docx.breaks import Breaks, computed_breaks
from briefgen.render.docx.pages import read_pages
from conftest import ROOT

REFERENCE = ROOT / "templates" / "reference.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def document(body: str, css: str):
    html = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><style>{css}</style></head>\n'
            f"<body>\n{body}\n</body></html>\n")
    return html_to_docx(html, reference=REFERENCE, template_name="note.html.j2")


def paragraphs(doc) -> list[tuple[str, etree._Element]]:
    """(text, w:pPr or an empty element) of each body paragraph of ``doc``, as saved."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes(doc))) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    found = []
    for p in body.iter(f"{W}p"):
        ppr = p.find(f"{W}pPr")
        found.append(("".join(t.text or "" for t in p.iter(f"{W}t")), ppr if ppr is not None else etree.Element("x")))
    return found


def has(ppr: etree._Element, tag: str) -> bool:
    return ppr.find(f"{W}{tag}") is not None


def test_breaks_cascade_by_importance_then_specificity_then_order() -> None:
    root = lxml.html.fromstring('<html><body><h2>a</h2><p class="x">b</p><p class="x y" id="z">c</p>'
                                "<ul><li>d</li></ul><table><tr><td>e</td></tr></table></body></html>")
    css = ("h2 { break-after: avoid } p.x { break-inside: avoid !important } #z { break-inside: auto } "
           ".y { page-break-before: always } .y { break-before: avoid-page } "
           "ul { margin: 0 0 0.6em } table { margin: 1pt 2pt 9pt 3pt } table { margin-top: 4pt }")
    found = {el.text_content(): breaks for el, breaks in computed_breaks(root, [css]).items()}
    assert found == {
        "a": Breaks(after="avoid"),
        "b": Breaks(inside="avoid"),
        "c": Breaks(inside="avoid", before="avoid"),  # !important beats the id; the later rule wins
        "d": Breaks(margin_below=(0.6, "em")),
        "e": Breaks(margin_below=(9.0, "pt")),
    }
    assert found["d"].margin_points(10.5) == pytest.approx(6.3)


def test_a_lists_columns_are_read_and_other_elements_columns_are_not() -> None:
    root = lxml.html.fromstring('<html><body><ul class="two"><li>a</li></ul><ol class="auto"><li>b</li></ol>'
                                '<p class="two">c</p><ul class="one"><li>d</li></ul></body></html>')
    css = (".two { columns: 2; column-gap: 1.5em } .auto { columns: auto 12em } .one { column-count: 1 } "
           "ul.two { column-gap: 9pt }")
    found = {el.text_content(): breaks for el, breaks in computed_breaks(root, [css]).items()}
    assert found == {"a": Breaks(columns=2, column_gap=(9.0, "pt"))}


def test_a_list_in_columns_is_a_continuous_section_of_its_own_between_two_of_one_column() -> None:
    doc = document('<p>Before.</p><ul class="signatories-in-columns"><li>One</li><li>Two</li><li>Three</li></ul>'
                   "<p>After.</p>", ".signatories-in-columns { columns: 2; column-gap: 1em } li { break-after: avoid }")
    found = paragraphs(doc)
    sections = {text: ppr.find(f"{W}sectPr") for text, ppr in found if ppr.find(f"{W}sectPr") is not None}
    assert list(sections) == ["Before.", "Three"]
    assert sections["Three"].find(f"{W}cols").get(f"{W}num") == "2"
    assert sections["Three"].find(f"{W}cols").get(f"{W}space") == str(9 * 20)  # 1em of the list's 9pt
    assert not has(dict(found)["Three"], "keepNext")
    assert [sections[text].find(f"{W}type").get(f"{W}val") for text in sections] == ["continuous", "continuous"]


def test_break_rules_become_words_keeps_and_page_breaks() -> None:
    # Classes name Word styles of the reference document, so these are some of those.
    css = (".addressee { break-inside: avoid } .small { break-after: avoid } .closing { break-before: avoid } "
           ".letter-date { break-before: page } h2 { break-after: avoid }")
    doc = document('<h2>Heading</h2><div class="addressee"><p>one</p><p>two</p><p>three</p></div>'
                   '<p class="small">lead</p><p>follows</p><p>before</p><p class="closing">after</p>'
                   '<p class="letter-date">new page</p>', css)
    found = dict(paragraphs(doc))
    # Heading 1 keeps with next by its style: no direct formatting repeats it.
    assert not has(found["Heading"], "keepNext")
    assert [has(found[t], "keepLines") for t in ("one", "two", "three")] == [True, True, True]
    assert [has(found[t], "keepNext") for t in ("one", "two", "three")] == [True, True, False]
    assert has(found["lead"], "keepNext") and not has(found["follows"], "keepNext")
    assert has(found["before"], "keepNext") and not has(found["after"], "keepNext")
    assert has(found["new page"], "pageBreakBefore")


def test_table_rows_that_avoid_breaking_inside_do_not_split() -> None:
    doc = document('<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>a</td></tr><tr class="fact"><td>b'
                   "</td></tr></tbody></table>", "tr { break-inside: avoid } tr.fact { break-inside: auto }")
    with zipfile.ZipFile(io.BytesIO(docx_bytes(doc))) as package:
        rows = etree.fromstring(package.read("word/document.xml")).findall(f".//{W}tr")
    assert [(row.find(f"{W}trPr/{W}cantSplit") is not None, row.find(f"{W}trPr/{W}tblHeader") is not None)
            for row in rows] == [(True, True), (True, False), (False, False)]


def test_a_list_or_table_margin_below_becomes_the_next_paragraphs_space_before() -> None:
    css = "ul { margin: 0 0 0.6em } table { margin-bottom: 9pt }"
    doc = document("<ul><li>item</li></ul><p>after the list</p><table><tr><td>cell</td></tr></table>"
                   "<p>after the table</p><h2>A heading</h2>", css)
    found = dict(paragraphs(doc))
    # 0.6em of the list items' 10.5pt is 6.3pt, 126 twentieths of a point.
    assert found["after the list"].find(f"{W}spacing").get(f"{W}before") == "126"
    assert found["after the table"].find(f"{W}spacing").get(f"{W}before") == "180"
    assert found["item"].find(f"{W}spacing") is None  # the list items keep their style's spacing


def test_a_heading_with_more_space_before_than_the_margin_keeps_its_own() -> None:
    doc = document("<ul><li>item</li></ul><h2>A heading</h2>", "ul { margin: 0 0 0.6em }")
    assert dict(paragraphs(doc))["A heading"].find(f"{W}spacing") is None


def test_the_page_is_the_stylesheets_and_a_named_page_applies_to_a_document_set_on_it() -> None:
    css = "@page { size: A4; margin: 1cm 2cm } @page :first { margin: 9cm } @page narrow { margin-left: 5mm } " \
          ".leave-behind { page: narrow }"
    plain = document("<p>text</p>", css).sections[0]
    assert (round(plain.page_width.cm, 1), round(plain.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(m.cm, 2) for m in (plain.top_margin, plain.right_margin, plain.bottom_margin,
                                     plain.left_margin)] == [1.0, 2.0, 1.0, 2.0]
    narrow = document('<section class="leave-behind"><p>text</p></section>', css).sections[0]
    assert [round(m.cm, 2) for m in (narrow.top_margin, narrow.left_margin)] == [1.0, 0.5]
    rules = read_pages([css])
    assert rules.class_pages == {"leave-behind": "narrow"} and set(rules.pages) == {None, "narrow"}


def test_the_leave_behind_docx_has_the_narrower_margins_of_its_named_page(sample_build) -> None:
    import docx

    folder, _ = sample_build
    section = docx.Document(str(folder / "leave-behind.docx")).sections[0]
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [round(m.cm, 2) for m in margins] == [1.5, 2.0, 1.6, 2.0]  # @page leave-behind in briefgen.css
    assert section.page_width == Cm(21.59)


def test_a_first_page_without_a_page_number_in_css_has_a_footer_of_its_own_in_word() -> None:
    numbered = document("<p>text</p>", "@page { @bottom-right { content: counter(page) } }").sections[0]
    assert not numbered.different_first_page_header_footer
    css = "@page { @bottom-right { content: counter(page) } } @page :first { @bottom-right { content: none } }"
    unnumbered = document("<p>text</p>", css).sections[0]
    assert unnumbered.different_first_page_header_footer
    assert "".join(p.text for p in unnumbered.first_page_footer.paragraphs) == ""
    assert "Page 1 of 1" in "".join(p.text for p in unnumbered.footer.paragraphs)
