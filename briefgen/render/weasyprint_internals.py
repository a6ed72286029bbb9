"""Every use briefgen makes of WeasyPrint's and pydyf's non-public names, in this one module
(but for the reading of the laid-out boxes that the live preview draws, in
:mod:`briefgen.render.preview`, its assumptions tested in ``tests/test_preview.py``; for how
WeasyPrint is imported, before this module can import it, in
:mod:`briefgen.render.weasyprint_import`, tested in ``tests/test_weasyprint_import.py``; and for
the layout of a long document in two page runs side by side, in
:mod:`briefgen.render.weasyprint_runs`, tested in ``tests/test_weasyprint_runs.py``).

WeasyPrint's public API is what its root package offers (``HTML``, ``CSS``, ``Document``,
``Page``, ``URLFetcher``, ``DEFAULT_OPTIONS``); pydyf's is its data types. What this module
uses besides may change in any release of either (briefgen pins WeasyPrint 70 and pydyf 0.13):
``tests/test_weasyprint_internals.py`` states each assumption made here by name, with what
relies on it, so that an upgrade fails there, in one place, saying which assumption broke.

Importing this module changes nothing. :func:`install` patches WeasyPrint and pydyf, once; the
layout functions of :mod:`briefgen.render.pdf` call it before they lay anything out:

- **Tags.** PDF/UA asks for passages in another language (a name in Chinese, Tibetan or Uyghur)
  to carry their language; WeasyPrint 70 sets it only on the document. Its tag builder
  (``weasyprint.pdf.tags._build_box_tree``) is wrapped so that each structure element it makes
  for an element with ``lang`` gets its ``/Lang``, and the one of a ``data-per-recipient``
  element keeps the attribute's value (``briefgen_slot``, a Python attribute, not written to
  the PDF) for the composer below.
- **Marked changes.** An addendum's ``<ins>`` and ``<del>`` are underlined and struck through,
  which a screen reader does not say; WeasyPrint 70 tags them ``/NonStruct``. Each becomes a
  ``/Span`` whose ``/ActualText`` is its ``title`` ("inserted", "deleted"), a colon and its words:
  the words of that box only (a mark broken over two lines is one inline box a line, each
  holding the text boxes of its own words), so that a reader says each word once.
- **Header cells.** PDF/UA checkers ask each TH to say what it heads (``/Scope``); WeasyPrint
  70 gives it an ``/ID`` only, and lists those IDs in each TD's ``/Headers``, taking a TH for
  the header of a row when its ``scope`` is ``row`` and of a column otherwise. Each TH gets the
  ``/Scope`` that follows the same rule; a TH without ``scope`` is first given, on WeasyPrint's
  copy of the element, the one its place implies (a column's in ``<thead>`` or in a row of
  header cells only, a row's when first in its row), so that its ``/Scope`` and the TDs'
  ``/Headers`` agree.
- **Running headers and footers.** What the page's margin boxes show (the marking at top and
  bottom, "Page N of M") is pagination, not content: WeasyPrint 70 draws its text as ``/Span``
  marked content and makes structure elements for it that it leaves out of the structure tree
  (to be found from the parent tree only). Instead, the boxes of each margin box are noted,
  when the page is drawn (``weasyprint.document.draw_page``), as on its side of the page; their
  text and images are drawn as ``/Artifact`` marked content of ``/Type /Pagination``
  (``/Subtype /Header`` at the top, ``/Footer`` at the bottom, ``/Attached`` the edge), with
  no MCID; and the tag builder makes nothing of a margin box. (A link in a margin box would
  have no structure element; briefgen's templates put none there.)
- **Text as written.** A PDF reader finds a text's characters from its glyphs (the font's
  ToUnicode map) in the order of their places on the line; but a shaper puts a Tibetan vowel
  sign above its letter and a Devanagari short i before it, so that poppler gives ``ོབད`` for
  ``བོད``. The marked content of each text box with text in such a script
  (:data:`briefgen.text.SHAPED_SCRIPTS`) gets the box's text as its ``/ActualText``, in the
  property list WeasyPrint makes for its MCID (``Stream.marked``), which poppler and Acrobat
  read instead of the glyphs. Arabic script gets none: poppler reorders right-to-left text
  itself, an /ActualText of it too, and would reverse it.
- **Costs linear in the length of a document.** Two steps of WeasyPrint 70 look up, for every
  line or every tagged element, a list as long as the document: laying out each line looks
  for its boxes in the list of the footnotes not yet placed, which at first holds every
  footnote of the document; writing the PDF rebuilds the references to every page for each
  tagged element and link (``pydyf.PDF.page_references``), to pick one of them. In the
  briefing pack of a synthetic brief of 200 issues (226 pages, bench/synthetic.py) the first
  compared 60 million list items and the second made 5.8 million page references, four times
  as many as at 100 issues: a fifth of the CPU time of its layout and of its writing. Both
  lookups are given a constant cost, without changing what WeasyPrint lays out or writes.
- **Font files read when needed.** WeasyPrint 70 copies the whole file of each font it draws
  with when it first meets it (``Font.__init__``), though it then writes only the subset
  HarfBuzz makes from the font's face: a Noto CJK collection is 26 MB, a fiftieth of a second
  to copy for each document with a Chinese name. ``Font.file_content`` becomes a property that
  reads the file when something asks for it (a font written whole, or subset by fontTools).

Then :func:`html_of_tree`, a ``weasyprint.HTML`` of an element tree (WeasyPrint's own HTML
parser, written in Python, took an eighth of the layout of a batch of letters), and
:func:`compose`, which puts each recipient's letter together from the PDF objects WeasyPrint
built for one layout of the letter and of every recipient's parts
(:mod:`briefgen.render.mailmerge` explains the approach).

The composer gets those objects through the public hook ``Document.write_pdf(finisher=...)``,
which fills in the options of the PDF variant as for any PDF briefgen writes. ``write_pdf``
goes on to write the PDF once its finisher returns, but the composer never needs that file
(the letter and every recipient's parts: 35 ms for a batch of 86 letters, whose composing
takes 1.2 s), and writing it would change the objects the composer works on (pydyf adds the
information dictionary, an object stream and a cross-reference stream to them). So the
finisher stops ``write_pdf`` by raising once it holds the PDF. It does not see the options
either: the PDF version the composer writes in each letter's header is given to
``write_pdf`` explicitly, with the variant (:data:`LETTER_PDF`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil, log
from xml.etree import ElementTree

import cssselect2
import pydyf
import weasyprint
import weasyprint.document as weasyprint_document
import weasyprint.pdf.fonts as weasyprint_fonts
from weasyprint.formatting_structure import boxes as weasyprint_boxes
from weasyprint.layout import LayoutContext
from weasyprint.pdf import tags as weasyprint_tags
from weasyprint.pdf.stream import Stream as WeasyPrintStream

from briefgen.render import PDF_VARIANTS
from briefgen.render.mailmerge import HELD, PER_RECIPIENT, ComposedLetter, Fallback
from briefgen.text import shaped

#: The options of the PDF the letters are composed from: their variant (PDF/UA-1, as
#: ``pdf_bytes`` writes by default) and the version WeasyPrint writes that variant in.
LETTER_PDF = {"pdf_variant": PDF_VARIANTS[0], "pdf_version": "1.7"}
#: Operators that only set the graphics state (no drawing, no clipping): what a part's
#: drawing may take from the page around it.
_STATE_OPERATORS = (b" cm", b" gs", b" rg", b" RG", b" g", b" G", b" w")
_REFERENCE = re.compile(rb"(\d+) 0 R")
#: Layout positions are floats; parts this close in size (CSS px) are the same size.
_TOLERANCE = 0.01
#: The side of the page a margin box is on (the first word of its at-rule: ``@top-right``,
#: ``@bottom-left-corner``, ``@left-top``): the /Subtype and /Attached edge of its artifacts.
_PAGINATION = {"top": ("/Header", "/Top"), "bottom": ("/Footer", "/Bottom"),
               "left": (None, "/Left"), "right": (None, "/Right")}

_installed = False
#: The elements that mark a change, and what a screen reader says of one without a ``title``.
CHANGE_MARKS = {"ins": "inserted", "del": "deleted"}


def install() -> None:
    """Patch WeasyPrint's tag builder, page drawing, marked content (pagination artifacts and
    /ActualText), footnote lookups and font files, and pydyf's page references (see the
    module's docstring); idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    build_box_tree = weasyprint_tags._build_box_tree

    @functools.wraps(build_box_tree)
    def tagged(box, *args):
        if isinstance(box, weasyprint_boxes.MarginBox) or getattr(box, "briefgen_elsewhere", False):
            return  # a page another process drew has its structure from there (weasyprint_runs)
        source = getattr(getattr(box, "_box", box), "element", None)
        if source is not None and source.tag == "table":
            _imply_header_scopes(box)
        for element in build_box_tree(box, *args):
            language = source.get("lang") if source is not None and source.tag not in ("html", "body") else None
            if language and "Lang" not in element:
                element["Lang"] = pydyf.String(language)
            if source is not None and source.get(PER_RECIPIENT) is not None:
                element.briefgen_slot = source.get(PER_RECIPIENT)
            if element["S"] == "/TH":
                element["A"]["Scope"] = "/Row" if source.get("scope") == "row" else "/Column"
            if source is not None and source.tag in CHANGE_MARKS and element["S"] == "/NonStruct":
                element["S"] = "/Span"
                words = " ".join(box_text(box).split())
                element["ActualText"] = pydyf.String(f"{source.get('title') or CHANGE_MARKS[source.tag]}: {words}")
            yield element

    # The builder calls itself through the module's name, so the wrapper sees every box.
    weasyprint_tags._build_box_tree = tagged
    draw_page = weasyprint_document.draw_page

    @functools.wraps(draw_page)
    def draw_page_with_pagination(page_box, stream):
        _note_pagination(page_box)
        return draw_page(page_box, stream)

    # Page.paint calls draw_page through the name weasyprint.document imported it as.
    weasyprint_document.draw_page = draw_page_with_pagination
    marked = WeasyPrintStream.marked

    @functools.wraps(marked)
    def marked_or_pagination(stream, box, tag):
        side = getattr(box, "briefgen_pagination", None)
        if stream._tags is not None and side is None and isinstance(box, weasyprint_boxes.TextBox) and shaped(box.text):
            return _with_actual_text(stream, marked(stream, box, tag), box.text)
        if side is None or stream._tags is None:
            return marked(stream, box, tag)
        return _pagination_artifact(stream, side)

    WeasyPrintStream.marked = marked_or_pagination
    # LayoutContext assigns its footnotes (in __init__ and between passes); the property
    # turns each assigned list into a _FootnoteList.
    LayoutContext.footnotes = property(_footnotes, _set_footnotes)
    pydyf.PDF.page_references = property(_page_references)
    font_init = weasyprint_fonts.Font.__init__

    @functools.wraps(font_init)
    def font_file_unread(font, *args):
        read_file = weasyprint_fonts.get_hb_object_data
        weasyprint_fonts.get_hb_object_data = _unread
        try:
            font_init(font, *args)
        finally:
            weasyprint_fonts.get_hb_object_data = read_file

    weasyprint_fonts.Font.__init__ = font_file_unread
    weasyprint_fonts.Font.file_content = property(_file_content, _set_file_content)


