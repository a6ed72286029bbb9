"""Typography of every text the documents print, as each language writes it: the one place of its rules.

- Quotes and apostrophes: “ ” ‘ ’ in English, « » (a narrow no-break space inside) and “ ”
  in French; the apostrophe is always ’. Markdown gets them from markdown-it's typographer
  with :data:`QUOTES` (:mod:`briefgen.view.markdown`), every other text from :func:`typeset`.
- French spacing (:func:`french_spacing`): a narrow no-break space (U+202F) before ``: ; ! ?``
  and ``%``, inside « », and between the groups of a number typed ``1 000 000``; a space
  typed there becomes that one, none is ever doubled; URLs, e-mail addresses and times such
  as 14:00 are left as they are.
- Chinese and Japanese (:func:`cjk_punctuation`): no spaces between words, so quotes open and
  close in turn (“ ” ‘ ’), and ``, : ; ! ?`` and a full stop typed after a Han character
  become the full-width ``，：；！？`` and ``。`` (the space typed after them goes); neither
  the French spacing nor the English rules of where a quote opens apply.
- Numbers briefgen writes itself (:func:`format_count`): ``1,234`` / ``1 234`` (U+202F).
- What must not break across lines: a phone number (:func:`unbreakable`), and URLs and
  e-mail addresses, which break only after ``/ . @`` (:func:`breakable_address`). Both come
  out as HTML of briefgen's subset (``span.nowrap``, ``<wbr>``), which the PDF lays out with
  CSS and the Word writer turns into non-breaking hyphens and spaces and zero-width spaces.

The view applies :func:`typeset` to the brief's texts as it builds a document's context
(:mod:`briefgen.view.context`) and to the templates' translated words
(:mod:`briefgen.view.translations`): templates and both formats print typeset text. What must
stay exact is not typeset: e-mail addresses, URLs, ids, file names, times, phone numbers.
"""

from __future__ import annotations

import re

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from briefgen.text import babel_locale, character_class, primary_language

#: The narrow no-break space: French punctuation, guillemets and thousands.
NNBSP = "\u202f"
NBSP = "\u00a0"
APOSTROPHE = "\u2019"
#: The quotes of each language: double open, double close, single open, single close, as
#: markdown-it's ``quotes`` option takes them.
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "fr": ("\u00ab" + NNBSP, NNBSP + "\u00bb", "\u201c", "\u201d"),
}
#: The separator of thousands in numbers briefgen formats (CLDR's fr_CA gives U+00A0; briefgen
#: uses the same narrow no-break space as before French punctuation).
GROUP_SEPARATOR = {"fr": NNBSP}
#: Languages written without spaces between words, in Han characters (and kana): their punctuation
#: is full-width (see :func:`cjk_punctuation`).
CJK_LANGUAGES = frozenset({"zh", "ja"})
_HAN = character_class("cjk")
_FULL_WIDTH = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "!": "\uff01", "?": "\uff1f", ".": "\u3002"}
# A mark typed after a Han character, with the spaces after it, unless it is part of a number
# (3.5), a time or an address.
_AFTER_HAN = re.compile(rf"(?<=[{_HAN}\u201d\u2019\uff09])([,:;!?]|\.(?![\w.]))(?![\d/])[ \u00a0]*")
_HAN_CHARACTER = re.compile(f"[{_HAN}]")

# Spans left as they are: URLs, e-mail addresses, and times (14:00, 9 h 30 has no colon).
_EXACT = re.compile(r"(?:https?://|mailto:|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\d{1,2}:\d{2}")
# Spaces a French typesetter replaces: ordinary, no-break, thin and narrow no-break.
_SPACES = " \u00a0\u2009\u202f"
# A high punctuation mark of running text: followed by a space, the end, a closing mark or another.
_HIGH_PUNCTUATION = re.compile(rf"(?<![!?{_SPACES}])([{_SPACES}]*)([:;!?])(?=[\s)\]»”’\"'!?.,]|$)")
_PERCENT = re.compile(rf"(?<=\d)[{_SPACES}]?%")
_OPEN_GUILLEMET = re.compile(rf"«[{_SPACES}]*")
_CLOSE_GUILLEMET = re.compile(rf"[{_SPACES}]*»")
_GROUPED_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0]\d{3})+(?![\d])")
_OPENS_AFTER = set(_SPACES + "\t\n([{\u2014\u2013-/" + "\u201c\u2018\u00ab")


