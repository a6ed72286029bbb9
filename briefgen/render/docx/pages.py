"""The page of a .docx from the document's own stylesheet: its ``@page`` size and margins.

The PDF's pages are those of the CSS ``@page`` rules; Word's are a section's. Here the
stylesheets in the HTML's ``<head>`` are read (with tinycss2, WeasyPrint's own CSS parser)
for the page size and margins of the unnamed ``@page`` and of named pages, and for the
classes whose rule gives ``page: NAME``, so that a document whose content is set on a
named page (the leave-behind's narrower margins) gets the same page in Word; and for
whether ``@page :first`` leaves the page number out.
Selectors other than ``@page``, ``@page NAME`` and a single ``.class`` are not read:
they do not say what page a whole document is laid out on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import tinycss2
from docx.section import Section
from docx.shared import Length, Pt

_UNITS = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0}
_EDGES = ("top", "right", "bottom", "left")
_SIZES = {"letter": (612.0, 792.0), "legal": (612.0, 1008.0), "a4": (595.28, 841.89), "a5": (419.53, 595.28)}


@dataclass
class Page:
    """What an ``@page`` rule sets, in points: size (width, height) and margins by edge."""

    size: tuple[float, float] | None = None
    margins: dict[str, float] = field(default_factory=dict)

    def updated(self, other: Page) -> Page:
        """This page with what ``other`` sets on top."""
        return Page(other.size or self.size, {**self.margins, **other.margins})


@dataclass
class PageRules:
    """The pages a set of stylesheets declares: unnamed (``None``) and named, and the classes that name one."""

    pages: dict[str | None, Page] = field(default_factory=dict)
    class_pages: dict[str, str] = field(default_factory=dict)
    #: False when ``@page :first`` empties a margin box (``content: none``): the page number's, in the
    #: default theme, so Word's first page gets a footer of its own without it.
    first_page_numbered: bool = True

    def page_for(self, classes: list[str]) -> Page:
        """The page of content with ``classes``: its named page over the unnamed one."""
        page = self.pages.get(None, Page())
        for cls in classes:
            if cls in self.class_pages and self.class_pages[cls] in self.pages:
                return page.updated(self.pages[self.class_pages[cls]])
        return page


def read_pages(stylesheets: list[str]) -> PageRules:
    """The page rules of ``stylesheets`` (CSS texts, in cascade order: later ones win)."""
    return _read_pages(tuple(stylesheets))


@functools.lru_cache(maxsize=8)  # the letters of a mail merge share their stylesheets
def _read_pages(stylesheets: tuple[str, ...]) -> PageRules:
    rules = PageRules()
    for css in stylesheets:
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content is not None:
                name = _page_name(rule.prelude)
                if name is not False:
                    rules.pages[name] = rules.pages.get(name, Page()).updated(_page(rule.content))
                elif tinycss2.serialize(rule.prelude).strip() == ":first" and _empties_a_margin_box(rule.content):
                    rules.first_page_numbered = False
            elif rule.type == "qualified-rule":
                cls = _single_class(rule.prelude)
                page = _declared(rule.content, "page")
                if cls is not None and page is not None and page[0].type == "ident":
                    rules.class_pages[cls] = page[0].value
    return rules


def apply(page: Page, section: Section) -> None:
    """Give ``section`` the size and margins ``page`` sets; what it does not set stays the reference's."""
    if page.size is not None:
        section.page_width, section.page_height = (Pt(value) for value in page.size)
    for edge, value in page.margins.items():
        setattr(section, f"{edge}_margin", Length(round(Pt(value))))


def _page_name(prelude: list) -> str | None | bool:
    """The page name of an ``@page`` prelude: None when unnamed, False for a pseudo-class (``:first``)."""
    tokens = [token for token in prelude if token.type not in ("whitespace", "comment")]
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].type == "ident":
        return tokens[0].value
    return False


def _empties_a_margin_box(content: list) -> bool:
    """Whether a page rule's content holds a margin box (``@bottom-right`` …) with ``content: none``."""
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "at-rule" and item.content is not None:
            for declaration in tinycss2.parse_blocks_contents(item.content, skip_comments=True,
                                                              skip_whitespace=True):
                if declaration.type == "declaration" and declaration.lower_name == "content" and \
                        tinycss2.serialize(declaration.value).strip().lower() == "none":
                    return True
    return False


def _single_class(prelude: list) -> str | None:
    tokens = [token for token in prelude if token.type not in ("whitespace", "comment")]
    if len(tokens) == 2 and tokens[0] == "." and tokens[1].type == "ident":
        return tokens[1].value
    return None


def _declared(content: list | None, name: str) -> list | None:
    """The value tokens of the last declaration of ``name`` in a rule's content."""
    found = None
    for item in tinycss2.parse_blocks_contents(content or [], skip_comments=True, skip_whitespace=True):
        if item.type == "declaration" and item.lower_name == name:
            found = [token for token in item.value if token.type not in ("whitespace", "comment")]
    return found


def _page(content: list) -> Page:
    page = Page()
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            continue  # the margin boxes (@top-right …) say nothing about the page's own box
        values = [token for token in item.value if token.type not in ("whitespace", "comment")]
        if item.lower_name == "margin":
            lengths = [points(token) for token in values]
            if lengths and None not in lengths and len(lengths) <= 4:
                top, right, bottom, left = (lengths * 4)[:4] if len(lengths) == 1 else _four(lengths)
                page.margins.update(top=top, right=right, bottom=bottom, left=left)
        elif item.lower_name.startswith("margin-") and item.lower_name[7:] in _EDGES and len(values) == 1:
            if (length := points(values[0])) is not None:
                page.margins[item.lower_name[7:]] = length
        elif item.lower_name == "size":
            page.size = _size(values) or page.size
    return page


def _four(lengths: list[float]) -> tuple[float, float, float, float]:
    """CSS's one-to-four-value shorthand, spelt out as top, right, bottom, left."""
    if len(lengths) == 2:
        return lengths[0], lengths[1], lengths[0], lengths[1]
    if len(lengths) == 3:
        return lengths[0], lengths[1], lengths[2], lengths[1]
    return lengths[0], lengths[1], lengths[2], lengths[3]


def _size(values: list) -> tuple[float, float] | None:
    keywords = [token.lower_value for token in values if token.type == "ident"]
    lengths = [points(token) for token in values if token.type == "dimension"]
    size = next((_SIZES[word] for word in keywords if word in _SIZES), None)
    if size is None and lengths and None not in lengths:
        size = (lengths[0], lengths[-1])
    if size is not None and "landscape" in keywords:
        size = (max(size), min(size))
    return size


def points(token) -> float | None:
    """The length a CSS token gives, in points: an absolute dimension, or 0; None for anything else."""
    if token.type == "dimension" and token.lower_unit in _UNITS:
        return token.value * _UNITS[token.lower_unit]
    if token.type == "number" and token.value == 0:
        return 0.0
    return None