#: What a font's file is until something reads it (see :func:`_file_content`).
_UNREAD = object()


def _unread(*_args) -> object:
    return _UNREAD


def _file_content(font) -> bytes:
    """A font's file, read when first asked for (see the module's docstring)."""
    if font.__dict__.get("_file_content", _UNREAD) is _UNREAD:
        font.__dict__["_file_content"] = weasyprint_fonts.get_hb_object_data(font.hb_face)
    return font.__dict__["_file_content"]


def _set_file_content(font, content) -> None:
    font.__dict__["_file_content"] = content


def box_text(box) -> str:
    """The text of the text boxes inside ``box`` (an inline box: its words on one line)."""
    box = getattr(box, "_box", box)
    if isinstance(box, weasyprint_boxes.TextBox):
        return box.text
    return "".join(box_text(child) for child in getattr(box, "children", ()))


def _note_pagination(page_box) -> None:
    """Note each box inside a margin box of the page as on that box's side of the page."""
    for margin_box in page_box.children:
        if isinstance(margin_box, weasyprint_boxes.MarginBox):
            side = margin_box.at_keyword.lstrip("@").split("-")[0]
            stack = list(margin_box.children)
            while stack:
                box = stack.pop()
                box.briefgen_pagination = side
                stack.extend(getattr(box, "children", ()))


