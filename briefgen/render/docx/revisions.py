"""``<ins>`` and ``<del>`` as Word's tracked changes: ``w:ins`` and ``w:del`` around the runs.

Each mark becomes one revision around the runs of its words (inside the paragraph or the
``w:hyperlink`` they are in), with the author ``briefgen``, the mark's ``datetime`` as its
``w:date`` and a ``w:id`` of its own among the document's annotations (bookmarks included);
the text of a deleted run is ``w:delText``, as Word requires. A paragraph whose words are all
inserted (or all deleted) has its paragraph mark inserted (deleted) too, in the ``w:rPr`` of
its ``w:pPr``: so "Accept all" leaves no empty paragraph where an item went, and "Reject all"
none where one came. Word's Review pane then lists each mark as one change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.html
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from briefgen.render.docx import schema

#: Who made the changes, as Word's Review pane names them.
AUTHOR = "briefgen"
#: The HTML elements that are revisions, and the WordprocessingML element of each.
KINDS = {"ins": "w:ins", "del": "w:del"}


@dataclass(frozen=True)
class Revision:
    """A change the text carries: ``ins`` or ``del``, made at ``date`` (ISO 8601) or at no known time."""

    kind: str
    date: str | None = None


def revision_of(el: lxml.html.HtmlElement) -> Revision:
    """The revision an ``<ins>`` or ``<del>`` element marks."""
    return Revision(el.tag, (el.get("datetime") or "").strip() or None)


def _revision_element(revision: Revision, annotation_id: Callable[[], int]) -> etree._Element:
    attributes = {qn("w:id"): str(annotation_id()), qn("w:author"): AUTHOR}
    if revision.date:
        attributes[qn("w:date")] = revision.date
    return OxmlElement(KINDS[revision.kind], attributes)


class Revisions:
    """Wraps the runs of one paragraph in its revisions, one ``w:ins`` or ``w:del`` per mark."""

    def __init__(self, annotation_id: Callable[[], int]):
        self._annotation_id = annotation_id
        self._open: tuple[etree._Element, Revision, etree._Element] | None = None

    def parent(self, parent: etree._Element, revision: Revision | None) -> etree._Element:
        """Where the next run goes: in ``parent``, or in the revision ``revision`` there."""
        if revision is None:
            self._open = None
            return parent
        if self._open is not None and self._open[0] is parent and self._open[1] == revision \
                and len(parent) and parent[-1] is self._open[2]:
            return self._open[2]
        wrapper = _revision_element(revision, self._annotation_id)
        parent.append(wrapper)
        self._open = (parent, revision, wrapper)
        return wrapper


def finish(p: etree._Element) -> None:
    """Make the text of every deleted run of the paragraph ``p`` deleted text (``w:delText``)."""
    for deleted in p.iter(qn("w:del")):
        for text in deleted.iter(qn("w:t")):
            text.tag = qn("w:delText")


def mark_paragraph(p: etree._Element, revisions: Sequence[Revision | None],
                   annotation_id: Callable[[], int]) -> None:
    """Mark the paragraph mark of ``p`` inserted or deleted when all its words (``revisions``,
    one per piece of text) are."""
    kinds = {revision.kind if revision else None for revision in revisions}
    if len(kinds) != 1 or None in kinds:
        return
    revision = next(revision for revision in revisions if revision)
    properties = schema.get_or_insert(schema.get_or_insert(p, "w:pPr"), "w:rPr")
    schema.insert(properties, _revision_element(revision, annotation_id))
