"""Blocks: the writer, which walks the HTML and lays out paragraphs, headings, lists and the rest.

:class:`Writer` holds what one document's writing shares (pandoc's Docx writer keeps it
in its ``WriterState``): the document, its styles and footnotes, the running header and
footer. It lays out the blocks itself: paragraphs and headings, containers, lists with
real Word numbering (every ``<ol>`` restarting at 1), rules and page breaks, the running
header and footer (the footer ending with "Page N of M" fields), and ``nav.toc`` as a TOC
field; it hands tables to :mod:`~briefgen.render.docx.tables` and inline content to
:mod:`~briefgen.render.docx.inline`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import docx.document
import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph
from lxml import etree

from briefgen.errors import BuildError
from briefgen.render.docx import breaks, numbering, pages, properties, pythondocx, revisions, schema, sections, tables
from briefgen.render.docx.context import Context, Inline, ListItem, Picture, Story, Text
from briefgen.render.docx.elements import classes, elements, reject, require_blank
from briefgen.render.docx.footnotes import Footnotes
from briefgen.render.docx.inline import Flow, emit, inline
from briefgen.render.docx.scripts import document_script, in_a_script, right_to_left, word_language
from briefgen.render.docx.styles import CHARACTER, PARAGRAPH, TABLE, Styles
from briefgen.render.subset import BLOCKS, CONTAINERS, INLINE

_HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
_RUNNING = {"running-header": "header", "running-footer": "footer"}
_PAGE_FIELDS = {"{page}": " PAGE ", "{pages}": " NUMPAGES "}
_TOC_INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '
# Word's list styles go five levels deep ("List Bullet", "List Bullet 2" … "List Bullet 5"); deeper
# lists take the fifth level's styles.
_LIST_LEVELS = 5
# Blocks are laid out by recursion, a few frames a level, so their nesting stops before Python's stack
# does; inline markup is walked by a loop and nests as deep as the HTML parser reads.
_MAX_DEPTH = 200


class Writer:
    """Walks the parsed HTML and appends the matching Word content to ``document``."""

    def __init__(
        self,
        document: docx.document.Document,
        *,
        reference: Path,
        template_name: str,
        page_numbers: dict[str, int] | None,
        images: Callable[[str], Path | None] | None,
    ):
        self.document = document
        self.reference = reference
        self.template_name = template_name
        self.images = images
        self.styles = Styles(document, reference, template_name)
        self.footnotes = Footnotes(document)
        self._page_numbers = page_numbers or {}
        self._page_label = "Page {page} of {pages}"
        self._running: dict[str, list[pythondocx.Header | pythondocx.Footer]] = {}
        self._bookmark_ids = 0
        self._deeper_definitions: dict[tuple[int, int], str] = {}  # (numId, depth) → abstractNumId
        self.text_width = 0  # of the one section, once its page is known
        self._breaks: dict[lxml.html.HtmlElement, breaks.Breaks] = {}
        #: Lists to set in columns: (paragraph before, last paragraph, columns, gap in twips).
        self._column_runs: list[tuple[etree._Element, etree._Element, int, int]] = []
        #: A document laid out right to left (``<html dir="rtl">``, Uyghur): every paragraph,
        #: table and the section are, as in the PDF.
        self.rtl_document = False

    def write(self, root: lxml.html.HtmlElement) -> None:
        """Write the document of ``root``, the parsed ``<html>``."""
        properties.clear(self.document)
        if root.get("lang"):
            lang = root.get("lang")
            self.styles.set_document_language(word_language(lang), document_script(lang), lang)
        self.rtl_document = (root.get("dir") or "").lower() == "rtl"
        page_rules = pages.PageRules()
        for child in elements(root):
            if child.tag == "head":
                self._page_label = properties.read_head(self.document, child, self.template_name) or self._page_label
                stylesheets = [style.text or "" for style in elements(child) if style.tag == "style"]
                page_rules = pages.read_pages(stylesheets)
                self._breaks = breaks.computed_breaks(root, stylesheets)
            elif child.tag == "body":
                self._set_up_page(page_rules, child)
                ctx = Context(pythondocx.Body(self.document), Story(), self.styles.builtin("Normal", PARAGRAPH, child))
                if root.get("lang") and document_script(root.get("lang")) is not None:
                    # A document written in another script: its runs of that script are in its
                    # language (Uyghur, not the script's default Arabic), as the PDF's are.
                    ctx = replace(ctx, fmt=replace(ctx.fmt, lang=root.get("lang")))
                self.block(child, ctx)
            else:
                raise reject(self.template_name, child, root)
        properties.finish(self.document)
        self._add_page_number(self._running_parts("footer")[0])
        for parts in self._running.values():
            for part in parts:
                content = pythondocx.element(part)
                if len(content) == 0 or content[-1].tag != qn("w:p"):
                    part.add_paragraph()  # Word requires a header or footer to end with a paragraph
        for before, last, count, gap in self._column_runs:
            sections.set_in_columns(self.document.element.body, before, last, count, gap)

    def _set_up_page(self, page_rules: pages.PageRules, body: lxml.html.HtmlElement) -> None:
        """The one section's page: the stylesheet's, on the named page of the body's first content if it has one.

        The first page has a header and footer of its own, without the page number, when the
        document opens with a cover or the stylesheet's first page shows no number.
        """
        section = self.document.sections[-1]
        first = next((el for el in elements(body) if not set(classes(el)) & set(_RUNNING)), None)
        # The first content's own page over the body's, as CSS takes the page of the first box.
        pages.apply(page_rules.page_for([*(classes(first) if first is not None else []), *classes(body)]), section)
        section.different_first_page_header_footer = _opens_with_cover(body) or not page_rules.first_page_numbered
        self.text_width = section.page_width - section.left_margin - section.right_margin
        if self.rtl_document:
            # The one section's properties, the body's last child (python-docx's public element).
            schema.get_or_insert(self.document.element.body.find(qn("w:sectPr")), "w:bidi")

    # -- blocks -------------------------------------------------------------

    def block(self, el: lxml.html.HtmlElement, ctx: Context) -> None:
        """Lay out the block element ``el`` in ``ctx``, its paragraphs kept as its CSS break rules ask."""
        rules = self._breaks.get(el)
        start = self._break_before(rules, ctx)
        tag = el.tag
        if tag in CONTAINERS:
            self._container(el, ctx)
        elif tag in _HEADING_STYLES:
            implied = self.styles.scoped(_HEADING_STYLES[tag], ctx.scope)
            self.flow(el, self.enter(el, ctx, self.styles.paragraph_style(el, implied)))
        elif tag == "p":
            self.flow(el, self.enter(el, ctx, self.styles.paragraph_style(el, ctx.style, ctx.scope)))
        elif tag == "blockquote":
            self.flow(el, self.enter(el, ctx, self.styles.paragraph_style(el, "Quote")))
        elif tag in ("ul", "ol"):
            self._list(el, ctx)
            self._columns(rules, ctx, start, self._font_size(el, ctx, start))
        elif tag == "table":
            tables.table(self, el, ctx)
        else:  # hr, the last of BLOCKS
            self._rule(el, ctx)
        self._keep(rules, ctx, start)
        if rules is not None and rules.margin_below is not None:
            ctx.story.margin_above = (rules.margin_points(self._font_size(el, ctx, start)), ctx.container)

    def breaks_of(self, el: lxml.html.HtmlElement) -> breaks.Breaks:
        """The CSS break properties of ``el``."""
        return self._breaks.get(el, breaks.NO_BREAKS)

    # An element is laid out between these two, not inside a callback: the recursion over the
    # blocks must take no more frames a level than its depth check allows for.
    def _break_before(self, rules: breaks.Breaks | None, ctx: Context) -> int:
        """Queue the page break ``rules`` ask before an element; return how many paragraphs precede it."""
        if rules is not None and rules.before == "page":
            ctx.story.page_break = True
        return len(ctx.story.paragraphs)

    def _keep(self, rules: breaks.Breaks | None, ctx: Context, start: int) -> None:
        """Keep the paragraphs of an element (those written since ``start``) as its break ``rules`` ask."""
        if rules is None:
            return
        written = ctx.story.paragraphs
        own = written[start:]
        keep_next = []
        if rules.before == "avoid" and start > 0:
            keep_next.append(written[start - 1])
        if rules.inside == "avoid":
            for p in own:
                self._turn_on(p, "w:keepLines")
            keep_next.extend(own[:-1])
        if rules.after == "avoid" and own:
            keep_next.append(own[-1])
        for p in keep_next:
            self._turn_on(p, "w:keepNext")

    def _columns(self, rules: breaks.Breaks | None, ctx: Context, start: int, font_size: float) -> None:
        """Set the list just written (its paragraphs since ``start``) in the columns its CSS asks
        for: a section of its own, which only the body can hold."""
        written = ctx.story.paragraphs
        if rules is None or rules.columns is None or not isinstance(ctx.container, pythondocx.Body):
            return
        if 0 < start < len(written):
            gap = rules.column_gap or (1.0, "em")  # CSS's normal gap
            points = gap[0] * font_size if gap[1] == "em" else gap[0]
            # Set once the closing section has its headers and footers, which each section copies.
            self._column_runs.append((written[start - 1], written[-1], rules.columns, round(points * 20)))

    def _font_size(self, el: lxml.html.HtmlElement, ctx: Context, start: int) -> float:
        """The font size of the list or table ``el``, as its Word style has it: what its margin's ems count in."""
        if el.tag == "table":
            style = self.styles.class_style(el, TABLE) or self.styles.builtin("Table Grid", TABLE, el)
            return self.styles.font_size(style.style_id)
        own = ctx.story.paragraphs[start:]
        return self.styles.font_size(_style_id(own[-1]) if own else None)

    def _turn_on(self, p: etree._Element, tag: str) -> None:
        """Give the paragraph ``p`` the on/off property ``tag``, unless its style gives it already."""
        ppr = schema.get_or_insert(p, "w:pPr")
        if ppr.find(qn(tag)) is None and not self.styles.turns_on(_style_id(p), tag):
            schema.insert(ppr, OxmlElement(tag))

    def _container(self, el: lxml.html.HtmlElement, ctx: Context) -> None:
        el_classes = classes(el)
        if el.tag == "nav" and "toc" in el_classes:
            self._toc(el, ctx)
            return
        running = [_RUNNING[cls] for cls in el_classes if cls in _RUNNING]
        if not running:
            own = self.styles.class_style(el, PARAGRAPH)
            inner = self.enter(el, ctx, own or ctx.style)
            self.flow(el, inner if own is None else replace(inner, scope=own.name))
            return
        for part in self._running_parts(running[0]):
            part_ctx = replace(ctx, container=part, story=Story(footnotes=False), list_depth=0, item=None)
            style = self.styles.paragraph_style(el, f"Running {running[0].title()}")
            self.flow(el, self.enter(el, part_ctx, style))

    def flow(
        self,
        el: lxml.html.HtmlElement,
        ctx: Context,
        block: Callable[[lxml.html.HtmlElement, Context], None] | None = None,
    ) -> None:
        """Lay out the children of ``el``: inline runs become paragraphs, blocks go to ``block``."""
        block = block or self.block
        flow = Flow(self, ctx)
        flow.add_text(el.text, ctx.fmt)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag in BLOCKS:
                    flow.flush()
                    block(child, ctx)
                elif child.tag in INLINE:
                    inline(self, child, ctx.fmt, flow)
                else:
                    raise reject(self.template_name, child, el)
            flow.add_text(child.tail, ctx.fmt)
        flow.flush()

    def enter(self, el: lxml.html.HtmlElement, ctx: Context, style: BaseStyle) -> Context:
        """Return the context for the content of ``el``, whose paragraphs default to ``style``.

        The page break and bookmark ``el`` asks for wait in the story for the next paragraph,
        which is the first one ``el`` produces.
        """
        if ctx.depth == _MAX_DEPTH:
            raise BuildError(
                f"{self.template_name}: <{el.tag}> on HTML line {el.sourceline} lies deeper than {_MAX_DEPTH} "
                "nested elements, more than .docx output allows"
            )
        if "page-break" in classes(el):
            ctx.story.page_break = True
        if el.get("id"):
            ctx.story.bookmarks.append(el.get("id"))
        fmt = replace(ctx.fmt, lang=el.get("lang")) if el.get("lang") else ctx.fmt
        return replace(ctx, style=style, fmt=fmt, depth=ctx.depth + 1)

    def paragraph(self, ctx: Context, items: list[Inline]) -> Paragraph:
        """Append a paragraph holding ``items`` to the context's container."""
        paragraph = ctx.container.add_paragraph()
        style = ctx.style
        item = ctx.item
        number = item is not None and not item.numbered
        if item is not None and not number and style == item.style:
            style = self.styles.builtin(item.continuation, PARAGRAPH, "a list continuation paragraph")
        style_id = self.styles.style_id(style)
        rtl = right_to_left("".join(piece.text for piece in items if isinstance(piece, Text)))
        # The page's furniture (marking, page number) stays where the PDF draws it, in its margin boxes.
        bidi = rtl or (self.rtl_document and not isinstance(ctx.container, (pythondocx.Header, pythondocx.Footer)))
        if style_id is not None or ctx.story.page_break or number or bidi:
            # The children of w:pPr in schema order: pStyle, pageBreakBefore, numPr, bidi.
            ppr = schema.get_or_insert(pythondocx.element(paragraph), "w:pPr")
            if style_id is not None:
                etree.SubElement(ppr, qn("w:pStyle"), {qn("w:val"): style_id})
            if ctx.story.page_break:
                etree.SubElement(ppr, qn("w:pageBreakBefore"))
                ctx.story.page_break = False
            if number:
                num_pr = etree.SubElement(ppr, qn("w:numPr"))
                etree.SubElement(num_pr, qn("w:ilvl"), {qn("w:val"): str(item.level)})
                etree.SubElement(num_pr, qn("w:numId"), {qn("w:val"): str(item.num_id)})
                item.numbered = True
            if bidi:
                etree.SubElement(ppr, qn("w:bidi"))
        emit(self, paragraph, items, rtl)
        p = pythondocx.element(paragraph)
        if (in_a_script("".join(piece.text for piece in items if isinstance(piece, Text)))
                and not any(isinstance(piece, Picture) for piece in items)):
            # Word's line spacing is a multiple of each font's own line, and the Noto fonts of
            # Tibetan, Devanagari or Arabic script are far taller than Noto Serif: a run of them
            # would double the line where the PDF keeps CSS's line-height. Exactly the
            # style's pitch keeps the lines of the PDF (but would cut a picture in the line).
            spacing = schema.get_or_insert(schema.get_or_insert(p, "w:pPr"), "w:spacing")
            spacing.set(qn("w:line"), str(round(self.styles.line_pitch(style_id) * 20)))
            spacing.set(qn("w:lineRule"), "exact")
        revisions.mark_paragraph(p, [piece.fmt.revision for piece in items if isinstance(piece, Text)],
                                 self.annotation_id)
        if ctx.story.margin_above is not None:
            margin, container = ctx.story.margin_above
            ctx.story.margin_above = None
            if container is ctx.container and margin > self.styles.space_before(_style_id(p)):
                # Word, as CSS, puts the larger of this and the space after the paragraph above.
                spacing = schema.get_or_insert(schema.get_or_insert(p, "w:pPr"), "w:spacing")
                spacing.set(qn("w:before"), str(round(margin * 20)))
        ctx.story.paragraphs.append(p)
        if ctx.story.bookmarks:
            self._add_bookmarks(paragraph, ctx.story.bookmarks)
            ctx.story.bookmarks.clear()
        return paragraph

    def annotation_id(self) -> int:
        """A new ``w:id`` for a bookmark or a tracked change: unique among the document's annotations."""
        self._bookmark_ids += 1
        return self._bookmark_ids

    def _add_bookmarks(self, paragraph: Paragraph, names: list[str]) -> None:
        """Wrap the paragraph's content in a bookmark per name (links point at ``#name``)."""
        p = pythondocx.element(paragraph)
        starts = []
        for name in names:
            self._bookmark_ids += 1
            bookmark_id = str(self._bookmark_ids)
            starts.append(OxmlElement("w:bookmarkStart", {qn("w:id"): bookmark_id, qn("w:name"): name}))
            p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): bookmark_id}))
        _insert_after_properties(p, starts)

    def _rule(self, el: lxml.html.HtmlElement, ctx: Context) -> None:
        ctx = self.enter(el, replace(ctx, item=None), self.styles.paragraph_style(el, ctx.style))
        if "page-break" in classes(el):
            return  # enter queued the break for the next paragraph
        ppr = schema.get_or_insert(pythondocx.element(self.paragraph(ctx, [])), "w:pPr")
        border = OxmlElement("w:pBdr")
        border.append(
            OxmlElement("w:bottom", {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1", qn("w:color"): "auto"})
        )
        schema.insert(ppr, border)

    # -- running header and footer ----------------------------------------------

    def _running_parts(self, which: str) -> list[pythondocx.Header | pythondocx.Footer]:
        """The section's default ``which`` ("header" or "footer"), and its first-page one when it has a cover.

        They are emptied the first time they are asked for.
        """
        if which not in self._running:
            section = self.document.sections[-1]
            names = [which, f"first_page_{which}"] if section.different_first_page_header_footer else [which]
            parts = [getattr(section, name) for name in names]
            for part in parts:
                part.is_linked_to_previous = False
                del pythondocx.element(part)[:]
            self._running[which] = parts
        return self._running[which]

    def _add_page_number(self, footer: pythondocx.Footer) -> None:
        """Add "Page N of M", worded by the page-label meta, as PAGE and NUMPAGES fields.

        As the PDF sets the footer's marking at the bottom left and the page number at the bottom
        right, a footer that holds a line already gets the number at its right margin (a right tab
        stop), in the "page number" character style; otherwise the number is a paragraph of its own.
        """
        paragraphs = footer.paragraphs
        if paragraphs and paragraphs[-1].text.strip():
            paragraph = paragraphs[-1]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            paragraph.paragraph_format.tab_stops.add_tab_stop(self.text_width, WD_TAB_ALIGNMENT.RIGHT)
            style = self.styles.builtin("page number", CHARACTER, "the page number")
            paragraph.add_run("\t", style=style)
        else:
            paragraph = footer.add_paragraph()
            ppr = schema.get_or_insert(pythondocx.element(paragraph), "w:pPr")
            style_id = self.styles.style_id(self.styles.builtin("Footer", PARAGRAPH, "the page number"))
            if style_id is not None:
                schema.insert(ppr, OxmlElement("w:pStyle", {qn("w:val"): style_id}))
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            style = None
        p = pythondocx.element(paragraph)
        for piece in re.split(r"(\{pages?\})", self._page_label):
            if piece in _PAGE_FIELDS:
                field = [_field_char("begin"), _instruction(_PAGE_FIELDS[piece]), _field_char("separate")]
                p.extend(field)
                paragraph.add_run("1", style=style)  # the cached result, until Word or LibreOffice lays out the pages
                p.append(_field_char("end"))
                if style is not None:  # the number is laid out in the style of the field's runs
                    for run in [*field, p[-1]]:
                        run.insert(0, OxmlElement("w:rPr", {}))
                        run[0].append(OxmlElement("w:rStyle", {qn("w:val"): style.style_id}))
            elif piece:
                paragraph.add_run(piece, style=style)

    # -- lists ----------------------------------------------------------------

    def _list(self, el: lxml.html.HtmlElement, ctx: Context) -> None:
        depth = ctx.list_depth + 1
        level = min(depth, _LIST_LEVELS)
        suffix = "" if level == 1 else f" {level}"
        name = ("List Number" if el.tag == "ol" else "List Bullet") + suffix
        list_style = self.styles.builtin(name, PARAGRAPH, el)
        num_id, ilvl = self._numbering(list_style, el, restart=el.tag == "ol", depth=depth)
        scoped = self.styles.scoped(name, ctx.scope)
        implied = list_style if scoped == name else self.styles.builtin(scoped, PARAGRAPH, el)
        ctx = replace(self.enter(el, ctx, self.styles.paragraph_style(el, implied, ctx.scope)), list_depth=depth)
        for li in self._items(el):
            item_ctx = self.enter(li, ctx, self.styles.paragraph_style(li, ctx.style))
            item = ListItem(item_ctx.style, f"List Continue{suffix}", num_id, ilvl)
            rules = self._breaks.get(li)
            start = self._break_before(rules, item_ctx)
            self.flow(li, replace(item_ctx, item=item))
            self._keep(rules, item_ctx, start)

    def _numbering(self, style: BaseStyle, el: lxml.html.HtmlElement, *, restart: bool, depth: int) -> tuple[int, int]:
        """The (numId, ilvl) for a list ``depth`` deep in ``style``; a fresh numId restarting at 1 if ``restart``.

        A restarting list deeper than the deepest list style numbers from a definition of its own
        for its depth, copied from that style's, so that it counts apart from the lists around it.
        """
        style_numbering = numbering.style_numbering(style)
        if style_numbering is None:
            raise BuildError(
                f"Word style '{style.name}' (used for <{el.tag}> in {self.template_name}) has no list numbering "
                f"in {self.reference}; regenerate it with tools/make_reference_docx.py"
            )
        num_id, ilvl = style_numbering
        if not restart:
            return num_id, ilvl
        part = pythondocx.numbering_element(self.document)
        abstract_id = numbering.abstract_id(part, num_id)
        original = numbering.definition(part, abstract_id) if abstract_id is not None else None
        if original is None:
            raise BuildError(
                f"Word style '{style.name}' in {self.reference} uses list numbering {num_id}, "
                "which numbering.xml does not define"
            )
        if depth > _LIST_LEVELS:
            if (num_id, depth) not in self._deeper_definitions:
                self._deeper_definitions[num_id, depth] = numbering.copy_definition(part, original)
            abstract_id = self._deeper_definitions[num_id, depth]
        return numbering.add_instance(part, abstract_id, restart_level=ilvl), ilvl

    def _items(self, list_el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
        """The ``<li>`` children of a list; anything else in it is an error."""
        require_blank(self.template_name, list_el.text, list_el, list_el.sourceline)
        for child in list_el:
            if isinstance(child.tag, str):
                if child.tag != "li":
                    raise reject(self.template_name, child, list_el)
                yield child
            require_blank(self.template_name, child.tail, list_el, child.sourceline)

    # -- table of contents ------------------------------------------------------

    def _toc(self, nav: lxml.html.HtmlElement, ctx: Context) -> None:
        """``nav.toc``: its heading, then a TOC field whose cached result lists the nav's entries."""
        ctx = self.enter(nav, ctx, ctx.style)
        entry_ctx = replace(ctx, fmt=replace(ctx.fmt, plain_links=True), list_depth=0, item=None)
        first_entry: int | None = None
        require_blank(self.template_name, nav.text, nav, nav.sourceline)
        for child in elements(nav):
            if child.tag == "h2":
                self.flow(child, self.enter(child, ctx, self.styles.paragraph_style(child, "TOC Heading")))
            elif child.tag in ("ul", "ol"):
                if first_entry is None:
                    first_entry = len(ctx.container.paragraphs)
                self._toc_list(child, entry_ctx, 1)
            else:
                raise reject(self.template_name, child, nav)
            require_blank(self.template_name, child.tail, nav, child.sourceline)

        entries = ctx.container.paragraphs[first_entry:] if first_entry is not None else []
        if not entries:
            entries = [self.paragraph(replace(entry_ctx, style=self.styles.builtin("TOC 1", PARAGRAPH, nav)), [])]
        field_start = [_field_char("begin"), _instruction(_TOC_INSTRUCTION), _field_char("separate")]
        _insert_after_properties(pythondocx.element(entries[0]), field_start)
        for entry in entries:
            self._add_toc_page(entry)
        pythondocx.element(entries[-1]).append(_field_char("end"))
        settings = self.document.settings.element
        if settings.find(qn("w:updateFields")) is None:  # so that Word fills in the TOC on opening
            schema.insert(settings, OxmlElement("w:updateFields", {qn("w:val"): "true"}))

    def _add_toc_page(self, entry: Paragraph) -> None:
        """End a TOC entry with a tab and the PDF page of its target, when ``page_numbers`` has it."""
        link = pythondocx.element(entry).find(qn("w:hyperlink"))
        page = self._page_numbers.get(link.get(qn("w:anchor"), "")) if link is not None else None
        if page is not None:
            run = OxmlElement("w:r")
            link.append(run)
            pythondocx.run(run, entry).text = f"\t{page}"

    def _toc_list(self, list_el: lxml.html.HtmlElement, ctx: Context, depth: int) -> None:
        ctx = self.enter(list_el, ctx, self.styles.paragraph_style(list_el, f"TOC {depth}"))

        def nested(child: lxml.html.HtmlElement, item_ctx: Context) -> None:
            if child.tag not in ("ul", "ol"):
                raise reject(self.template_name, child, child.getparent())
            self._toc_list(child, item_ctx, depth + 1)

        for li in self._items(list_el):
            self.flow(li, self.enter(li, ctx, self.styles.paragraph_style(li, ctx.style)), block=nested)


def _style_id(p: etree._Element) -> str | None:
    """The style id a ``w:p`` names, None for the default style."""
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return style.get(qn("w:val")) if style is not None else None


def _opens_with_cover(body: lxml.html.HtmlElement) -> bool:
    """Whether the first page content of ``body`` (running headers and footers aside) is ``section.cover``."""
    content = (el for el in elements(body) if not set(classes(el)) & _RUNNING.keys())
    first = next(content, None)
    return first is not None and first.tag == "section" and "cover" in classes(first)


def _insert_after_properties(p: etree._Element, children: list[etree._Element]) -> None:
    """Insert ``children`` at the start of the content of ``p``, after its w:pPr."""
    index = 1 if len(p) and p[0].tag == qn("w:pPr") else 0
    for offset, child in enumerate(children):
        p.insert(index + offset, child)


def _field_char(kind: str) -> etree._Element:
    r = OxmlElement("w:r")
    r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))
    return r


def _instruction(text: str) -> etree._Element:
    r = OxmlElement("w:r")
    instr = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    instr.text = text
    r.append(instr)
    return r
