"""Markdown in brief fields, rendered to briefgen's HTML subset and never to raw HTML.

Raw HTML is off, so ``<script>`` in a brief prints as text; links keep only ``http``,
``https`` and ``mailto`` targets; block constructs that would break the document outline
or fall outside the HTML subset (headings, code blocks, images, rules) are off, and
:func:`unsupported` names each one a text holds, for a warning at its line. Tables are on:
officials use them; a table is of the class ``text-table`` (a Word table style of that name),
its header cells are column headers and their alignment a class (``align-right``,
``align-center``) that both formats read.

A text may nest emphasis, quotes and lists at most :data:`MAX_NESTING` deep
(:func:`nesting_problem`, which the model asks of every Markdown field when a brief is
validated): deeper, WeasyPrint's layout runs out of Python's recursion (emphasis about 400
deep) and Word has no list levels for it. Links cannot nest in CommonMark.

Each language has a parser of its own: markdown-it's typographer curls the quotes with that
language's (:data:`~briefgen.view.typography.QUOTES`), and in French a rule of briefgen's
spaces the text as :func:`~briefgen.view.typography.french_spacing` does. Code is left as
typed, and the address an autolink shows breaks only after ``/ . @``.
"""

from __future__ import annotations

import functools
import re

from typing import TYPE_CHECKING

from markupsafe import Markup


if TYPE_CHECKING:
    # markdown-it is imported when a text is first parsed: validating a brief of plain texts,
    # as most are, never needs it.
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
#: How deep emphasis, quotes or lists may nest in a text: real texts nest lists 5 to 7 deep at most.
MAX_NESTING = 16
_KINDS = {"em": "emphasis", "strong": "emphasis", "blockquote": "quotes",
          "bullet_list": "lists", "ordered_list": "lists"}
# Each level of nesting starts with one of these: an emphasis or a bullet, a quote, a number
# and its . or ). Counting the characters first spares most texts the slower regular expression.
_MARKER_CHARACTERS = "*_>+-.)"
_MARKERS = re.compile(r"[*_>+-]|\d[.)]")


def _is_safe_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def _typeset_text(state) -> None:
    """A core rule after the typographer's: mark the text of autolinks as addresses, and space
    French text (the text after an emphasis knows the character printed before it)."""
    from briefgen.view.typography import QUOTES, french_spacing

    french = state.md.options["quotes"] == QUOTES["fr"]
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        before, in_autolink = "", False
        for token in block.children:
            if token.type == "link_open":
                in_autolink = token.markup == "autolink"
            elif token.type == "link_close":
                in_autolink = False
            elif token.type == "text" and in_autolink:
                token.meta["address"] = True
            elif token.type == "text" and french:
                token.content = french_spacing(token.content, before)
            if token.type in ("text", "code_inline"):
                before = token.content[-1:] or before
            elif token.type in ("softbreak", "hardbreak"):
                before = ""


def _render_text(renderer, tokens: list[Token], index: int, options, env) -> str:
    """markdown-it's rendering of text, but for the address an autolink shows."""
    token = tokens[index]
    if token.meta.get("address"):
        from briefgen.view.typography import breakable_address

        return str(breakable_address(token.content))
    from markdown_it.common.utils import escapeHtml

    return escapeHtml(token.content)


def _render_cell(renderer, tokens: list[Token], index: int, options, env) -> str:
    """A table cell with its alignment as a class, not a style attribute (the HTML subset
    has no inline styles), and a header cell marked as the header of its column."""
    token = tokens[index]
    align = (token.attrs.pop("style", None) or "").removeprefix("text-align:")
    if align in ("right", "center"):
        token.attrSet("class", f"align-{align}")
    if token.type == "th_open":
        token.attrSet("scope", "col")
    return renderer.renderToken(tokens, index, options, env)


def _render_table(renderer, tokens: list[Token], index: int, options, env) -> str:
    tokens[index].attrSet("class", "text-table")
    return renderer.renderToken(tokens, index, options, env)


def _make_parser(language: str) -> MarkdownIt:
    from markdown_it import MarkdownIt

    from briefgen.view.typography import QUOTES

    # The parser stops reading blocks maxNesting levels deep and drops what is deeper without a
    # word (the commonmark preset's 20 cut lists 10 deep). A list level counts two (list and
    # item), a quote one: lists and quotes both MAX_NESTING deep stay within 4 * MAX_NESTING.
    parser = MarkdownIt("commonmark", {"html": False, "typographer": True, "maxNesting": 4 * MAX_NESTING,
                                       "quotes": QUOTES[language]})
    parser.enable(["replacements", "smartquotes", "table"])
    parser.disable(["heading", "lheading", "code", "fence", "hr", "image", "html_block", "html_inline"])
    parser.core.ruler.push("briefgen_typography", _typeset_text)
    parser.add_render_rule("text", _render_text)
    parser.add_render_rule("table_open", _render_table)
    parser.add_render_rule("th_open", _render_cell)
    parser.add_render_rule("td_open", _render_cell)
    parser.validateLink = _is_safe_link
    # The parser compiles its chains of rules when it first parses: done here, so that a render
    # interrupted by briefgen's limits can never leave them half made.
    parser.parse("*x*")
    return parser


