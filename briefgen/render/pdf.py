"""Lay out a document's HTML as a PDF with WeasyPrint.

Rendering (layout) and writing are separate steps, as in WeasyPrint itself: the layout
gives the page count that page budgets are checked against before anything is written.
"""

from __future__ import annotations

import logging
from pathlib import Path

import weasyprint

#: Accessible by default: tagged PDF with the structure of the semantic HTML.
DEFAULT_PDF_VARIANT = "pdf/ua-1"

# WeasyPrint logs every CSS property it ignores; briefgen reports its own problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def layout_pdf(html: str, base_dir: Path) -> weasyprint.Document:
    """Lay out ``html`` (its relative URLs resolved against ``base_dir``) into pages."""
    return weasyprint.HTML(string=html, base_url=str(base_dir) + "/").render()


def pdf_bytes(document: weasyprint.Document, *, variant: str = DEFAULT_PDF_VARIANT) -> bytes:
    """The PDF file of a laid-out document."""
    return document.write_pdf(pdf_variant=variant)
