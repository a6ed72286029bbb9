"""HTML → Word: build the .docx of a brief from the semantic HTML its template renders.

The same HTML becomes the PDF through WeasyPrint; here its small element subset is
mapped onto Word constructs, styled by a reference .docx:

* a CSS class names a Word style (``cover-meta`` → "Cover Meta"), which must exist
  in the reference document; the special classes ``page-break``, ``running-header``,
  ``running-footer``, ``toc``, ``cover`` and ``footnote`` ask for a Word construct
  instead, and the first other class of an element names its style;
* lists get real Word numbering, and every ``<ol>`` restarts at 1;
* links become hyperlinks, heading ids become bookmarks for ``href="#id"`` links;
* text in Chinese, Tibetan or Arabic script (Uyghur) gets runs of its own, with the font
  and language Word needs for that script; Arabic script reads right to left, and so
  does a paragraph written in nothing else;
* table columns share the page width by the length of their text, as a browser's
  automatic table layout shares it;
* ``span.footnote`` becomes a real Word footnote;
* ``nav.toc`` becomes a TOC field, whose cached entries can carry the PDF's page numbers;
* the ``running-header`` / ``running-footer`` containers fill the section's header and
  footer, and the footer ends with "Page N of M" fields; a document that opens with
  ``section.cover`` shows no page number on its first page.

The same HTML always gives the same bytes (:func:`docx_bytes`). Anything outside the
subset is a :class:`~briefgen.errors.BuildError`.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import docx
import docx.document
import lxml.html
from docx.blkcntnr import BlockItemContainer
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.table import CT_Tbl
from docx.parts.story import StoryPart
from docx.section import _Footer, _Header
from docx.shared import Emu
from docx.styles.style import BaseStyle, StyleFactory
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from briefgen.errors import BuildError, StyleMissingError
from briefgen.render.subset import BLOCKS, CONTAINERS, HTML_SUBSET, INLINE

PARAGRAPH, CHARACTER, TABLE = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE

_HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}

# Classes that ask for a Word construct rather than name a style.
_SPECIAL_CLASSES = frozenset({"page-break", "running-header", "running-footer", "toc", "cover", "footnote"})
_RUNNING = {"running-header": "header", "running-footer": "footer"}

_META_PROPERTIES = {"author": "author", "subject": "subject", "keywords": "keywords", "description": "comments"}
_META_DATES = {"dcterms.created": "created", "dcterms.modified": "modified"}
# WeasyPrint reads it for the PDF; Word has no counterpart.
_META_IGNORED = frozenset({"generator"})
_META_PAGE_LABEL = "briefgen:page-label"
_PAGE_FIELDS = {"{page}": " PAGE ", "{pages}": " NUMPAGES "}
# Word wants a language with its region. briefgen writes for Canadian readers, so a bare English
# or French means its Canadian variant; the Chinese, Tibetan and Uyghur of briefs on China are
# those of the People's Republic.
_LANGUAGE_REGIONS = {
    "en": "en-CA", "fr": "fr-CA", "zh": "zh-CN", "zh-hans": "zh-CN", "zh-hant": "zh-TW", "bo": "bo-CN", "ug": "ug-CN"
}
_LINK_SCHEMES = ("http:", "https:", "mailto:")
_KIND_NAMES = {PARAGRAPH: "paragraph", CHARACTER: "character", TABLE: "table", WD_STYLE_TYPE.LIST: "numbering"}
_STYLE_KINDS = {"paragraph": PARAGRAPH, "character": CHARACTER, "table": TABLE, "numbering": WD_STYLE_TYPE.LIST}
_ON = frozenset({"1", "true", "on"})  # the true values of an on/off attribute (ST_OnOff)
# Not \s: a no-break space must survive, as it does in a browser.
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_EMU_PER_PX = 9525  # 914400 EMU per inch at 96 px per inch
_MONOSPACE = "Noto Sans Mono"
_MONOSPACE_SLOTS = ("ascii", "hAnsi", "cs")


@dataclass(frozen=True)
class _Script:
    """How Word sets text in one script: its w:rFonts and w:lang attributes, and the language
    of its text when the element's ``lang`` names no language written in it."""

    characters: str  # a regular-expression character class, without its brackets
    font_slot: str
    font: str
    lang_slot: str
    languages: frozenset[str]  # primary language subtags
    default_language: str
    right_to_left: bool = False


# The scripts that Word sets with fonts and languages of their own; text in any other script
# (Latin above all) takes the style's font and the element's language as w:lang w:val.
_SCRIPTS = {
    "cjk": _Script(
        r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff\u3000-\u303f\uff00-\uffef",
        "eastAsia", "Noto Serif CJK SC", "eastAsia", frozenset({"zh"}), "zh-CN",
    ),
    "tibetan": _Script(r"\u0f00-\u0fff", "cs", "Noto Serif Tibetan", "bidi", frozenset({"bo"}), "bo-CN"),
    "arabic": _Script(
        r"\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff",
        "cs", "Noto Naskh Arabic", "bidi", frozenset({"ug", "ar", "fa", "ur"}), "ug-CN", right_to_left=True,
    ),
}
_ARABIC = "arabic"
_TRADITIONAL_CHINESE = re.compile(r"zh-(hant|tw|hk|mo)\b", re.IGNORECASE)
_TRADITIONAL_CHINESE_FONT = "Noto Serif CJK TC"
_ANY_SCRIPT = "".join(script.characters for script in _SCRIPTS.values())
_IN_A_SCRIPT = re.compile(f"[{_ANY_SCRIPT}]")
_LETTER = r"[^\W\d_]"
# A stretch of letters of one script. What lies between two stretches (spaces, punctuation,
# digits) belongs to no script.
_SCRIPT_STRETCH = re.compile(
    "|".join(f"(?P<{name}>[{script.characters}]+)" for name, script in _SCRIPTS.items())
    + f"|(?P<other>(?:(?![{_ANY_SCRIPT}]){_LETTER})+)"
)
_RIGHT_TO_LEFT = re.compile(f"[{_SCRIPTS[_ARABIC].characters}]")
_LEFT_TO_RIGHT_LETTER = re.compile(f"(?![{_SCRIPTS[_ARABIC].characters}]){_LETTER}")
# Column widths from text length: a page-wide table of the reference holds about 100
# characters of its 9.5pt text and a cell's padding takes two. Reckoning 90 and three
# leaves room for the wide letters (capitals, bold) of a column's longest word.
_TABLE_CHARACTERS = 90
_CELL_PADDING = 3
_TOC_INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '
# The w:settings children that the schema places after w:updateFields.
_AFTER_UPDATE_FIELDS = tuple(
    "w:hdrShapeDefaults w:footnotePr w:endnotePr w:compat w:docVars w:rsids m:mathPr w:attachedSchema "
    "w:themeFontLang w:clrSchemeMapping w:doNotIncludeSubdocsInStats w:doNotAutoCompressPictures "
    "w:forceUpgrade w:captions w:readModeInkLockDown w:smartTagType sl:schemaLibrary w:shapeDefaults "
    "w:doNotEmbedSmartTags w:decimalSymbol w:listSeparator".split()
)
_AFTER_FOOTNOTE_PR = _AFTER_UPDATE_FIELDS[_AFTER_UPDATE_FIELDS.index("w:footnotePr") + 1 :]
# The w:rPr children that the schema places after w:lang.
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
# Word's two built-in footnotes: the rule above the footnotes of a page, and the one above
# footnotes continued from the previous page.
_FOOTNOTES_XML = "<w:footnotes %s>%s</w:footnotes>" % (
    nsdecls("w", "r"),
    "".join(
        f'<w:footnote w:type="{kind}" w:id="{note_id}"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
        f'w:lineRule="auto"/></w:pPr><w:r><w:{kind}/></w:r></w:p></w:footnote>'
        for note_id, kind in ((-1, "separator"), (0, "continuationSeparator"))
    ),
)
_FOOTNOTE_PR_XML = f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CONTENT_TYPES = "[Content_Types].xml"


