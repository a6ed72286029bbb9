"""Many personalised copies of one letter, laid out together: the PDF side of ``briefgen letters``.

Two ways, the second much faster, the first for what the second cannot take:

- :func:`combined_html` puts whole letters one after another in one document (each a page
  group of its own, numbered from 1), which WeasyPrint lays out once and the caller splits
  with ``Document.copy``: the set-up of a document is shared, the layout of each letter is not.
- :func:`compose_letters` lays out the letter ONCE. A letter to each of 343 MPs is the same
  letter but for its parts marked ``data-per-recipient`` in the template: the addressee
  block and the salutation. The letter is laid out with one recipient's parts holding their
  place without being drawn (``visibility: hidden``), and after it, on pages of their own,
  every recipient's parts (a part many share, such as the salutation, once), each block in a
  stacking context of its own (so that its drawing is a ``q ... Q`` group of the page's
  content that can be cut out). WeasyPrint makes one
  tagged PDF of it all, its fonts subset once. Each recipient's PDF is then put together from
  the objects of that PDF: the letter's pages, drawing also that recipient's parts (their
  drawing moved onto the held parts' places), whose structure elements take the held ones'
  places in the structure tree: the words, their places, the tagged reading order and the
  bookmarks are those of the letter laid out alone (``tests/test_mailmerge.py``). A part
  laid out otherwise than the held one (a name that wraps onto a second line, an address of
  fewer lines) does not fit in its place: that recipient is left to the first way.

Profiled before this was written (``bench/letters.py``): a two-page letter costs ~75 ms of
layout and ~35 ms of drawing and PDF writing in WeasyPrint; a recipient's parts cost ~7 ms of
layout and ~2 ms of drawing, and composing their PDF ~2 ms. No library does the composing:
WeasyPrint writes whole documents, and PDF libraries (pikepdf, pypdf) copy pages but neither
merges two pages' structure trees; nor would parsing back the PDF that WeasyPrint has just
built in memory be cheaper than the layout it saves. So the PDF objects are taken as
WeasyPrint built them (pydyf objects) and written out for each recipient by
:func:`_write_pdf`, in pydyf's own format.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil, log

import pydyf
from lxml import html as lxml_html
from weasyprint import DEFAULT_OPTIONS
from weasyprint.pdf import VARIANTS, generate_pdf

from briefgen.render import PDF_VARIANTS
from briefgen.render.html import css_page_counter
from briefgen.render.pdf import PER_RECIPIENT, layout_tree
from briefgen.render.resources import Confinement

#: The named page of the pages that hold the letters' parts, after the letter.
PARTS_PAGE = "briefgen-parts"
#: CSS page-margin boxes, all emptied on the parts' pages: only the parts are drawn there.
MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "right-top",
                "right-middle", "right-bottom", "bottom-right-corner", "bottom-right", "bottom-center",
                "bottom-left", "bottom-left-corner", "left-bottom", "left-middle", "left-top")
HELD = "held"
PARTS_CSS = f"""
[{PER_RECIPIENT}^="{HELD}-"] {{ visibility: hidden; }}
.{PARTS_PAGE} {{ page: {PARTS_PAGE}; position: relative; z-index: 0; break-inside: avoid; }}
{", ".join(f".{PARTS_PAGE} h{level}" for level in range(1, 7))} {{ bookmark-level: none; }}
@page {PARTS_PAGE} {{
  margin-top: 0; margin-bottom: 0; background: none; border: none;
  {" ".join(f"@{box} {{ content: none; }}" for box in MARGIN_BOXES)}
}}
"""
#: Operators that only set the graphics state (no drawing, no clipping): what a part's
#: drawing may take from the page around it.
_STATE_OPERATORS = (b" cm", b" gs", b" rg", b" RG", b" g", b" G", b" w")
_REFERENCE = re.compile(rb"(\d+) 0 R")
#: Layout positions are floats; parts this close in size (CSS px) are the same size.
_TOLERANCE = 0.01


def combined_html(letters: list[str]) -> str:
    """The HTML documents of ``letters`` as one document, each letter a page group of its own."""
    return lxml_html.tostring(_grouped(letters), encoding="unicode", doctype="<!DOCTYPE html>")


def _grouped(letters: list[str]):
    """:func:`combined_html` as an lxml document.

    Each letter's body goes into ``<div id="merge-N">`` on its own named page, whose first page
    resets the page counter; an empty ``<span id="merge-end-N">`` marks where it ends, and
    "of N" in the page label counts the pages up to it. A theme without a page label
    (``<meta name="briefgen:page-label">``) gets letters without page numbers.
    """
    combined = lxml_html.document_fromstring(letters[0])
    body = combined.body
    label = combined.find(".//meta[@name='briefgen:page-label']")
    rules = []
    for index, letter in enumerate(letters):
        source = body if index == 0 else lxml_html.document_fromstring(letter).body
        wrapper = body.makeelement("div", {"id": f"merge-{index}"})
        wrapper.extend(list(source))
        wrapper.append(body.makeelement("span", {"id": f"merge-end-{index}"}))
        body.append(wrapper)
        folio = ("none" if label is None else css_page_counter(label.get("content")).replace(
            "counter(pages)", f"target-counter(url(#merge-end-{index}), page)"))
        rules.append(f"#merge-{index} {{ page: merge-{index}; break-before: page; }}\n"
                     f"@page merge-{index} {{ @bottom-right {{ content: {folio}; }} }}\n"
                     f"@page :nth(1 of merge-{index}) {{ counter-reset: page 1; @bottom-right {{ content: none; }} }}")
    style = combined.head.makeelement("style", {})
    style.text = "\n".join(rules)
    combined.head.append(style)
    return combined


@dataclass(frozen=True)
class ComposedLetter:
    """One recipient's letter PDF, put together by :func:`compose_letters`."""

    pdf: bytes
    pages: int


