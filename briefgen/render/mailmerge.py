"""Many personalised copies of one letter, laid out together: the PDF side of ``briefgen letters``.

Two ways, the second much faster, the first for what the second cannot take:

- :func:`combined_html` puts whole letters one after another in one document (each a page
  group of its own, numbered from 1), which WeasyPrint lays out once and the caller splits
  with ``Document.copy``: the set-up of a document is shared, the layout of each letter is not.
- :func:`compose_letters` lays out the letter ONCE. A letter to each of 343 MPs is the same
  letter but for its parts marked ``data-per-recipient`` in the template: the addressee
  block, the salutation, the closing (which in French repeats the salutation) and the
  paragraphs that name a recipient's field (``{constituency}``). The letter is laid out
  with one recipient's parts holding their place without being drawn (``visibility:
  hidden``), and after it, on pages of their own, every recipient's parts (a part many
  share, such as the salutation, once), each block in a stacking context of its own (so
  that its drawing is a ``q ... Q`` group of the page's content that can be cut out).
  WeasyPrint makes one tagged PDF of it all, its fonts subset once. Each recipient's PDF is then put together from
  the objects of that PDF: the letter's pages, drawing also that recipient's parts (their
  drawing moved onto the held parts' places), whose structure elements take the held ones'
  places in the structure tree: the words, their places, the tagged reading order and the
  bookmarks are those of the letter laid out alone (``tests/test_mailmerge.py``). A part
  laid out otherwise than the held one (a name that wraps onto a second line, an address of
  fewer lines) does not fit in its place: that recipient is left to the first way, and
  :func:`fallback_notices` says so.

Profiled before this was written (``bench/letters.py``): a two-page letter costs ~75 ms of
layout and ~35 ms of drawing and PDF writing in WeasyPrint; a recipient's parts cost ~7 ms of
layout and ~2 ms of drawing, and composing their PDF ~2 ms. No library does the composing:
WeasyPrint writes whole documents, and PDF libraries (pikepdf, pypdf) copy pages but neither
merges two pages' structure trees; nor would parsing back the PDF that WeasyPrint has just
built in memory be cheaper than the layout it saves. So the PDF objects are taken as
WeasyPrint built them (pydyf objects) and written out for each recipient in pydyf's own
format, by :func:`briefgen.render.weasyprint_internals.compose`: that is where the composer
is, with every other use of WeasyPrint's non-public names. This module holds the HTML side
and imports no WeasyPrint, so that the process that starts the letters' workers can word
their notices without it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum

from lxml import html as lxml_html

from briefgen.render.resources import Confinement

#: The attribute of the elements that differ between the letters of a mail merge.
PER_RECIPIENT = "data-per-recipient"
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
#: Letters named in a notice at most; the others are counted.
NAMED = 10


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
    from briefgen.render.html import css_page_counter  # the Jinja side, which a build's layout does without

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


class Fallback(Enum):
    """Why a letter is laid out whole instead of composed, as its notice says it (``{their}``
    stands for "its" or "their", ``{template}`` for the name of the letter's template)."""

    NO_PART = ("{template} marks no data-per-recipient part, so each letter is laid out whole (about ten times "
               "slower); see docs/theme.md")
    HELD_SPLIT = ("a data-per-recipient part of the letter is split across pages or lines, or not laid out "
                  "at all, so it cannot be held in place")
    HELD_DRAWN = ("a data-per-recipient part of the letter draws something while it is hidden "
                  "(an element inside it made visible)")
    SHAPE = ("{their} data-per-recipient part has other elements than the others' "
             "(a title, a constituency or an address line more or fewer)")
    SIZE = ("{their} data-per-recipient part is laid out otherwise than the others' "
            "(a name, an address or a paragraph naming a recipient's field that wraps otherwise)")
    OUTSIDE = ("{their} letter differs from the others' outside its data-per-recipient parts (the template "
               "prints a recipient's field where it marks no part)")
    ANNOTATED = "{their} data-per-recipient part holds a link, or is laid out beside one, and links are not composed"
    UNCUT = ("{their} data-per-recipient part draws no text, or cannot be drawn apart from what is laid out "
             "around it")


@dataclass(frozen=True)
class ComposedLetter:
    """One recipient's letter PDF, put together by :func:`compose_letters`."""

    pdf: bytes
    pages: int


@dataclass(frozen=True)
class Composition:
    """What :func:`compose_letters` made of a batch of letters: the PDF of each letter, or
    ``None`` for one that has to be laid out whole, and for that one why."""

    letters: list[ComposedLetter | None]
    fallbacks: list[Fallback | None]


def compose_letters(letters: list[str], confinement: Confinement) -> Composition:
    """The PDF of each of ``letters`` (HTML documents of one template in one language, which
    differ only inside their ``data-per-recipient`` elements), laid out once and composed per
    letter, and the reason for each letter that has to be laid out on its own.
    """
    documents = [lxml_html.document_fromstring(letter) for letter in letters]
    parts = [document.xpath(f"//*[@{PER_RECIPIENT}]") for document in documents]
    # The letter is laid out with the most common shape of its parts: the others cannot fit.
    shapes = [tuple(tuple(element.tag for element in part.iter()) for part in found) for found in parts]
    common = Counter(shapes).most_common(1)[0][0]
    if not common:
        return Composition([None] * len(letters), [Fallback.NO_PART] * len(letters))
    chosen = [index for index, shape in enumerate(shapes) if shape == common]
    # Only the parts are composed: a letter that differs elsewhere (a theme printing a
    # recipient's field in a part it does not mark) must be laid out as itself.
    frames = {index: _frame(documents[index], parts[index]) for index in chosen}
    outside = {index for index in chosen if frames[index] != frames[chosen[0]]}
    chosen = [index for index in chosen if index not in outside]
    # A part that many letters share (the same salutation) is laid out once.
    unique: dict[tuple, tuple[str, object]] = {}
    labels = {index: [unique.setdefault(_part_key(number, part), (f"{number}-{len(unique)}", part))[0]
                      for number, part in enumerate(parts[index])] for index in chosen}
    # Imported here: weasyprint_internals imports this module's names.
    from briefgen.render.pdf import layout_tree
    from briefgen.render.weasyprint_internals import compose

    composed = compose(layout_tree(_layout_document(letters[chosen[0]], list(unique.values())), confinement),
                       labels, len(common))
    outcomes = [composed.get(index, Fallback.OUTSIDE if index in outside else Fallback.SHAPE)
                for index in range(len(letters))]
    return Composition([None if isinstance(outcome, Fallback) else outcome for outcome in outcomes],
                       [outcome if isinstance(outcome, Fallback) else None for outcome in outcomes])


def _frame(document, parts: list) -> bytes:
    """``document`` (an lxml document) as HTML with each of its ``parts`` left out."""
    stubs = []
    for part in parts:
        stub = part.makeelement("template", {})
        stub.tail = part.tail
        part.getparent().replace(part, stub)
        stubs.append(stub)
    try:
        return lxml_html.tostring(document)
    finally:
        for part, stub in reversed(list(zip(parts, stubs))):
            stub.getparent().replace(stub, part)


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


def fallback_notices(template: str, letters: list[tuple[str, Fallback | None]]) -> list[str]:
    """One notice per reason why some of ``letters`` (each one's name and why it was laid out
    whole, or None if it was composed) were laid out whole, about ten times more slowly than
    composed; ``template`` names the letter's template."""
    named: dict[Fallback, list[str]] = {}
    for name, fallback in letters:
        if fallback is not None:
            named.setdefault(fallback, []).append(name)
    notices = []
    for fallback in Fallback:
        names = named.get(fallback)
        if not names:
            continue
        if fallback is Fallback.NO_PART:
            notices.append(f"notice: {fallback.value.format(template=template)}")
            continue
        many = len(names) > 1
        listed = ", ".join(names[:NAMED]) + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")
        notices.append(f"notice: {len(names)} letter{'s' if many else ''} laid out whole, about ten times slower: "
                       f"{fallback.value.format(their='their' if many else 'its')}: {listed}")
    return notices