def typeset(text: str, language: str) -> str:
    """``text`` (plain text, not Markdown) with the quotes, apostrophes and, in French, the
    spacing of ``language``: ``"l'État"`` → ``« l’État »``."""
    if language not in QUOTES and primary_language(language) in CJK_LANGUAGES:
        return cjk_punctuation(text)
    text = smart_quotes(text, language)
    return french_spacing(text) if language == "fr" else text


def cjk_punctuation(text: str) -> str:
    """``text`` punctuated as Chinese is: straight quotes curled in turn (“ ” ‘ ’; an apostrophe
    between two Latin letters is ’), and ``, : ; ! ? .`` after a Han character full-width,
    without the space typed after them. URLs, e-mail addresses and times stay as they are."""
    if "'" in text or '"' in text:
        out: list[str] = []
        double_is_open = single_is_open = False
        for index, char in enumerate(text):
            if char == '"':
                out.append("\u201d" if double_is_open else "\u201c")
                double_is_open = not double_is_open
            elif char == "'":
                before = text[index - 1] if index else " "
                after = text[index + 1] if index + 1 < len(text) else " "
                if before.isalpha() and after.isalpha() and not _HAN_CHARACTER.search(before + after):
                    out.append(APOSTROPHE)
                else:
                    out.append("\u2019" if single_is_open else "\u2018")
                    single_is_open = not single_is_open
            else:
                out.append(char)
        text = "".join(out)
    pieces: list[str] = []
    position = 0
    for exact in _EXACT.finditer(text):
        pieces.append(_AFTER_HAN.sub(lambda match: _FULL_WIDTH[match.group(1)], text[position:exact.start()]))
        pieces.append(exact.group())
        position = exact.end()
    pieces.append(_AFTER_HAN.sub(lambda match: _FULL_WIDTH[match.group(1)], text[position:]))
    return "".join(pieces)


# Parentheses around text with a Han character in it, and the space typed before them after one.
_HAN_PARENTHESES = re.compile(rf"(?:(?<=[{_HAN}\u3000-\u303f\uff00-\uffef])[ \u00a0])?\(([^()<>]*[{_HAN}][^()<>]*)\)")
_HTML_TEXT = re.compile(r"(?<=>)[^<>]+(?=<)")
# The spaces a template puts after a full-width mark, past the tags that close there ("。</strong> ").
_SPACE_AFTER_FULL_WIDTH = re.compile(r"([\u3001\u3002\uff0c\uff1a\uff1b\uff01\uff1f\uff09])((?:</[a-z]+>)*)[ \u00a0]+")
_STYLE = re.compile(r"<style>.*?</style>", re.S)


def cjk_html(html: str) -> str:
    """The text of a Chinese or Japanese document's HTML punctuated as :func:`cjk_punctuation`
    does, the marks the templates and Markdown put between its texts included (``黎智英案.`` →
    ``黎智英案。``, ``(总理)`` → ``（总理）``), without the space a template puts after one; tags,
    attributes and the stylesheet as they are."""
    def text(match: re.Match[str]) -> str:
        piece = match.group()
        if not _HAN_CHARACTER.search(piece):
            return piece
        piece = _HAN_PARENTHESES.sub(lambda found: f"\uff08{found.group(1)}\uff09", piece)
        # Markdown leaves the straight quotes between Han characters as typed (escaped).
        for entity, char in (("&#34;", '"'), ("&quot;", '"'), ("&#39;", "'"), ("&#x27;", "'")):
            piece = piece.replace(entity, char)
        return cjk_punctuation(piece).replace('"', "&#34;").replace("'", "&#39;")

    def body(piece: str) -> str:
        return _SPACE_AFTER_FULL_WIDTH.sub(r"\1\2", _HTML_TEXT.sub(text, piece))

    pieces: list[str] = []
    position = 0
    for style in _STYLE.finditer(html):
        pieces.append(body(html[position:style.start()]))
        pieces.append(style.group())
        position = style.end()
    pieces.append(body(html[position:]))
    return "".join(pieces)


