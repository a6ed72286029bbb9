"""Keep WeasyPrint 70's cost linear in the length of a document.

Two of its steps look up, for every line or every tagged element, a list as long as the
document, so their cost grows with the square of the pages:

- laying out each line looks for its boxes in the list of the footnotes not yet placed,
  which at first holds every footnote of the document;
- writing the PDF rebuilds the references to every page for each tagged element and link
  (``pydyf.PDF.page_references``), to pick one of them.

In the briefing pack of a synthetic brief of 200 issues (226 pages, bench/synthetic.py) the
first compared 60 million list items and the second made 5.8 million page references, four
times as many as at 100 issues: a fifth of the CPU time of its layout and of its writing.

:func:`keep_costs_linear` gives both lookups a constant cost, without changing what
WeasyPrint lays out or writes.
"""

from __future__ import annotations

from collections import Counter

import pydyf
from weasyprint.layout import LayoutContext


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


def keep_costs_linear() -> None:
    """Make WeasyPrint's footnote lookups and pydyf's page references constant-time; idempotent."""
    # LayoutContext assigns its footnotes (in __init__ and between passes); the property
    # turns each assigned list into a _FootnoteList.
    LayoutContext.footnotes = property(_footnotes, _set_footnotes)
    pydyf.PDF.page_references = property(_page_references)