@contextlib.contextmanager
def _pagination_artifact(stream, side: str):
    """Draw what the block draws as a pagination artifact of ``side`` of the page."""
    subtype, edge = _PAGINATION[side]
    properties = pydyf.Dictionary({"Type": "/Pagination", "Attached": pydyf.Array([edge])})
    if subtype:
        properties["Subtype"] = subtype
    stream.begin_marked_content("Artifact", properties)
    try:
        yield
    finally:
        stream.end_marked_content()


@contextlib.contextmanager
def _with_actual_text(stream, marked_content, text: str):
    """The text box's marked content (``marked_content``), its property list given the box's
    text as ``/ActualText``."""
    with marked_content:
        properties = next(item for item in reversed(stream.stream) if isinstance(item, pydyf.Dictionary))
        properties["ActualText"] = pydyf.String(text)
        yield


def _imply_header_scopes(table_box) -> None:
    """Give each ``th`` of a table that has no ``scope`` the one its place implies (see the
    module's docstring), on the element WeasyPrint laid out."""
    table = table_box.get_wrapped_table() if table_box.is_table_wrapper else table_box
    for group in getattr(table, "children", ()):
        for row in getattr(group, "children", ()):
            if row.element_tag != "tr":
                continue
            cells = [cell for cell in row.children if cell.element is not None]
            header_row = group.element_tag == "thead" or all(cell.element_tag == "th" for cell in cells)
            for index, cell in enumerate(cells):
                if cell.element_tag == "th" and cell.element.get("scope") is None:
                    cell.element.set("scope", "col" if header_row or index else "row")


