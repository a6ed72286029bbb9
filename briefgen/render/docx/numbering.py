"""List numbering (``word/numbering.xml``): the numbering of list styles, new instances, copies of definitions.

A list style names a numbering instance (``w:num``), which uses an abstract numbering
definition (``w:abstractNum``) for the look of each level. A list that restarts at 1 gets
an instance of its own, as Word makes one when asked to restart. Word counts the lists of
one definition together, so a list nested in another of the same style needs a copy of
the definition to count apart.
"""

from __future__ import annotations

import copy
import itertools

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.styles.style import BaseStyle
from lxml import etree

from briefgen.render.docx import schema


def style_numbering(style: BaseStyle | None) -> tuple[int, int] | None:
    """The (numId, ilvl) that ``style``, or the nearest style it is based on, numbers its paragraphs with."""
    while style is not None:
        num_pr = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is not None:
            num_id, ilvl = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
            if num_id is None:
                return None
            return int(num_id.get(qn("w:val"))), int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
        style = style.base_style
    return None


def abstract_id(numbering: etree._Element, num_id: int) -> str | None:
    """The id of the abstract numbering definition that the instance ``num_id`` uses, or None."""
    for num in numbering.iterchildren(qn("w:num")):
        if num.get(qn("w:numId")) == str(num_id):
            abstract = num.find(qn("w:abstractNumId"))
            return abstract.get(qn("w:val")) if abstract is not None else None
    return None


def definition(numbering: etree._Element, abstract_num_id: str) -> etree._Element | None:
    """The w:abstractNum of id ``abstract_num_id``, or None."""
    return next(
        (item for item in numbering.iterchildren(qn("w:abstractNum"))
         if item.get(qn("w:abstractNumId")) == abstract_num_id),
        None,
    )


def add_instance(numbering: etree._Element, abstract_num_id: str, restart_level: int | None = None) -> int:
    """Add a w:num of the definition ``abstract_num_id``, its ``restart_level`` (if any) starting
    again at 1; return its numId, the first one unused."""
    used = {int(num.get(qn("w:numId"))) for num in numbering.iterchildren(qn("w:num"))}
    num_id = next(n for n in itertools.count(1) if n not in used)
    num = OxmlElement("w:num", {qn("w:numId"): str(num_id)})
    etree.SubElement(num, qn("w:abstractNumId"), {qn("w:val"): abstract_num_id})
    if restart_level is not None:
        override = etree.SubElement(num, qn("w:lvlOverride"), {qn("w:ilvl"): str(restart_level)})
        etree.SubElement(override, qn("w:startOverride"), {qn("w:val"): "1"})
    schema.insert(numbering, num)
    return num_id


def copy_definition(numbering: etree._Element, original: etree._Element, style_id: str | None = None) -> str:
    """Add a copy of the definition ``original`` with an id and nsid of its own; return its id.

    Its levels are linked to the paragraph style ``style_id``, or to none: a style has one definition.
    """
    definitions = list(numbering.iterchildren(qn("w:abstractNum")))
    duplicate = copy.deepcopy(original)
    new_id = str(max(int(item.get(qn("w:abstractNumId"))) for item in definitions) + 1)
    duplicate.set(qn("w:abstractNumId"), new_id)
    nsid = duplicate.find(qn("w:nsid"))
    if nsid is not None:  # Word takes two definitions of one nsid for the same list
        used = {int(item.get(qn("w:val")), 16) for item in numbering.iter(qn("w:nsid"))}
        free = next(n % 2**32 for n in itertools.count(max(used) + 1) if n % 2**32 not in used)
        nsid.set(qn("w:val"), f"{free:08X}")
    for level in duplicate.iterchildren(qn("w:lvl")):
        for link in level.findall(qn("w:pStyle")):
            level.remove(link)
        if style_id is not None:
            schema.insert(level, OxmlElement("w:pStyle", {qn("w:val"): style_id}))
    schema.insert(numbering, duplicate)
    return new_id
