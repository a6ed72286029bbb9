"""A long document laid out as two page runs side by side, one here and one in a forked child,
and written as one PDF: the same pages, words and numbers as WeasyPrint's single layout.

Laying out is the slow part of a build and uses one core. A briefing pack is a run of parts
that each start on a page of their own (the contents, each issue's note, the annexes), so it
can be cut before one of them: this process lays out the pages before the cut, a child
forked before any layout lays out the rest, and each writes its own pages. Everything that
crosses the cut is handed over and checked:

- **The cut.** A child of ``<body>`` that starts a page (``break-before: page``), chosen so that
  this process lays out a little less than half of the text (it also puts the PDF together).
  There is none when the document is short (:data:`MIN_TEXT`), or when its pages depend on
  their side or their number (``@page :left``, ``:right``, ``:nth()``, a break to a left or a
  right page): then nothing is forked.
- **The child's start.** It lays out the first page itself (the running header and footer, and
  the page size CSS units refer to, are defined there), then starts the cut's page with page
  number :data:`_GUESS` in place of the one it cannot know. When this process reaches the cut,
  it sends the true page index and the page maker's state there; the child checks that the
  state it started from is that one but for the page number, and renumbers its pages. Anything
  else (a footnote carried over the cut, a float broken over it, a named string or a running
  element set on a page before it but the first, content that shows a page number after the
  cut, fixed boxes) and this process lays out the rest itself, as if it had never cut.
- **Page numbers across the cut.** The contents before the cut show the pages of headings after
  it (``target-counter()``): the child sends its anchors' page counters, given to WeasyPrint's
  target collector here as if laid out here, and WeasyPrint lays out again the pages whose
  content changed, as its own passes do; if that moves the cut, this process lays out the rest
  itself. Both sides then make their margin boxes ("Page N of M") knowing the total.
- **One PDF.** Each side writes a PDF of every page, the other side's as pages that only hold
  their anchors and bookmarks (so that each side's links, named destinations and outlines are
  whole); the pages after the cut then take the child's content streams, resources, annotations
  and structure elements, renumbered into this process's PDF. The child's font subsets stay
  objects of their own, under a subset tag of their own.

Every WeasyPrint and pydyf name used here that is not public is listed, with what relies on it,
in ``tests/test_weasyprint_runs.py`` (see :mod:`briefgen.render.weasyprint_internals` for the
others).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pydyf
import weasyprint
from weasyprint.css.counters import CounterStyle
from weasyprint.formatting_structure import boxes as weasyprint_boxes
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import get_html_metadata
from weasyprint.layout import initialize_page_maker, make_margin_boxes
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.block import block_level_page_break
from weasyprint.layout.page import remake_page
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration

from briefgen.render.weasyprint_internals import generated_pdf, install, object_number

#: Below this many characters of text a document is laid out in one process: forking and
#: putting two PDFs together would cost more than the half of the layout it saves.
MIN_TEXT = 15_000
#: The share of the text laid out in this process, which also puts the PDF together.
SHARE = 0.45
#: The page number the child's run starts from until it learns the true one: far from any
#: real one, so that a page it failed to renumber shows.
_GUESS = 1000
_SIDES = ("left", "right", "recto", "verso")
_REFERENCE = re.compile(rb"^(\d+) 0 R$")
_HEADER_ID = re.compile(r"^(\d+)(-\d+-\d+)$")


class RunsFailed(Exception):
    """The cut does not hold (see the module's docstring): the caller lays out the rest itself."""


# Laying out ----------------------------------------------------------------------------------

def prepared(html: weasyprint.HTML) -> tuple[Any, Any]:
    """The layout context and the box tree of ``html``, as ``HTML.render()`` makes them with no options."""
    install()
    options = dict(weasyprint.DEFAULT_OPTIONS)
    context = weasyprint.Document._build_layout_context(html, FontConfiguration(), CounterStyle(), {}, options)
    root_box = build_formatting_structure(
        html.etree_element, context.style_for, context.get_image_from_uri, html.base_url,
        context.target_collector, context.counter_style, context.footnotes)
    return context, root_box


def cut_index(context, root_box) -> int | None:
    """The index among ``<body>``'s children of the part the second run starts with, or None
    when the document is not to be cut."""
    for sheet, _origin, _specificity in context.style_for._sheets:
        for _rule, selectors, _declarations in sheet.page_rules:
            if any(selector.side or selector.index for _, _, selector in selectors):
                return None
    if len(root_box.children) != 1 or not isinstance(root_box.children[0], weasyprint_boxes.BlockBox):
        return None
    if any(box.style["break_before"] in _SIDES or box.style["break_after"] in _SIDES
           or box.style["string_set"] != "none" for box in root_box.descendants()):
        return None
    body = root_box.children[0]
    weights = [sum(len(box.text) for box in child.descendants() if isinstance(box, weasyprint_boxes.TextBox))
               for child in body.children]
    total = sum(weights)
    if total < MIN_TEXT:
        return None
    best, before = None, 0
    for index, child in enumerate(body.children):
        if (before and child.is_in_normal_flow()
                and block_level_page_break(body.children[index - 1], child) == "page"
                and 0.25 * total <= before <= 0.75 * total
                and (best is None or abs(before - SHARE * total) < best[0])):
            best = (abs(before - SHARE * total), index)
        before += weights[index]
    return best[1] if best else None


def _fresh_remake_state() -> dict:
    return {"content_changed": False, "pages_wanted": False, "anchors": [], "content_lookups": []}


@dataclass
class Run:
    """The pages one process lays out: from page index ``start`` to the cut or the end."""

    html: weasyprint.HTML
    context: Any
    root_box: Any
    start: int
    stop: dict | None
    pages: list = field(default_factory=list)
    #: Whether the run reached ``stop`` cleanly (no footnote or float carried over it).
    reached_stop: bool = False

    def paginate(self) -> None:
        """Lay out (again) the run's pages until nothing changes: WeasyPrint's ``layout_document``
        passes, over this run's pages only (the ``pages`` counter there is the run's end)."""
        context = self.context
        original_footnotes = context.footnotes.copy()
        total = self.start + len(self.pages)
        for loop in range(8):
            if loop > 0:
                context.footnotes = original_footnotes.copy()
            initial_total = total
            self.pages = list(self._make_pages())
            total = self.start + len(self.pages)
            reloop = False
            for *_, page_state, remake_state in context.page_maker[self.start:]:
                page_state[1]["pages"] = [total]
                reloop = reloop or remake_state["content_changed"] or (
                    remake_state["pages_wanted"] and initial_total != total)
            if not reloop:
                break

    def refresh_targets(self) -> None:
        """Have the run's content that shows the page of an anchor (its contents) made again,
        now that :meth:`take_anchors` told where the other run's anchors are."""
        for (_, css_token), item in self.context.target_collector.counter_lookup_items.items():
            index = item.page_maker_index
            if (css_token == "content" and item.missing_target_counters and index is not None
                    and self.start <= index < self.start + len(self.pages)):
                item.parse_again(item.cached_page_counter_values)
                self.context.page_maker[index][-1]["content_changed"] = True

    def _make_pages(self) -> Iterator[Any]:
        """WeasyPrint's ``make_all_pages``, from page ``start``, ending at ``stop`` too."""
        context, index, previous = self.context, self.start, self.pages
        context.rendered_notes = []
        while True:
            remake_state = context.page_maker[index][-1]
            if not previous or remake_state["content_changed"] or remake_state["pages_wanted"]:
                remake_state.update(_fresh_remake_state())
                page, resume_at = remake_page(index, context, self.root_box, self.html)
                reported = context.reported_footnotes
                yield page
            else:
                resume_at = context.page_maker[index + 1][0]
                reported = None
                yield previous[index - self.start]
            index += 1
            if resume_at is None or (resume_at == self.stop and self.stop is not None):
                if reported or (resume_at is not None and context.broken_out_of_flow):
                    self.reached_stop = False
                    if resume_at is not None:
                        continue  # WeasyPrint goes on too; the run then ends with the document
                self.reached_stop = resume_at is not None
                context.page_maker = context.page_maker[:index + 1]
                context.broken_out_of_flow.clear()
                context.reported_footnotes.clear()
                return

    def anchors(self) -> dict[str, tuple[int, dict]]:
        """Each anchor of the run's pages: its page index and the page counters there."""
        found = {}
        for index in range(self.start, self.start + len(self.pages)):
            counters = self.context.page_maker[index + 1][3][1]
            for anchor in self.context.page_maker[index][-1]["anchors"]:
                found[anchor] = (index, copy.deepcopy(counters))
        return found

    def take_anchors(self, anchors: dict[str, tuple[int, dict]]) -> None:
        """Tell WeasyPrint where the other run's anchors are, as if laid out here."""
        collector = self.context.target_collector
        for anchor, (index, counters) in anchors.items():
            collector.cache_target_page_counters(anchor, counters, index, self.context.page_maker)

    def page_dependent(self) -> bool:
        """Whether any content of the run (not its margin boxes) shows a page counter."""
        return any(child.missing_link for page in self.pages for child in page.descendants())

    def finish(self, total: int) -> list[weasyprint.Page]:
        """The run's pages with their margin boxes, the document having ``total`` pages: the end of
        WeasyPrint's ``layout_document``, over this run's pages only."""
        context = self.context
        for *_, page_state, _ in context.page_maker:
            if page_state is not None:
                page_state[1]["pages"] = [total]
        if any(page.fixed_boxes for page in self.pages):
            raise RunsFailed("fixed boxes repeat on every page")
        watched: dict[str, list] = {"": [], "::before": [], "::after": []}
        for index, page in enumerate(self.pages, start=self.start):
            counters = context.page_maker[index + 1][3][1]
            for child in page.descendants():
                if child.bookmark_label:
                    kind = next((end for end in ("::before", "::after") if child.element_tag.endswith(end)), "")
                    if child.element in watched[kind]:
                        child.bookmark_label = ""
                    else:
                        watched[kind].append(child.element)
                if child.missing_link:
                    for (box, css_token), item in context.target_collector.counter_lookup_items.items():
                        if child.missing_link == box and css_token != "content":
                            if css_token == "bookmark-label" and not child.bookmark_label:
                                continue
                            item.parse_again(counters)
                            if css_token == "bookmark-label":
                                child.bookmark_label = box.bookmark_label
                string_sets = child.string_set
                if string_sets and string_sets != "none":
                    for name, text in string_sets:
                        context.string_set[name][index + 1].append(text)
        finished = []
        for index, page in enumerate(self.pages, start=self.start):
            root, footnote_area, note_area = page.children
            context.current_page = index + 1
            children = [root] + [area for area in (footnote_area, note_area) if area.children]
            children.extend(make_margin_boxes(context, page, context.page_maker[index + 1][3]))
            page.children = tuple(children)
            layout_backgrounds(page, context.get_image_from_uri)
            finished.append(weasyprint.Page(page))
        return finished


def first_run(html: weasyprint.HTML, context, root_box, cut: int) -> Run:
    """The run before the cut, laid out from the first page."""
    initialize_page_maker(context, root_box)
    run = Run(html, context, root_box, 0, {0: {cut: None}})
    run.paginate()
    return run


def second_run(html: weasyprint.HTML, context, root_box, cut: int) -> Run:
    """The run from the cut to the end, its first page numbered :data:`_GUESS`, after the
    first page of the document laid out on its own (see the module's docstring)."""
    initialize_page_maker(context, root_box)
    context.rendered_notes = []
    remake_page(0, context, root_box, html)
    context.reported_footnotes.clear()
    context.broken_out_of_flow.clear()
    page_maker = context.page_maker
    _, _, right_page, page_state, _ = page_maker[1]
    state = copy.deepcopy(page_state)
    state[1]["page"] = [_GUESS]
    filler = (None, {"break": "any", "page": ""}, right_page, None, _fresh_remake_state())
    page_maker[2:] = [filler] * (_GUESS - 2)
    child = root_box.children[0].children[cut]
    page_maker.append(({0: {cut: None}}, {"break": "page", "page": child.style["page"]}, right_page, state,
                       _fresh_remake_state()))
    run = Run(html, context, root_box, _GUESS, None)
    run.paginate()
    return run


def _state_key(entry: tuple) -> tuple:
    """What of a page maker's entry a run's layout depends on, given a cut that
    :func:`cut_index` allowed: all but the page's side, the page counters and the remake state."""
    resume_at, next_page, _right_page, (quote_depth, counters, scopes, groups), _ = entry
    return resume_at, next_page, quote_depth, {name: value for name, value in counters.items()
                                               if name not in ("page", "pages")}, scopes, groups


def renumber(run: Run, start: int) -> None:
    """Move the child's run to start at page index ``start``, as the first run found it."""
    context, shift = run.context, start - run.start
    own = context.page_maker[run.start:]
    for entry in own:
        if entry[3] is not None and "page" in entry[3][1]:
            entry[3][1]["page"] = [entry[3][1]["page"][0] + shift]
    filler = (None, {"break": "any", "page": ""}, True, None, _fresh_remake_state())
    context.page_maker = context.page_maker[:2] + [filler] * (start - 2) + own
    for by_page in context.running_elements.values():
        for page_number in sorted((number for number in by_page if number > run.start), reverse=shift > 0):
            by_page[page_number + shift] = by_page.pop(page_number)
    run.start = start


# Writing ---------------------------------------------------------------------------------------

class Elsewhere:
    """A page laid out by the other process: its size, anchors and bookmarks, nothing drawn
    (it takes the other process's drawing when the PDFs are put together)."""

    briefgen_elsewhere = True

    def __init__(self, width: float, height: float, bleed: dict, anchors: dict, bookmarks: list):
        self.width, self.height, self.bleed = width, height, bleed
        self.anchors, self.bookmarks = anchors, bookmarks
        self.links: list = []
        self.forms: dict = {None: []}
        self._page_box = self

    def paint(self, stream, scale=1) -> None:
        """Draw nothing."""


def elsewhere(page: weasyprint.Page) -> Elsewhere:
    """What the other process needs of ``page`` to write its own pages' PDF."""
    return Elsewhere(page.width, page.height, dict(page.bleed), dict(page.anchors), list(page.bookmarks))


def document(html: weasyprint.HTML, context, pages: list) -> weasyprint.Document:
    """The ``weasyprint.Document`` of ``pages`` (laid out here, or :class:`Elsewhere`)."""
    return weasyprint.Document(pages, DocumentMetadata(**get_html_metadata(html)), html.url_fetcher,
                               context.font_config, {}, None)


@dataclass
class Drawn:
    """What the child's PDF holds of the pages it drew, to go into this process's PDF."""

    objects: dict[int, pydyf.Object]
    #: For each page drawn (in order): its object number there, its content stream, resources
    #: and annotations, and the structure elements of its marked content.
    pages: list[tuple[int, bytes, bytes, Any, Any]]
    #: The structure elements the pages' content belongs to, as the document element lists them.
    elements: list[bytes]
    #: The annotations' structure parents: (key, structure element) for each.
    annotations: list[tuple[int, bytes]]
    document_element: int


def drawn_part(pdf: pydyf.PDF, start: int) -> Drawn:
    """The part of ``pdf`` (written by the child: every page, those before ``start`` empty) that
    the pages from ``start`` on drew, with every object it reaches."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    parent_tree = _object(pdf, root["ParentTree"])
    document_element = _object(pdf, root["K"][0])
    pairs = list(zip(parent_tree["Nums"][::2], parent_tree["Nums"][1::2]))
    pages = []
    for index, reference in enumerate(pdf.page_references[start:], start=start):
        page = _object(pdf, reference)
        marked = dict(pairs)[index]
        pages.append((object_number(reference), page["Contents"], page["Resources"], page.get("Annots"), marked))
    page_numbers = {object_number(reference) for reference in pdf.page_references[start:]}
    elements = [kid for kid in document_element["K"] if object_number(_object(pdf, kid)["Pg"]) in page_numbers]
    annotation_keys = [(key, value) for key, value in pairs if key >= len(pdf.page_references)]
    kept = {object_number(reference) for reference in pdf.page_references} | {document_element.number}
    roots = [reference for _, contents, resources, annots, marked in pages
             for reference in (contents, resources, *(annots or ()), *marked)]
    roots += elements + [value for _, value in annotation_keys]
    objects: dict[int, pydyf.Object] = {}
    stack = [object_number(reference) for reference in roots]
    while stack:
        number = stack.pop()
        if number in objects or number in kept:
            continue
        found = pdf.objects[number]
        objects[number] = plain(found)
        stack.extend(_references(found))
    return Drawn(objects, pages, elements, annotation_keys, document_element.number)


def plain(found: pydyf.Object) -> pydyf.Object:
    """``found`` as pydyf's own types, which pickle (WeasyPrint's streams hold its fonts)."""
    if isinstance(found, pydyf.Stream) and type(found) is not pydyf.Stream:
        copied = pydyf.Stream(list(found.stream), found.extra, found.compress)
        copied.number = found.number
        return copied
    return found


def merge(pdf: pydyf.PDF, drawn: Drawn) -> None:
    """Put the child's pages (``drawn``) into ``pdf``, this process's PDF of the same pages, in
    place of its empty ones."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    parent_tree = _object(pdf, root["ParentTree"])
    document_element = _object(pdf, root["K"][0])
    mapping = {drawn.document_element: document_element.number}
    for (number, *_), reference in zip(drawn.pages, pdf.page_references[-len(drawn.pages):]):
        mapping[number] = object_number(reference)
    next_number = len(pdf.objects)
    for number in sorted(drawn.objects):
        mapping[number] = next_number
        next_number += 1
    for number in sorted(drawn.objects):
        copied = _renumbered(drawn.objects[number], mapping)
        pdf.add_object(copied)
        assert copied.number == mapping[number]
    pairs = list(zip(parent_tree["Nums"][::2], parent_tree["Nums"][1::2]))
    nums = dict(pairs)
    first = len(pdf.page_references) - len(drawn.pages)
    for index, (_, contents, resources, annots, marked) in enumerate(drawn.pages, start=first):
        page = _object(pdf, pdf.page_references[index])
        page["Contents"] = _renumbered(contents, mapping)
        page["Resources"] = _renumbered(resources, mapping)
        if annots:
            page["Annots"] = _renumbered(annots, mapping)
        nums[index] = _renumbered(marked, mapping)
    next_key = max(nums, default=-1) + 1
    keys = {}
    for key, value in drawn.annotations:
        keys[key] = next_key
        nums[next_key] = _renumbered(value, mapping)
        next_key += 1
    parent_tree["Nums"] = pydyf.Array(part for key in sorted(nums) for part in (key, nums[key]))
    document_element["K"] = pydyf.Array([*document_element["K"],
                                         *(_renumbered(kid, mapping) for kid in drawn.elements)])
    for kid in drawn.elements:
        pdf.objects[mapping[object_number(kid)]]["P"] = document_element.reference
    for number in sorted(drawn.objects):
        copied = pdf.objects[mapping[number]]
        if not isinstance(copied, pydyf.Dictionary):
            continue
        if "StructParent" in copied:  # an annotation
            copied["StructParent"] = keys[copied["StructParent"]]
        if copied.get("Type") == "/Font" and "DescendantFonts" in copied or copied.get("Subtype") == "/TrueType":
            _retag(pdf, copied)