class _FootnoteList(list):
    """A list of footnote boxes that also knows, in constant time, whether it holds a box.

    WeasyPrint only builds it, appends to it, removes from it, copies it and tests membership.
    """

    def __init__(self, boxes=()):
        super().__init__(boxes)
        self._counts = Counter(self)

    def append(self, box):
        """Add ``box`` at the end."""
        super().append(box)
        self._counts[box] += 1

    def remove(self, box):
        """Remove the first ``box``; ValueError if there is none."""
        super().remove(box)
        self._counts[box] -= 1

    def __contains__(self, box):
        return self._counts[box] > 0


def _footnotes(context):
    return context.__dict__["footnotes"]


def _set_footnotes(context, boxes):
    context.__dict__["footnotes"] = _FootnoteList(boxes)


def _page_references(pdf):
    # Pages are only ever appended to Kids (3 items each), so its length tells when to rebuild.
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_briefgen_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_briefgen_page_references"] = cached
    return cached[1]


def html_of_tree(root: ElementTree.Element, base_url: str, url_fetcher: weasyprint.URLFetcher) -> weasyprint.HTML:
    """The ``weasyprint.HTML`` of the document whose element tree is ``root`` (as WeasyPrint's
    HTML parser makes it: no namespaces), without parsing HTML."""
    html = weasyprint.HTML.__new__(weasyprint.HTML)
    html.base_url = base_url
    html.url_fetcher = url_fetcher
    html.media_type = "print"
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html


