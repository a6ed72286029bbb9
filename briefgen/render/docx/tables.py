"""Tables: ``<table>`` with its caption, header rows, cells and column spans.

Header rows (``<thead>``) repeat on every page, and ``<th>`` is bold; a cell of the class
``align-right`` or ``align-center`` (a Markdown table's aligned column) is aligned so. The columns share
the width of the page, or of the cell that holds the table, by the length of their text,
as a browser's automatic table layout shares it. The content of a cell is laid out as
any other, by the writer's :meth:`~briefgen.render.docx.blocks.Writer.flow`, as pandoc's
Docx writer hands the cells of a table to its block writer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Length
from docx.table import Table

from briefgen.errors import BuildError
from briefgen.render.docx import pythondocx, schema
from briefgen.render.docx.context import Context
from briefgen.render.docx.elements import collapse, elements, reject, require_blank
from briefgen.render.docx.styles import TABLE

if TYPE_CHECKING:
    from briefgen.render.docx.blocks import Writer

# Column widths from text length: a page-wide table of the reference holds about 100
# characters of its 9.5pt text and a cell's padding takes two. Reckoning 90 and three
# leaves room for the wide letters (capitals, bold) of a column's longest word.
_TABLE_CHARACTERS = 90
_CELL_PADDING = 3
#: The classes of an aligned cell, as templates/briefgen.css aligns them in the PDF.
_ALIGNMENTS = {"align-right": WD_ALIGN_PARAGRAPH.RIGHT, "align-center": WD_ALIGN_PARAGRAPH.CENTER}


def table(writer: Writer, el: lxml.html.HtmlElement, ctx: Context) -> None:
    """Write the ``<table>`` ``el``: its caption as a paragraph, then a Word table of its rows."""
    ctx = replace(writer.enter(el, ctx, ctx.style), list_depth=0, item=None)
    table_style = writer.styles.class_style(el, TABLE)
    if table_style is None:
        table_style = writer.styles.builtin("Table Grid", TABLE, el)
    name = writer.template_name
    shares = column_shares([[(cell, _colspan(name, cell)) for cell in _cells(tr)] for tr in _rows(el)])
    word_table: Table | None = None

    def add_row(tr: lxml.html.HtmlElement, row_ctx: Context, header: bool) -> None:
        nonlocal word_table
        if word_table is None:
            if ctx.story.page_break:
                # Word ignores pageBreakBefore inside a table, so the break needs a paragraph of its own.
                writer.paragraph(ctx, [])
            word_table = _add_table(writer, ctx.container, shares)
            style_id = writer.styles.style_id(table_style)
            table_properties = pythondocx.element(word_table).find(qn("w:tblPr"))
            if style_id is not None:
                schema.insert(table_properties, OxmlElement("w:tblStyle", {qn("w:val"): style_id}))
            if writer.rtl_document:  # the columns right to left, as the PDF lays them out
                schema.insert(table_properties, OxmlElement("w:bidiVisual"))
        _row(writer, word_table, tr, row_ctx, header)

    require_blank(name, el.text, el, el.sourceline)
    for child in elements(el):
        if child.tag == "caption":
            writer.flow(child, writer.enter(child, ctx, writer.styles.paragraph_style(child, "Caption")))
        elif child.tag in ("thead", "tbody"):
            group_ctx = writer.enter(child, ctx, writer.styles.paragraph_style(child, ctx.style))
            require_blank(name, child.text, child, child.sourceline)
            for tr in elements(child):
                if tr.tag != "tr":
                    raise reject(name, tr, child)
                add_row(tr, group_ctx, child.tag == "thead")
                require_blank(name, tr.tail, child, tr.sourceline)
        elif child.tag == "tr":
            add_row(child, ctx, False)
        else:
            raise reject(name, child, el)
        require_blank(name, child.tail, el, child.sourceline)


def column_shares(rows: list[list[tuple[lxml.html.HtmlElement, int]]]) -> list[float]:
    """Each column's share of the table width, as a browser's automatic table layout gives it.

    ``rows`` holds each row's (cell, colspan). A column wants its longest text on one line
    and needs its longest word; what the table width leaves once every column has what it
    needs goes to the columns in proportion to what more they want. Text length stands in
    for text width, the width in characters for that of the page (Word and LibreOffice
    keep the widths given, where a browser measures the text).
    """
    columns = max((sum(span for _, span in cells) for cells in rows), default=0)
    needs = [_CELL_PADDING] * columns
    wants = [_CELL_PADDING] * columns
    for cells in rows:
        column = 0
        for cell, span in cells:
            if span == 1:  # a spanning cell leaves the widths to the cells it spans
                words = collapse(cell.text_content()).split()
                needs[column] = max(needs[column], max(map(len, words), default=0) + _CELL_PADDING)
                wants[column] = max(wants[column], len(" ".join(words)) + _CELL_PADDING)
            column += span
    need, want = sum(needs), sum(wants)
    if want <= _TABLE_CHARACTERS:
        widths = wants
    elif need >= _TABLE_CHARACTERS:
        widths = needs
    else:
        spare = (_TABLE_CHARACTERS - need) / (want - need)
        widths = [n + (w - n) * spare for n, w in zip(needs, wants)]
    return [width / sum(widths) for width in widths]


def _rows(el: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return el.xpath("./tr | ./thead/tr | ./tbody/tr")


def _cells(tr: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [cell for cell in elements(tr) if cell.tag in ("th", "td")]


def _add_table(writer: Writer, container: pythondocx.Container, shares: list[float]) -> Table:
    """An empty table as wide as ``container``, its columns sharing the width by ``shares``."""
    width: Length = container.width if isinstance(container, pythondocx.Cell) else writer.text_width
    word_table = pythondocx.add_table(container, len(shares), width)
    # Rows take their cells' widths from the grid as they are added.
    grid = pythondocx.element(word_table).find(qn("w:tblGrid"))
    for grid_column, share in zip(grid.iterchildren(qn("w:gridCol")), shares):
        grid_column.set(qn("w:w"), str(Emu(round(width * share)).twips))
    return word_table


def _row(writer: Writer, word_table: Table, tr: lxml.html.HtmlElement, ctx: Context, header: bool) -> None:
    name = writer.template_name
    row = word_table.add_row()
    # trPr's children are one choice group: any order is valid.
    if writer.breaks_of(tr).inside == "avoid":
        schema.insert(schema.get_or_insert(pythondocx.element(row), "w:trPr"), OxmlElement("w:cantSplit"))
    if header:
        schema.insert(schema.get_or_insert(pythondocx.element(row), "w:trPr"), OxmlElement("w:tblHeader"))
    row_ctx = writer.enter(tr, ctx, writer.styles.paragraph_style(tr, ctx.style))
    column = 0
    require_blank(name, tr.text, tr, tr.sourceline)
    for el in elements(tr):
        if el.tag not in ("th", "td"):
            raise reject(name, el, tr)
        if el.get("rowspan", "1").strip() != "1":
            raise BuildError(
                f"{name}: <{el.tag} rowspan> on HTML line {el.sourceline} is not supported "
                "in .docx output; use colspan only"
            )
        span = _colspan(name, el)
        cell = row.cells[column]
        if span > 1:
            cell = cell.merge(row.cells[column + span - 1])
        column += span
        _cell(writer, cell, el, row_ctx)
        require_blank(name, el.tail, tr, el.sourceline)


def _colspan(template_name: str, cell: lxml.html.HtmlElement) -> int:
    value = cell.get("colspan", "1").strip()
    if not value.isdigit() or int(value) < 1:
        raise BuildError(
            f'{template_name}: <{cell.tag} colspan="{value}"> on HTML line {cell.sourceline}: '
            "colspan must be a whole number of at least 1"
        )
    return int(value)


def _cell(writer: Writer, cell: pythondocx.Cell, el: lxml.html.HtmlElement, ctx: Context) -> None:
    placeholder = pythondocx.element(cell.paragraphs[0])
    ctx = writer.enter(el, replace(ctx, container=cell), writer.styles.paragraph_style(el, ctx.style))
    if el.tag == "th":
        ctx = replace(ctx, fmt=replace(ctx.fmt, bold=True))
    writer.flow(el, ctx)
    tc = pythondocx.element(cell)
    blocks = [child for child in tc if child.tag in (qn("w:p"), qn("w:tbl"))]
    if len(blocks) > 1:
        tc.remove(placeholder)
    alignment = next((_ALIGNMENTS[name] for name in el.classes if name in _ALIGNMENTS), None)
    if alignment is not None:
        for paragraph in cell.paragraphs:
            paragraph.alignment = alignment
    if blocks[-1].tag == qn("w:tbl"):
        cell.add_paragraph()  # Word requires a cell to end with a paragraph