def _retag(pdf: pydyf.PDF, font: pydyf.Dictionary) -> None:
    """Give the child's subset of a font a subset tag of its own: two subsets of one font
    differ, and a reader may take two fonts of one name for one."""
    def retagged(name: bytes | str) -> bytes:
        raw = name.encode() if isinstance(name, str) else name
        tag, plus, rest = raw.lstrip(b"/").partition(b"+")
        if not plus:
            return raw
        digest = hashlib.md5(tag + b" (second run)", usedforsecurity=False).digest()
        return b"/" + bytes(65 + byte % 26 for byte in digest[:6]) + b"+" + rest

    font["BaseFont"] = retagged(font["BaseFont"])
    for descendant in (_object(pdf, reference) for reference in font.get("DescendantFonts", ())):
        descendant["BaseFont"] = retagged(descendant["BaseFont"])
        if "FontDescriptor" in descendant:
            descriptor = _object(pdf, descendant["FontDescriptor"])
            descriptor["FontName"] = retagged(descriptor["FontName"])
    if "FontDescriptor" in font:
        descriptor = _object(pdf, font["FontDescriptor"])
        descriptor["FontName"] = retagged(descriptor["FontName"])


def _renumbered(value: Any, mapping: dict[int, int]) -> Any:
    """``value`` with each reference to an object of the child's PDF made to its number here;
    the IDs of header cells (``/ID``, ``/Headers``: WeasyPrint makes them of its table element's
    object number) too."""
    if isinstance(value, (bytes, str)):
        raw = value.encode() if isinstance(value, str) else value
        match = _REFERENCE.match(raw)
        return f"{mapping[int(match.group(1))]} 0 R".encode() if match else value
    if isinstance(value, pydyf.Stream):
        copied = pydyf.Stream(value.stream, _renumbered(value.extra, mapping), value.compress)
    elif isinstance(value, pydyf.Dictionary):
        copied = pydyf.Dictionary({key: _renumbered(item, mapping) for key, item in value.items()})
        for key in ("ID", "Headers"):
            if key in copied:
                copied[key] = _header_ids(copied[key], mapping)
    elif isinstance(value, pydyf.Array):
        copied = pydyf.Array(_renumbered(item, mapping) for item in value)
    elif isinstance(value, dict):
        return {key: _renumbered(item, mapping) for key, item in value.items()}
    else:
        return value
    if getattr(value, "number", None) is not None:
        copied.number = None  # numbered as it is added
    return copied