def compose(document: weasyprint.Document, labels: dict[int, list[str]],
            count: int) -> dict[int, ComposedLetter | Fallback]:
    """The PDF of each letter that ``labels`` names the parts of, put together from
    ``document`` (laid out by :func:`briefgen.render.mailmerge.compose_letters`: the letter,
    its ``count`` parts held, then every part once), or why it cannot be."""
    found: dict[str, list[tuple[int, object]]] = {}
    for page_index, page in enumerate(document.pages):
        for value, box in _part_boxes(page._page_box):
            found.setdefault(value, []).append((page_index, box))
    held = [found.pop(f"{HELD}-{number}", []) for number in range(count)]
    letter_pages = min((page_index for placed in found.values() for page_index, _ in placed),
                       default=len(document.pages))
    if any(len(placed) != 1 or placed[0][0] >= letter_pages for placed in held):
        return dict.fromkeys(labels, Fallback.HELD_SPLIT)
    pdf = generated_pdf(document, **LETTER_PDF)
    elements = {element.briefgen_slot: element for element in pdf.objects if hasattr(element, "briefgen_slot")}
    composer = _Composer(pdf, letter_pages, LETTER_PDF["pdf_version"].encode())
    for number, ((page_index, box),) in enumerate(held):
        if not composer.hold(elements[f"{HELD}-{number}"], page_index, box):
            return dict.fromkeys(labels, Fallback.HELD_DRAWN)
    parts: dict[str, _Part | Fallback] = {}
    # In the letters' order, not a set's (which follows the string hash seed): each part that
    # fits adds its stream to the PDF, so this order numbers the letters' objects.
    for label in dict.fromkeys(label for letter_labels in labels.values() for label in letter_labels):
        held_part = composer.held[int(label.partition("-")[0])]
        placed = found.get(label, [])
        parts[label] = Fallback.SIZE
        if len(placed) == 1:
            page_index, box = placed[0]
            if (abs(box.border_height() - held_part.box.border_height()) <= _TOLERANCE
                    and abs(box.border_width() - held_part.box.border_width()) <= _TOLERANCE):
                move = (held_part.box.border_box_x() - box.border_box_x(),
                        held_part.box.border_box_y() - box.border_box_y())
                parts[label] = composer.part(elements[label], page_index, move)
    composed: dict[int, ComposedLetter | Fallback] = {}
    for index, letter_labels in labels.items():
        letter_parts = [parts[label] for label in letter_labels]
        why = next((part for part in letter_parts if isinstance(part, Fallback)), None)
        composed[index] = composer.letter(letter_parts) if why is None else why
    return composed


class _Generated(Exception):
    """Raised by the finisher of ``write_pdf`` to stop it: the PDF is built, and not to be written."""

    def __init__(self, pdf: pydyf.PDF):
        super().__init__()
        self.pdf = pdf


def generated_pdf(document: weasyprint.Document, **options) -> pydyf.PDF:
    """The ``pydyf.PDF`` of ``document`` as WeasyPrint builds it to write it with ``options``
    (those of ``write_pdf``), not written."""

    def finisher(_document, pdf):
        raise _Generated(pdf)

    try:
        document.write_pdf(finisher=finisher, **options)
    except _Generated as generated:
        return generated.pdf
    raise AssertionError("Document.write_pdf did not call its finisher")


def _part_boxes(page_box) -> Iterator[tuple[str, object]]:
    """The boxes of ``data-per-recipient`` elements on a laid-out page, with the attribute's value."""
    stack = [page_box]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and box.element_tag == element.tag and element.get(PER_RECIPIENT) is not None:
            yield element.get(PER_RECIPIENT), box
        else:
            stack.extend(getattr(box, "children", ()))


def object_number(reference: bytes | str) -> int:
    """The number of the object ``reference`` (``b"12 0 R"``) refers to."""
    return int(reference.split()[0])


@dataclass
class _Held:
    """A part of the letter held in place, not drawn: where it is in the structure tree."""

    page: int
    parent: pydyf.Dictionary
    position: int
    box: object


@dataclass
class _Part:
    """A part as laid out among the others (one for all the letters that have the same), and
    how far to move it onto the letter."""

    element: pydyf.Dictionary
    drawing: list
    marked: list[bytes]
    renumbered: dict[int, int]
    subtree: list[pydyf.Dictionary]
    kids: list[list]
    move: tuple[float, float]
    stream: pydyf.Stream


