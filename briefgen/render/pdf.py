"""Lay out a document's HTML as a PDF with WeasyPrint.

Rendering (layout) and writing are separate steps, as in WeasyPrint itself: the layout
gives the page count that page budgets are checked against before anything is written.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import URLFetcher
from weasyprint.text import ffi as weasyprint_ffi

from briefgen.render import PDF_VARIANTS

#: Accessible by default: tagged PDF with the structure of the semantic HTML.
DEFAULT_PDF_VARIANT = PDF_VARIANTS[0]

# WeasyPrint logs every CSS property it ignores; briefgen reports its own problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class ConfinedFetcher(URLFetcher):
    """WeasyPrint's fetcher confined to local files under ``roots`` (and inline ``data:`` URLs).

    Nothing is fetched from the network. Each refused URL is kept in ``refused`` so the
    build can warn about it; WeasyPrint then leaves the resource out.
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        """Fetch ``url`` if it is data or a file inside the roots; otherwise refuse it."""
        if url.startswith("data:") or (url.startswith("file:") and self._inside_roots(url)):
            return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"briefgen reads only files in the brief's and the templates' folders: {url}")

    def _inside_roots(self, url: str) -> bool:
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        return any(path.is_relative_to(root) for root in self.roots)


def layout_pdf(html: str, base_dir: Path, fetcher: ConfinedFetcher) -> weasyprint.Document:
    """Lay out ``html`` (its relative URLs resolved against ``base_dir``) into pages."""
    return weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render()


def pdf_bytes(document: weasyprint.Document, *, variant: str = DEFAULT_PDF_VARIANT) -> bytes:
    """The PDF file of a laid-out document."""
    return document.write_pdf(pdf_variant=variant)


def subsetting_warning() -> str | None:
    """A warning to show when HarfBuzz's subsetter is missing (WeasyPrint is then about 4x slower)."""
    if weasyprint_ffi.harfbuzz_subset is not None:
        return None
    return ("warning: libharfbuzz-subset is not installed, so fonts are subset about 4 times more slowly; "
            "install libharfbuzz-subset0 (Debian/Ubuntu) or your system's HarfBuzz subset library")
