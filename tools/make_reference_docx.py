"""Generate ``templates/reference.docx``, the style sheet of every .docx briefgen writes.

The document is built from python-docx's default template and saved with the
writer's :func:`~briefgen.render.docx.docx_bytes`, so running the script again gives
the same file byte for byte. Every Word style the HTML→DOCX writer can ask for is
listed in ``STYLES``; add a line there when a template gains a class.

The page, the sizes and the spacing follow ``templates/briefgen.css``, so that a .docx
lays out its headings on the same pages as its PDF. CSS line heights are multiples of
the font size, Word's of the font's own line (``NOTO_LINE`` font sizes for the Noto
fonts). Margins need no working out: as two CSS blocks' vertical margins collapse into
the larger one, Word puts the larger of one paragraph's space after and the next one's
space before between them (ECMA-376 §17.3.1.33), and LibreOffice does the same.

Size, spacing and line height of body text sit in the document defaults rather than in
"Normal", because Word lets a table style's font size and spacing apply only where the
paragraph style sets none.

The marking's colour is read from the stylesheet's ``.marking`` rule, so that Word's and the
PDF's cannot differ. The package is tidied of what python-docx's default template has from the
Word that saved it (old settings, a thumbnail, stylesWithEffects, an empty bibliography store),
as :func:`~briefgen.render.docx.package.modernise` tidies every document.

Usage: ``python tools/make_reference_docx.py [OUTPUT]`` (default: templates/reference.docx).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

import docx
import tinycss2
import tinycss2.color4
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from briefgen.render.docx import docx_bytes, numbering, pythondocx, schema
from briefgen.render.docx.package import modernise

OUTPUT = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"
STYLESHEET = Path(__file__).resolve().parents[1] / "templates" / "briefgen.css"


def stylesheet_color(selector: str) -> str:
    """The ``color`` that the rule for ``selector`` in ``STYLESHEET`` gives, as RRGGBB.

    Raises SystemExit when no rule for exactly ``selector`` sets an opaque colour.
    """
    rules = tinycss2.parse_stylesheet(STYLESHEET.read_text(encoding="utf-8"), skip_comments=True,
                                      skip_whitespace=True)
    for rule in rules:
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != selector:
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if declaration.type == "declaration" and declaration.lower_name == "color":
                color = tinycss2.color4.parse_color(tinycss2.serialize(declaration.value).strip())
                if isinstance(color, tinycss2.color4.Color) and color.alpha == 1:
                    return "".join(f"{round(channel * 255):02X}" for channel in color.to("srgb").coordinates)
    raise SystemExit(f"{STYLESHEET}: no rule for {selector} sets an opaque color")

SERIF = "Noto Serif"
SANS = "Noto Sans"
# Word picks these for text typed in Chinese (East Asian) and in Tibetan or Arabic script
# (complex scripts); the writer names the right one on every run it writes in those scripts.
EAST_ASIAN_SERIF = "Noto Serif CJK SC"
COMPLEX_SCRIPT_SERIF = "Noto Serif Tibetan"
LANGUAGES = {"val": "en-CA", "eastAsia": "zh-CN", "bidi": "bo-CN"}
DARK_BLUE = "12355B"
GREY = "444444"

CM = 72 / 2.54  # points
# Letter, margins 2.3 cm top, 2.2 cm at the sides, 2.4 cm at the bottom, as in the CSS.
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.59, 27.94
MARGINS_CM = {"top": 2.3, "right": 2.2, "bottom": 2.4, "left": 2.2}
# The PDF centres its header and footer in the margins.
HEADER_FOOTER_DISTANCE_CM = 1.0
TEXT_WIDTH = (PAGE_WIDTH_CM - MARGINS_CM["left"] - MARGINS_CM["right"]) * CM

BODY_SIZE = 10.5  # points
LINE_HEIGHT = 1.4  # CSS line-height
# Word's single line spacing is the font's ascender plus descender: 1.362 em for Noto Serif
# and Noto Sans.
NOTO_LINE = 1.362
PARAGRAPH_AFTER = 0.55 * BODY_SIZE  # p { margin: 0 0 0.55em }
LIST_INDENT = 1.3 * BODY_SIZE  # ul, ol { padding-left: 1.3em }
ITEM_AFTER = 0.25 * BODY_SIZE  # li { margin-bottom: 0.25em }
TABLE_SIZE = 9.5
CELL_MARGINS = (3, 5)  # th, td { padding: 3pt 5pt }
# A fixed timestamp keeps the output identical from one run to the next.
FIXED_TIME = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class StyleSpec:
    """One Word style: created when missing from the default template, restyled otherwise.

    ``None`` leaves a property as the default template (or the base style) has it.
    """

    name: str
    kind: str = "paragraph"  # "paragraph", "character" or "table"
    based_on: str | None = None
    font: str | None = None
    size: float | None = None  # points
    bold: bool | None = None
    italic: bool | None = None
    underline: bool | None = None
    caps: bool | None = None
    small_caps: bool | None = None
    superscript: bool | None = None
    color: str | None = None  # RRGGBB
    letter_spacing: float | None = None  # points added between letters (0 removes any)
    align: str | None = None  # "left", "center", "right" or "justify"
    space_before: float | None = None  # points
    space_after: float | None = None  # points
    line_height: float | None = None  # as CSS line-height: a multiple of the font size
    contextual_spacing: bool | None = None  # no space between paragraphs of the same style
    left_indent: float | None = None  # points
    list_indent: float | None = None  # list styles: points from the margin to the text, the marker hanging before it
    numbered_like: str | None = None  # a list style the default template lacks: numbered as this one, on its own
    leader_tab: float | None = None  # points from the margin: a right tab stop with a dot leader
    keep_with_next: bool | None = None
    rule_below: bool | None = None  # a 1.5pt dark blue rule 2pt under the paragraph (False removes any)
    borders: str | None = None  # table styles: "grid", "rows" (a thin rule under every row) or "none"
    rule_above: bool = False  # table styles: a 1.5pt dark blue rule above the first row
    cell_margins: tuple[float, float] | None = None  # table styles: (top and bottom, left and right) in points
    builtin: bool = False  # one of Word's own styles, which Word matches by name


# Every style the writer may use, built-in ones included. Names are spelled as
# Word spells them in styles.xml ("toc 1", not "TOC 1"); the writer matches them
# without regard to case. Sizes and margins are those of briefgen.css, its ems worked out.
LIST_ITEM = dict(space_after=ITEM_AFTER, contextual_spacing=False)
TABLE_STYLE = dict(kind="table", size=TABLE_SIZE, space_after=0, line_height=LINE_HEIGHT, cell_margins=CELL_MARGINS)
STYLES: tuple[StyleSpec, ...] = (
    StyleSpec("Normal", font=SERIF),
    StyleSpec("Title", font=SANS, size=24, bold=True, color=DARK_BLUE, letter_spacing=0, space_before=0,
              space_after=0.2 * 24, line_height=1.15, rule_below=False),
    StyleSpec("Subtitle", font=SANS, size=15, italic=False, color="333333", letter_spacing=0, space_after=0.4 * 15),
    StyleSpec("Heading 1", font=SANS, size=15, bold=True, color=DARK_BLUE, space_before=1.2 * 15,
              space_after=0.4 * 15, rule_below=True),
    StyleSpec("Heading 2", font=SANS, size=11.5, bold=True, color=DARK_BLUE, space_before=11.5,
              space_after=0.3 * 11.5),
    StyleSpec("Heading 3", font=SANS, size=11.5, bold=True, color=DARK_BLUE, space_before=10, space_after=3),
    StyleSpec("Quote", italic=True, color="404040", left_indent=36),
    StyleSpec("Caption", font=SANS, size=TABLE_SIZE, bold=True, color=DARK_BLUE, space_after=3, keep_with_next=True),
    StyleSpec("List Bullet", list_indent=LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Bullet 2", list_indent=2 * LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Bullet 3", list_indent=3 * LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Number", list_indent=LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Number 2", list_indent=2 * LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Number 3", list_indent=3 * LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Continue", left_indent=LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Continue 2", left_indent=2 * LIST_INDENT, **LIST_ITEM),
    StyleSpec("List Continue 3", left_indent=3 * LIST_INDENT, **LIST_ITEM),
    # Word's list styles go five levels deep; the default template stops at three.
    StyleSpec("List Bullet 4", list_indent=4 * LIST_INDENT, numbered_like="List Bullet 3", builtin=True, **LIST_ITEM),
    StyleSpec("List Bullet 5", list_indent=5 * LIST_INDENT, numbered_like="List Bullet 3", builtin=True, **LIST_ITEM),
    StyleSpec("List Number 4", list_indent=4 * LIST_INDENT, numbered_like="List Number 3", builtin=True, **LIST_ITEM),
    StyleSpec("List Number 5", list_indent=5 * LIST_INDENT, numbered_like="List Number 3", builtin=True, **LIST_ITEM),
    StyleSpec("List Continue 4", left_indent=4 * LIST_INDENT, builtin=True, **LIST_ITEM),
    StyleSpec("List Continue 5", left_indent=5 * LIST_INDENT, builtin=True, **LIST_ITEM),
    StyleSpec("Table Grid", borders="grid", **TABLE_STYLE),
    StyleSpec("Hyperlink", kind="character", color="0563C1", underline=True, builtin=True),
    StyleSpec("TOC Heading", based_on="Heading 1"),
    # nav.toc li { margin: 0.35em 0 }. The right tab before each entry's page number sits at the right margin.
    StyleSpec("toc 1", builtin=True, space_after=0.35 * BODY_SIZE, leader_tab=TEXT_WIDTH),
    StyleSpec("toc 2", builtin=True, space_after=0.35 * BODY_SIZE, left_indent=18, leader_tab=TEXT_WIDTH),
    StyleSpec("toc 3", builtin=True, space_after=0.35 * BODY_SIZE, left_indent=36, leader_tab=TEXT_WIDTH),
    StyleSpec("Header", font=SANS, size=8.5),
    StyleSpec("Footer", font=SANS, size=8.5),
    StyleSpec("footnote text", builtin=True, size=8, space_after=0, line_height=1.3),
    StyleSpec("footnote reference", kind="character", builtin=True, superscript=True),
    StyleSpec("Marking", font=SANS, size=9, bold=True, caps=True, letter_spacing=0.06 * 9, align="right",
              color=stylesheet_color(".marking"), space_after=0),
    StyleSpec("Cover Meta", borders="rows", rule_above=True, **TABLE_STYLE),
    StyleSpec("Note Header", borders="rows", **TABLE_STYLE),
    StyleSpec("Decision", borders="grid", **{**TABLE_STYLE, "cell_margins": (10, 5)}),
    StyleSpec("File Number", based_on="Footer", color=GREY, space_after=0),
    StyleSpec("Note Meta", font=SANS, size=9, caps=True, letter_spacing=0.04 * 9, color=GREY, space_after=0.55 * 9),
    StyleSpec("Fact", space_after=ITEM_AFTER),
    StyleSpec("Source", space_after=0.4 * BODY_SIZE),
    StyleSpec("Signatory", space_after=ITEM_AFTER),
    # @bottom-right's "Page N of M", beside the marking at the bottom left of the footer.
    StyleSpec("page number", kind="character", builtin=True, font=SANS, size=8.5, bold=False, caps=False,
              letter_spacing=0, color=GREY),
    StyleSpec("Running Header", based_on="Header", color=GREY),
    StyleSpec("Running Footer", based_on="Footer", color=GREY),
    StyleSpec("Small", size=8.5, color=GREY),
    StyleSpec("Source Ref", kind="character", size=8.5, color=GREY),
    StyleSpec("Priority", kind="character", bold=True, color="9C2A00"),
    StyleSpec("Native Name", kind="character"),
    # Classes the templates in templates/ use today.
    StyleSpec("Cover Kind", font=SANS, size=11, bold=True, color=DARK_BLUE, space_after=2.5 * CM),
    StyleSpec("Cover Visit", font=SANS, size=10, caps=True, letter_spacing=0.04 * 10, color=GREY,
              space_before=5.5 * CM, space_after=0.55 * 10),
    StyleSpec("Context Line", font=SANS, size=9, caps=True, letter_spacing=0.04 * 9, color=GREY, space_after=0,
              line_height=1.3),
    StyleSpec("Question", bold=True, keep_with_next=True, space_before=0.6 * BODY_SIZE),
    StyleSpec("Letter"),
    StyleSpec("Addressee", space_after=0),
    StyleSpec("Letter Date", space_before=1.2 * BODY_SIZE, space_after=1.2 * BODY_SIZE),
    StyleSpec("Letter Subject", bold=True, space_after=BODY_SIZE),
    StyleSpec("Closing", space_before=1.2 * BODY_SIZE),
    StyleSpec("Letter Contact"),
    StyleSpec("Signed By", bold=True, space_before=1.2 * BODY_SIZE, space_after=0.3 * BODY_SIZE,
              keep_with_next=True),
    # The letterhead, the signer and the copies (.letterhead, .signer, .cc), and the packs' images.
    StyleSpec("Letterhead", font=SANS, size=8.5, line_height=1.3, color=GREY, space_after=0),
    # A paragraph that holds an image has single line spacing: LibreOffice cuts an image off at a
    # line height under the font's own.
    StyleSpec("Letterhead Logo", based_on="Letterhead", space_after=4, line_height=NOTO_LINE),
    StyleSpec("Letterhead Organization", based_on="Letterhead", size=11, bold=True, color=DARK_BLUE, space_after=1),
    StyleSpec("Letterhead Last", based_on="Letterhead", space_after=12, rule_below=True),
    StyleSpec("Signer", space_after=0),
    StyleSpec("Signature", based_on="Signer", space_before=0.6 * BODY_SIZE, space_after=2, keep_with_next=True,
              line_height=NOTO_LINE),
    StyleSpec("Signer Name", based_on="Signer", bold=True),
    StyleSpec("Cc", space_before=0.9 * BODY_SIZE),
    StyleSpec("Cover Logo", space_after=0.5 * CM, line_height=NOTO_LINE),
    StyleSpec("Photo", space_before=0.6 * BODY_SIZE, space_after=0.3 * BODY_SIZE, keep_with_next=True,
              line_height=NOTO_LINE),
    # .leave-behind { font-size: 9.5pt; line-height: 1.3 } and its p { margin-bottom: 0.3em }
    StyleSpec("Leave Behind", size=9.5, line_height=1.3, space_after=0.3 * 9.5),
    # .leave-behind h1, h2 and li; its headings keep the line height of the section.
    StyleSpec("Leave Behind Title", based_on="Title", size=19, space_after=0.2 * 19),
    StyleSpec("Leave Behind Heading 1", based_on="Heading 1", size=12, line_height=1.3, space_before=0.7 * 12,
              space_after=0.25 * 12),
    StyleSpec("Leave Behind List Bullet", based_on="List Bullet", size=9.5, line_height=1.3, space_after=0.1 * 9.5),
    StyleSpec("Leave Behind List Number", based_on="List Number", size=9.5, line_height=1.3, space_after=0.1 * 9.5),
    # .signatories-in-columns { font-size: 9pt; line-height: 1.3 } and its li { margin-bottom: 0.15em }
    StyleSpec("Signatories In Columns", based_on="List Bullet", size=9, line_height=1.3, space_after=0.15 * 9),
    StyleSpec("Issues In Brief", based_on="List Bullet"),
    StyleSpec("Leave Behind Issues In Brief", based_on="Leave Behind List Bullet"),
    StyleSpec("Overview", borders="rows", **TABLE_STYLE),
    StyleSpec("Programme", borders="rows", **TABLE_STYLE),
    StyleSpec("Asks", borders="rows", **TABLE_STYLE),
    StyleSpec("Text Table", borders="rows", **TABLE_STYLE),  # a Markdown table in a text
)

_KINDS = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER, "table": WD_STYLE_TYPE.TABLE}
_ALIGNMENTS = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# Word reads the size, bold and italic of complex scripts from the twins of w:sz, w:b and w:i.
_COMPLEX_SCRIPT_TWINS = {"w:b": "w:bCs", "w:i": "w:iCs", "w:sz": "w:szCs"}


def build_reference() -> docx.document.Document:
    """Return the reference document: page set-up, defaults and every style in ``STYLES``."""
    document = docx.Document()
    _set_up_page(document)
    _set_defaults(document)
    for spec in STYLES:
        _apply(document, spec)
    _clear_core_properties(document)
    _tidy_settings(document)
    _drop_leftover_parts(document)
    # No version in its app.xml, which every document briefgen writes replaces with its own.
    modernise(document, version=None)
    return document


def _set_up_page(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    for edge, margin in MARGINS_CM.items():
        setattr(section, f"{edge}_margin", Cm(margin))
    section.header_distance = section.footer_distance = Cm(HEADER_FOOTER_DISTANCE_CM)


def _set_defaults(document: docx.document.Document) -> None:
    """Body text: its fonts for every script, size, languages, line height and paragraph spacing."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = _set_fonts(rpr, SERIF)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_SERIF)
    fonts.set(qn("w:cs"), COMPLEX_SCRIPT_SERIF)
    rpr.get_or_add_sz().val = Pt(BODY_SIZE)
    _match_complex_script(rpr)
    lang = rpr.find(qn("w:lang"))
    for attribute, value in LANGUAGES.items():
        lang.set(qn(f"w:{attribute}"), value)
    paragraph_defaults = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    # orphans: 2; widows: 2 in the stylesheet: Word's widow control keeps two lines at each end.
    schema.get_or_insert(paragraph_defaults, "w:widowControl")
    spacing = paragraph_defaults.find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:after"), str(round(PARAGRAPH_AFTER * 20)))
    spacing.set(qn("w:line"), str(round(240 * LINE_HEIGHT / NOTO_LINE)))
    spacing.set(qn("w:lineRule"), "auto")


