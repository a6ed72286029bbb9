"""Inline content: formats, links, pictures and footnote marks, white space, and the runs they become.

The inline elements of a block are read into a flat list of items (see
:mod:`~briefgen.render.docx.context`), each with the format it inherits; white space
collapses across them as a browser collapses it within one block; then each item becomes
a run, text a run per script, and the items of one ``<a>`` share a ``w:hyperlink``.
``span.footnote`` becomes a real Word footnote, called by a footnote mark; calls that follow
one another are separated by a superscript comma (³,⁴), as the PDF's CSS separates them.
``span.nowrap`` (a phone number, a piece of an address) is kept on one line: its hyphens are
Word's non-breaking hyphens and its spaces no-break spaces; ``<wbr>`` is a zero-width space,
where Word and LibreOffice may break a line.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from briefgen.errors import BuildError
from briefgen.render.docx import pythondocx, revisions
from briefgen.render.docx.context import Break, Context, FootnoteMark, Format, Inline, Link, Picture, Story, Text
from briefgen.render.docx.elements import WHITESPACE, classes, reject
from briefgen.render.docx.scripts import ARABIC, SCRIPTS, script_runs, word_language
from briefgen.render.docx.styles import CHARACTER, PARAGRAPH, Styles
from briefgen.render.subset import INLINE

if TYPE_CHECKING:
    from briefgen.render.docx.blocks import Writer

_LINK_SCHEMES = ("http:", "https:", "mailto:")
_EMU_PER_PX = 9525  # 914400 EMU per inch at 96 px per inch
_MONOSPACE = "Noto Sans Mono"
_MONOSPACE_SLOTS = ("ascii", "hAnsi", "cs")
ZERO_WIDTH_SPACE = "\u200b"
_NO_BREAK_SPACE = "\u00a0"
#: Between two footnote calls in a row.
CALL_SEPARATOR = ","


class Flow:
    """Inline content waiting to become one paragraph; flushed when a block starts or ends."""

    def __init__(self, writer: Writer, ctx: Context):
        self._writer = writer
        self.ctx = ctx
        self._items: list[Inline] = []

    def add(self, item: Inline) -> None:
        """Add an item after those waiting."""
        self._items.append(item)

    def add_text(self, text: str | None, fmt: Format) -> None:
        """Add ``text``, if there is any, in the format ``fmt``."""
        if text:
            self._items.append(Text(text, fmt))

    def flush(self) -> None:
        """Write the items waiting as a paragraph, unless they collapse to nothing."""
        items = collapse_whitespace(self._items)
        self._items = []
        if items:
            self._writer.paragraph(self.ctx, items)


# -- reading ------------------------------------------------------------------------


def inline(writer: Writer, el: lxml.html.HtmlElement, fmt: Format, flow: Flow) -> None:
    """Add the inline element ``el``, inside content of format ``fmt``, to ``flow``."""
    content_fmt = _open(writer, el, fmt, flow)
    if content_fmt is not None:
        _inline_content(writer, el, content_fmt, flow)


def _open(writer: Writer, el: lxml.html.HtmlElement, fmt: Format, flow: Flow) -> Format | None:
    """Add to ``flow`` what the inline element ``el`` is by itself (a break, a picture, a footnote);
    return the format of its content if it has content to add, else None."""
    if el.tag == "br":
        flow.add(Break(fmt))
    elif el.tag == "wbr":
        # libxml2's HTML parser does not know <wbr> is empty and puts what follows inside it.
        flow.add(Text(ZERO_WIDTH_SPACE, fmt))
        return inline_format(writer.styles, el, fmt)
    elif el.tag == "img":
        # An image the caller's ``images`` refuses is left out, as WeasyPrint leaves it out.
        if picture := _picture(writer, el, fmt):
            flow.add(picture)
    elif el.tag == "span" and "footnote" in classes(el):
        flow.add(_footnote(writer, el, fmt, flow.ctx.story))
    else:
        return inline_format(writer.styles, el, fmt)
    return None


def _inline_content(writer: Writer, el: lxml.html.HtmlElement, fmt: Format, flow: Flow) -> None:
    """Add the text and inline children of ``el`` to ``flow``, in document order.

    A stack of the open elements stands in for recursion, so that markup nested however
    deep takes no more of Python's stack than flat markup.
    """
    flow.add_text(el.text, fmt)
    open_elements = [(el, iter(el), fmt)]
    while open_elements:
        parent, children, parent_fmt = open_elements[-1]
        child = next(children, None)
        if child is None:
            open_elements.pop()
            if open_elements:  # the tail of el itself is its parent's, which the caller adds
                flow.add_text(parent.tail, open_elements[-1][2])
            continue
        if isinstance(child.tag, str):
            if child.tag not in INLINE:
                raise reject(writer.template_name, child, parent)
            content_fmt = _open(writer, child, parent_fmt, flow)
            if content_fmt is not None:
                flow.add_text(child.text, content_fmt)
                open_elements.append((child, iter(child), content_fmt))
                continue
        flow.add_text(child.tail, parent_fmt)


def inline_format(styles: Styles, el: lxml.html.HtmlElement, fmt: Format) -> Format:
    """The format of the content of ``el``, inside content of format ``fmt``."""
    tag = el.tag
    changes: dict[str, object] = {}
    if tag in ("strong", "b"):
        changes["bold"] = True
    elif tag in ("em", "i"):
        changes["italic"] = True
    elif tag == "code":
        changes["monospace"] = True
    elif tag == "sup":
        changes.update(superscript=True, subscript=False)
    elif tag == "sub":
        changes.update(subscript=True, superscript=False)
    style = styles.class_style(el, CHARACTER)
    if tag == "a" and el.get("href") is not None:
        changes["link"] = _link(styles.template_name, el)
        if style is None and not fmt.plain_links:
            style = styles.builtin("Hyperlink", CHARACTER, el)
    if style is not None:
        changes["style"] = style
    if el.get("lang"):
        changes["lang"] = el.get("lang")
    if tag == "span" and "nowrap" in classes(el):
        changes["nowrap"] = True
    if tag in revisions.KINDS:
        changes["revision"] = revisions.revision_of(el)
    return replace(fmt, **changes)


def _footnote(writer: Writer, el: lxml.html.HtmlElement, fmt: Format, story: Story) -> FootnoteMark:
    """Write the content of ``el`` as the next footnote; return the mark that calls it from the text."""
    if not story.footnotes:
        raise BuildError(
            f'{writer.template_name}: <span class="footnote"> on HTML line {el.sourceline}: '
            "Word allows footnotes only in the body, not in headers, footers or other footnotes"
        )
    note_id, container = writer.footnotes.add()
    mark_fmt = Format(style=writer.styles.builtin("Footnote Reference", CHARACTER, el))
    note_style = writer.styles.builtin("Footnote Text", PARAGRAPH, el)
    flow = Flow(writer, Context(container, Story(footnotes=False), note_style))
    flow.add(FootnoteMark(None, mark_fmt))
    content_fmt = inline_format(writer.styles, el, Format(lang=fmt.lang))
    flow.add_text(" ", content_fmt)
    _inline_content(writer, el, content_fmt, flow)
    flow.flush()
    return FootnoteMark(note_id, mark_fmt)


def _link(template_name: str, el: lxml.html.HtmlElement) -> Link:
    href = el.get("href").strip()
    if href.startswith("#") and len(href) > 1:
        return Link(anchor=href[1:])
    if href.lower().startswith(_LINK_SCHEMES):
        return Link(url=href)
    raise BuildError(
        f'{template_name}: <a href="{href}"> on HTML line {el.sourceline}: '
        "only http:, https:, mailto: and #id links can be written to .docx"
    )


def _picture(writer: Writer, el: lxml.html.HtmlElement, fmt: Format) -> Picture | None:
    where = f"{writer.template_name}: <img> on HTML line {el.sourceline}"
    alt = el.get("alt")
    if alt is None:
        raise BuildError(f"{where} has no alt attribute; every image needs alt text")
    src = el.get("src", "").strip()
    if not src:
        raise BuildError(f"{where} has no src attribute")
    path = writer.images(src) if writer.images else Path(src)
    if path is None:
        return None
    if not path.is_file():
        raise BuildError(f"{where}: image file {src} does not exist")
    width, height = _pixels(writer.template_name, el, "width"), _pixels(writer.template_name, el, "height")
    return Picture(path, alt, width, height, el.sourceline, fmt)


def _pixels(template_name: str, el: lxml.html.HtmlElement, attribute: str) -> Emu | None:
    value = el.get(attribute)
    if value is None:
        return None
    if not re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        raise BuildError(
            f'{template_name}: <{el.tag} {attribute}="{value}"> on HTML line {el.sourceline}: '
            "give the size as a number of pixels"
        )
    return Emu(round(float(value) * _EMU_PER_PX))


# -- white space --------------------------------------------------------------------


def collapse_whitespace(items: list[Inline]) -> list[Inline]:
    """Collapse white space as a browser lays out one block.

    Runs of white space become one space, also across element boundaries, and
    spaces at the start and end of each line (the block's edges and ``<br>``) go.
    Adjacent text with the same formatting is merged into one item.
    """
    out: list[Inline] = []
    after_space = True
    for item in items:
        if isinstance(item, Text):
            text = WHITESPACE.sub(" ", item.text)
            if after_space:
                text = text.lstrip(" ")
            if not text:
                continue
            after_space = text.endswith(" ")
            previous = out[-1] if out else None
            if isinstance(previous, Text) and previous.fmt == item.fmt:
                out[-1] = Text(previous.text + text, item.fmt)
            else:
                out.append(Text(text, item.fmt))
        else:
            if isinstance(item, Break):
                _trim_line_end(out)
            out.append(item)
            after_space = isinstance(item, Break)
    _trim_line_end(out)
    return out


def _trim_line_end(items: list[Inline]) -> None:
    if items and isinstance(items[-1], Text):
        text = items[-1].text.rstrip(" ")
        if text:
            items[-1] = Text(text, items[-1].fmt)
        else:
            items.pop()


# -- runs ---------------------------------------------------------------------------


def emit(writer: Writer, paragraph: Paragraph, items: list[Inline], right_to_left: bool) -> None:
    """Append the runs of ``items``; consecutive items from the same ``<a>`` share a w:hyperlink.

    Text gets a run per script; in a ``right_to_left`` paragraph, all of it is Arabic script.
    """
    p = pythondocx.element(paragraph)
    link = hyperlink = None
    previous = None
    tracked = revisions.Revisions(writer.annotation_id)
    for item in items:
        fmt = item.fmt
        if fmt.link is None:
            parent, link = p, None
        else:
            if fmt.link is not link:
                link, hyperlink = fmt.link, _hyperlink(paragraph, fmt.link)
                p.append(hyperlink)
            parent = hyperlink
        parent = tracked.parent(parent, fmt.revision)
        if _is_call(item) and _is_call(previous):
            _add_text(_run(writer.styles, parent, fmt), CALL_SEPARATOR, False)
        previous = item
        if isinstance(item, Text):
            for script, text in [(ARABIC, item.text)] if right_to_left else script_runs(item.text):
                _add_text(_run(writer.styles, parent, fmt, script), text, fmt.nowrap)
            continue
        r = _run(writer.styles, parent, fmt)
        if isinstance(item, Break):
            etree.SubElement(r, qn("w:br"))
        elif isinstance(item, FootnoteMark):
            if item.note_id is None:
                etree.SubElement(r, qn("w:footnoteRef"))
            else:
                etree.SubElement(r, qn("w:footnoteReference"), {qn("w:id"): str(item.note_id)})
        else:
            _add_picture(writer.template_name, pythondocx.run(r, paragraph), item)
    revisions.finish(p)


def _is_call(item: Inline | None) -> bool:
    """Whether ``item`` is a footnote's call in the text (not its mark in the footnote)."""
    return isinstance(item, FootnoteMark) and item.note_id is not None


def _add_text(r: etree._Element, text: str, nowrap: bool) -> None:
    """Append ``text`` to the run ``r``; with ``nowrap``, its hyphens as w:noBreakHyphen and
    its spaces as no-break spaces, so that Word keeps it on one line."""
    pieces = text.replace(" ", _NO_BREAK_SPACE).split("-") if nowrap else [text]
    for index, piece in enumerate(pieces):
        if index:
            etree.SubElement(r, qn("w:noBreakHyphen"))
        if piece:
            t = etree.SubElement(r, qn("w:t"))
            t.text = piece
            if piece != piece.strip():
                t.set(qn("xml:space"), "preserve")


def _run(styles: Styles, parent: etree._Element, fmt: Format, script: str = "") -> etree._Element:
    """Append to ``parent`` a w:r with the properties of ``fmt``, for text in ``script`` (see script_runs).

    Built with lxml in schema order: python-docx's setters each search the run's
    properties, and its style setter scans every style of the document.
    """
    r = etree.SubElement(parent, qn("w:r"))
    style_id = styles.style_id(fmt.style) if fmt.style is not None else None
    fonts = dict.fromkeys(_MONOSPACE_SLOTS, _MONOSPACE) if fmt.monospace else {}
    lang = {"val": word_language(fmt.lang)} if fmt.lang else {}
    complex_script = right_to_left = False
    if script:
        form = SCRIPTS[script]
        fonts[form.font_slot], language = form.font_and_language(fmt.lang)
        lang = {form.lang_slot: language}
        complex_script, right_to_left = form.complex, form.right_to_left
    if not (style_id or fonts or fmt.bold or fmt.italic or fmt.superscript or fmt.subscript or lang):
        return r
    rpr = etree.SubElement(r, qn("w:rPr"))
    if style_id is not None:
        etree.SubElement(rpr, qn("w:rStyle"), {qn("w:val"): style_id})
    if fonts:
        etree.SubElement(rpr, qn("w:rFonts"), {qn(f"w:{slot}"): font for slot, font in fonts.items()})
    # Word makes complex scripts (Tibetan, Arabic) bold and italic by w:bCs and w:iCs.
    if fmt.bold:
        etree.SubElement(rpr, qn("w:b"))
        if complex_script:
            etree.SubElement(rpr, qn("w:bCs"))
    if fmt.italic:
        etree.SubElement(rpr, qn("w:i"))
        if complex_script:
            etree.SubElement(rpr, qn("w:iCs"))
    if fmt.superscript or fmt.subscript:
        position = "superscript" if fmt.superscript else "subscript"
        etree.SubElement(rpr, qn("w:vertAlign"), {qn("w:val"): position})
    if right_to_left:
        etree.SubElement(rpr, qn("w:rtl"))
    if lang:
        etree.SubElement(rpr, qn("w:lang"), {qn(f"w:{slot}"): value for slot, value in lang.items()})
    return r


def _hyperlink(paragraph: Paragraph, link: Link) -> etree._Element:
    element = OxmlElement("w:hyperlink")
    if link.anchor is not None:
        element.set(qn("w:anchor"), link.anchor)
    else:
        element.set(qn("r:id"), pythondocx.relate_hyperlink(paragraph, link.url))
    return element


def _add_picture(template_name: str, run: Run, picture: Picture) -> None:
    try:
        shape = run.add_picture(str(picture.path), width=picture.width, height=picture.height)
    except pythondocx.UnrecognizedImageError as exc:
        raise BuildError(
            f"{template_name}: <img> on HTML line {picture.line}: "
            f"{picture.path} is not an image format Word can embed"
        ) from exc
    pythondocx.describe_picture(shape, picture.alt)