def html_to_docx(
    html: str, *, reference: Path, template_name: str, page_numbers: dict[str, int] | None = None,
    images: Callable[[str], Path | None] | None = None,
) -> docx.document.Document:
    """Build a Word document from briefgen's HTML subset, styled by the reference .docx.

    ``template_name`` names the template in error messages. ``page_numbers`` maps the
    anchor id of a table-of-contents entry (its ``href="#id"``) to that heading's page
    in the PDF; the entries it knows end with a tab and the number. ``images`` maps an
    ``img src`` to the file to embed, or to None to leave the image out (by default the
    src is a file path). The document's ``save`` writes :func:`docx_bytes`. Raises :class:`StyleMissingError` when the HTML
    needs a style ``reference`` lacks and :class:`BuildError` for HTML outside the subset.
    """
    try:
        document = docx.Document(str(reference))
    except (PackageNotFoundError, OSError) as exc:
        raise BuildError(f"{template_name}: cannot open the reference document {reference}: {exc}") from exc
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except etree.ParserError as exc:
        raise BuildError(f"{template_name}: the rendered HTML cannot be read: {exc}") from exc

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _Writer(document, reference=reference, template_name=template_name, page_numbers=page_numbers,
            images=images).write(root)
    return _ReproducibleDocument(document.element, document.part)


def write_docx(
    html: str, target: Path, *, reference: Path, template_name: str, page_numbers: dict[str, int] | None = None,
    images: Callable[[str], Path | None] | None = None,
) -> None:
    """Write the .docx for ``html`` to ``target``; see :func:`html_to_docx`."""
    document = html_to_docx(html, reference=reference, template_name=template_name, page_numbers=page_numbers,
                            images=images)
    try:
        target.write_bytes(docx_bytes(document))
    except OSError as exc:
        raise BuildError(f"cannot write {target}: {exc.strerror or exc}") from exc