def _header_ids(value: Any, mapping: dict[int, int]) -> Any:
    if isinstance(value, pydyf.String):
        match = _HEADER_ID.match(str(value.string))
        if match and int(match.group(1)) in mapping:
            return pydyf.String(f"{mapping[int(match.group(1))]}{match.group(2)}")
        return value
    if isinstance(value, pydyf.Array):
        return pydyf.Array(_header_ids(item, mapping) for item in value)
    return value


def _references(found: pydyf.Object) -> Iterator[int]:
    """The numbers of the objects ``found`` refers to."""
    stack = [found.extra if isinstance(found, pydyf.Stream) else found]
    while stack:
        value = stack.pop()
        if isinstance(value, (bytes, str)):
            match = _REFERENCE.match(value.encode() if isinstance(value, str) else value)
            if match:
                yield int(match.group(1))
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)


def _object(pdf: pydyf.PDF, reference: bytes):
    return pdf.objects[object_number(reference)]


# The two processes ---------------------------------------------------------------------------

def _talked(action: Callable, *message: Any) -> Any:
    """``action(*message)`` (the talk's ``send`` or ``receive``); :class:`RunsFailed` if the
    child has failed or ended."""
    try:
        return action(*message)
    except Exception as error:  # noqa: BLE001 (whatever stopped the child, this process goes on alone)
        raise RunsFailed(f"the child failed: {error}") from error


