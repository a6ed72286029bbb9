"""A sentence of the recipient's own: ``{column}`` in the letter's opening and body.

A placeholder names one of a recipient's fields or extra columns, normalised as the headers
of a recipients file are (``{Constituency}``, ``{riding}`` and ``{district_name}`` are the
``constituency``); ``{{`` and ``}}`` write a brace. It is not a template language: a name,
nothing else. The value goes into the Markdown escaped (every ASCII punctuation character
behind a backslash, so that ``*``, ``[`` or ``<`` print as themselves; the parser escapes
HTML) and typeset in the letter's language as the recipient's other fields are.

In a mail merge, every top-level block (paragraph, list, quote) holding a placeholder is
marked ``data-per-recipient``, so that the letter is still laid out once and those blocks
composed per recipient (:mod:`briefgen.render.mailmerge`). In a letter ``build`` writes,
which goes to the brief's own addressee, a placeholder takes the value of ``letter.to``
(``{name}``, ``{title}``, ``{address}``, and ``{salutation}`` the brief's salutation) and
any other prints as ``[column]``: the place where each recipient's value goes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from briefgen.load.columns import field_of, normalise
from briefgen.view.markdown import render_marked_block
from briefgen.view.typography import typeset

#: ``{{``, ``}}`` or a placeholder ``{name}`` (group 1), on one line.
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}")
#: The attribute of the parts of a letter that differ between the letters of a mail merge.
PER_RECIPIENT = "data-per-recipient"
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: The letter's texts that may hold placeholders.
TEXTS = ("opening", "body")


def key(name: str) -> str:
    """The field or extra column that a placeholder's name (as written) names."""
    return field_of(name) or normalise(name)


def placeholders(text: str | None) -> list[tuple[str, int]]:
    """Each placeholder of ``text``: its name as written and its line in the text (from 0)."""
    return [(match[1], text.count("\n", 0, match.start())) for match in PLACEHOLDER.finditer(text or "")
            if match[1] is not None]


def markdown_literal(text: str) -> str:
    """``text`` as Markdown that prints exactly it: each ASCII punctuation character escaped."""
    return _PUNCTUATION.sub(r"\\\1", text)


def fill(text: str, values: Mapping[str, str], language: str, missing: str = "[{}]") -> str:
    """``text`` (Markdown) with each placeholder replaced by its value in ``values`` (by
    :func:`key`), typeset and escaped; one without a value by ``missing`` with its name."""
    def replace(match: re.Match) -> str:
        if match[1] is None:
            return match[0][0]
        value = values.get(key(match[1]))
        return markdown_literal(typeset(value, language) if value else missing.format(key(match[1])))
    return PLACEHOLDER.sub(replace, text)


def letter_texts(letter: dict[str, Any], recipient: Mapping[str, Any] | None, language: str) -> None:
    """Fill the placeholders of ``letter``'s opening and body (a letter of the view, changed
    in place) with ``recipient``'s fields, or the addressee's when it is None; set each
    text's HTML as ``opening_html`` and ``body_html``, its blocks with a placeholder marked
    per recipient in a mail merge."""
    if recipient is not None:
        values = recipient.get("fields") or {}
    else:
        to = letter.get("to") or {}
        values = {"name": to.get("name"), "title": to.get("title"), "address": ", ".join(to.get("address") or []),
                  "salutation": letter.get("salutation")}
    for name in TEXTS:
        text = letter.get(name)
        if not text:
            letter[f"{name}_html"] = Markup("")
            continue
        lines = {line for _, line in placeholders(text)}
        filled = fill(text, values, language) if "{" in text or "}" in text else text
        letter[name] = filled
        letter[f"{name}_html"] = render_marked_block(filled, language, lines if recipient is not None else set(),
                                                     PER_RECIPIENT)
