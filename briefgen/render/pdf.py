"""Lay out a document's HTML as a PDF with WeasyPrint.

Rendering (layout) and writing are separate steps, as in WeasyPrint itself: the layout
gives the page count that page budgets are checked against before anything is written.
Only WeasyPrint's public API is used here; the layout functions install briefgen's patches
of its internals first (:mod:`briefgen.render.weasyprint_internals`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from briefgen.render import PDF_VARIANTS
from briefgen.render.weasyprint_import import import_weasyprint

import_weasyprint()  # before anything else imports WeasyPrint: see its module

import weasyprint  # noqa: E402
from lxml import etree as lxml_etree  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from briefgen.render import weasyprint_runs  # noqa: E402
from briefgen.render.resources import Confinement  # noqa: E402
from briefgen.render.weasyprint_internals import html_of_tree, install  # noqa: E402
from briefgen.workers import in_child_talking  # noqa: E402

#: Whether this process has laid anything out. Pango works in threads of its own once it has
#: fonts to find, and a child forked while one of them held a lock would wait for it for ever:
#: the second run of a long document is laid out in a child only by a process that has laid out
#: nothing yet (a build, and each of its workers), not by one that goes on (the live preview).
_laid_out_here = False

# WeasyPrint logs every CSS property it ignores; briefgen reports its own problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class ConfinedFetcher(weasyprint.URLFetcher):
    """WeasyPrint's fetcher, reading only what a :class:`Confinement` allows (and inline ``data:``).

    A refused resource is left out by WeasyPrint; the confinement keeps it for a warning.
    """

    def __init__(self, confinement: Confinement):
        super().__init__(allowed_protocols={"file", "data"})
        self.confinement = confinement

    def fetch(self, url: str, headers=None):
        """Fetch ``url`` if it is inline data or an allowed file; otherwise refuse it."""
        if url.startswith("data:") or self.confinement.local_path(url) is not None:
            return super().fetch(url, headers)
        raise ValueError(f"briefgen reads only files in the brief's and the templates' folders: {url}")


def html_document(html: str, confinement: Confinement) -> weasyprint.HTML:
    """WeasyPrint's document of ``html``, its relative URLs resolved and confined by ``confinement``."""
    return weasyprint.HTML(string=html, base_url=confinement.base_url, url_fetcher=ConfinedFetcher(confinement))


def layout_pdf(html: str, confinement: Confinement, *, side_by_side: str | None = None,
               after: Callable[[dict[str, int]], Any] | None = None):
    """Lay out ``html`` into pages, its relative URLs resolved and confined by ``confinement``.

    With ``side_by_side`` (the PDF variant it will be written in), a long document is laid out
    in two page runs side by side (in the first layout of the process, see
    :data:`_laid_out_here`), one in a forked child, which calls ``after`` with the page
    number of every anchor once it has drawn its pages
    (:mod:`briefgen.render.weasyprint_runs`); the result is then a
    :class:`~briefgen.render.weasyprint_runs.RunsLayout`, written by :func:`pdf_bytes` like a
    ``weasyprint.Document``.
    """
    global _laid_out_here
    install()
    first, _laid_out_here = not _laid_out_here, True
    if side_by_side and first and len(html) >= weasyprint_runs.MIN_TEXT:  # no shorter HTML has that much text
        return weasyprint_runs.laid_out_in_runs(functools.partial(html_document, html, confinement), side_by_side,
                                                in_child_talking, confinement, after)
    return html_document(html, confinement).render()


def layout_tree(document: lxml_html.HtmlElement, confinement: Confinement) -> weasyprint.Document:
    """:func:`layout_pdf` of a document briefgen already holds as an lxml tree.

    The tree goes to WeasyPrint as the element tree its HTML parser would make (through C:
    lxml writes it as XML, expat reads it back).
    """
    global _laid_out_here
    install()
    _laid_out_here = True
    root = ElementTree.fromstring(lxml_etree.tostring(document))
    return html_of_tree(root, confinement.base_url, ConfinedFetcher(confinement)).render()


def pdf_bytes(document: weasyprint.Document, *, variant: str = PDF_VARIANTS[0]) -> bytes:
    """The PDF file of a laid-out document."""
    return document.write_pdf(pdf_variant=variant)
