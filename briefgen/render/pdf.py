"""Lay out a document's HTML as a PDF with WeasyPrint.

Rendering (layout) and writing are separate steps, as in WeasyPrint itself: the layout
gives the page count that page budgets are checked against before anything is written.
"""

from __future__ import annotations

import logging
from xml.etree import ElementTree

import cssselect2
import pydyf
import weasyprint
from lxml import etree as lxml_etree
from lxml import html as lxml_html
from weasyprint.pdf import tags as weasyprint_tags
from weasyprint.urls import URLFetcher

from briefgen.render import PDF_VARIANTS
from briefgen.render.resources import Confinement

#: The attribute of the elements that differ between the letters of a mail merge; the
#: structure element WeasyPrint makes for each keeps its value (``briefgen_slot``, a Python
#: attribute, not written to the PDF) for :mod:`briefgen.render.mailmerge`.
PER_RECIPIENT = "data-per-recipient"


def _tag_elements() -> None:
    """Give each structure element whose HTML element has a ``lang`` its own ``/Lang``, and
    mark the one of a ``data-per-recipient`` element.

    PDF/UA asks for passages in another language (a name in Chinese, Tibetan or Uyghur) to
    carry their language; WeasyPrint 70 sets it only on the document. Its tag builder is
    wrapped, once, so each element it makes for a box with ``lang`` gets it too.
    """
    build_box_tree = weasyprint_tags._build_box_tree

    def tagged(box, *args):
        for element in build_box_tree(box, *args):
            source = getattr(getattr(box, "_box", box), "element", None)
            language = source.get("lang") if source is not None and source.tag not in ("html", "body") else None
            if language and "Lang" not in element:
                element["Lang"] = pydyf.String(language)
            if source is not None and source.get(PER_RECIPIENT) is not None:
                element.briefgen_slot = source.get(PER_RECIPIENT)
            yield element

    weasyprint_tags._build_box_tree = tagged


_tag_elements()

# WeasyPrint logs every CSS property it ignores; briefgen reports its own problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class ConfinedFetcher(URLFetcher):
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
    return weasyprint.HTML(string=html, base_url=confinement.base_url,
                           url_fetcher=ConfinedFetcher(confinement)).render()


def layout_tree(document: lxml_html.HtmlElement, confinement: Confinement) -> weasyprint.Document:
    """:func:`layout_pdf` of a document briefgen already holds as an lxml tree.

    WeasyPrint parses HTML with a parser written in Python, which took an eighth of the layout
    of a batch of letters; the tree goes to it as the element tree that parser would make
    (through C: lxml writes it as XML, expat reads it back).
    """
    html = weasyprint.HTML.__new__(weasyprint.HTML)
    html.base_url = confinement.base_url
    html.url_fetcher = ConfinedFetcher(confinement)
    html.media_type = "print"
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(
        ElementTree.fromstring(lxml_etree.tostring(document)), content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html.render()


def pdf_bytes(document: weasyprint.Document, *, variant: str = PDF_VARIANTS[0]) -> bytes:
    """The PDF file of a laid-out document."""
    return document.write_pdf(pdf_variant=variant)
