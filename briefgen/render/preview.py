"""The pages of a laid-out document drawn in HTML: what ``briefgen serve`` shows.

WeasyPrint lays the document out (the very layout its PDF is written from); each page then
becomes a ``<section class="page">`` of the page's size holding one inline SVG in CSS px (the
unit WeasyPrint works in): every text box of the page as an SVG ``<text>`` at its place (its
baseline, as WeasyPrint draws it, with the width WeasyPrint measured), the backgrounds and
borders of the block boxes and table cells, and the images. The text stays text, which the
browser can select and search.

Reading the laid-out boxes uses WeasyPrint's non-public names. :mod:`briefgen.render.weasyprint_internals`
holds every other such use; this module is the only other place allowed one, and
``tests/test_preview.py`` states each assumption it makes by name, as ``tests/test_weasyprint_internals.py``
does for that module. What the walk reads: the page box of each page (``Page._page_box``)
and its children (the root box, the margin boxes named by ``at_keyword``, the footnote area),
each box's ``children``, ``style`` (computed values by name), ``element`` and
``element_tag`` (``span::footnote-call`` for a generated box), its used border widths and
``border_box_x()``/``padding_box_x()`` and their kin; a text box's ``text``, ``position_x``,
``position_y``, ``baseline`` and ``width``.

What is not drawn: outlines, box shadows, background images, text decoration, transforms,
opacity and clipping (briefgen's theme uses none of them); each collapsed table border is
drawn from the style of the cell or table that has it, not from WeasyPrint's grid of the
winning borders (the same where, as in briefgen's theme, one side of each border sets it).
"""

from __future__ import annotations

import base64
import html
import mimetypes
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import weasyprint
from weasyprint.formatting_structure import boxes as weasyprint_boxes

from briefgen.render.resources import Confinement

_SIDES = ("top", "right", "bottom", "left")
#: The links of a document that are links in its preview too (besides those inside it).
_LINKED_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass
class _Drawing:
    """The SVG of one page being drawn, and the text styles as classes shared by every page."""

    styles: dict[tuple, str]
    confinement: Confinement | None
    #: The page of each anchor of the document (``Page.anchors``, public), for its links.
    anchors: dict[str, int]
    items: list[str] = field(default_factory=list)


def preview_pages(document: weasyprint.Document, confinement: Confinement | None = None) -> tuple[str, str]:
    """The pages of ``document`` as HTML ``<section class="page">`` elements, and the CSS of their
    text classes: ``(sections, css)``.

    Each section has the page's number in ``data-page`` and its size in CSS px; the boxes of the
    margin boxes are in an SVG group of class ``margin-box`` and the side's at-rule name (``top-right``),
    those of the footnote area in one of class ``footnote-area``; a footnote's call has the class
    ``footnote-call``. The text of a link is a link, to the page of its anchor (``#page-N``) for a
    link inside the document. Images are read through ``confinement`` (none without it).
    """
    styles: dict[tuple, str] = {}
    anchors = {name: number for number, page in enumerate(document.pages, start=1) for name in page.anchors}
    sections = []
    for number, page in enumerate(document.pages, start=1):
        drawing = _Drawing(styles, confinement, anchors)
        for child in page._page_box.children:
            if isinstance(child, weasyprint_boxes.MarginBox):
                group = f'margin-box {child.at_keyword.lstrip("@")}'
            elif isinstance(child, weasyprint_boxes.FootnoteAreaBox):
                group = "footnote-area"
            else:
                group = None
            if group:
                drawing.items.append(f'<g class="{group}">')
            _draw(child, drawing, collapsed=False, link=None)
            if group:
                drawing.items.append("</g>")
        width, height = _number(page.width), _number(page.height)
        sections.append(
            f'<section class="page" id="page-{number}" data-page="{number}" style="width: {width}px; '
            f'height: {height}px">\n<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n' + "\n".join(drawing.items) + "\n</svg>\n</section>")
    css = "\n".join(f".{name} {{ {_text_css(style)} }}" for style, name in styles.items())
    return "\n".join(sections), css


def _draw(box, drawing: _Drawing, collapsed: bool, link: str | None) -> None:
    """Draw ``box`` and what it holds; ``collapsed`` for the boxes of a table whose borders
    collapse, ``link`` the address of the link they are in."""
    if isinstance(box, weasyprint_boxes.TextBox):
        _text(box, drawing, link)
        return
    if box.element_tag == "a" and box.element is not None and box.element.get("href"):
        href = box.element.get("href")
        if href.startswith("#"):
            link = f"#page-{drawing.anchors[href[1:]]}" if href[1:] in drawing.anchors else None
        else:  # never a javascript: link in the page that shows an official pack
            link = href if urlsplit(href).scheme in _LINKED_SCHEMES else None
    style = box.style
    if isinstance(box, weasyprint_boxes.TableBox):
        collapsed = style["border_collapse"] == "collapse"
    if style["visibility"] == "visible" and not isinstance(box, (weasyprint_boxes.LineBox, weasyprint_boxes.PageBox)):
        _background(box, drawing)
        _borders(box, drawing, collapsed)
        if isinstance(box, weasyprint_boxes.ReplacedBox):
            _image(box, drawing)
    inside = collapsed and not isinstance(box, weasyprint_boxes.TableCellBox)  # a cell's content is not the table's
    for child in getattr(box, "children", ()):
        _draw(child, drawing, inside, link)


