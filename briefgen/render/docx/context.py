"""What the writer carries down the HTML tree: formats, inline items, stories and contexts.

As pandoc's Docx writer keeps its environment in ``WriterEnv``, the writer passes a
:class:`Context` to each element it lays out: where the element's paragraphs go and
how they look. A :class:`Story` holds what waits for the next paragraph of one story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from docx.shared import Emu
from docx.styles.style import BaseStyle

if TYPE_CHECKING:
    from briefgen.render.docx.footnotes import FootnoteContainer
    from briefgen.render.docx.pythondocx import Container
    from briefgen.render.docx.revisions import Revision


@dataclass(frozen=True, eq=False)
class Link:
    """Where one ``<a>`` points; compared by identity so that two adjacent links stay apart."""

    url: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class Format:
    """Character formatting inherited down the element tree."""

    bold: bool = False
    italic: bool = False
    monospace: bool = False
    superscript: bool = False
    subscript: bool = False
    style: BaseStyle | None = None
    lang: str | None = None
    link: Link | None = None
    plain_links: bool = False  # TOC entries: linked, but not in the Hyperlink style
    nowrap: bool = False  # span.nowrap: its hyphens and spaces do not break a line
    revision: Revision | None = None  # inside <ins> or <del>: a tracked change


@dataclass(frozen=True)
class Text:
    """A piece of text."""

    text: str
    fmt: Format


@dataclass(frozen=True)
class Break:
    """A line break (``<br>``)."""

    fmt: Format


@dataclass(frozen=True)
class Picture:
    """An image to embed (``<img>``); ``line`` is its line in the HTML, for error messages."""

    path: Path
    alt: str
    width: Emu | None
    height: Emu | None
    line: int
    fmt: Format


@dataclass(frozen=True)
class FootnoteMark:
    """A footnote's number: its call in the text (``note_id``), or its mark in the footnote (None)."""

    note_id: int | None
    fmt: Format


Inline = Text | Break | Picture | FootnoteMark


@dataclass
class Story:
    """What the next paragraph of one story (body, header, footer or footnote) must carry."""

    page_break: bool = False
    bookmarks: list[str] = field(default_factory=list)
    footnotes: bool = True  # Word allows none in headers, footers and footnotes
    paragraphs: list = field(default_factory=list)  # the w:p elements written so far, in order
    # The bottom margin (points) of the list or table just written, for the next paragraph in that container.
    margin_above: tuple[float, object] | None = None


@dataclass
class ListItem:
    """One ``<li>``: its first paragraph is numbered, later ones continue it unnumbered."""

    style: BaseStyle
    continuation: str
    num_id: int
    level: int
    numbered: bool = False


@dataclass(frozen=True)
class Context:
    """Where and how the content of the current element is laid out."""

    container: Container | FootnoteContainer
    story: Story
    style: BaseStyle  # paragraph style of content without a class of its own
    fmt: Format = field(default_factory=Format)
    list_depth: int = 0
    item: ListItem | None = None
    depth: int = 0  # how many elements the current one is nested in, inline ones aside
    scope: str | None = None  # the style of the nearest container with a class of its own: see Styles.scoped
