"""Tag every run of another script in a document's HTML with its language.

A name in Tibetan or a word in Devanagari inside an English sentence is read aloud, searched,
hyphenated and given a font by its language: each run of a script of
:data:`briefgen.text.SCRIPT_RANGES` in the text of the HTML that is not inside an element of
its language already becomes ``<span lang="…">``, the language given by
:func:`briefgen.text.language_runs` (the brief's choice for the script, else the script's
default). WeasyPrint writes that ``lang`` as the /Lang of the run's structure element, the
.docx writer as the run's ``w:lang``. The HTML is scanned as text, tag by tag, so that what is
not changed stays byte for byte as the template wrote it; the text of ``<head>`` (title,
stylesheet) is left alone.
"""

from __future__ import annotations

import bisect
import re

from briefgen.text import SCRIPT_CHARACTER, SCRIPT_LANGUAGES, language_runs, primary_language, script_range

_TAG = re.compile(r"<!--.*?-->|<!\w[^>]*>|<(/?)([A-Za-z][A-Za-z0-9]*)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_LANG = re.compile(r"""\slang\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: Elements whose text is not shown as text, or where a span would print as typed.
_LEFT_ALONE = frozenset({"head", "style", "script", "title", "textarea"})


def _tagged(text: str, inherited: str | None, defaults: dict[str, str] | None) -> str:
    """``text``, inside an element of language ``inherited``, with its runs of other scripts tagged."""
    pieces, end = [], 0
    for start, stop, language in language_runs(text, defaults):
        if inherited is not None and _written_in(inherited, text[start]):
            continue
        pieces += [text[end:start], f'<span lang="{language}">', text[start:stop], "</span>"]
        end = stop
    return "".join(pieces) + text[end:] if pieces else text


def _written_in(language: str, char: str) -> bool:
    """Whether ``language`` is written in the script of ``char``: a Uyghur element's Arabic
    script is Uyghur, a Japanese element's Han Japanese."""
    row = script_range(char)
    primary = primary_language(language)
    return row is not None and (primary in SCRIPT_LANGUAGES.get(row.script, ())
                                or primary == primary_language(row.language or ""))


def tag_languages(html: str, defaults: dict[str, str] | None = None) -> str:
    """``html`` with each run of another script in its text inside ``<span lang="…">``
    (see the module's docstring); ``html`` itself when it has none."""
    # Where the characters of other scripts are: only the text around them is looked at.
    positions = [match.start() for match in SCRIPT_CHARACTER.finditer(html)]
    if not positions:
        return html
    pieces: list[str] = []
    copied = 0  # html[:copied] is in pieces
    stack: list[tuple[str, str | None]] = []  # open elements: (tag, language)
    left_alone = 0
    end = 0
    for match in _TAG.finditer(html):
        start = match.start()
        if not left_alone and start > end and bisect.bisect_left(positions, end) < bisect.bisect_left(positions, start):
            tagged = _tagged(html[end:start], stack[-1][1] if stack else None, defaults)
            if len(tagged) != start - end:
                pieces += [html[copied:end], tagged]
                copied = start
        end = match.end()
        closing, tag, attributes = match.group(1, 2, 3)
        tag = (tag or "").lower()
        if not tag or tag in _VOID:
            continue
        if closing:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][0] == tag:
                    left_alone -= sum(1 for name, _ in stack[index:] if name in _LEFT_ALONE)
                    del stack[index:]
                    break
        elif not attributes.rstrip().endswith("/"):
            attribute = _LANG.search(attributes) if "lang" in attributes else None
            language = next(filter(None, attribute.groups()), None) if attribute else None
            stack.append((tag, language or (stack[-1][1] if stack else None)))
            left_alone += tag in _LEFT_ALONE
    if not left_alone and end < len(html) and bisect.bisect_left(positions, end) < len(positions):
        tagged = _tagged(html[end:], stack[-1][1] if stack else None, defaults)
        if len(tagged) != len(html) - end:
            pieces += [html[copied:end], tagged]
            copied = len(html)
    return "".join(pieces) + html[copied:] if pieces else html
