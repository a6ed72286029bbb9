"""The footnotes part (``word/footnotes.xml``): Word's two separators, then the HTML's footnotes from 1."""

from __future__ import annotations

import docx.document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph
from lxml import etree

from briefgen.render.docx import pythondocx, schema

# Word's two built-in footnotes: the rule above the footnotes of a page, and the one above
# footnotes continued from the previous page. Each is a paragraph, whose height is the space
# between the text and the footnotes: 2.6pt, a 0.5pt rule, 2.6pt, as the stylesheet's @footnote
# area has it and as LibreOffice leaves (it ignores this paragraph).
_FOOTNOTES_XML = "<w:footnotes {}>{}</w:footnotes>".format(
    nsdecls("w", "r"),
    "".join(
        f'<w:footnote w:type="{kind}" w:id="{note_id}"><w:p><w:pPr><w:spacing w:before="52" w:after="52" '
        f'w:line="10" w:lineRule="exact"/></w:pPr><w:r><w:rPr><w:sz w:val="2"/></w:rPr><w:{kind}/></w:r></w:p>'
        "</w:footnote>"
        for note_id, kind in ((-1, "separator"), (0, "continuationSeparator"))
    ),
)
_FOOTNOTE_PR_XML = f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'


class FootnoteContainer:
    """One ``w:footnote`` as a container of paragraphs, which python-docx does not provide."""

    def __init__(self, element: etree._Element, part: pythondocx.StoryPart):
        self.element = element
        self.part = part

    def add_paragraph(self) -> Paragraph:
        """A new, empty paragraph at the end of the footnote."""
        p = OxmlElement("w:p")
        self.element.append(p)
        return Paragraph(p, self)


class Footnotes:
    """The footnotes of one document, numbered from 1 in the order they are added."""

    def __init__(self, document: docx.document.Document):
        self._document = document
        self._part: pythondocx.StoryPart | None = None
        self._footnotes: etree._Element | None = None
        self._count = 0

    def add(self) -> tuple[int, FootnoteContainer]:
        """A new, empty footnote: its id, and the container for its paragraphs."""
        if self._part is None:
            self._make_part()
        self._count += 1
        note = OxmlElement("w:footnote", {qn("w:id"): str(self._count)})
        self._footnotes.append(note)
        return self._count, FootnoteContainer(note, self._part)

    def _make_part(self) -> None:
        """Make the footnotes part, with its two separators.

        It replaces any the reference has (Word gives every document one), so that the
        footnotes are exactly those of the HTML, numbered from 1.
        """
        self._footnotes = parse_xml(_FOOTNOTES_XML)
        self._part = pythondocx.replace_footnotes_part(self._document, self._footnotes)
        settings = self._document.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            schema.insert(settings, parse_xml(_FOOTNOTE_PR_XML))