@dataclass
class RunsLayout:
    """A document laid out in two runs: its pages (the child's as :class:`Elsewhere`), and what
    writing its PDF needs. ``write_pdf`` as ``weasyprint.Document``'s, for :func:`briefgen.render.pdf.pdf_bytes`."""

    html: weasyprint.HTML
    context: Any
    own: list[weasyprint.Page]
    others: list[Elsewhere]
    talk: Any
    variant: str
    #: This process's confinement: the files the child read and refused go into it too.
    confinement: Any
    #: Makes the document's ``weasyprint.HTML`` again, to lay it out here if the child fails.
    make_html: Callable[[], weasyprint.HTML]
    failed: bool = False

    def after_result(self) -> Any:
        """What the child's ``after`` returned (see :func:`laid_out_in_runs`), once the PDF is
        written: waits for it. None if the child failed (the caller does without)."""
        if self.failed:
            return None
        try:
            return self.talk.result()
        except Exception:  # noqa: BLE001 (as in _talked)
            return None

    @property
    def pages(self) -> list:
        """Every page: this process's, then the child's stand-ins."""
        return self.own + self.others

    def write_pdf(self, pdf_variant: str) -> bytes:
        """The PDF of the whole document (the child's pages drawn by the child; all of them
        here, laid out again, if the child fails)."""
        if pdf_variant != self.variant:
            raise ValueError(f"laid out for {self.variant}, asked for {pdf_variant}")
        pdf = generated_pdf(document(self.html, self.context, self.pages), pdf_variant=self.variant)
        try:
            drawn = _talked(self.talk.receive)
            read, refused = _talked(self.talk.receive)
        except RunsFailed:
            self.talk.stop()
            self.failed = True
            return self.make_html().write_pdf(pdf_variant=pdf_variant)
        merge(pdf, drawn)
        self.confinement.read += read
        self.confinement.refused += refused
        return written(pdf, self.variant)