@functools.cache
def _parser(language: str) -> MarkdownIt:
    """The parser of ``language`` (English for a language of no quotes of its own), made when
    first asked: validating a brief, which renders nothing, makes none (nor reads the
    typography's rules, which compile many expressions)."""
    from briefgen.view.typography import QUOTES

    return _make_parser(language if language in QUOTES else "en")


def render_block(text: str | None, language: str = "en") -> Markup:
    """Render Markdown paragraphs (and lists, quotes, emphasis, links) to HTML, typeset for ``language``;
    HTML the view made already (a :class:`Markup`: a text marked with its changes) as it is."""
    if isinstance(text, Markup):
        return text
    return Markup(_parser(language).render(text)) if text else Markup("")


def render_marked_block(text: str, language: str, lines: set[int], attribute: str) -> Markup:
    """:func:`render_block`, with ``attribute`` on each top-level block (paragraph, list,
    quote) that holds one of ``lines`` of ``text`` (from 0)."""
    parser = _parser(language)
    if not lines:
        return render_block(text, language)
    env: dict = {}
    tokens = parser.parse(text, env)
    for token in tokens:
        if token.level == 0 and token.nesting == 1 and token.map and any(
                token.map[0] <= line < token.map[1] for line in lines):
            token.attrSet(attribute, "")
    return Markup(parser.renderer.render(tokens, parser.options, env))


def render_inline(text: str | None, language: str = "en") -> Markup:
    """Render one line of Markdown (emphasis, links) to inline HTML without a paragraph, typeset
    for ``language``; HTML the view made already (a :class:`Markup`) as it is."""
    if isinstance(text, Markup):
        return text
    return Markup(_parser(language).renderInline(text)) if text else Markup("")


def _deepest(tokens: list[Token], deepest: dict[str, int]) -> None:
    """Record in ``deepest`` how deep each kind of :data:`_KINDS` nests in ``tokens``."""
    depth = dict.fromkeys(deepest, 0)
    for token in tokens:
        kind = _KINDS.get(token.type.rsplit("_", 1)[0])
        if kind is not None:
            depth[kind] += token.nesting
            deepest[kind] = max(deepest[kind], depth[kind])
        if token.children:
            _deepest(token.children, deepest)


def nesting_problem(text: str) -> str | None:
    """What is wrong with ``text`` if its emphasis, quotes or lists nest deeper than
    :data:`MAX_NESTING`, counted on the parser's tokens; else None."""
    if sum(map(text.count, _MARKER_CHARACTERS)) <= MAX_NESTING or len(_MARKERS.findall(text)) <= MAX_NESTING:
        return None
    deepest = dict.fromkeys(_KINDS.values(), 0)
    _deepest(_parser("en").parse(text), deepest)
    kind, depth = max(deepest.items(), key=lambda item: item[1])
    if depth <= MAX_NESTING:
        return None
    return (f"{kind} nested {depth} deep; briefgen lays out at most {MAX_NESTING} levels of nesting: "
            "simplify the text")


#: What a text may not hold, by the token that starts it: what it is, and what to write instead.
_UNSUPPORTED = {
    "heading_open": ("a heading", "headings are not allowed in a text; write the line as a paragraph, in bold "
                                  "(**…**) if it must stand out"),
    "hr": ("a rule (---)", "rules are not allowed in a text; leave a blank line between paragraphs"),
    "fence": ("a code block (```)", "code blocks are not allowed in a text; write the text as a paragraph"),
    "html_block": ("HTML", "HTML is not allowed in a text; use Markdown: **bold**, *italic*, [words](https://…)"),
    "html_inline": ("HTML", "HTML is not allowed in a text; use Markdown: **bold**, *italic*, [words](https://…)"),
    "image": ("an image", "images are not allowed in a text; a theme's template (--templates) can show one"),
}
#: What each construct of :data:`_UNSUPPORTED` starts with: most texts have none, and are not parsed.
_MAYBE_UNSUPPORTED = re.compile(r"(?m)^ {0,3}(?:#{1,6}(?:\s|$)|[-*_=](?: *[-*_=]){2,} *$|```|~~~)|<[A-Za-z/!?]|!\[")


@functools.cache
def _reader() -> MarkdownIt:
    """A parser with every construct on, reading the brief's Markdown as a reader would; "code"
    stays off, as in the rendering parser: YAML texts are often indented."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("code")


def unsupported(text: str) -> list[str]:
    """A message for each kind of Markdown construct in ``text`` that briefgen does not lay out
    (a heading, a rule, a code block, HTML, an image), which would print as typed; once each."""
    if not _MAYBE_UNSUPPORTED.search(text):
        return []
    found: dict[str, str] = {}

    def visit(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type in _UNSUPPORTED:
                what, advice = _UNSUPPORTED[token.type]
                found.setdefault(what, f"{what} prints as typed: {advice}")
            if token.children:
                visit(token.children)

    visit(_reader().parse(text))
    return list(found.values())