class _Composer:
    """The PDF objects of the laid-out letter and parts, and each recipient's letter from them."""

    def __init__(self, pdf: pydyf.PDF, letter_pages: int, version: bytes):
        self.pdf = pdf
        self.objects = pdf.objects
        self.letter_pages = letter_pages
        self.version = version
        self.held: list[_Held] = []
        self._data: dict[int, tuple[bytes, tuple[int, ...]]] = {}
        page_references = pdf.page_references[:letter_pages]
        self.page_numbers = [object_number(reference) for reference in page_references]
        self.structure_root = self._object(pdf.catalog["StructTreeRoot"])
        self.parent_tree = self._object(self.structure_root["ParentTree"])
        pairs = list(zip(self.parent_tree["Nums"][::2], self.parent_tree["Nums"][1::2]))
        self.marked = {key: value for key, value in pairs if isinstance(value, pydyf.Array)}
        self.annotations = [(key, value) for key, value in pairs if not isinstance(value, pydyf.Array)]
        self.document_element = self._object(self.structure_root["K"][0])
        self.letter_elements = pydyf.Array(reference for reference in self.document_element["K"]
                                           if self._object(reference)["Pg"] in page_references)
        # The letter's page is drawn inside q ... Q, so that the parts start from the initial state.
        self.save_state, self.restore_state = pydyf.Stream([b"q"]), pydyf.Stream([b"Q"])
        pdf.add_object(self.save_state)
        pdf.add_object(self.restore_state)
        pdf.add_object(pdf.info)

    def _object(self, reference: bytes):
        return self.objects[object_number(reference)]

    def _subtree(self, element: pydyf.Dictionary) -> list[pydyf.Dictionary]:
        """``element`` and the structure elements under it."""
        elements, stack = [], [element]
        while stack:
            current = stack.pop()
            elements.append(current)
            stack.extend(kid for kid in (self._object(reference) for reference in current["K"]
                                         if isinstance(reference, bytes))
                         if kid.get("Type") == "/StructElem")
        return elements

    def hold(self, held: pydyf.Dictionary, page_index: int, box) -> bool:
        """Take a held part out of the letter: its empty marked content from the page, its
        elements from the page's list of marked content, whose numbers close up behind it.
        False if anything of it was drawn."""
        page = self.objects[self.page_numbers[page_index]]
        stream = self._object(page["Contents"])
        marked = self.marked[page_index]
        numbers = {element.number for element in self._subtree(held)}
        hidden = {mcid for mcid, reference in enumerate(marked) if object_number(reference) in numbers}
        kept = [mcid for mcid in range(len(marked)) if mcid not in hidden]
        renumbered = {old: new for new, old in enumerate(kept)}
        items, index = [], 0
        while index < len(stream.stream):
            item = stream.stream[index]
            if isinstance(item, pydyf.Dictionary) and "MCID" in item:
                if item["MCID"] in hidden:
                    if stream.stream[index + 1:index + 3] != [b"BDC", b"EMC"]:
                        return False
                    items.pop()  # the tag before the property list
                    index += 3
                    continue
                item["MCID"] = renumbered[item["MCID"]]
            items.append(item)
            index += 1
        stream.stream = items
        for number in {object_number(marked[mcid]) for mcid in kept}:
            element = self.objects[number]
            element["K"] = pydyf.Array(renumbered[kid] if isinstance(kid, int) else kid for kid in element["K"])
        self.marked[page_index] = pydyf.Array(marked[mcid] for mcid in kept)
        parent = self._object(held["P"])
        self.held.append(_Held(page_index, parent, parent["K"].index(held.reference), box))
        return True

    def part(self, element: pydyf.Dictionary, page_index: int, move: tuple[float, float]) -> _Part | Fallback:
        """A letter's part, laid out on page ``page_index`` among others, if its drawing can be
        taken out of the page's: a ``q ... Q`` group of its own (the stacking context of its
        block) holding all its marked content and no other, which takes from the groups around
        it nothing but graphics state."""
        page = self.objects[object_number(self.pdf.page_references[page_index])]
        items = self._object(page["Contents"]).stream
        subtree = self._subtree(element)
        numbers = {kid.number for kid in subtree}
        own = [mcid for mcid, reference in enumerate(self.marked[page_index]) if object_number(reference) in numbers]
        if "Annots" in page:
            return Fallback.ANNOTATED
        if not own:
            return Fallback.UNCUT
        marks = [index for index, item in enumerate(items) if isinstance(item, pydyf.Dictionary) and "MCID" in item]
        mine = [index for index in marks if items[index]["MCID"] in own]
        others = [index for index in marks if items[index]["MCID"] not in own]
        # The outermost group around all of the part's marked content and nothing else.
        opened, group = [], None
        for index, item in enumerate(items[:mine[-1] + 1]):
            if item == b"q":
                opened.append(index)
            elif item == b"Q":
                opened.pop()
        for start in opened:
            end = _group_end(items, start)
            if start < mine[0] and not any(start < other < end for other in others):
                group = (start, end)
                break
        if group is None:
            return Fallback.UNCUT
        state: list[list] = [[]]
        for item in items[:group[0]]:
            if item == b"q":
                state.append([])
            elif item == b"Q":
                state.pop()
            else:
                # What groups closed before drew is gone with them; what is still open must not draw.
                state[-1].append(item if isinstance(item, bytes) and item.endswith(_STATE_OPERATORS) else None)
        if any(item is None for level in state for item in level):
            return Fallback.UNCUT
        stream = pydyf.Stream(compress=True)
        self.pdf.add_object(stream)
        return _Part(element, [item for level in state for item in level] + items[group[0]:group[1] + 1],
                     [self.marked[page_index][mcid] for mcid in own], {mcid: rank for rank, mcid in enumerate(own)},
                     subtree, [list(kid["K"]) for kid in subtree], move, stream)

    def letter(self, parts: list[_Part]) -> ComposedLetter:
        """The PDF of the letter whose parts are ``parts`` (one per held part): the letter's
        pages, each part drawn on the page and in the place of the held one, and in the
        structure tree in the held one's place."""
        replaced: dict[int, pydyf.Object] = {}
        marked = {page_index: list(self.marked[page_index]) for page_index in range(self.letter_pages)}
        contents = {page_index: [self.save_state.reference, self.objects[number]["Contents"],
                                 self.restore_state.reference]
                    for page_index, number in enumerate(self.page_numbers)}
        own: set[int] = set()
        for held, part in zip(self.held, parts):
            page_number = self.page_numbers[held.page]
            renumbered = {old: len(marked[held.page]) + rank for old, rank in part.renumbered.items()}
            marked[held.page] += part.marked
            drawing = [pydyf.Dictionary({**item, "MCID": renumbered[item["MCID"]]})
                       if isinstance(item, pydyf.Dictionary) and "MCID" in item else item for item in part.drawing]
            # A part may be shared by several letters: its elements are set anew for each.
            for element, kids in zip(part.subtree, part.kids):
                element["Pg"] = f"{page_number} 0 R".encode()
                element["K"] = pydyf.Array(renumbered[kid] if isinstance(kid, int) else kid for kid in kids)
            part.element["P"] = held.parent.reference
            parent = replaced.setdefault(held.parent.number, _copy(held.parent, K=pydyf.Array(held.parent["K"])))
            parent["K"][held.position] = part.element.reference
            # Moved from its place among the parts to the held one's, on a page of the same size:
            # CSS pixels are 0.75 pt and the page's y axis points down.
            right, down = part.move
            part.stream.stream = [b"q", f"1 0 0 1 {right * 0.75:f} {-down * 0.75:f} cm".encode(), *drawing, b"Q"]
            contents[held.page].append(part.stream.reference)
            own |= {element.number for element in part.subtree} | {part.stream.number}
        for page_index, number in enumerate(self.page_numbers):
            if len(contents[page_index]) > 3:
                replaced[number] = _copy(self.objects[number], Contents=pydyf.Array(contents[page_index]))
        replaced.update({
            self.pdf.pages.number: _copy(self.pdf.pages, Count=self.letter_pages, Kids=pydyf.Array(
                part for number in self.page_numbers for part in (number, 0, "R"))),
            self.document_element.number: _copy(self.document_element, K=self.letter_elements),
            self.parent_tree.number: _copy(self.parent_tree, Nums=pydyf.Array(
                [part for page_index in range(self.letter_pages) for part in (page_index, pydyf.Array(
                    marked[page_index]))] + [part for pair in self.annotations for part in pair])),
            self.pdf.catalog.number: _without_destinations(self.pdf.catalog),
        })
        return ComposedLetter(self._write(replaced, own), self.letter_pages)

    def _write(self, replaced: dict[int, pydyf.Object], own: set[int]) -> bytes:
        """The PDF of the objects reachable from the catalogue and the information dictionary,
        ``replaced`` ones in place of the laid-out document's."""
        stack = [self.pdf.catalog.number, self.pdf.info.number]
        parts: dict[int, bytes] = {}
        while stack:
            number = stack.pop()
            if number in parts:
                continue
            if number in replaced or number in own:
                data, references = _serialised(replaced.get(number) or self.objects[number])
            else:
                if number not in self._data:
                    self._data[number] = _serialised(self.objects[number])
                data, references = self._data[number]
            parts[number] = data
            stack.extend(references)
        streams = {number for number in parts if isinstance(self.objects[number], pydyf.Stream)}
        return _write_pdf(parts, streams, self.pdf.catalog.number, self.pdf.info.number,
                          len(self.objects), self.version)