def child(job: tuple[Callable[[], weasyprint.HTML], str, Callable[[dict[str, int]], Any] | None],
          channel: Connection) -> Any:
    """The child's side of :func:`laid_out_in_runs`: lay out the second run, trade what
    crosses the cut with the parent, draw its pages and send them with the files its
    confinement read and refused; then returns what ``after`` returns."""
    make_html, variant, after = job
    html = make_html()
    context, root_box = prepared(html)
    cut = cut_index(context, root_box)
    if cut is None:
        return None
    run = second_run(html, context, root_box, cut)
    start, first_key, first_pages = channel.recv()
    if (start is None or _state_key(context.page_maker[_GUESS]) != first_key or run.page_dependent()
            or not run.pages):
        channel.send(None)
        return None
    renumber(run, start)
    channel.send((len(run.pages), run.anchors()))
    total = channel.recv()
    if total is None:
        return None
    pages = run.finish(total)
    channel.send([elsewhere(page) for page in pages])
    pdf = generated_pdf(document(html, context, first_pages + pages), pdf_variant=variant)
    confinement = html.url_fetcher.confinement
    # The parent takes the drawn pages once it has drawn its own, and the channel holds less
    # than they weigh: they go from a thread while ``after`` works, with the files read so far
    # (copies: ``after`` reads through the same confinement and reports its own).
    messages = [drawn_part(pdf, start), (list(confinement.read), list(confinement.refused))]
    sending = threading.Thread(target=_send_all, args=(channel, messages))
    sending.start()
    try:
        page_numbers = {anchor: number for number, page in enumerate(first_pages + pages, start=1)
                        for anchor in page.anchors}
        return after(page_numbers) if after else None
    finally:
        sending.join()


