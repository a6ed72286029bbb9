"""Word-by-word differences between two pieces of briefgen's HTML, marked with ``<ins>`` and ``<del>``.

The texts compared are the HTML the templates print (Markdown already rendered), not the
Markdown source, so that the markup stays valid: the result is the new HTML, every element of
it in place, with the words that are new wrapped in ``<ins>`` and the words that went wrapped in
``<del>`` where they stood. A deletion keeps its words but not its own markup (an old emphasis
or link): its text is put inside the element of the new HTML it falls in, or, where it falls
between two blocks (a paragraph that went), at the end of the block before, or at the start of
the block after when there is none before. So "accept all" (keep ``ins``, drop ``del``) gives the
new HTML's text exactly, and "reject all" the old text's words.

Words are compared as tokens: a run of letters and digits (with the apostrophes and hyphens
inside a word), a character entity, a punctuation mark, or a run of white space; a tag is one
token that only equals the same tag. Each ``<ins>`` and ``<del>`` carries ``datetime`` (when the
change was made: the brief's date) and ``title`` (what a screen reader says before its words,
"inserted" or "deleted" in the document's language).
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from markupsafe import Markup

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\s+|[\w’'\-]+|[^\w\s<&]|&", re.UNICODE)
#: Elements text may stand in directly: a deletion is put inside one of these.
_TEXT_HOLDERS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "td", "th", "caption", "strong", "b", "em", "i",
                           "code", "sup", "sub", "span", "a", "blockquote"})
_VOID = frozenset({"br", "wbr", "img", "hr", "meta", "link"})


@dataclass(frozen=True)
class Marks:
    """How the marks of one document are written: when the changes were made and what they are called."""

    datetime: str
    inserted: str = "inserted"
    deleted: str = "deleted"

    def open(self, kind: str) -> str:
        """The opening tag of an ``ins`` or ``del`` mark."""
        title = self.inserted if kind == "ins" else self.deleted
        return f'<{kind} datetime="{html.escape(self.datetime)}" title="{html.escape(title)}">'


def tokens(text: str) -> list[str]:
    """``text`` (HTML) cut into tags, words, entities, punctuation and white space."""
    return _TOKEN.findall(text)


def _tag_name(token: str) -> tuple[str, bool] | None:
    """The element name of a tag token and whether it closes it; None for text."""
    match = re.match(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)", token)
    return (match.group(2).lower(), bool(match.group(1))) if match else None


class _Output:
    """The new HTML being written out, and which elements are open where it ends."""

    def __init__(self, marks: Marks, inline: bool):
        self.marks = marks
        self.parts: list[str] = []
        # Inline HTML (a fact) is printed inside an element that holds text.
        self.stack: list[str] = ["span"] if inline else []
        self.pending: list[str] = []  # deleted text waiting for the first block that can hold it

    def tag(self, token: str) -> None:
        self.parts.append(token)
        name = _tag_name(token)
        if name is None or name[0] in _VOID or token.endswith("/>"):
            return
        element, closing = name
        if not closing:
            self.stack.append(element)
            if self.pending and element in _TEXT_HOLDERS:
                self.parts.append(self._deleted(" ".join(self.pending)) + " ")
                self.pending = []
        elif element in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(element):]

    def text(self, token: str) -> None:
        self.parts.append(token)

    def inserted(self, new: list[str]) -> None:
        """Write ``new`` tokens of the new HTML, its words inside ``<ins>`` marks."""
        run: list[str] = []

        def close() -> None:
            words = "".join(run)
            if words.strip():
                lead = words[: len(words) - len(words.lstrip())]
                trail = words[len(words.rstrip()):]
                self.parts.append(f"{lead}{self.marks.open('ins')}{words.strip()}</ins>{trail}")
            elif words:
                self.parts.append(words)
            run.clear()

        for token in new:
            if token.startswith("<"):
                close()
                self.tag(token)
            else:
                run.append(token)
        close()

    def deleted(self, old: list[str], spaced: bool = False) -> None:
        """Write the words of ``old`` tokens (their tags left out) as a ``<del>`` mark where text may stand;
        ``spaced``, with a space at its end."""
        # The white space around the words goes with them, so that neither version loses a space.
        spaced_words = re.sub(r"\s+", " ", "".join(token for token in old if not token.startswith("<")))
        words = spaced_words.strip()
        if not words:
            return
        if spaced and not spaced_words.endswith(" "):
            spaced_words += " "
        if self.stack and self.stack[-1] in _TEXT_HOLDERS:
            self.parts.append(self._deleted(spaced_words))
            return
        # Between blocks: at the end of the block just closed, else at the start of the next.
        for index in range(len(self.parts) - 1, -1, -1):
            name = _tag_name(self.parts[index])
            if name is None:
                if self.parts[index].strip():
                    break
                continue
            if name[1] and name[0] in _TEXT_HOLDERS:
                self.parts.insert(index, " " + self._deleted(words))
                return
            if not name[1]:
                break
        self.pending.append(words)

    def _deleted(self, words: str) -> str:
        return f"{self.marks.open('del')}{words}</del>"

    def html(self) -> str:
        if self.pending:  # nothing of the new text can hold them: a paragraph of their own
            self.parts.append(f"<p>{self._deleted(' '.join(self.pending))}</p>")
        return "".join(self.parts)


def diff_html(old: str, new: str, marks: Marks, *, inline: bool = False) -> Markup:
    """The HTML ``new`` with the words that differ from ``old`` marked ``<ins>`` and ``<del>`` (see the module);
    ``inline`` for HTML that is printed inside a paragraph or a list item (a fact), not made of blocks."""
    before, after = tokens(old), tokens(new)
    out = _Output(marks, inline)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            for token in after[j1:j2]:
                out.tag(token) if token.startswith("<") else out.text(token)
            continue
        if operation in ("delete", "replace"):
            # Before the words that replace them, a space of their own keeps the two apart.
            out.deleted(before[i1:i2], spaced=operation == "replace")
        if operation in ("insert", "replace"):
            out.inserted(after[j1:j2])
    return Markup(out.html())


def accepted(marked: str) -> str:
    """``marked`` with every change accepted: the ``<ins>`` marks' words kept, the ``<del>`` marks dropped."""
    return re.sub(r"</?ins\b[^>]*>", "", re.sub(r"<del\b[^>]*>.*?</del>", "", marked, flags=re.S))