def compose_letters(letters: list[str], confinement: Confinement) -> list[ComposedLetter | None]:
    """The PDF of each of ``letters`` (HTML documents of one template in one language, which
    differ only inside their ``data-per-recipient`` elements), laid out once and composed per
    letter; ``None`` for each letter that has to be laid out on its own.
    """
    parts = [lxml_html.document_fromstring(letter).xpath(f"//*[@{PER_RECIPIENT}]") for letter in letters]
    # The letter is laid out with the most common shape of its parts: the others cannot fit.
    shapes = [tuple(tuple(element.tag for element in part.iter()) for part in found) for found in parts]
    common = Counter(shapes).most_common(1)[0][0]
    if not common:
        return [None] * len(letters)
    chosen = [index for index, shape in enumerate(shapes) if shape == common]
    # A part that many letters share (the same salutation) is laid out once.
    unique: dict[tuple, tuple[str, object]] = {}
    labels = {index: [unique.setdefault(_part_key(number, part), (f"{number}-{len(unique)}", part))[0]
                      for number, part in enumerate(parts[index])] for index in chosen}
    document = _layout_document(letters[chosen[0]], list(unique.values()))
    composer = _Composer.lay_out(document, labels, len(common), confinement)
    if composer is None:
        return [None] * len(letters)
    return [composer.letter(index) if index in composer.letters else None for index in range(len(letters))]


def _part_key(number: int, part) -> tuple:
    """What a part is laid out from: its HTML and its ancestors' elements."""
    return (number, lxml_html.tostring(part),
            tuple((ancestor.tag, tuple(sorted(ancestor.attrib.items()))) for ancestor in part.iterancestors()))


def _layout_document(base_letter: str, parts: list[tuple[str, object]]) -> lxml_html.HtmlElement:
    """The letter with its own parts held but not drawn, then each ``(label, part)`` in a block
    of its own on the parts' pages."""
    combined = _grouped([base_letter])
    for number, held in enumerate(combined.xpath(f"//*[@{PER_RECIPIENT}]")):
        held.set(PER_RECIPIENT, f"{HELD}-{number}")
    body = combined.body
    for label, part in parts:
        # A part keeps its ancestors (their classes and widths), without their other content.
        copy = lxml_html.fromstring(lxml_html.tostring(part))
        copy.set(PER_RECIPIENT, label)
        for ancestor in part.iterancestors():
            if ancestor.tag == "body":
                break
            shell = body.makeelement(ancestor.tag, {key: value for key, value in ancestor.attrib.items()
                                                    if key != "id"})
            shell.append(copy)
            copy = shell
        block = body.makeelement("div", {"class": PARTS_PAGE})
        block.append(copy)
        body.append(block)
    style = combined.head.makeelement("style", {})
    style.text = PARTS_CSS
    combined.head.append(style)
    return combined


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


def _pdf_options(variant: str) -> dict:
    """WeasyPrint's options for ``variant``, filled in as ``Document.write_pdf`` does."""
    options = {**DEFAULT_OPTIONS, "pdf_variant": variant}
    for key, value in VARIANTS[variant][1].items():
        if options.get(key) is None:
            options[key] = value
    return options