def _send_all(channel: Connection, messages: list) -> None:
    with contextlib.suppress(OSError):  # the parent went on without this child: nothing to tell it
        for message in messages:
            channel.send(message)


def laid_out_in_runs(make_html: Callable[[], weasyprint.HTML], variant: str, talking: Callable, confinement: Any,
                     after: Callable[[dict[str, int]], Any] | None = None) -> RunsLayout | weasyprint.Document:
    """``make_html()`` laid out, in two runs side by side when it cuts (a :class:`RunsLayout`, to
    be written in ``variant``), else in this process alone (a ``weasyprint.Document``, as
    ``render()`` makes it). ``talking`` starts the child (:func:`briefgen.workers.in_child_talking`),
    before anything is laid out here; the files it reads through its copy of ``confinement``
    (``make_html``'s) go into this one. Once the child has drawn its pages it calls ``after``
    with every anchor's page number, on a core this process's writing leaves free; its result is
    :meth:`RunsLayout.after_result`."""
    talk = talking(child, (make_html, variant, after))
    html = make_html()
    context, root_box = prepared(html)
    cut = cut_index(context, root_box) if talk is not None else None
    if cut is None:
        if talk is not None:
            talk.stop()
        return _whole(html, context, root_box)
    try:
        return _first_side(html, talk, context, root_box, cut, variant, confinement, make_html)
    except RunsFailed:
        talk.stop()
        return make_html().render()


