"""Generate ``templates/reference.docx``, the style sheet of every .docx briefgen writes.

The document is built from python-docx's default template and saved with the
writer's :func:`~briefgen.render.docx.docx_bytes`, so running the script again gives
the same file byte for byte. Every Word style the HTML→DOCX writer can ask for is
listed in ``STYLES``; add a line there when a template gains a class.

Usage: ``python tools/make_reference_docx.py [OUTPUT]`` (default: templates/reference.docx).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt, RGBColor

from briefgen.render.docx import docx_bytes

OUTPUT = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"

SERIF = "Noto Serif"
SANS = "Noto Sans"
DARK_BLUE = "1F3864"
GREY = "595959"
LANGUAGE = "en-CA"
# A fixed timestamp keeps the output identical from one run to the next.
FIXED_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)


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
    align: str | None = None  # "left", "center", "right" or "justify"
    space_before: float | None = None  # points
    space_after: float | None = None  # points
    left_indent: float | None = None  # inches
    leader_tab: float | None = None  # inches from the margin: a right tab stop with a dot leader
    keep_with_next: bool | None = None
    shading: str | None = None  # RRGGBB paragraph background
    borders: bool | None = None  # table styles: single-line grid (True) or none (False)
    builtin: bool = False  # one of Word's own styles, which Word matches by name


# Every style the writer may use, built-in ones included. Names are spelled as
# Word spells them in styles.xml ("toc 1", not "TOC 1"); the writer matches them
# without regard to case.
STYLES: tuple[StyleSpec, ...] = (
    StyleSpec("Normal", font=SERIF, size=11, space_after=6),
    StyleSpec("Title", font=SANS, size=24, bold=True, color=DARK_BLUE, space_after=12),
    StyleSpec("Subtitle", font=SANS, size=14, italic=False, color=DARK_BLUE, space_after=12),
    StyleSpec("Heading 1", font=SANS, size=16, bold=True, color=DARK_BLUE, space_before=18, space_after=6),
    StyleSpec("Heading 2", font=SANS, size=13, bold=True, color=DARK_BLUE, space_before=12, space_after=4),
    StyleSpec("Heading 3", font=SANS, size=11.5, bold=True, color=DARK_BLUE, space_before=10, space_after=3),
    StyleSpec("Quote", italic=True, color="404040", left_indent=0.5),
    StyleSpec("Caption", font=SANS, size=9, bold=True, color=DARK_BLUE, space_after=3, keep_with_next=True),
    StyleSpec("List Bullet"),
    StyleSpec("List Bullet 2"),
    StyleSpec("List Bullet 3"),
    StyleSpec("List Number"),
    StyleSpec("List Number 2"),
    StyleSpec("List Number 3"),
    StyleSpec("List Continue"),
    StyleSpec("List Continue 2"),
    StyleSpec("List Continue 3"),
    StyleSpec("Table Grid", kind="table", borders=True),
    StyleSpec("Hyperlink", kind="character", color="0563C1", underline=True, builtin=True),
    StyleSpec("TOC Heading", based_on="Heading 1"),
    # The right tab before each entry's page number sits at the right margin.
    StyleSpec("toc 1", builtin=True, space_after=3, leader_tab=6.5),
    StyleSpec("toc 2", builtin=True, space_after=3, left_indent=0.25, leader_tab=6.5),
    StyleSpec("toc 3", builtin=True, space_after=3, left_indent=0.5, leader_tab=6.5),
    StyleSpec("Header", font=SANS, size=8),
    StyleSpec("Footer", font=SANS, size=8),
    StyleSpec("footnote text", builtin=True, size=8, space_after=0),
    StyleSpec("footnote reference", kind="character", builtin=True, superscript=True),
    StyleSpec("Marking", font=SANS, size=10, bold=True, caps=True, align="right", color="A50000"),
    StyleSpec("Cover Meta", kind="table", font=SANS, size=10, space_after=2, borders=False),
    StyleSpec("Note Meta", font=SANS, size=9, color=GREY, space_after=2),
    StyleSpec("Fact", font=SANS, size=10, shading="E8EDF5", space_before=6, space_after=6),
    StyleSpec("Source", size=9, italic=True, color=GREY),
    StyleSpec("Signatory", space_before=24, keep_with_next=True),
    StyleSpec("Running Header", based_on="Header", color=GREY),
    StyleSpec("Running Footer", based_on="Footer", color=GREY),
    StyleSpec("Small", size=9),
    StyleSpec("Source Ref", kind="character", size=8, color=GREY),
    StyleSpec("Priority", kind="character", bold=True, color="9C2A00"),
    StyleSpec("Native Name", kind="character", italic=True),
    # Classes the templates in templates/ use today.
    StyleSpec("Cover Kind", font=SANS, size=12, bold=True, caps=True, color=GREY, space_after=4),
    StyleSpec("Cover Visit", font=SANS, size=12, color=DARK_BLUE, space_after=12),
    StyleSpec("Context Line", font=SANS, size=9, color=GREY, space_after=6),
    StyleSpec("Question", bold=True, keep_with_next=True, space_before=6, space_after=2),
    StyleSpec("Letter"),
    StyleSpec("Addressee", space_after=0),
    StyleSpec("Letter Date", space_before=12, space_after=12),
    StyleSpec("Letter Subject", bold=True, space_after=12),
    StyleSpec("Closing", space_before=12),
    StyleSpec("Signed By", space_before=12, keep_with_next=True),
    StyleSpec("Leave Behind", size=9.5, space_after=3),
    StyleSpec("Issues In Brief", based_on="List Bullet"),
    StyleSpec("Overview", kind="table", font=SANS, size=9.5, space_after=0, borders=True),
    StyleSpec("Programme", kind="table", font=SANS, size=9.5, space_after=0, borders=True),
    StyleSpec("Asks", kind="table", font=SANS, size=9.5, space_after=0, borders=True),
)

_KINDS = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER, "table": WD_STYLE_TYPE.TABLE}
_ALIGNMENTS = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# The w:pPr children that the schema places after w:shd.
_AFTER_SHD = tuple(
    f"w:{tag}"
    for tag in (
        "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
        "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
        "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ).split()
)


def build_reference() -> docx.document.Document:
    """Return the reference document: page set-up, defaults and every style in ``STYLES``."""
    document = docx.Document()
    _set_up_page(document)
    _set_defaults(document)
    for spec in STYLES:
        _apply(document, spec)
    _clear_core_properties(document)
    return document


def _set_up_page(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.top_margin = section.bottom_margin = Inches(1)
    section.left_margin = section.right_margin = Inches(1)
    section.header_distance = section.footer_distance = Inches(0.5)


def _set_defaults(document: docx.document.Document) -> None:
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, SERIF)
    rpr.find(qn("w:lang")).set(qn("w:val"), LANGUAGE)


def _apply(document: docx.document.Document, spec: StyleSpec) -> None:
    style = _find(document, spec.name)
    if style is None:
        style = document.styles.add_style(spec.name, _KINDS[spec.kind], builtin=spec.builtin)
        style.hidden = False
        style.unhide_when_used = False
        style.quick_style = not spec.builtin and spec.kind != "table"
        style.base_style = _find(document, spec.based_on or _default_base(spec.kind))
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
    if spec.kind != "character":
        _apply_paragraph_format(style, spec)
    if spec.borders is not None:
        _set_table_borders(style, spec.borders)


def _apply_paragraph_format(style, spec: StyleSpec) -> None:
    fmt = style.paragraph_format
    if spec.align:
        fmt.alignment = _ALIGNMENTS[spec.align]
    if spec.space_before is not None:
        fmt.space_before = Pt(spec.space_before)
    if spec.space_after is not None:
        fmt.space_after = Pt(spec.space_after)
    if spec.left_indent is not None:
        fmt.left_indent = Inches(spec.left_indent)
    if spec.keep_with_next is not None:
        fmt.keep_with_next = spec.keep_with_next
    if spec.leader_tab is not None:
        fmt.tab_stops.add_tab_stop(Inches(spec.leader_tab), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    if spec.shading:
        style.element.get_or_add_pPr().insert_element_before(
            parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{spec.shading}"/>'),
            *_AFTER_SHD,
        )


def _set_table_borders(style, borders: bool) -> None:
    tbl_pr = style.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = parse_xml(f"<w:tblPr {nsdecls('w')}/>")
        style.element.append(tbl_pr)
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    line = 'w:val="single" w:sz="4" w:space="0" w:color="808080"' if borders else 'w:val="nil"'
    edges = "".join(f"<w:{edge} {line}/>" for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tbl_pr.insert_element_before(
        parse_xml(f"<w:tblBorders {nsdecls('w')}>{edges}</w:tblBorders>"),
        "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
    )


def _set_fonts(rpr, name: str) -> None:
    """Name ``name`` for every script, dropping theme fonts that would otherwise win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.get_or_add_rFonts()
    fonts.attrib.clear()
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), name)


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


def main(argv: list[str]) -> int:
    """Write the reference document to ``argv[0]`` or ``templates/reference.docx``."""
    target = Path(argv[0]) if argv else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(docx_bytes(build_reference()))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
