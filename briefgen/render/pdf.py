"""Lay out a document's HTML as a PDF with WeasyPrint.

Rendering (layout) and writing are separate steps, as in WeasyPrint itself: the layout
gives the page count that page budgets are checked against before anything is written.
"""

from __future__ import annotations

import logging
from pathlib import Path

import weasyprint
from weasyprint.text import ffi as weasyprint_ffi

from briefgen.render import PDF_VARIANTS

#: Accessible by default: tagged PDF with the structure of the semantic HTML.
DEFAULT_PDF_VARIANT = PDF_VARIANTS[0]

# WeasyPrint logs every CSS property it ignores; briefgen reports its own problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def layout_pdf(html: str, base_dir: Path) -> weasyprint.Document:
    """Lay out ``html`` (its relative URLs resolved against ``base_dir``) into pages."""
    return weasyprint.HTML(string=html, base_url=str(base_dir) + "/").render()


def pdf_bytes(document: weasyprint.Document, *, variant: str = DEFAULT_PDF_VARIANT) -> bytes:
    """The PDF file of a laid-out document."""
    return document.write_pdf(pdf_variant=variant)


def subsetting_warning() -> str | None:
    """A warning to show when HarfBuzz's subsetter is missing (WeasyPrint is then about 4x slower)."""
    if weasyprint_ffi.harfbuzz_subset is not None:
        return None
    return ("warning: libharfbuzz-subset is not installed, so fonts are subset about 4 times more slowly; "
            "install libharfbuzz-subset0 (Debian/Ubuntu) or your system's HarfBuzz subset library")
