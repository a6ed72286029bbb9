"""What ``briefgen.render.preview`` assumes of WeasyPrint's laid-out boxes (non-public names),
one test per assumption, each failing with a message that names the assumption and what relies
on it (as tests/test_weasyprint_internals.py does for that module); then what the preview
draws of a small document, compared with WeasyPrint's layout of it.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import tinycss2.color4
import weasyprint
from lxml import etree
from PIL import Image
from weasyprint.draw import text as weasyprint_text
from weasyprint.formatting_structure import boxes

from briefgen.render.pdf import layout_pdf
from briefgen.render.preview import preview_pages
from briefgen.render.resources import Confinement
from test_weasyprint_internals import all_boxes, assumption

SVG = "{http://www.w3.org/2000/svg}"
#: A page with what the preview draws: margin boxes, a footnote, a table whose borders collapse
#: (the table's top border, each cell's bottom one), a block with a background and a dashed
#: border in the text's colour, hidden text, an image, and links inside and outside the document.
HTML = """<!DOCTYPE html><html lang="en"><head><title>Preview</title><style>
@page { size: A6; margin: 20mm; @top-right { content: "TOP" } @bottom-right { content: "Page " counter(page) } }
body { margin: 0; font: 10pt serif }
.fn { float: footnote }
table { border-collapse: collapse; width: 100%; border-top: 4px solid #00f }
td { border-bottom: 3px solid #f00; padding: 0 }
.box { background: #eee; border: 2px dashed; color: #123456; padding: 3px; font-style: italic; font-weight: bold }
</style></head><body>
<p>Called<span class="fn">The note.</span> here.</p>
<table><tr><td>A</td></tr><tr><td>B</td></tr></table>
<div class="box">Boxed</div>
<p style="visibility: hidden">Hidden</p>
<p><img src="dot.png" alt="A dot" style="width: 40px; height: 20px"></p>
<p><a href="#second">Inside</a> <a href="https://example.org/">outside</a> <a href="javascript:alert(1)">script</a></p>
<p id="second" style="break-before: page">Second page</p>
</body></html>"""


@pytest.fixture(scope="module")
def confinement(tmp_path_factory) -> Confinement:
    folder = tmp_path_factory.mktemp("preview")
    Image.new("RGB", (4, 2), "red").save(folder / "dot.png")
    return Confinement(folder, [folder])


@pytest.fixture(scope="module")
def laid_out(confinement) -> weasyprint.Document:
    return layout_pdf(HTML, confinement)


def first(laid_out: weasyprint.Document, kind: type, text: str | None = None, tag: str | None = None):
    """The first box of ``kind`` on the first page (with ``text``, or of ``tag``)."""
    return next(box for box in all_boxes(laid_out.pages[0]._page_box) if isinstance(box, kind)
                and (text is None or box.text == text) and (tag is None or box.element_tag == tag))


# The boxes preview_pages walks.

def test_the_page_box_holds_the_root_box_the_footnote_area_and_the_margin_boxes(laid_out) -> None:
    with assumption("Page._page_box.children are the root element's box, the FootnoteAreaBox when the page has "
                    "footnotes, and the MarginBoxes, each with its at_keyword",
                    "preview_pages(), which draws them in that order and groups the footnotes and the margin boxes"):
        children = laid_out.pages[0]._page_box.children
        assert [type(child) for child in children] == [boxes.BlockBox, boxes.FootnoteAreaBox, boxes.MarginBox,
                                                       boxes.MarginBox]
        assert children[0].element_tag == "html"
        assert [child.at_keyword for child in children[2:]] == ["@top-right", "@bottom-right"]
        assert [type(child) for child in laid_out.pages[1]._page_box.children] == [boxes.BlockBox, boxes.MarginBox,
                                                                                   boxes.MarginBox]


def test_a_text_box_is_drawn_at_its_baseline_from_its_position(laid_out) -> None:
    with assumption("a TextBox has text, position_x, position_y, baseline and width (CSS px), and draw_text draws "
                    "it from (position_x, position_y + baseline)",
                    "preview_pages(), which puts each SVG <text> at that baseline with that width as textLength"):
        box = first(laid_out, boxes.TextBox, "Called")
        assert all(isinstance(getattr(box, name), float) for name in ("position_x", "position_y", "baseline", "width"))
        assert 0 < box.baseline < box.height and box.width > 0
        assert "x, y = textbox.position_x, textbox.position_y + textbox.baseline" in inspect.getsource(
            weasyprint_text.draw_text)


def test_a_footnote_call_and_marker_are_named_by_their_pseudo_element(laid_out) -> None:
    with assumption("the text boxes of a footnote's call and marker have the element_tag "
                    "'<tag>::footnote-call' and '<tag>::footnote-marker'; text boxes of margin boxes have None",
                    "preview_pages(), which gives them the classes footnote-call and footnote-marker"):
        assert first(laid_out, boxes.TextBox, "1").element_tag == "span::footnote-call"
        assert first(laid_out, boxes.TextBox, "1. ").element_tag == "span::footnote-marker"
        assert first(laid_out, boxes.TextBox, "TOP").element_tag is None


def test_the_text_styles_are_computed_values_by_name(laid_out) -> None:
    with assumption("a box's style maps font_family to a tuple of names, font_size to CSS px, font_weight to a "
                    "number, font_style and font_stretch and visibility to keywords, color to a tinycss2 color4 "
                    "Color (to('srgb').coordinates, alpha)",
                    "preview_pages(), which writes them as the CSS of each text's class"):
        style = first(laid_out, boxes.TextBox, "Boxed").style
        assert (style["font_family"], style["font_size"], style["font_weight"], style["font_style"],
                style["font_stretch"]) == (("serif",), pytest.approx(10 * 96 / 72), 700, "italic", "normal")
        assert isinstance(style["color"], tinycss2.color4.Color)
        assert style["color"].to("srgb").coordinates == pytest.approx((0x12 / 255, 0x34 / 255, 0x56 / 255))
        assert style["color"].alpha == 1
        assert first(laid_out, boxes.TextBox, "Hidden").style["visibility"] == "hidden"


def test_borders_and_backgrounds_are_computed_by_side_and_used_on_the_box(laid_out) -> None:
    with assumption("style has border_<side>_width (CSS px), _style and _color ('currentcolor' when unset) and "
                    "background_color; a box has its used border_<side>_width and border_box_x(), padding_box_x() "
                    "and their kin", "preview_pages(), which draws borders as lines and backgrounds as rectangles"):
        block = first(laid_out, boxes.BlockBox, tag="div")
        style = block.style
        assert (style["border_top_width"], style["border_top_style"], style["border_top_color"]) == (
            2, "dashed", "currentcolor")
        assert style["background_color"].to("srgb").coordinates == pytest.approx((0xee / 255,) * 3)
        assert block.border_top_width == 2
        assert block.padding_box_x() - block.border_box_x() == 2
        assert block.padding_box_y() - block.border_box_y() == 2


def test_a_table_whose_borders_collapse_gives_half_of_each_to_the_cells_and_the_table(laid_out) -> None:
    with assumption("with border_collapse 'collapse' (a TableBox's style), each cell's used border width is half "
                    "the collapsed border, its border box reaching the border's middle; the table's used width is "
                    "half of its outer border, its padding box reaching the middle",
                    "preview_pages(), which centres a cell's collapsed border on its border box's edge and the "
                    "table's on its padding box's edge"):
        table = first(laid_out, boxes.TableBox)
        cells = [box for box in all_boxes(table) if isinstance(box, boxes.TableCellBox)]
        assert table.style["border_collapse"] == "collapse"
        assert (table.border_top_width, cells[0].border_top_width, cells[0].border_bottom_width) == (2, 2, 1.5)
        assert cells[0].border_box_y() + cells[0].border_height() == pytest.approx(cells[1].border_box_y())
        assert table.padding_box_y() == pytest.approx(cells[0].border_box_y())


def test_an_image_is_a_replaced_box_of_its_img_element(laid_out) -> None:
    with assumption("an <img> is laid out as a ReplacedBox whose element has its src and alt, placed at "
                    "content_box_x(), content_box_y() and sized width by height (CSS px)",
                    "preview_pages(), which draws it as an SVG <image> of the file the confinement allows"):
        image = first(laid_out, boxes.ReplacedBox)
        assert (image.element.get("src"), image.element.get("alt")) == ("dot.png", "A dot")
        assert (image.width, image.height) == (40, 20)
        assert image.content_box_x() == pytest.approx(20 * 96 / 25.4)


# What preview_pages makes of them.

def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def test_each_page_is_drawn_at_its_size_with_its_texts_at_their_baselines(laid_out, confinement) -> None:
    sections, css = preview_pages(laid_out, confinement)
    pages = etree.fromstring(f"<pages>{sections}</pages>").findall("section")
    # A6 in CSS px: 105 mm by 148 mm.
    width, height = number(105 * 96 / 25.4), number(148 * 96 / 25.4)
    assert [(page.get("data-page"), page.get("style")) for page in pages] == [
        (str(index), f"width: {width}px; height: {height}px") for index in (1, 2)]
    svg = pages[0].find(f"{SVG}svg")
    assert (svg.get("width"), svg.get("height"), svg.get("viewBox")) == (width, height, f"0 0 {width} {height}")
    texts = {text.text: text for text in svg.iter(f"{SVG}text")}
    assert list(texts) == ["Called", "1", " here.", "A", "B", "Boxed", "Inside", "outside", "script", "1. ",
                           "The note.", "TOP", "Page 1"]
    box = first(laid_out, boxes.TextBox, "Called")
    assert (texts["Called"].get("x"), texts["Called"].get("y"), texts["Called"].get("textLength")) == (
        number(box.position_x), number(box.position_y + box.baseline), number(box.width))
    assert texts["1"].get("class").split()[1:] == ["footnote-call"]
    assert texts["1. "].get("class").split()[1:] == ["footnote-marker"]
    groups = {group.get("class"): [text.text for text in group.iter(f"{SVG}text")] for group in svg.iter(f"{SVG}g")}
    assert groups == {"footnote-area": ["1. ", "The note."], "margin-box top-right": ["TOP"],
                      "margin-box bottom-right": ["Page 1"]}
    boxed = texts["Boxed"].get("class").split()[0]
    assert re.search(rf"\.{boxed} {{ ([^}}]*) }}", css).group(1) == (
        'font-family: serif; font-size: 13.33px; font-weight: 700; font-style: italic; font-stretch: normal; '
        "fill: rgb(18 52 86)")


def test_borders_backgrounds_and_images_are_drawn_where_weasyprint_draws_them(laid_out, confinement) -> None:
    sections, _css = preview_pages(laid_out, confinement)
    svg = etree.fromstring(f"<pages>{sections}</pages>").find(f"section/{SVG}svg")
    table = first(laid_out, boxes.TableBox)
    cells = [box for box in all_boxes(table) if isinstance(box, boxes.TableCellBox)]
    block = first(laid_out, boxes.BlockBox, tag="div")
    lines = [(line.get("y1"), line.get("y2"), line.get("stroke"), line.get("stroke-width"),
              line.get("stroke-dasharray")) for line in svg.iter(f"{SVG}line")]
    top, bottom = block.border_box_y(), block.border_box_y() + block.border_height()
    assert lines[:3] == [
        # The table's top border, centred on its padding box's edge; each cell's bottom one on its border box's.
        (number(table.padding_box_y()),) * 2 + ("rgb(0 0 255)", "4", None),
        (number(cells[0].border_box_y() + cells[0].border_height()),) * 2 + ("rgb(255 0 0)", "3", None),
        (number(cells[1].border_box_y() + cells[1].border_height()),) * 2 + ("rgb(255 0 0)", "3", None)]
    # The block's dashed border in its text's colour, inside its border box.
    assert lines[3:7] == [(number(top + 1),) * 2 + ("rgb(18 52 86)", "2", "6"),
                          (number(top), number(bottom), "rgb(18 52 86)", "2", "6"),
                          (number(bottom - 1),) * 2 + ("rgb(18 52 86)", "2", "6"),
                          (number(top), number(bottom), "rgb(18 52 86)", "2", "6")]
    assert [(rect.get("y"), rect.get("height"), rect.get("fill")) for rect in svg.iter(f"{SVG}rect")] == [
        (number(top), number(block.border_height()), "rgb(238 238 238)")]
    (image,) = svg.iter(f"{SVG}image")
    assert (image.get("width"), image.get("height"), image.findtext(f"{SVG}title")) == ("40", "20", "A dot")
    assert image.get("href").startswith("data:image/png;base64,iVBOR")
    assert "Hidden" not in sections


def test_an_image_outside_the_confinement_is_left_out(laid_out, tmp_path: Path) -> None:
    sections, _css = preview_pages(laid_out, Confinement(tmp_path, [tmp_path]))
    assert "<image" not in sections


def test_a_links_text_links_to_its_anchors_page_or_opens_beside_the_preview_never_a_script(laid_out, confinement):
    sections, _css = preview_pages(laid_out, confinement)
    svg = etree.fromstring(f"<pages>{sections}</pages>").find(f"section/{SVG}svg")
    assert [(link.get("href"), link.get("target"), link.findtext(f"{SVG}text")) for link in svg.iter(f"{SVG}a")] == [
        ("#page-2", None, "Inside"), ("https://example.org/", "_blank", "outside")]