def docx_bytes(document: docx.document.Document) -> bytes:
    """The .docx package of ``document``, as bytes that depend on its content alone.

    python-docx stamps each zip member with the time of saving; here every member is
    dated 1980-01-01 and compressed alike, in name order with ``[Content_Types].xml`` first.
    """
    saved = io.BytesIO()
    document.part.save(saved)  # not document.save, which calls back here for the documents of html_to_docx
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as target:
        for name in sorted(source.namelist(), key=lambda name: (name != _CONTENT_TYPES, name)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # else it records the operating system of the build
            target.writestr(info, source.read(name))
    return out.getvalue()


class _ReproducibleDocument(docx.document.Document):
    """A Word document whose :meth:`save` writes the same bytes for the same content."""

    def save(self, path_or_stream: str | os.PathLike[str] | IO[bytes]) -> None:
        data = docx_bytes(self)
        if isinstance(path_or_stream, (str, os.PathLike)):
            Path(path_or_stream).write_bytes(data)
        else:
            path_or_stream.write(data)


@dataclass(frozen=True, eq=False)
class _Link:
    """Where one ``<a>`` points; compared by identity so that two adjacent links stay apart."""

    url: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class _Format:
    """Character formatting inherited down the element tree."""

    bold: bool = False
    italic: bool = False
    monospace: bool = False
    superscript: bool = False
    subscript: bool = False
    style: BaseStyle | None = None
    lang: str | None = None
    link: _Link | None = None
    plain_links: bool = False  # TOC entries: linked, but not in the Hyperlink style


@dataclass(frozen=True)
class _Text:
    text: str
    fmt: _Format


@dataclass(frozen=True)
class _Break:
    fmt: _Format


@dataclass(frozen=True)
class _Picture:
    path: Path
    alt: str
    width: Emu | None
    height: Emu | None
    line: int
    fmt: _Format


@dataclass(frozen=True)
class _FootnoteMark:
    """A footnote's number: its call in the text (``note_id``), or its mark in the footnote (None)."""

    note_id: int | None
    fmt: _Format


_Inline = _Text | _Break | _Picture | _FootnoteMark


@dataclass
class _Story:
    """What the next paragraph of one story (body, header, footer or footnote) must carry."""

    page_break: bool = False
    bookmarks: list[str] = field(default_factory=list)
    footnotes: bool = True  # Word allows none in headers, footers and footnotes


@dataclass
class _ListItem:
    """One ``<li>``: its first paragraph is numbered, later ones continue it unnumbered."""

    style: BaseStyle
    continuation: str
    num_id: int
    level: int
    numbered: bool = False


@dataclass(frozen=True)
class _Context:
    """Where and how the content of the current element is laid out."""

    container: BlockItemContainer | _Footnote
    story: _Story
    style: BaseStyle  # paragraph style of content without a class of its own
    fmt: _Format = field(default_factory=_Format)
    list_depth: int = 0
    item: _ListItem | None = None


class _Body(BlockItemContainer):
    """The document's body, adding paragraphs and tables before its closing section properties.

    python-docx looks for those properties from the first paragraph on at every paragraph it
    adds, which made a long document take time in the square of its length.
    """

    def __init__(self, document: docx.document.Document):
        super().__init__(document.element.body, document)
        self._section_properties = document.element.body.find(qn("w:sectPr"))

    def _insert(self, element):
        if self._section_properties is None:
            self._element.append(element)
        else:
            self._section_properties.addprevious(element)
        return element

    def _add_paragraph(self) -> Paragraph:
        return Paragraph(self._insert(OxmlElement("w:p")), self)

    def add_table(self, rows: int, cols: int, width) -> Table:
        """A table of ``rows`` by ``cols`` as wide as ``width``, at the end of the body."""
        return Table(self._insert(CT_Tbl.new_tbl(rows, cols, width)), self)


class _Footnote:
    """One ``w:footnote`` as a container of paragraphs, which python-docx does not provide."""

    def __init__(self, element, part: StoryPart):
        self._element = element
        self.part = part

    def add_paragraph(self) -> Paragraph:
        p = OxmlElement("w:p")
        self._element.append(p)
        return Paragraph(p, self)


class _Flow:
    """Inline content waiting to become one paragraph; flushed when a block starts or ends."""

    def __init__(self, writer: _Writer, ctx: _Context):
        self._writer = writer
        self.ctx = ctx
        self._items: list[_Inline] = []

    def add(self, item: _Inline) -> None:
        self._items.append(item)

    def add_text(self, text: str | None, fmt: _Format) -> None:
        if text:
            self._items.append(_Text(text, fmt))

    def flush(self) -> None:
        items = _collapse_whitespace(self._items)
        self._items = []
        if items:
            self._writer.paragraph(self.ctx, items)


class _Writer:
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
        self._page_numbers = page_numbers or {}
        self._images = images
        self._page_label = "Page {page} of {pages}"
        # python-docx scans styles.xml on every style lookup and assignment; one pass here indexes it.
        self._styles: dict[str, tuple[object, WD_STYLE_TYPE]] = {}
        defaults: dict[WD_STYLE_TYPE, str] = {}
        for element in document.styles.element.iterchildren(qn("w:style")):
            kind = _STYLE_KINDS.get(element.get(qn("w:type")), PARAGRAPH)
            if element.get(qn("w:default")) in _ON:
                defaults[kind] = element.get(qn("w:styleId"))  # the last one wins, as in python-docx
            name = element.find(qn("w:name"))
            if name is not None and name.get(qn("w:val")):
                self._styles[name.get(qn("w:val")).lower()] = (element, kind)
        self._implicit = frozenset(defaults.values())
        self._running: dict[str, list[_Header | _Footer]] = {}
        self._footnotes: StoryPart | None = None
        self._footnote_count = 0
        self._bookmark_ids = 0
        # The writer adds no section: the body's text width is the reference document's.
        section = document.sections[-1]
        self._text_width = section.page_width - section.left_margin - section.right_margin

    def write(self, root: lxml.html.HtmlElement) -> None:
        self._clear_core_properties()
        if root.get("lang"):
            self._set_document_language(root.get("lang"))
        for child in _elements(root):
            if child.tag == "head":
                self._head(child)
            elif child.tag == "body":
                self.document.sections[-1].different_first_page_header_footer = _opens_with_cover(child)
                ctx = _Context(_Body(self.document), _Story(), self._builtin("Normal", PARAGRAPH, child))
                self._block(child, ctx)
            else:
                raise self._reject(child, root)
        self._finish_core_properties()
        self._add_page_number(self._running_parts("footer")[0])
        for parts in self._running.values():
            for part in parts:
                content = part.part.element
                if len(content) == 0 or content[-1].tag != qn("w:p"):
                    part.add_paragraph()  # Word requires a header or footer to end with a paragraph

    # -- head ---------------------------------------------------------------

    def _clear_core_properties(self) -> None:
        """Empty the metadata, so that none of the reference's (or python-docx's defaults) leaks into the output."""
        del self.document.core_properties._element[:]  # python-docx can set a property, not remove one

    def _finish_core_properties(self) -> None:
        props = self.document.core_properties
        props.revision = 1
        if props.author:
            props.last_modified_by = props.author
        if props.modified is None and props.created is not None:
            props.modified = props.created

    def _head(self, head: lxml.html.HtmlElement) -> None:
        props = self.document.core_properties
        for el in _elements(head):
            if el.tag == "title":
                props.title = _core_value(el.text_content())
            elif el.tag == "meta":
                self._meta(el)
            elif el.tag not in ("link", "style"):
                raise self._reject(el, head)

    def _meta(self, el: lxml.html.HtmlElement) -> None:
        name = el.get("name")
        if name is None and el.get("charset") is not None or name in _META_IGNORED:
            return
        content = el.get("content", "")
        described = f'<meta name="{name}">' if name is not None else "<meta>"
        where = f"{self.template_name}: {described} on HTML line {el.sourceline}"
        if name in _META_PROPERTIES:
            setattr(self.document.core_properties, _META_PROPERTIES[name], _core_value(content))
        elif name in _META_DATES:
            try:
                moment = datetime.fromisoformat(content.strip())
            except ValueError as exc:
                raise BuildError(f"{where}: {content!r} is not an ISO 8601 date") from exc
            # python-docx writes the value as UTC without converting it.
            moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            setattr(self.document.core_properties, _META_DATES[name], moment)
        elif name == _META_PAGE_LABEL:
            if "{page}" not in content:
                raise BuildError(f"{where}: {content!r} has no {{page}} for the page number")
            self._page_label = content
        else:
            raise BuildError(f"{where} is not in briefgen's HTML subset")

    def _set_document_language(self, lang: str) -> None:
        defaults = self.document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr")
        if not defaults:
            raise BuildError(
                f"{self.reference} has no default run properties (w:docDefaults); "
                "regenerate it with tools/make_reference_docx.py"
            )
        _set_lang(defaults[0], _word_language(lang))

    # -- blocks -------------------------------------------------------------

    def _block(self, el: lxml.html.HtmlElement, ctx: _Context) -> None:
        tag = el.tag
        if tag in CONTAINERS:
            self._container(el, ctx)
        elif tag in _HEADING_STYLES:
            self._flow(el, self._enter(el, ctx, self._paragraph_style(el, _HEADING_STYLES[tag])))
        elif tag == "p":
            self._flow(el, self._enter(el, ctx, self._paragraph_style(el, ctx.style)))
        elif tag == "blockquote":
            self._flow(el, self._enter(el, ctx, self._paragraph_style(el, "Quote")))
        elif tag in ("ul", "ol"):
            self._list(el, ctx)
        elif tag == "table":
            self._table(el, ctx)
        else:  # hr, the last of BLOCKS
            self._rule(el, ctx)

    def _container(self, el: lxml.html.HtmlElement, ctx: _Context) -> None:
        classes = _classes(el)
        if el.tag == "nav" and "toc" in classes:
            self._toc(el, ctx)
            return
        running = [_RUNNING[cls] for cls in classes if cls in _RUNNING]
        if not running:
            self._flow(el, self._enter(el, ctx, self._paragraph_style(el, ctx.style)))
            return
        for part in self._running_parts(running[0]):
            part_ctx = replace(ctx, container=part, story=_Story(footnotes=False), list_depth=0, item=None)
            self._flow(el, self._enter(el, part_ctx, self._paragraph_style(el, f"Running {running[0].title()}")))

    def _flow(
        self,
        el: lxml.html.HtmlElement,
        ctx: _Context,
        block: Callable[[lxml.html.HtmlElement, _Context], None] | None = None,
    ) -> None:
        """Lay out the children of ``el``: inline runs become paragraphs, blocks go to ``block``."""
        block = block or self._block
        flow = _Flow(self, ctx)
        flow.add_text(el.text, ctx.fmt)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag in BLOCKS:
                    flow.flush()
                    block(child, ctx)
                elif child.tag in INLINE:
                    self._inline(child, ctx.fmt, flow)
                else:
                    raise self._reject(child, el)
            flow.add_text(child.tail, ctx.fmt)
        flow.flush()

    def _enter(self, el: lxml.html.HtmlElement, ctx: _Context, style: BaseStyle) -> _Context:
        """Return the context for the content of ``el``, whose paragraphs default to ``style``.

        The page break and bookmark ``el`` asks for wait in the story for the next paragraph,
        which is the first one ``el`` produces.
        """
        if "page-break" in _classes(el):
            ctx.story.page_break = True
        if el.get("id"):
            ctx.story.bookmarks.append(el.get("id"))
        fmt = replace(ctx.fmt, lang=el.get("lang")) if el.get("lang") else ctx.fmt
        return replace(ctx, style=style, fmt=fmt)

    def paragraph(self, ctx: _Context, items: list[_Inline]) -> Paragraph:
        """Append a paragraph holding ``items`` to the context's container."""
        paragraph = ctx.container.add_paragraph()
        style = ctx.style
        item = ctx.item
        number = item is not None and not item.numbered
        if item is not None and not number and style == item.style:
            style = self._builtin(item.continuation, PARAGRAPH, "a list continuation paragraph")
        style_id = self._style_id(style)
        right_to_left = _right_to_left("".join(piece.text for piece in items if isinstance(piece, _Text)))
        if style_id is not None or ctx.story.page_break or number or right_to_left:
            # The children of w:pPr in schema order: pStyle, pageBreakBefore, numPr, bidi.
            ppr = paragraph._p.get_or_add_pPr()
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
            if right_to_left:
                etree.SubElement(ppr, qn("w:bidi"))
        self._emit(paragraph, items, right_to_left)
        if ctx.story.bookmarks:
            self._add_bookmarks(paragraph, ctx.story.bookmarks)
            ctx.story.bookmarks.clear()
        return paragraph

    def _rule(self, el: lxml.html.HtmlElement, ctx: _Context) -> None:
        ctx = self._enter(el, replace(ctx, item=None), self._paragraph_style(el, ctx.style))
        if "page-break" in _classes(el):
            return  # _enter queued the break for the next paragraph
        ppr = self.paragraph(ctx, [])._p.get_or_add_pPr()
        border = OxmlElement("w:pBdr")
        border.append(
            OxmlElement("w:bottom", {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1", qn("w:color"): "auto"})
        )
        # Safe to append: a fresh paragraph's pPr holds at most pStyle and pageBreakBefore, both before pBdr.
        ppr.append(border)

    def _running_parts(self, which: str) -> list[_Header | _Footer]:
        """The section's default ``which`` ("header" or "footer"), and its first-page one when it has a cover.

        They are emptied the first time they are asked for.
        """
        if which not in self._running:
            section = self.document.sections[-1]
            names = [which, f"first_page_{which}"] if section.different_first_page_header_footer else [which]
            parts = [getattr(section, name) for name in names]
            for part in parts:
                part.is_linked_to_previous = False
                del part.part.element[:]
            self._running[which] = parts
        return self._running[which]

    def _add_page_number(self, footer: _Footer) -> None:
        """Append "Page N of M", worded by the page-label meta, as PAGE and NUMPAGES fields."""
        paragraph = footer.add_paragraph()
        paragraph._p.get_or_add_pPr().style = self._style_id(self._builtin("Footer", PARAGRAPH, "the page number"))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for piece in re.split(r"(\{pages?\})", self._page_label):
            if piece in _PAGE_FIELDS:
                paragraph._p.extend([_field_char("begin"), _instruction(_PAGE_FIELDS[piece]), _field_char("separate")])
                paragraph.add_run("1")  # the cached result, until Word or LibreOffice lays out the pages
                paragraph._p.append(_field_char("end"))
            elif piece:
                paragraph.add_run(piece)

    # -- lists ----------------------------------------------------------------

    def _list(self, el: lxml.html.HtmlElement, ctx: _Context) -> None:
        depth = ctx.list_depth + 1
        suffix = "" if depth == 1 else f" {depth}"
        list_style = self._builtin(("List Number" if el.tag == "ol" else "List Bullet") + suffix, PARAGRAPH, el)
        num_id, level = self._numbering(list_style, el, restart=el.tag == "ol")
        ctx = replace(self._enter(el, ctx, self._paragraph_style(el, list_style)), list_depth=depth)
        for li in self._items(el):
            item_ctx = self._enter(li, ctx, self._paragraph_style(li, ctx.style))
            item = _ListItem(item_ctx.style, f"List Continue{suffix}", num_id, level)
            self._flow(li, replace(item_ctx, item=item))

    def _numbering(self, style: BaseStyle, el: lxml.html.HtmlElement, *, restart: bool) -> tuple[int, int]:
        """The (numId, ilvl) for a list in ``style``; a fresh numId restarting at 1 if ``restart``."""
        num_pr = _style_numbering(style)
        if num_pr is None or num_pr.numId is None:
            raise BuildError(
                f"Word style '{style.name}' (used for <{el.tag}> in {self.template_name}) has no list numbering "
                f"in {self.reference}; regenerate it with tools/make_reference_docx.py"
            )
        num_id = num_pr.numId.val
        level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        if not restart:
            return num_id, level
        numbering = self.document.part.numbering_part.element
        try:
            abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
        except KeyError as exc:
            raise BuildError(
                f"Word style '{style.name}' in {self.reference} uses list numbering {num_id}, "
                "which numbering.xml does not define"
            ) from exc
        num = numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=level).add_startOverride(1)
        return num.numId, level

    def _items(self, list_el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
        """The ``<li>`` children of a list; anything else in it is an error."""
        self._require_blank(list_el.text, list_el, list_el.sourceline)
        for child in list_el:
            if isinstance(child.tag, str):
                if child.tag != "li":
                    raise self._reject(child, list_el)
                yield child
            self._require_blank(child.tail, list_el, child.sourceline)

    # -- tables ---------------------------------------------------------------

    def _table(self, el: lxml.html.HtmlElement, ctx: _Context) -> None:
        ctx = replace(self._enter(el, ctx, ctx.style), list_depth=0, item=None)
        table_style = self._class_style(el, TABLE)
        if table_style is None:
            table_style = self._builtin("Table Grid", TABLE, el)
        shares = _column_shares([[(cell, self._colspan(cell)) for cell in _cells(tr)] for tr in _rows(el)])
        table: Table | None = None

        def add_row(tr: lxml.html.HtmlElement, row_ctx: _Context, header: bool) -> None:
            nonlocal table
            if table is None:
                if ctx.story.page_break:
                    # Word ignores pageBreakBefore inside a table, so the break needs a paragraph of its own.
                    self.paragraph(ctx, [])
                table = self._add_table(ctx.container, shares)
                table._tbl.tblStyle_val = self._style_id(table_style)
            self._row(table, tr, row_ctx, header)

        self._require_blank(el.text, el, el.sourceline)
        for child in _elements(el):
            if child.tag == "caption":
                self._flow(child, self._enter(child, ctx, self._paragraph_style(child, "Caption")))
            elif child.tag in ("thead", "tbody"):
                group_ctx = self._enter(child, ctx, self._paragraph_style(child, ctx.style))
                self._require_blank(child.text, child, child.sourceline)
                for tr in _elements(child):
                    if tr.tag != "tr":
                        raise self._reject(tr, child)
                    add_row(tr, group_ctx, child.tag == "thead")
                    self._require_blank(tr.tail, child, tr.sourceline)
            elif child.tag == "tr":
                add_row(child, ctx, False)
            else:
                raise self._reject(child, el)
            self._require_blank(child.tail, el, child.sourceline)

    def _add_table(self, container: BlockItemContainer, shares: list[float]) -> Table:
        """An empty table as wide as ``container``, its columns sharing the width by ``shares``."""
        width = container.width if isinstance(container, _Cell) else self._text_width
        if isinstance(container, _Body):
            table = container.add_table(0, len(shares), width)
        else:
            # Not _Cell.add_table: it appends an empty paragraph, which _cell adds only where Word needs one.
            table = BlockItemContainer.add_table(container, 0, len(shares), width)
        # Rows take their cells' widths from the grid as they are added.
        for grid_column, share in zip(table._tbl.tblGrid.gridCol_lst, shares):
            grid_column.w = Emu(round(width * share))
        return table

    def _row(self, table: Table, tr: lxml.html.HtmlElement, ctx: _Context, header: bool) -> None:
        row = table.add_row()
        if header:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        row_ctx = self._enter(tr, ctx, self._paragraph_style(tr, ctx.style))
        column = 0
        self._require_blank(tr.text, tr, tr.sourceline)
        for el in _elements(tr):
            if el.tag not in ("th", "td"):
                raise self._reject(el, tr)
            if el.get("rowspan", "1").strip() != "1":
                raise BuildError(
                    f"{self.template_name}: <{el.tag} rowspan> on HTML line {el.sourceline} is not supported "
                    "in .docx output; use colspan only"
                )
            span = self._colspan(el)
            cell = row.cells[column]
            if span > 1:
                cell = cell.merge(row.cells[column + span - 1])
            column += span
            self._cell(cell, el, row_ctx)
            self._require_blank(el.tail, tr, el.sourceline)

    def _colspan(self, cell: lxml.html.HtmlElement) -> int:
        value = cell.get("colspan", "1").strip()
        if not value.isdigit() or int(value) < 1:
            raise BuildError(
                f'{self.template_name}: <{cell.tag} colspan="{value}"> on HTML line {cell.sourceline}: '
                "colspan must be a whole number of at least 1"
            )
        return int(value)

    def _cell(self, cell: _Cell, el: lxml.html.HtmlElement, ctx: _Context) -> None:
        placeholder = cell.paragraphs[0]._p
        ctx = self._enter(el, replace(ctx, container=cell), self._paragraph_style(el, ctx.style))
        if el.tag == "th":
            ctx = replace(ctx, fmt=replace(ctx.fmt, bold=True))
        self._flow(el, ctx)
        tc = cell._tc
        blocks = [child for child in tc if child.tag in (qn("w:p"), qn("w:tbl"))]
        if len(blocks) > 1:
            tc.remove(placeholder)
        if blocks[-1].tag == qn("w:tbl"):
            cell.add_paragraph()  # Word requires a cell to end with a paragraph

    # -- table of contents ------------------------------------------------------

    def _toc(self, nav: lxml.html.HtmlElement, ctx: _Context) -> None:
        """``nav.toc``: its heading, then a TOC field whose cached result lists the nav's entries."""
        ctx = self._enter(nav, ctx, ctx.style)
        entry_ctx = replace(ctx, fmt=replace(ctx.fmt, plain_links=True), list_depth=0, item=None)
        first_entry: int | None = None
        self._require_blank(nav.text, nav, nav.sourceline)
        for child in _elements(nav):
            if child.tag == "h2":
                self._flow(child, self._enter(child, ctx, self._paragraph_style(child, "TOC Heading")))
            elif child.tag in ("ul", "ol"):
                if first_entry is None:
                    first_entry = len(ctx.container.paragraphs)
                self._toc_list(child, entry_ctx, 1)
            else:
                raise self._reject(child, nav)
            self._require_blank(child.tail, nav, child.sourceline)

        entries = ctx.container.paragraphs[first_entry:] if first_entry is not None else []
        if not entries:
            entries = [self.paragraph(replace(entry_ctx, style=self._builtin("TOC 1", PARAGRAPH, nav)), [])]
        _insert_after_properties(
            entries[0]._p, [_field_char("begin"), _instruction(_TOC_INSTRUCTION), _field_char("separate")]
        )
        for entry in entries:
            self._add_toc_page(entry)
        entries[-1]._p.append(_field_char("end"))
        self._update_fields_on_open()

    def _add_toc_page(self, entry: Paragraph) -> None:
        """End a TOC entry with a tab and the PDF page of its target, when ``page_numbers`` has it."""
        link = entry._p.find(qn("w:hyperlink"))
        page = self._page_numbers.get(link.get(qn("w:anchor"), "")) if link is not None else None
        if page is not None:
            run = OxmlElement("w:r")
            link.append(run)
            Run(run, entry).text = f"\t{page}"

    def _toc_list(self, list_el: lxml.html.HtmlElement, ctx: _Context, depth: int) -> None:
        ctx = self._enter(list_el, ctx, self._paragraph_style(list_el, f"TOC {depth}"))

        def nested(child: lxml.html.HtmlElement, item_ctx: _Context) -> None:
            if child.tag not in ("ul", "ol"):
                raise self._reject(child, child.getparent())
            self._toc_list(child, item_ctx, depth + 1)

        for li in self._items(list_el):
            self._flow(li, self._enter(li, ctx, self._paragraph_style(li, ctx.style)), block=nested)

    def _update_fields_on_open(self) -> None:
        settings = self.document.settings.element
        if settings.find(qn("w:updateFields")) is None:
            settings.insert_element_before(OxmlElement("w:updateFields", {qn("w:val"): "true"}), *_AFTER_UPDATE_FIELDS)

    # -- inline -----------------------------------------------------------------

    def _inline(self, el: lxml.html.HtmlElement, fmt: _Format, flow: _Flow) -> None:
        if el.tag == "br":
            flow.add(_Break(fmt))
            return
        if el.tag == "img":
            # An image the caller's ``images`` refuses is left out, as WeasyPrint leaves it out.
            if picture := self._picture(el, fmt):
                flow.add(picture)
        elif el.tag == "span" and "footnote" in _classes(el):
            flow.add(self._footnote(el, fmt, flow.ctx.story))
        else:
            self._inline_content(el, self._inline_format(el, fmt), flow)

    def _inline_content(self, el: lxml.html.HtmlElement, fmt: _Format, flow: _Flow) -> None:
        """Add the text and inline children of ``el`` to ``flow``."""
        flow.add_text(el.text, fmt)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag not in INLINE:
                    raise self._reject(child, el)
                self._inline(child, fmt, flow)
            flow.add_text(child.tail, fmt)

    def _inline_format(self, el: lxml.html.HtmlElement, fmt: _Format) -> _Format:
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
        style = self._class_style(el, CHARACTER)
        if tag == "a" and el.get("href") is not None:
            changes["link"] = self._link(el)
            if style is None and not fmt.plain_links:
                style = self._builtin("Hyperlink", CHARACTER, el)
        if style is not None:
            changes["style"] = style
        if el.get("lang"):
            changes["lang"] = el.get("lang")
        return replace(fmt, **changes)

    def _footnote(self, el: lxml.html.HtmlElement, fmt: _Format, story: _Story) -> _FootnoteMark:
        """Write the content of ``el`` as the next footnote; return the mark that calls it from the text."""
        if not story.footnotes:
            raise BuildError(
                f'{self.template_name}: <span class="footnote"> on HTML line {el.sourceline}: '
                "Word allows footnotes only in the body, not in headers, footers or other footnotes"
            )
        part = self._footnotes_part()
        self._footnote_count += 1
        note = OxmlElement("w:footnote", {qn("w:id"): str(self._footnote_count)})
        part.element.append(note)
        mark_fmt = _Format(style=self._builtin("Footnote Reference", CHARACTER, el))
        note_style = self._builtin("Footnote Text", PARAGRAPH, el)
        flow = _Flow(self, _Context(_Footnote(note, part), _Story(footnotes=False), note_style))
        flow.add(_FootnoteMark(None, mark_fmt))
        content_fmt = self._inline_format(el, _Format(lang=fmt.lang))
        flow.add_text(" ", content_fmt)
        self._inline_content(el, content_fmt, flow)
        flow.flush()
        return _FootnoteMark(self._footnote_count, mark_fmt)

    def _footnotes_part(self) -> StoryPart:
        """The footnotes part, made with its two separators on first use.

        It replaces any the reference has (Word gives every document one), so that the
        footnotes are exactly those of the HTML, numbered from 1.
        """
        if self._footnotes is None:
            document_part = self.document.part
            for rid, rel in list(document_part.rels.items()):
                if rel.reltype == RT.FOOTNOTES:
                    document_part.drop_rel(rid)
            self._footnotes = StoryPart(
                PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_FOOTNOTES_XML), document_part.package
            )
            document_part.relate_to(self._footnotes, RT.FOOTNOTES)
            settings = self.document.settings.element
            if settings.find(qn("w:footnotePr")) is None:
                settings.insert_element_before(parse_xml(_FOOTNOTE_PR_XML), *_AFTER_FOOTNOTE_PR)
        return self._footnotes

    def _link(self, el: lxml.html.HtmlElement) -> _Link:
        href = el.get("href").strip()
        if href.startswith("#") and len(href) > 1:
            return _Link(anchor=href[1:])
        if href.lower().startswith(_LINK_SCHEMES):
            return _Link(url=href)
        raise BuildError(
            f'{self.template_name}: <a href="{href}"> on HTML line {el.sourceline}: '
            "only http:, https:, mailto: and #id links can be written to .docx"
        )

    def _picture(self, el: lxml.html.HtmlElement, fmt: _Format) -> _Picture | None:
        where = f"{self.template_name}: <img> on HTML line {el.sourceline}"
        alt = el.get("alt")
        if alt is None:
            raise BuildError(f"{where} has no alt attribute; every image needs alt text")
        src = el.get("src", "").strip()
        if not src:
            raise BuildError(f"{where} has no src attribute")
        path = self._images(src) if self._images else Path(src)
        if path is None:
            return None
        if not path.is_file():
            raise BuildError(f"{where}: image file {src} does not exist")
        return _Picture(path, alt, self._pixels(el, "width"), self._pixels(el, "height"), el.sourceline, fmt)

    def _pixels(self, el: lxml.html.HtmlElement, attribute: str) -> Emu | None:
        value = el.get(attribute)
        if value is None:
            return None
        if not re.fullmatch(r"\d+(\.\d+)?", value.strip()):
            raise BuildError(
                f'{self.template_name}: <{el.tag} {attribute}="{value}"> on HTML line {el.sourceline}: '
                "give the size as a number of pixels"
            )
        return Emu(round(float(value) * _EMU_PER_PX))

    def _emit(self, paragraph: Paragraph, items: list[_Inline], right_to_left: bool) -> None:
        """Append the runs of ``items``; consecutive items from the same ``<a>`` share a w:hyperlink.

        Text gets a run per script; in a ``right_to_left`` paragraph, all of it is Arabic script.
        """
        link = hyperlink = None
        for item in items:
            fmt = item.fmt
            if fmt.link is None:
                parent, link = paragraph._p, None
            else:
                if fmt.link is not link:
                    link, hyperlink = fmt.link, self._hyperlink(paragraph, fmt.link)
                    paragraph._p.append(hyperlink)
                parent = hyperlink
            if isinstance(item, _Text):
                for script, text in [(_ARABIC, item.text)] if right_to_left else _script_runs(item.text):
                    t = etree.SubElement(self._run(parent, fmt, script), qn("w:t"))
                    t.text = text
                    if text != text.strip():
                        t.set(qn("xml:space"), "preserve")
                continue
            r = self._run(parent, fmt)
            if isinstance(item, _Break):
                etree.SubElement(r, qn("w:br"))
            elif isinstance(item, _FootnoteMark):
                if item.note_id is None:
                    etree.SubElement(r, qn("w:footnoteRef"))
                else:
                    etree.SubElement(r, qn("w:footnoteReference"), {qn("w:id"): str(item.note_id)})
            else:
                self._add_picture(Run(r, paragraph), item)

    def _run(self, parent, fmt: _Format, script: str = ""):
        """Append to ``parent`` a w:r with the properties of ``fmt``, for text in ``script`` (see _script_runs).

        Built with lxml in schema order: python-docx's setters each search the run's
        properties, and its style setter scans every style of the document.
        """
        r = etree.SubElement(parent, qn("w:r"))
        style_id = self._style_id(fmt.style) if fmt.style is not None else None
        fonts = dict.fromkeys(_MONOSPACE_SLOTS, _MONOSPACE) if fmt.monospace else {}
        lang = {"val": _word_language(fmt.lang)} if fmt.lang else {}
        complex_script = right_to_left = False
        if script:
            form = _SCRIPTS[script]
            language = form.default_language
            if fmt.lang and fmt.lang.split("-")[0].lower() in form.languages:
                language = _word_language(fmt.lang)
            traditional = form.font_slot == "eastAsia" and _TRADITIONAL_CHINESE.match(language)
            fonts[form.font_slot] = _TRADITIONAL_CHINESE_FONT if traditional else form.font
            lang = {form.lang_slot: language}
            complex_script, right_to_left = form.font_slot == "cs", form.right_to_left
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

    def _hyperlink(self, paragraph: Paragraph, link: _Link):
        element = OxmlElement("w:hyperlink")
        if link.anchor is not None:
            element.set(qn("w:anchor"), link.anchor)
        else:
            element.set(qn("r:id"), paragraph.part.relate_to(link.url, RT.HYPERLINK, is_external=True))
        return element

    def _add_picture(self, run: Run, picture: _Picture) -> None:
        try:
            shape = run.add_picture(str(picture.path), width=picture.width, height=picture.height)
        except UnrecognizedImageError as exc:
            raise BuildError(
                f"{self.template_name}: <img> on HTML line {picture.line}: "
                f"{picture.path} is not an image format Word can embed"
            ) from exc
        shape._inline.docPr.set("descr", picture.alt)

    def _add_bookmarks(self, paragraph: Paragraph, names: list[str]) -> None:
        """Wrap the paragraph's content in a bookmark per name (links point at ``#name``)."""
        starts = []
        for name in names:
            self._bookmark_ids += 1
            bookmark_id = str(self._bookmark_ids)
            starts.append(OxmlElement("w:bookmarkStart", {qn("w:id"): bookmark_id, qn("w:name"): name}))
            paragraph._p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): bookmark_id}))
        _insert_after_properties(paragraph._p, starts)

    # -- styles -------------------------------------------------------------------

    def _paragraph_style(self, el: lxml.html.HtmlElement, implied: str | BaseStyle) -> BaseStyle:
        """The paragraph style named by ``el``'s class, else ``implied`` (a style or a style name)."""
        style = self._class_style(el, PARAGRAPH)
        if style is not None:
            return style
        return self._builtin(implied, PARAGRAPH, el) if isinstance(implied, str) else implied

    def _class_style(self, el: lxml.html.HtmlElement, kind: WD_STYLE_TYPE) -> BaseStyle | None:
        """The style named by the first class of ``el`` that is not special, or None."""
        cls = next((cls for cls in _classes(el) if cls not in _SPECIAL_CLASSES), None)
        if cls is None:
            return None
        name = " ".join(word.capitalize() for word in re.split(r"[-_]+", cls) if word)
        return self._style(name, kind, f"<{el.tag}>", f"class '{cls}' in {self.template_name}")

    def _builtin(self, name: str, kind: WD_STYLE_TYPE, user: lxml.html.HtmlElement | str) -> BaseStyle:
        """The style ``name``, which ``user`` (an element, or what else needs it) calls for."""
        user = user if isinstance(user, str) else f"<{user.tag}>"
        return self._style(name, kind, user, f"used for {user} in {self.template_name}")

    def _style(self, name: str, kind: WD_STYLE_TYPE, user: str, origin: str) -> BaseStyle:
        element, style_kind = self._styles.get(name.lower(), (None, None))
        if element is None:
            raise StyleMissingError(
                f"Word style '{name}' ({origin}) is not defined in {self.reference}; add it to the reference document"
            )
        if style_kind != kind:
            raise StyleMissingError(
                f"Word style '{name}' ({origin}) is a {_KIND_NAMES.get(style_kind, str(style_kind))} style "
                f"in {self.reference}, but {user} needs a {_KIND_NAMES[kind]} style"
            )
        return StyleFactory(element)

    def _style_id(self, style: BaseStyle) -> str | None:
        """The id that applies ``style``; None for the default style of its kind, which applies by itself."""
        style_id = style.style_id
        return None if style_id in self._implicit else style_id

    # -- errors ---------------------------------------------------------------------

    def _reject(self, el: lxml.html.HtmlElement, parent: lxml.html.HtmlElement) -> BuildError:
        where = f"{self.template_name}: <{el.tag}> on HTML line {el.sourceline}"
        if el.tag not in HTML_SUBSET:
            return BuildError(f"{where} is not in briefgen's HTML subset")
        return BuildError(f"{where} is not allowed inside <{parent.tag}>")

    def _require_blank(self, text: str | None, parent: lxml.html.HtmlElement, line: int | None) -> None:
        if text and text.strip():
            raise BuildError(
                f"{self.template_name}: text {_collapse(text)[:40]!r} on HTML line {line} "
                f"is not allowed directly inside <{parent.tag}>"
            )


