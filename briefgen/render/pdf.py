"""Lay out a document's HTML as a PDF with WeasyPrint.

Rendering (layout) and writing are separate steps, as in WeasyPrint itself: the layout
gives the page count that page budgets are checked against before anything is written.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
import weasyprint
from weasyprint.pdf import tags as weasyprint_tags
from weasyprint.urls import URLFetcher

from briefgen.render import PDF_VARIANTS

def _tag_languages() -> None:
    """Give each structure element whose HTML element has a ``lang`` its own ``/Lang``.

    PDF/UA asks for passages in another language (a name in Chinese, Tibetan or Uyghur) to
    carry their language; WeasyPrint 70 sets it only on the document. Its tag builder is
    wrapped, once, so each element it makes for a box with ``lang`` gets it too.
    """
    build_box_tree = weasyprint_tags._build_box_tree

    def with_languages(box, *args):
        for element in build_box_tree(box, *args):
            source = getattr(getattr(box, "_box", box), "element", None)
            language = source.get("lang") if source is not None and source.tag not in ("html", "body") else None
            if language and "Lang" not in element:
                element["Lang"] = pydyf.String(language)
            yield element

    weasyprint_tags._build_box_tree = with_languages


_tag_languages()

# WeasyPrint logs every CSS property it ignores; briefgen reports its own problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class ConfinedFetcher(URLFetcher):
    """WeasyPrint's fetcher confined to local files under ``roots`` (and inline ``data:`` URLs).

    Nothing is fetched from the network. Each refused URL is kept in ``refused`` so the
    build can warn about it (WeasyPrint then leaves the resource out); each file read is
    kept in ``read`` so that a change to it makes the next build render again.
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []
        self.read: list[str] = []

    def fetch(self, url: str, headers=None):
        """Fetch ``url`` if it is data or a file inside the roots; otherwise refuse it."""
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:") and self._inside_roots(url):
            self.read.append(url2pathname(urlsplit(url).path))
            return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"briefgen reads only files in the brief's and the templates' folders: {url}")

    def _inside_roots(self, url: str) -> bool:
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        return any(path.is_relative_to(root) for root in self.roots)


def layout_pdf(html: str, base_dir: Path, fetcher: ConfinedFetcher) -> weasyprint.Document:
    """Lay out ``html`` (its relative URLs resolved against ``base_dir``) into pages."""
    return weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render()


def pdf_bytes(document: weasyprint.Document, *, variant: str = PDF_VARIANTS[0]) -> bytes:
    """The PDF file of a laid-out document."""
    return document.write_pdf(pdf_variant=variant)
