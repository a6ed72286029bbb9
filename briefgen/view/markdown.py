"""Markdown in brief fields, rendered to briefgen's HTML subset and never to raw HTML.

Raw HTML is off, so ``<script>`` in a brief prints as text; links keep only ``http``,
``https`` and ``mailto`` targets; block constructs that would break the document outline
or fall outside the HTML subset (headings, code blocks, images, tables, rules) are off.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _is_safe_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def _make_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "typographer": True})
    parser.enable("replacements").enable("smartquotes")
    parser.disable(["heading", "lheading", "code", "fence", "hr", "image", "html_block", "html_inline"])
    parser.validateLink = _is_safe_link
    return parser


_PARSER = _make_parser()


def render_block(text: str | None) -> Markup:
    """Render Markdown paragraphs (and lists, quotes, emphasis, links) to HTML."""
    return Markup(_PARSER.render(text)) if text else Markup("")


def render_inline(text: str | None) -> Markup:
    """Render one line of Markdown (emphasis, links) to inline HTML without a paragraph."""
    return Markup(_PARSER.renderInline(text)) if text else Markup("")