def _group_end(items: list, start: int) -> int:
    """The index of the ``Q`` that closes the ``q`` at ``start``."""
    depth = 0
    for index in range(start, len(items)):
        if items[index] == b"q":
            depth += 1
        elif items[index] == b"Q":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced q/Q in a content stream")


def _copy(dictionary: pydyf.Dictionary, **changes) -> pydyf.Dictionary:
    """A copy of a PDF dictionary with ``changes``, under the same object number."""
    copy = pydyf.Dictionary({**dictionary, **changes})
    copy.number = dictionary.number
    return copy


def _without_destinations(catalog: pydyf.Dictionary) -> pydyf.Dictionary:
    """The catalogue without named destinations (the page groups' markers, not the letter's)."""
    names = pydyf.Dictionary({key: value for key, value in catalog.get("Names", {}).items() if key != "Dests"})
    copy = _copy(catalog, Names=names)
    if not names:
        del copy["Names"]
    return copy


def _serialised(object_: pydyf.Object) -> tuple[bytes, tuple[int, ...]]:
    """An object's PDF data and the numbers of the objects it refers to (a stream: in its dictionary)."""
    data = object_.data
    head = pydyf.Dictionary(object_.extra).data if isinstance(object_, pydyf.Stream) else data
    return data, tuple(int(number) for number in _REFERENCE.findall(head))