def _whole(html: weasyprint.HTML, context, root_box) -> weasyprint.Document:
    """The document laid out here from ``context`` and ``root_box``, as ``Document._render`` does."""
    from weasyprint.layout import layout_document

    pages = [weasyprint.Page(page) for page in layout_document(html, root_box, context)]
    laid_out = document(html, context, pages)
    laid_out._html = html
    return laid_out


def _first_side(html: weasyprint.HTML, talk: Any, context, root_box, cut: int, variant: str,
                confinement: Any, make_html: Callable[[], weasyprint.HTML]) -> RunsLayout:
    """This process's side of :func:`child`. Raises :class:`RunsFailed` when the cut does not hold."""
    run = first_run(html, context, root_box, cut)
    if not run.reached_stop:
        _talked(talk.send, (None, None, None))
        raise RunsFailed("the first run did not end at the cut")
    start = len(run.pages)
    if any(number > 1 for by_page in context.running_elements.values() for number, found in by_page.items() if found):
        _talked(talk.send, (None, None, None))
        raise RunsFailed("a running element is set after the first page")
    key = _state_key(context.page_maker[start])
    _talked(talk.send, (start, key, [elsewhere(weasyprint.Page(page)) for page in run.pages]))
    answer = _talked(talk.receive)
    if answer is None:
        raise RunsFailed("the child's run does not start where this one ends")
    count, anchors = answer
    run.take_anchors(anchors)
    run.refresh_targets()
    run.paginate()
    moved = not run.reached_stop or len(run.pages) != start or _state_key(context.page_maker[start]) != key
    if moved or any(state["pages_wanted"] for *_, state in context.page_maker[:start]):
        _talked(talk.send, None)
        raise RunsFailed("the first run moved the cut, or shows the page count in its content")
    total = start + count
    _talked(talk.send, total)
    own = run.finish(total)
    return RunsLayout(html, context, own, _talked(talk.receive), talk, variant, confinement, make_html)


def written(pdf: pydyf.PDF, variant: str) -> bytes:
    """``pdf`` written as ``Document.write_pdf`` writes it in ``variant``."""
    options = dict(weasyprint.DEFAULT_OPTIONS, pdf_variant=variant)
    _, properties = weasyprint.pdf.VARIANTS[variant]
    version = options["pdf_version"] or properties.get("pdf_version")
    output = io.BytesIO()
    pdf.write(output, version, options["pdf_identifier"], not options["uncompressed_pdf"])
    return output.getvalue()