def _elements(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Child elements of ``el``, skipping comments and processing instructions."""
    return (child for child in el if isinstance(child.tag, str))


def _classes(el: lxml.html.HtmlElement) -> list[str]:
    return el.get("class", "").split()


def _opens_with_cover(body: lxml.html.HtmlElement) -> bool:
    """Whether the first page content of ``body`` (running headers and footers aside) is ``section.cover``."""
    content = (el for el in _elements(body) if not set(_classes(el)) & _RUNNING.keys())
    first = next(content, None)
    return first is not None and first.tag == "section" and "cover" in _classes(first)


def _rows(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr")


def _cells(tr: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [cell for cell in _elements(tr) if cell.tag in ("th", "td")]


def _column_shares(rows: list[list[tuple[lxml.html.HtmlElement, int]]]) -> list[float]:
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
                words = _collapse(cell.text_content()).split()
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


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip(" ")


def _core_value(text: str) -> str:
    # python-docx refuses core properties longer than 255 characters; metadata is not worth failing a build.
    text = _collapse(text)
    return text if len(text) <= 255 else text[:254] + "…"


def _collapse_whitespace(items: list[_Inline]) -> list[_Inline]:
    """Collapse white space as a browser lays out one block.

    Runs of white space become one space, also across element boundaries, and
    spaces at the start and end of each line (the block's edges and ``<br>``) go.
    Adjacent text with the same formatting is merged into one item.
    """
    out: list[_Inline] = []
    after_space = True
    for item in items:
        if isinstance(item, _Text):
            text = _WHITESPACE.sub(" ", item.text)
            if after_space:
                text = text.lstrip(" ")
            if not text:
                continue
            after_space = text.endswith(" ")
            previous = out[-1] if out else None
            if isinstance(previous, _Text) and previous.fmt == item.fmt:
                out[-1] = _Text(previous.text + text, item.fmt)
            else:
                out.append(_Text(text, item.fmt))
        else:
            if isinstance(item, _Break):
                _trim_line_end(out)
            out.append(item)
            after_space = isinstance(item, _Break)
    _trim_line_end(out)
    return out


def _trim_line_end(items: list[_Inline]) -> None:
    if items and isinstance(items[-1], _Text):
        text = items[-1].text.rstrip(" ")
        if text:
            items[-1] = _Text(text, items[-1].fmt)
        else:
            items.pop()


def _word_language(lang: str) -> str:
    """``lang`` as Word names a language: a bare language gets its region (en → en-CA, zh-Hant → zh-TW)."""
    return _LANGUAGE_REGIONS.get(lang.lower(), lang)


def _script_runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into (script, text) runs; the script is a key of _SCRIPTS, or "" for any other.

    Letters decide the script. Spaces, punctuation and digits between two letters of one
    script stay in its run; any others are in no script of their own (""), so that the
    parentheses around a Uyghur name in English read left to right.
    """
    if not _IN_A_SCRIPT.search(text):
        return [("", text)]
    runs: list[tuple[str, str]] = []

    def add(script: str, piece: str) -> None:
        if not piece:
            return
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + piece)
        else:
            runs.append((script, piece))

    before: str | None = None  # the script of the last letter
    end = 0
    for match in _SCRIPT_STRETCH.finditer(text):
        script = "" if match.lastgroup == "other" else match.lastgroup
        add(script if script == before else "", text[end : match.start()])
        add(script, match.group())
        before, end = script, match.end()
    add("", text[end:])
    return runs


def _right_to_left(text: str) -> bool:
    """Whether every letter of ``text`` is right to left (Arabic script), and it has some."""
    return _RIGHT_TO_LEFT.search(text) is not None and _LEFT_TO_RIGHT_LETTER.search(text) is None


def _set_lang(rpr, lang: str) -> None:
    element = rpr.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        rpr.insert_element_before(element, *_AFTER_LANG)
    element.set(qn("w:val"), lang)


def _style_numbering(style: BaseStyle):
    """The w:numPr of ``style`` or of the nearest style it is based on, or None."""
    while style is not None:
        ppr = style.element.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = style.base_style
    return None


def _insert_after_properties(p, elements: list) -> None:
    index = 1 if p.pPr is not None else 0
    for offset, element in enumerate(elements):
        p.insert(index + offset, element)


def _field_char(kind: str):
    r = OxmlElement("w:r")
    r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))
    return r


def _instruction(text: str):
    r = OxmlElement("w:r")
    instr = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    instr.text = text
    r.append(instr)
    return r