def _apply(document: docx.document.Document, spec: StyleSpec) -> None:
    style = _find(document, spec.name)
    if style is None:
        style = document.styles.add_style(spec.name, _KINDS[spec.kind], builtin=spec.builtin)
        style.hidden = False
        style.unhide_when_used = False
        style.quick_style = not spec.builtin and spec.kind != "table"
        style.base_style = _find(document, spec.based_on or _default_base(spec.kind))
        if spec.numbered_like:
            _number_like(document, style, _find(document, spec.numbered_like))
    elif spec.based_on:
        style.base_style = _find(document, spec.based_on)

    if spec.font:
        _set_fonts(style.element.get_or_add_rPr(), spec.font)
    font = style.font
    if spec.size is not None:
        font.size = Pt(spec.size)
    for attribute in ("bold", "italic", "underline", "small_caps", "superscript"):
        if getattr(spec, attribute) is not None:
            setattr(font, attribute, getattr(spec, attribute))
    if spec.caps is not None:
        font.all_caps = spec.caps
    if spec.color:
        font.color.rgb = RGBColor.from_string(spec.color)
    if spec.letter_spacing is not None:
        _put(style.element.get_or_add_rPr(), "w:spacing", present=spec.letter_spacing != 0,
             attributes=f'w:val="{round(spec.letter_spacing * 20)}"')
    if style.element.rPr is not None:
        _match_complex_script(style.element.rPr)
    if spec.kind != "character":
        _apply_paragraph_format(style, spec)
    if spec.list_indent is not None:
        _set_list_indent(document, style, spec.list_indent)
    if spec.borders is not None:
        _set_table_borders(style, spec.borders, spec.rule_above)
    if spec.cell_margins is not None:
        _set_cell_margins(style, *spec.cell_margins)


