"""The headers of a draft that carry people's names and the subject: written, and read back.

briefgen writes these headers itself rather than through the ``email`` package, which takes
a display name that is itself an encoded word (``=?utf-8?b?...?=``) for one and writes what
it decodes to (a name became ``<attacker@evil.example>``, a second address), and which
leaves a word too long to fold on a line of any length (a 1,000-character name gave a line
of 1,001, which servers refuse). Here:

- a text of plain words (letters, digits, ``!#$%&'*+/=?^_`{|}~-``) goes as it is, folded at
  its spaces; a short one with other printable ASCII (``Arbour, Ann``) as a quoted string;
- anything else (accents, other scripts, a long word, ``=?``) as RFC 2047 encoded words,
  split between characters, so that every line stays within 78 characters;
- an address on a line of its own when it does not fit after the name (an address is at
  most 254 characters, so no line comes near the limit of 998).

:func:`header_problem` reads a draft's header block back, with the ``email`` package and with
an RFC 2047 decoder, and says where it is not exactly what was meant to be written.
"""

from __future__ import annotations

import re
from email import policy
from email.header import Header, decode_header, make_header
from email.parser import BytesHeaderParser

#: The headers of a draft, in the order briefgen writes them: no other header, none twice.
DRAFT_HEADERS = ("From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
                 "Content-Language")
#: RFC 5322 2.1.1: lines SHOULD be at most 78 characters (and MUST be at most 998).
LINE_LENGTH = 78
#: The longest word written as it is; a longer one is encoded, so that it can be split.
_LONGEST_WORD = 60
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def mailbox_header(name: str, display_name: str, address: str) -> tuple[str, str]:
    """The folded value of header ``name`` (From, To, Reply-To) for the mailbox of
    ``display_name`` at ``address``, and the text an RFC 2047 decoder reads in it."""
    prefix = len(name) + 2
    quoted = '"' + display_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if not display_name:
        return f"<{address}>", f"<{address}>"
    if _plain(display_name, _ATOMS):
        phrase, shown = _fold_words(display_name, prefix), display_name
    elif _plain(display_name, _PRINTABLE) and prefix + len(quoted) + len(address) + 3 <= LINE_LENGTH:
        phrase, shown = quoted, quoted
    else:
        phrase, shown = _encoded_words(display_name, name), display_name
    _, folded, last_line = phrase.rpartition("\r\n")
    column = len(last_line) + (0 if folded else prefix)
    joint = " " if column + len(address) + 3 <= LINE_LENGTH else "\r\n "
    return f"{phrase}{joint}<{address}>", f"{shown} <{address}>"


def text_header(name: str, text: str) -> str:
    """The folded value of the unstructured header ``name`` (Subject) that reads as ``text``."""
    if _plain(text, _PRINTABLE):
        return _fold_words(text, len(name) + 2)
    return _encoded_words(text, name)


def _plain(text: str, allowed: re.Pattern) -> bool:
    """Whether ``text`` can go as it is: only ``allowed`` characters, no word too long to fold,
    no encoded word, and no space that folding would change."""
    return (allowed.fullmatch(text) is not None and "=?" not in text and "  " not in text
            and text == text.strip(" ") and all(len(word) <= _LONGEST_WORD for word in text.split(" ")))


def _fold_words(text: str, first_column: int) -> str:
    """``text`` folded at its spaces so that each line, the first after ``first_column``
    characters, stays within :data:`LINE_LENGTH`."""
    lines: list[str] = []
    words: list[str] = []
    column = first_column
    for word in text.split(" "):
        width = len(word) + (1 if words else 0)
        if words and column + width > LINE_LENGTH:
            lines.append(" ".join(words))
            words, column = [word], 1 + len(word)
        else:
            words.append(word)
            column += width
    lines.append(" ".join(words))
    return "\r\n ".join(lines)


def _encoded_words(text: str, name: str) -> str:
    return Header(text, "utf-8", maxlinelen=LINE_LENGTH, header_name=name).encode(linesep="\r\n")


def decoded(value: str) -> str:
    """The text a header ``value`` reads as: unfolded, its encoded words decoded as RFC 2047
    says (the space between two encoded words is not part of the text)."""
    return str(make_header(decode_header(value.replace("\r\n", "").replace("\n", ""))))


def header_problem(data: bytes, *, message_id: str, sender: str, recipient: str,
                   texts: dict[str, str] | None = None) -> str | None:
    """What is wrong with the headers of the draft ``data``, or None when they are exactly the
    ones briefgen writes: :data:`DRAFT_HEADERS` in order, ``message_id``, From and Reply-To
    the one address ``sender``, To the one address ``recipient`` and, given ``texts`` (header
    name → text), each of those headers reading as its text."""
    headers = BytesHeaderParser(policy=policy.default).parsebytes(data.partition(b"\r\n\r\n")[0] + b"\r\n\r\n")
    names = headers.keys()
    if names != list(DRAFT_HEADERS):
        return f"its headers are {', '.join(names) or 'none'}, not {', '.join(DRAFT_HEADERS)}"
    if str(headers["Message-ID"]) != message_id:
        return f"its Message-ID is {headers['Message-ID']}, not {message_id}"
    for name, address in (("From", sender), ("Reply-To", sender), ("To", recipient)):
        found = [mailbox.addr_spec for mailbox in headers[name].addresses]
        if found != [address]:
            return f"its {name} header is addressed to {', '.join(found) or 'nobody'}, not to {address}"
    raw = dict(headers.raw_items())
    for name, text in (texts or {}).items():
        if decoded(raw[name]) != text:
            return f"its {name} header reads as {decoded(raw[name])!r}, not as {text!r}"
    return None