def _write_pdf(parts: dict[int, bytes], streams: set[int], root: int, info: int, size: int,
               version: bytes) -> bytes:
    """A PDF file of ``parts`` (object number: data) as pydyf writes one: streams as objects of
    their own, the other objects in a compressed object stream, a cross-reference stream; the
    numbers not in ``parts`` free."""
    output = io.BytesIO()
    output.write(b"%PDF-" + version + b"\n%\xf0\x9f\x96\xa4\n")
    offsets: dict[int, int] = {}
    for number in sorted(streams):
        offsets[number] = output.tell()
        output.write(f"{number} 0 obj\n".encode() + parts[number] + b"\nendobj\n")
    packed = sorted(set(parts) - streams)
    positions, position = [], 0
    for number in packed:
        positions += [number, position]
        position += len(parts[number]) + 1
    header = " ".join(map(str, positions)).encode()
    object_stream, xref_number = size, size + 1
    offsets[object_stream] = output.tell()
    stream = pydyf.Stream([header, *(parts[number] for number in packed)],
                          {"Type": "/ObjStm", "N": len(packed), "First": len(header) + 1}, compress=True)
    output.write(f"{object_stream} 0 obj\n".encode() + stream.data + b"\nendobj\n")
    xref_position = output.tell()
    entries = {number: (2, object_stream, index) for index, number in enumerate(packed)}
    entries.update((number, (1, offset, 0)) for number, offset in offsets.items())
    entries[xref_number] = (1, xref_position, 0)
    entries[0] = (0, 0, 65535)
    widths = (1, ceil(log(xref_position + 1, 256)), ceil(log(max(len(packed), 65535) + 1, 256)))
    # Every number not written is a free entry: all zeros.
    row = sum(widths)
    table = bytearray(row * (xref_number + 1))
    for number, entry in entries.items():
        table[number * row:(number + 1) * row] = b"".join(
            value.to_bytes(width, "big") for width, value in zip(widths, entry))
    xref = pydyf.Stream([bytes(table)], {"Type": "/XRef", "Index": pydyf.Array((0, xref_number + 1)),
                                         "W": pydyf.Array(widths), "Size": xref_number + 1,
                                         "Root": f"{root} 0 R", "Info": f"{info} 0 R"}, compress=True)
    output.write(f"{xref_number} 0 obj\n".encode() + xref.data + b"\nendobj\n")
    output.write(f"startxref\n{xref_position}\n%%EOF\n".encode())
    return output.getvalue()