def smart_quotes(text: str, language: str) -> str:
    """Straight quotes and apostrophes in ``text`` made curly, as ``language`` writes them.

    A quote opens after a space, an opening bracket or dash, or at the start, and closes
    elsewhere; an apostrophe between letters, or after one outside quotes, is ’.
    """
    if "'" not in text and '"' not in text:
        return text
    double_open, double_close, single_open, single_close = QUOTES.get(language, QUOTES["en"])
    out: list[str] = []
    single_is_open = double_is_open = False
    for index, char in enumerate(text):
        if char not in "'\"":
            out.append(char)
            continue
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        # A quote opens after a space or an opening mark, and after an elided word (l’« … »).
        opens = (before in _OPENS_AFTER or (before in "'\u2019" and after.isalnum())) and not after.isspace()
        if char == '"':
            # Spaces on both sides (a French typist's " mot "): it closes the quote that is open.
            closes = double_is_open if before in _OPENS_AFTER and after.isspace() else not opens
            double_is_open = not closes
            if closes:
                _strip_space(out, double_close)
            out.append(double_close if closes else double_open)
        elif before.isalnum() and (after.isalnum() or not single_is_open):
            out.append(APOSTROPHE)
        elif opens:
            single_is_open = True
            out.append(single_open)
        else:
            single_is_open = False
            out.append(single_close)
    typed = "".join(out)
    if language == "fr":
        # « typed with a space after it (or » before) keeps just the narrow no-break one.
        typed = re.sub(rf"«{NNBSP}[{_SPACES}]+", "«" + NNBSP, typed)
    return typed


def _strip_space(out: list[str], close: str) -> None:
    """Drop the spaces typed before a French closing guillemet, which brings its own."""
    if close.startswith(NNBSP):
        while out and out[-1] in _SPACES:
            out.pop()


def french_spacing(text: str, before: str = "") -> str:
    """``text`` with French spacing (see the module's description), never inside a URL, an
    e-mail address or a time. ``before`` is the character printed just before ``text``,
    if it continues a line (a Markdown text after an emphasis)."""
    pieces: list[str] = []
    position = 0
    for exact in _EXACT.finditer(text):
        pieces.append(_french_spacing_prose(text[position:exact.start()], before if not position else "x"))
        pieces.append(exact.group())
        position = exact.end()
    pieces.append(_french_spacing_prose(text[position:], before if not position else "x"))
    return "".join(pieces)


def _french_spacing_prose(text: str, before: str) -> str:
    if not text:
        return text

    def high(match: re.Match[str]) -> str:
        # At the very start of a text, a mark is spaced only if a word printed just before it.
        if match.start() == 0 and not match.group(1) and (not before or before.isspace()):
            return match.group(2)
        return NNBSP + match.group(2)

    text = _HIGH_PUNCTUATION.sub(high, text)
    text = _PERCENT.sub(NNBSP + "%", text)
    text = _OPEN_GUILLEMET.sub("«" + NNBSP, text)
    text = _CLOSE_GUILLEMET.sub(NNBSP + "»", text)
    return _GROUPED_NUMBER.sub(lambda match: re.sub(r"[ \u00a0]", NNBSP, match.group()), text)


def format_count(number: int, language: str) -> str:
    """``number`` as running text writes it: ``1,234`` / ``1 234`` (U+202F in French)."""
    text = format_decimal(number, locale=babel_locale(language))
    separator = GROUP_SEPARATOR.get(language)
    return re.sub(r"[\u00a0\u202f ]", separator, text) if separator else text


def unbreakable(text: str | None) -> Markup:
    """``text`` (a phone number) as HTML that is never broken across lines: ``span.nowrap``."""
    if not text:
        return Markup("")
    return Markup('<span class="nowrap">{}</span>').format(text)


_ADDRESS_BREAK = re.compile(r"(?<=[/.@])(?=[^/.@])")


def breakable_address(text: str | None) -> Markup:
    """A URL or e-mail address as HTML that breaks across lines only after ``/ . @``:
    a ``<wbr>`` after each, and each piece with a hyphen in a ``span.nowrap``."""
    if not text:
        return Markup("")
    pieces = [unbreakable(piece) if "-" in piece else escape(piece) for piece in _ADDRESS_BREAK.split(text)]
    return Markup("<wbr>").join(pieces)
