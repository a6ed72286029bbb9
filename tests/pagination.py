"""Where each heading of a document starts, in a PDF: the measure that Word paginates like the PDF.

The headings come from the .docx (its paragraphs styled Heading 1 and Heading 2, in order);
each is looked for, in order, on the pages of a PDF as ``pdftotext -layout`` lays them out:
a heading is on the first page, not before the previous heading's, where one to three
consecutive lines read exactly as the heading. A contents entry does not count, because its
line carries dot leaders and a page number too.

Run as a script to compare two PDFs of one .docx: ``python tests/pagination.py DOCX PDF PDF``.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
import sys
from pathlib import Path

import docx

LEVELS = ("Heading 1", "Heading 2")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u202f": " "})


def _key(text: str) -> str:
    """Text compared without spaces, soft hyphens or quote shapes."""
    return re.sub(r"\s+", "", text.translate(_QUOTES).replace("\u00ad", "").replace("-", ""))


def headings(path: Path, levels: tuple[str, ...] = LEVELS) -> list[tuple[str, str]]:
    """(level, text) of every paragraph of the .docx at ``path`` whose style is one of ``levels``,
    or a container's version of one ("Leave Behind Heading 1" is a Heading 1)."""
    found = []
    for paragraph in docx.Document(str(path)).paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        level = next((level for level in levels if name == level or name.endswith(f" {level}")), None)
        if level and paragraph.text.strip():
            found.append((level, paragraph.text.strip()))
    return found


@functools.cache
def page_lines(pdf: Path) -> list[list[str]]:
    """The lines of each page of ``pdf``, as ``pdftotext -layout`` gives them, stripped."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]


@functools.cache  # a test session reads each PDF many times and writes none twice
def body_lines(pdf: Path) -> list[list[str]]:
    """The lines of each page of ``pdf`` set in 9.5pt or larger: the body text, without the footnotes
    (8pt) and page numbers (8.5pt) below it. Runs of the same line are joined, in reading order."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    pages = []
    for page in layout.split("<page ")[1:]:
        lines = []
        for match in re.finditer(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>',
                                 page, re.S):
            if float(match.group(2)) - float(match.group(1)) >= 12.0:
                words = re.findall(r">([^<]*)</word>", match.group(3))
                lines.append(html.unescape(" ".join(words)).strip())
        pages.append([line for line in lines if line])
    return pages


def heading_pages(pdf: Path, titles: list[str]) -> list[int | None]:
    """The page (from 1) on which each of ``titles`` starts in ``pdf``, None where it is not found."""
    pages = [[_key(line) for line in lines] for lines in page_lines(pdf)]
    found: list[int | None] = []
    start = 0
    for title in titles:
        wanted = _key(title)
        page_number = None
        for index in range(start, len(pages)):
            lines = pages[index]
            if any("".join(lines[i:i + span]) == wanted for i in range(len(lines)) for span in (1, 2, 3)):
                page_number = index + 1
                break
        found.append(page_number)
        if page_number is not None:
            start = page_number - 1
    return found


def mismatches(docx_path: Path, first: Path, second: Path) -> list[str]:
    """One line per level-1/2 heading of ``docx_path`` that starts on different pages of two PDFs."""
    titled = headings(docx_path)
    titles = [title for _, title in titled]
    lines = []
    for (style, title), one, two in zip(titled, heading_pages(first, titles), heading_pages(second, titles)):
        if one != two or one is None:
            lines.append(f"{style} '{title}': page {one} in {first.name}, page {two} in {second.name}")
    return lines


if __name__ == "__main__":
    docx_file, pdf_one, pdf_two = (Path(arg) for arg in sys.argv[1:4])
    names = [title for _, title in headings(docx_file)]
    for (style, title), a, b in zip(headings(docx_file), heading_pages(pdf_one, names), heading_pages(pdf_two, names)):
        print(f"{'  ' if a == b else '!!'} {a!s:>4} {b!s:>4}  {style[-1]} {title}")
