"""Lay out a document's HTML as a PDF with WeasyPrint.

Rendering (layout) and writing are separate steps, as in WeasyPrint itself: the layout
gives the page count that page budgets are checked against before anything is written.
Only WeasyPrint's public API is used here; the layout functions install briefgen's patches
of its internals first (:mod:`briefgen.render.weasyprint_internals`).
"""

from __future__ import annotations

import logging
from xml.etree import ElementTree

from briefgen.render import PDF_VARIANTS
from briefgen.render.weasyprint_import import import_weasyprint

import_weasyprint()  # before anything else imports WeasyPrint: see its module

import weasyprint  # noqa: E402
from lxml import etree as lxml_etree  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from briefgen.render.resources import Confinement  # noqa: E402
from briefgen.render.weasyprint_internals import html_of_tree, install  # noqa: E402

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


def layout_pdf(html: str, confinement: Confinement) -> weasyprint.Document:
    """Lay out ``html`` into pages, its relative URLs resolved and confined by ``confinement``."""
    install()
    return weasyprint.HTML(string=html, base_url=confinement.base_url,
                           url_fetcher=ConfinedFetcher(confinement)).render()


def layout_tree(document: lxml_html.HtmlElement, confinement: Confinement) -> weasyprint.Document:
    """:func:`layout_pdf` of a document briefgen already holds as an lxml tree.

    The tree goes to WeasyPrint as the element tree its HTML parser would make (through C:
    lxml writes it as XML, expat reads it back).
    """
    install()
    root = ElementTree.fromstring(lxml_etree.tostring(document))
    return html_of_tree(root, confinement.base_url, ConfinedFetcher(confinement)).render()


def pdf_bytes(document: weasyprint.Document, *, variant: str = PDF_VARIANTS[0]) -> bytes:
    """The PDF file of a laid-out document."""
    return document.write_pdf(pdf_variant=variant)