def _apply_paragraph_format(style, spec: StyleSpec) -> None:
    fmt = style.paragraph_format
    if spec.align:
        fmt.alignment = _ALIGNMENTS[spec.align]
    if spec.space_before is not None:
        fmt.space_before = Pt(spec.space_before)
    if spec.space_after is not None:
        fmt.space_after = Pt(spec.space_after)
    if spec.line_height is not None:
        fmt.line_spacing = spec.line_height / NOTO_LINE
    if spec.left_indent is not None:
        fmt.left_indent = Pt(spec.left_indent)
    if spec.keep_with_next is not None:
        fmt.keep_with_next = spec.keep_with_next
    if spec.leader_tab is not None:
        fmt.tab_stops.add_tab_stop(Pt(spec.leader_tab), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    if spec.contextual_spacing is not None:
        _put(style.element.get_or_add_pPr(), "w:contextualSpacing", present=spec.contextual_spacing)
    if spec.rule_below is not None:
        _put(style.element.get_or_add_pPr(), "w:pBdr", present=spec.rule_below,
             content=f'<w:bottom w:val="single" w:sz="12" w:space="2" w:color="{DARK_BLUE}"/>')


def _put(parent, tag: str, *, present: bool = True, attributes: str = "", content: str = "") -> None:
    """Replace the ``tag`` children of ``parent`` by one with ``attributes`` and ``content``, placed
    where the schema orders it (by none if not ``present``)."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    if present:
        schema.insert(parent, parse_xml(f"<{tag} {nsdecls('w')} {attributes}>{content}</{tag}>"))


def _match_complex_script(rpr) -> None:
    """Give Tibetan and Arabic-script text the size, bold and italic of ``rpr``, which Word
    reads for complex scripts from w:szCs, w:bCs and w:iCs."""
    for tag, twin_tag in _COMPLEX_SCRIPT_TWINS.items():
        element = rpr.find(qn(tag))
        twin = rpr.find(qn(twin_tag))
        if element is None:
            if twin is not None:
                rpr.remove(twin)
            continue
        if twin is None:
            twin = schema.insert(rpr, parse_xml(f"<{twin_tag} {nsdecls('w')}/>"))
        twin.attrib.clear()
        twin.attrib.update(element.attrib)


def _number_like(document: docx.document.Document, style, model) -> None:
    """Number ``style`` by a copy of the numbering definition of the list style ``model``, linked to ``style``."""
    part = pythondocx.numbering_element(document)
    num_id, _ = numbering.style_numbering(model)
    original = numbering.definition(part, numbering.abstract_id(part, num_id))
    instance = numbering.add_instance(part, numbering.copy_definition(part, original, style.style_id))
    ppr = schema.get_or_insert(style.element, "w:pPr")
    schema.insert(ppr, parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{instance}"/></w:numPr>'))


def _set_list_indent(document: docx.document.Document, style, indent: float) -> None:
    """Indent the first level of the numbering ``style`` uses: text at ``indent`` points, the marker
    hanging one ``LIST_INDENT`` before it, as the PDF sets a list item in its padding."""
    part = pythondocx.numbering_element(document)
    num_id, _ = numbering.style_numbering(style)
    definition = numbering.definition(part, numbering.abstract_id(part, num_id))
    ppr = definition.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='0']/{qn('w:pPr')}")
    position = str(round(indent * 20))
    ppr.find(qn("w:tabs")).find(qn("w:tab")).set(qn("w:pos"), position)
    ind = ppr.find(qn("w:ind"))
    ind.set(qn("w:left"), position)
    ind.set(qn("w:hanging"), str(round(LIST_INDENT * 20)))


def _table_properties(style):
    tbl_pr = style.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = schema.insert(style.element, parse_xml(f"<w:tblPr {nsdecls('w')}/>"))
    return tbl_pr


def _set_table_borders(style, borders: str, rule_above: bool) -> None:
    """Line the table as ``borders`` says; th, td { border-bottom: 0.5pt solid #999 } gives "rows"."""
    grid = 'w:val="single" w:sz="4" w:space="0" w:color="808080"'
    lined = {
        "grid": dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), grid),
        "rows": dict.fromkeys(("bottom", "insideH"), 'w:val="single" w:sz="4" w:space="0" w:color="999999"'),
        "none": {},
    }[borders]
    if rule_above:
        lined["top"] = f'w:val="single" w:sz="12" w:space="0" w:color="{DARK_BLUE}"'
    nil = 'w:val="nil"'
    edges = "".join(
        f"<w:{edge} {lined.get(edge, nil)}/>" for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    _put(_table_properties(style), "w:tblBorders", content=edges)


def _set_cell_margins(style, vertical: float, horizontal: float) -> None:
    """Pad every cell by ``vertical`` points above and below and ``horizontal`` points at the sides."""
    sides = {"top": vertical, "left": horizontal, "bottom": vertical, "right": horizontal}
    margins = "".join(f'<w:{side} w:w="{round(points * 20)}" w:type="dxa"/>' for side, points in sides.items())
    _put(_table_properties(style), "w:tblCellMar", content=margins)


def _set_fonts(rpr, name: str):
    """Name ``name`` for Latin text and return the w:rFonts; drop theme fonts, which would otherwise win.

    East Asian and complex-script text keeps the fonts of the document defaults.
    """
    fonts = rpr.get_or_add_rFonts()
    fonts.attrib.clear()
    for script in ("ascii", "hAnsi"):
        fonts.set(qn(f"w:{script}"), name)
    return fonts


def _find(document: docx.document.Document, name: str):
    wanted = name.lower()
    return next((style for style in document.styles if (style.name or "").lower() == wanted), None)


def _default_base(kind: str) -> str:
    return {"paragraph": "Normal", "character": "Default Paragraph Font", "table": "Normal Table"}[kind]


def _clear_core_properties(document: docx.document.Document) -> None:
    props = document.core_properties
    props.author = props.title = props.subject = props.keywords = props.comments = ""
    props.last_modified_by = ""
    props.revision = 1
    props.created = props.modified = FIXED_TIME


# Left in python-docx's default template by the Word that saved it: Word writes none of them
# for a new document. useFELayout forces the East Asian and complex-script layout even for
# text that has none, which Word does anyway where there is some; savePreviewPicture asks
# for the thumbnail that is not there; proofState says the template's spelling was checked;
# rsids number its editing sessions.
_LEFTOVER_SETTINGS = ("w:compat/w:useFELayout", "w:savePreviewPicture", "w:proofState", "w:rsids")
CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"


def _tidy_settings(document: docx.document.Document) -> None:
    settings = document.settings.element
    for path in _LEFTOVER_SETTINGS:
        for element in settings.findall("/".join(qn(tag) for tag in path.split("/"))):
            element.getparent().remove(element)


def _drop_leftover_parts(document: docx.document.Document) -> None:
    # customXml/item1.xml is an empty store of Word's bibliography sources (APA style), which
    # no document of briefgen cites from: its sources are its own annex.
    pythondocx.drop_parts(document, CUSTOM_XML)


def main(argv: list[str]) -> int:
    """Write the reference document to ``argv[0]`` or ``templates/reference.docx``."""
    target = Path(argv[0]) if argv else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(docx_bytes(build_reference()))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
