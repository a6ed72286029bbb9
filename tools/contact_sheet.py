"""Lay the first pages of a PDF side by side in one PNG (for the README and for review).

Usage: python tools/contact_sheet.py DOCUMENT.pdf OUT.png [--pages N] [--dpi D]
Needs poppler's pdftoppm; Pillow comes with WeasyPrint.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageOps


def contact_sheet(pdf: Path, target: Path, pages: int, dpi: int) -> None:
    """Render pages 1..``pages`` of ``pdf`` at ``dpi`` and write them in one row to ``target``."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf),
                        f"{folder}/page"], check=True)
        images = [ImageOps.expand(Image.open(path).convert("RGB"), border=1, fill="#999999")
                  for path in sorted(Path(folder).glob("page-*.png"))]
    gap = 16
    sheet = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) + 1),
                              max(i.height for i in images) + 2 * gap), "#e8e8e8")
    x = gap
    for image in images:
        sheet.paste(image, (x, gap))
        x += image.width + gap
    sheet.save(target, optimize=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--dpi", type=int, default=40)
    arguments = parser.parse_args()
    contact_sheet(arguments.pdf, arguments.target, arguments.pages, arguments.dpi)