def _text(box, drawing: _Drawing, link: str | None) -> None:
    style = box.style
    if style["visibility"] != "visible" or not box.text.strip():
        return
    key = (tuple(style["font_family"]), style["font_size"], style["font_weight"], style["font_style"],
           style["font_stretch"], _colour(style["color"]))
    name = drawing.styles.setdefault(key, f"t{len(drawing.styles)}")
    generated = (box.element_tag or "").partition("::")[2]
    classes = name + (f" {generated}" if generated in ("footnote-call", "footnote-marker") else "")
    # WeasyPrint draws the text at its baseline; textLength keeps it to the width WeasyPrint measured.
    length = f' textLength="{_number(box.width)}"' if box.width > 0 else ""
    text = (f'<text class="{classes}" x="{_number(box.position_x)}" y="{_number(box.position_y + box.baseline)}"'
            f'{length}>{html.escape(box.text, quote=False)}</text>')
    if link is not None:
        # Another site's page opens beside the preview, not in place of it.
        target = "" if link.startswith("#") else ' target="_blank" rel="noopener"'
        text = f'<a href="{html.escape(link)}"{target}>{text}</a>'
    drawing.items.append(text)


def _background(box, drawing: _Drawing) -> None:
    colour = _colour(box.style["background_color"])
    if colour is None or box.border_width() <= 0 or box.border_height() <= 0:
        return
    drawing.items.append(
        f'<rect x="{_number(box.border_box_x())}" y="{_number(box.border_box_y())}" '
        f'width="{_number(box.border_width())}" height="{_number(box.border_height())}" fill="{colour}"/>')


def _borders(box, drawing: _Drawing, collapsed: bool) -> None:
    left, top = box.border_box_x(), box.border_box_y()
    right, bottom = left + box.border_width(), top + box.border_height()
    for side in _SIDES:
        style = box.style
        width = style[f"border_{side}_width"]
        used = getattr(box, f"border_{side}_width")
        colour = style[f"border_{side}_color"]
        colour = _colour(style["color"] if colour == "currentcolor" else colour)
        if not width or not used or style[f"border_{side}_style"] in ("none", "hidden") or colour is None:
            continue
        # A border of its own is inside the border box. A collapsed one is centred on the grid
        # line: a cell's border box reaches it (the cell has half of it), the table's padding box does.
        if not collapsed:
            inset = width / 2
        elif isinstance(box, weasyprint_boxes.TableCellBox):
            inset = 0
        else:
            inset = used
        if side in ("top", "bottom"):
            y = top + inset if side == "top" else bottom - inset
            x1, y1, x2, y2 = left, y, right, y
        else:
            x = left + inset if side == "left" else right - inset
            x1, y1, x2, y2 = x, top, x, bottom
        dash = {"dashed": f' stroke-dasharray="{_number(width * 3)}"',
                "dotted": f' stroke-dasharray="{_number(width)}"'}
        drawing.items.append(
            f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" y2="{_number(y2)}" stroke="{colour}" '
            f'stroke-width="{_number(width)}"{dash.get(style[f"border_{side}_style"], "")}/>')


def _image(box, drawing: _Drawing) -> None:
    source = box.element.get("src") if box.element is not None else None
    path = drawing.confinement.local_path(source) if source and drawing.confinement else None
    if path is None or not path.is_file():
        return
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data = base64.b64encode(path.read_bytes()).decode()
    alt = html.escape(box.element.get("alt") or "")
    drawing.items.append(
        f'<image x="{_number(box.content_box_x())}" y="{_number(box.content_box_y())}" width="{_number(box.width)}" '
        f'height="{_number(box.height)}" preserveAspectRatio="none" href="data:{kind};base64,{data}">'
        f"<title>{alt}</title></image>")


def _colour(colour) -> str | None:
    """``colour`` (a computed colour) as CSS, or None if it is transparent."""
    if colour is None or colour.alpha == 0:
        return None
    red, green, blue = (round(max(0.0, min(1.0, value)) * 255) for value in colour.to("srgb").coordinates)
    return f"rgb({red} {green} {blue} / {_number(colour.alpha)})" if colour.alpha < 1 else f"rgb({red} {green} {blue})"


def _text_css(key: tuple) -> str:
    families, size, weight, font_style, stretch, colour = key
    family = ", ".join(name if name in ("serif", "sans-serif", "monospace") else f'"{name}"' for name in families)
    return (f"font-family: {family}; font-size: {_number(size)}px; font-weight: {weight}; "
            f"font-style: {font_style}; font-stretch: {stretch}; fill: {colour or 'transparent'}")


def _number(value: float) -> str:
    """``value`` in CSS px, to the hundredth (what a screen can show)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
