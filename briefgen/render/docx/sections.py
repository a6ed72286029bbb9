"""A run of paragraphs set in columns, as Word sets them: a section of its own.

CSS puts a list in two columns with ``columns: 2`` on the list; Word has columns only as a
property of a section. So the paragraphs before the list end a section (with the page's
settings, one column), the list's last paragraph ends a continuous section in columns, and
what follows goes on in the document's closing section, continuous too. The sections after
the first hold no header or footer of their own (Word takes the previous section's) and no
"different first page", so the first page keeps its own footer and every later page the
document's.
"""

from __future__ import annotations

import copy

from docx.oxml.ns import qn
from lxml import etree

from briefgen.render.docx import schema

_HEADERS_AND_FOOTERS = ("w:headerReference", "w:footerReference")


def set_in_columns(body: etree._Element, before: etree._Element, last: etree._Element, count: int,
                   gap_twips: int) -> None:
    """Set the paragraphs after ``before`` up to ``last`` (paragraphs of ``body``) in ``count``
    columns ``gap_twips`` apart."""
    closing = body.find(qn("w:sectPr"))
    if closing is None:
        return
    first = copy.deepcopy(closing)
    _continuous(first)
    schema.insert(schema.get_or_insert(before, "w:pPr"), first)
    columns = copy.deepcopy(closing)
    for tag in (*_HEADERS_AND_FOOTERS, "w:titlePg", "w:pgNumType"):
        for child in columns.findall(qn(tag)):
            columns.remove(child)
    _continuous(columns)
    cols = schema.get_or_insert(columns, "w:cols")
    cols.attrib.clear()
    cols.set(qn("w:num"), str(count))
    cols.set(qn("w:space"), str(gap_twips))
    last_properties = schema.get_or_insert(last, "w:pPr")
    for keep in last_properties.findall(qn("w:keepNext")):
        # Kept with what follows, the end of the columns would take the last rows to the next
        # page in LibreOffice, rather than balance the columns where they are.
        last_properties.remove(keep)
    schema.insert(last_properties, columns)
    for tag in ("w:titlePg", "w:pgNumType"):
        for child in closing.findall(qn(tag)):
            closing.remove(child)
    _continuous(closing)


def _continuous(section: etree._Element) -> None:
    """Make ``section`` start where the previous one ends, on the same page."""
    kind = schema.get_or_insert(section, "w:type")
    kind.set(qn("w:val"), "continuous")
