"""Every use of python-docx beyond its documented interface, in one module.

python-docx documents its proxy objects (the document, paragraphs, runs, tables, rows and
cells, sections with their headers and footers, styles, core properties) with their
members, and ``docx.shared`` and ``docx.enum``; the writer also makes plain lxml elements
with its ``OxmlElement``, ``parse_xml``, ``qn`` and ``nsdecls``. Whatever else the writer
needs (an underscore name, a class of python-docx's XML or package layers, the element
behind a proxy) it takes from here. ``tests/test_pythondocx_assumptions.py`` checks each
assumption made here by name, so that a python-docx release that breaks one fails a test
saying which.
"""

from __future__ import annotations

from typing import IO, TypeVar

from docx.blkcntnr import BlockItemContainer
from docx.document import Document
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.parts.story import StoryPart
from docx.section import _Footer, _Header
from docx.shape import InlineShape
from docx.shared import Length
from docx.styles.style import BaseStyle, StyleFactory
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

__all__ = [
    "Body", "Cell", "Container", "Footer", "Header", "PackageNotFoundError", "StoryPart", "UnrecognizedImageError",
    "add_table", "as_document", "describe_picture", "drop_parts", "element", "numbering_element", "relate_hyperlink",
    "replace_footnotes_part", "replace_package_part", "run", "save", "style",
]

# Documented classes with private names: a table's cells, a section's headers and footers.
Cell = _Cell
Header = _Header
Footer = _Footer
# PackageNotFoundError is what docx.Document raises for a file that is no Word document,
# UnrecognizedImageError what Run.add_picture raises for an image it cannot embed.

_Document = TypeVar("_Document", bound=Document)


def element(proxy: object) -> etree._Element:
    """The XML element behind a paragraph, a table, a row or a cell, the core properties, or a header
    or footer (its w:hdr or w:ftr)."""
    return proxy._element


def style(style_element: etree._Element) -> BaseStyle:
    """The style proxy of a w:style element, of the class its w:type calls for."""
    return StyleFactory(style_element)


def run(r: etree._Element, paragraph: Paragraph) -> Run:
    """The Run of a w:r made with lxml inside ``paragraph`` (python-docx's XML classes apply to it)."""
    return Run(r, paragraph)


def describe_picture(shape: InlineShape, text: str) -> None:
    """Give the picture that Run.add_picture returned the alt text ``text`` (wp:docPr descr)."""
    shape._inline.find(qn("wp:docPr")).set("descr", text)


def numbering_element(document: Document) -> etree._Element:
    """The w:numbering element of the document's numbering part."""
    return document.part.numbering_part.element


def relate_hyperlink(paragraph: Paragraph, url: str) -> str:
    """The relationship id by which the part of ``paragraph`` (body, header, footer, footnotes) links to ``url``."""
    return paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)


def replace_footnotes_part(document: Document, footnotes: etree._Element) -> StoryPart:
    """Make ``footnotes`` (a w:footnotes element) the document's footnotes part, instead of any it has."""
    document_part = document.part
    for rid, rel in list(document_part.rels.items()):
        if rel.reltype == RT.FOOTNOTES:
            document_part.drop_rel(rid)
    part = StoryPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, footnotes, document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


def drop_parts(document: Document, reltype: str) -> None:
    """Leave out of the saved package every part that the package or the main document part relates
    to by ``reltype``, with its relationship and its content type.

    python-docx saves the parts it reaches through relationships, and lists in
    ``[Content_Types].xml`` the parts it saves.
    """
    for source in (document.part.package, document.part):
        for rid in [rid for rid, rel in source.rels.items() if rel.reltype == reltype]:
            del source.rels[rid]


def replace_package_part(document: Document, partname: str, content_type: str, reltype: str, blob: bytes) -> None:
    """Make ``blob`` the package's part related by ``reltype`` (such as docProps/app.xml), named ``partname``,
    instead of any it has."""
    drop_parts(document, reltype)
    package = document.part.package
    package.relate_to(Part(PackURI(partname), content_type, blob, package), reltype)


def save(document: Document, stream: IO[bytes]) -> None:
    """Zip the document's package into ``stream``, without calling ``document.save``."""
    document.part.save(stream)


def as_document(document: Document, cls: type[_Document]) -> _Document:
    """The same document (its element and part) as an instance of ``cls``, a subclass of Document."""
    return cls(document.element, document.part)


class Body(BlockItemContainer):
    """The document's body, adding paragraphs and tables before its closing section properties.

    python-docx looks for those properties from the first paragraph on at every paragraph it
    adds, which made a long document take time in the square of its length.
    """

    def __init__(self, document: Document):
        super().__init__(document.element.body, document)
        self._section_properties = document.element.body.find(qn("w:sectPr"))

    def _append(self, block: etree._Element) -> etree._Element:
        if self._section_properties is None:
            self._element.append(block)
        else:
            self._section_properties.addprevious(block)
        return block

    def _add_paragraph(self) -> Paragraph:  # what BlockItemContainer.add_paragraph calls
        return Paragraph(self._append(OxmlElement("w:p")), self)

    def add_table(self, rows: int, cols: int, width: Length) -> Table:
        """A table of ``rows`` by ``cols`` as wide as ``width``, at the end of the body."""
        return Table(self._append(CT_Tbl.new_tbl(rows, cols, width)), self)


Container = BlockItemContainer  # the body, a cell, a header or a footer


def add_table(container: Container, cols: int, width: Length) -> Table:
    """An empty table of ``cols`` columns as wide as ``width``, at the end of ``container``.

    Unlike ``_Cell.add_table``, it adds no empty paragraph after the table in a cell.
    """
    if isinstance(container, Body):
        return container.add_table(0, cols, width)
    return BlockItemContainer.add_table(container, 0, cols, width)