def _number(reference: bytes) -> int:
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
        self.letters: dict[int, list[_Part]] = {}
        self._data: dict[int, tuple[bytes, tuple[int, ...]]] = {}
        page_references = pdf.page_references[:letter_pages]
        self.page_numbers = [_number(reference) for reference in page_references]
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

    @classmethod
    def lay_out(cls, html: lxml_html.HtmlElement, labels: dict[int, list[str]], count: int,
                confinement: Confinement) -> _Composer | None:
        """Lay out ``html`` (from :func:`_layout_document`, ``count`` parts per letter, ``labels``
        naming each letter's) and find which letters' parts fit in the held ones' places;
        ``None`` when the letter cannot take any (a held part split across pages)."""
        document = layout_tree(html, confinement)
        found: dict[str, list[tuple[int, object]]] = {}
        for page_index, page in enumerate(document.pages):
            for value, box in _part_boxes(page._page_box):
                found.setdefault(value, []).append((page_index, box))
        held = [found.pop(f"{HELD}-{number}", []) for number in range(count)]
        letter_pages = min((page_index for placed in found.values() for page_index, _ in placed),
                           default=len(document.pages))
        if any(len(placed) != 1 or placed[0][0] >= letter_pages for placed in held):
            return None
        options = _pdf_options(PDF_VARIANTS[0])
        pdf = generate_pdf(document, None, 1, **options)
        elements = {element.briefgen_slot: element for element in pdf.objects if hasattr(element, "briefgen_slot")}
        composer = cls(pdf, letter_pages, str(options["pdf_version"]).encode())
        for number, ((page_index, box),) in enumerate(held):
            if not composer._hold(elements[f"{HELD}-{number}"], page_index, box):
                return None
        parts: dict[str, _Part | None] = {}
        for label in {label for letter_labels in labels.values() for label in letter_labels}:
            held_part = composer.held[int(label.partition("-")[0])]
            placed = found.get(label, [])
            parts[label] = None
            if len(placed) == 1:
                page_index, box = placed[0]
                if (abs(box.border_height() - held_part.box.border_height()) <= _TOLERANCE
                        and abs(box.border_width() - held_part.box.border_width()) <= _TOLERANCE):
                    move = (held_part.box.border_box_x() - box.border_box_x(),
                            held_part.box.border_box_y() - box.border_box_y())
                    parts[label] = composer._part(elements[label], page_index, move)
        composer.letters = {index: [parts[label] for label in letter_labels]
                            for index, letter_labels in labels.items()
                            if all(parts[label] is not None for label in letter_labels)}
        return composer

    def _object(self, reference: bytes):
        return self.objects[_number(reference)]

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

    def _hold(self, held: pydyf.Dictionary, page_index: int, box) -> bool:
        """Take a held part out of the letter: its empty marked content from the page, its
        elements from the page's list of marked content, whose numbers close up behind it.
        False if anything of it was drawn."""
        page = self.objects[self.page_numbers[page_index]]
        stream = self._object(page["Contents"])
        marked = self.marked[page_index]
        numbers = {element.number for element in self._subtree(held)}
        hidden = {mcid for mcid, reference in enumerate(marked) if _number(reference) in numbers}
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
        for number in {_number(marked[mcid]) for mcid in kept}:
            element = self.objects[number]
            element["K"] = pydyf.Array(renumbered[kid] if isinstance(kid, int) else kid for kid in element["K"])
        self.marked[page_index] = pydyf.Array(marked[mcid] for mcid in kept)
        parent = self._object(held["P"])
        self.held.append(_Held(page_index, parent, parent["K"].index(held.reference), box))
        return True

    def _part(self, element: pydyf.Dictionary, page_index: int, move: tuple[float, float]) -> _Part | None:
        """A letter's part, laid out on page ``page_index`` among others, if its drawing can be
        taken out of the page's: a ``q ... Q`` group of its own (the stacking context of its
        block) holding all its marked content and no other, which takes from the groups around
        it nothing but graphics state."""
        page = self.objects[_number(self.pdf.page_references[page_index])]
        items = self._object(page["Contents"]).stream
        subtree = self._subtree(element)
        numbers = {kid.number for kid in subtree}
        own = [mcid for mcid, reference in enumerate(self.marked[page_index]) if _number(reference) in numbers]
        if "Annots" in page or not own:
            return None
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
            return None
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
            return None
        stream = pydyf.Stream(compress=True)
        self.pdf.add_object(stream)
        return _Part(element, [item for level in state for item in level] + items[group[0]:group[1] + 1],
                     [self.marked[page_index][mcid] for mcid in own], {mcid: rank for rank, mcid in enumerate(own)},
                     subtree, [list(kid["K"]) for kid in subtree], move, stream)

    def letter(self, index: int) -> ComposedLetter:
        """The PDF of letter ``index``: the letter's pages, each of its parts drawn on the page
        and in the place of the held one, and in the structure tree in the held one's place."""
        replaced: dict[int, pydyf.Object] = {}
        marked = {page_index: list(self.marked[page_index]) for page_index in range(self.letter_pages)}
        contents = {page_index: [self.save_state.reference, self.objects[number]["Contents"],
                                 self.restore_state.reference]
                    for page_index, number in enumerate(self.page_numbers)}
        own: set[int] = set()
        for held, part in zip(self.held, self.letters.pop(index)):
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
