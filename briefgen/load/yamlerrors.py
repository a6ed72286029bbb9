"""YAML syntax errors in plain words, at the line of the mistake.

PyYAML reports where its parser gave up ("expected <block end>, but found '<block mapping
start>'"), which is often the line after the mistake and always in the parser's terms. This
module reads the text around that point — the indentation of the lines above, the tokens the
scanner made — to name the mistake people make (a line indented too far or not far enough, a
missing colon, a colon inside a text, an unclosed quote or bracket, a tab) and say what to
write instead. What it cannot recognise keeps PyYAML's words, prefixed "YAML syntax error".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

#: A line that starts a key: optional "- ", then a plain key and a colon ending it or before a space.
_KEY = re.compile(r"^(?P<indent> *)(?:- +)*(?P<key>[^\s:#'\"\[\]{}][^:#]*?) *:(?:\s|$)")
_CLOSERS = {"[": "]", "{": "}"}
#: What ends a line for YAML, whose marks count lines so (NEXT LINE and the Unicode separators too).
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a YAML mistake is (1-based line and column) and what to do about it."""

    line: int
    column: int
    message: str


def explain(error: yaml.MarkedYAMLError, text: str) -> SyntaxProblem:
    """The mistake behind PyYAML's ``error`` on ``text``, located and in plain words."""
    lines = _YAML_LINE_BREAK.split(text)
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    problem, context = error.problem or "", error.context or ""
    found = None
    if "'\\t'" in problem:
        found = SyntaxProblem(line + 1, column + 1, "a tab character; YAML is indented with spaces, not tabs")
    elif context == "while scanning a quoted scalar" and error.context_mark:
        found = _unclosed_quote(error.context_mark.line, error.context_mark.column, lines)
    elif context in ("while parsing a flow sequence", "while parsing a flow mapping") and error.context_mark:
        start = error.context_mark
        opener = _character(lines, start.line, start.column) or "["
        found = SyntaxProblem(start.line + 1, start.column + 1,
                              f"the {'mapping' if opener == '{' else 'list'} opened with '{opener}' here is not "
                              f"closed; end it with '{_CLOSERS.get(opener, ']')}' after its last item")
    elif context == "while scanning a simple key" and error.context_mark \
            and ":" not in lines[error.context_mark.line]:
        found = _missing_colon(error.context_mark.line, lines)
    elif problem == "mapping values are not allowed here":
        found = _unexpected_colon(line, column, lines)
    elif problem.startswith("expected <block end>, but found"):
        found = _after_quote(text, line, column, lines) or _misindented(line, lines)
    if found is not None:
        return found
    message = problem or "not valid YAML"
    if error.context and error.context_mark:
        started = error.context_mark
        message = f"{error.context} (line {started.line + 1}, column {started.column + 1}), {message}"
    elif error.context:
        message = f"{error.context}, {message}"
    return SyntaxProblem(line + 1, column + 1, f"YAML syntax error: {message}")


def _character(lines: list[str], index: int, column: int) -> str:
    """The character at ``column`` of line ``index``, or "" past the end of the text."""
    return lines[index][column:column + 1] if index < len(lines) else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content_above(index: int, lines: list[str]) -> int | None:
    """The index of the nearest line above ``index`` that holds more than a comment."""
    for above in range(index - 1, -1, -1):
        stripped = lines[above].strip()
        if stripped and not stripped.startswith("#"):
            return above
    return None


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _key(line: str) -> str | None:
    match = _KEY.match(line)
    return match["key"] if match else None


def _unclosed_quote(index: int, column: int, lines: list[str]) -> SyntaxProblem:
    quote = _character(lines, index, column) or '"'
    return SyntaxProblem(index + 1, column + 1,
                         f"the text in quotes that starts here is never closed; end it with {quote} "
                         f"on this line")


def _missing_colon(index: int, lines: list[str]) -> SyntaxProblem:
    written = lines[index].strip().removeprefix("- ").strip()
    key, _, rest = written.partition(" ")
    example = f"{key}: {rest.strip()}" if rest.strip() else f"{key}:"
    return SyntaxProblem(index + 1, _indent(lines[index]) + 1,
                         f"'{written}' has no colon after its key; write the key, a colon and a space, "
                         f"then the value ({example})")


def _unexpected_colon(index: int, column: int, lines: list[str]) -> SyntaxProblem | None:
    """A colon YAML did not expect: inside a text, on a line indented too far, or after a line
    whose own colon is missing (YAML then read both lines as one text)."""
    line = lines[index]
    own_key = _KEY.match(line)
    if own_key and own_key.end() <= column:
        # "title: Visit: the sequel": a second ": " on the line of a key.
        key = own_key["key"]
        value = line[own_key.end():].strip()
        quoted = f"'{value}'" if '"' in value else f'"{value}"'
        return SyntaxProblem(index + 1, column + 1,
                             "this text holds a colon and a space, which YAML reads as a new key; "
                             f"put the whole text in quotes: {key}: {quoted}")
    above = _content_above(index, lines)
    if above is None:
        return None
    if _key(lines[above]) is None and ":" not in lines[above]:
        return _missing_colon(above, lines)
    return _indented_more(index, above, lines)


def _indented_more(index: int, above: int, lines: list[str]) -> SyntaxProblem | None:
    """A key indented further than the key above it, which already has its value on its line."""
    if _indent(lines[index]) <= _key_column(lines[above]):
        return None
    key_above = _key(lines[above])
    return SyntaxProblem(index + 1, _indent(lines[index]) + 1,
                         f"this line is indented more than the key above it ('{key_above}', line "
                         f"{above + 1}), which already has its value on its line; indent it by "
                         f"{_spaces(_key_column(lines[above]))} like '{key_above}', or, to put it under "
                         f"'{key_above}', move the value after '{key_above}:' to a line of its own")


def _after_quote(text: str, index: int, column: int, lines: list[str]) -> SyntaxProblem | None:
    """Text that follows a quoted text: a quote closed too early (an apostrophe inside single
    quotes) or a quote left open that took the lines below up to the next quote."""
    previous = None
    try:
        for token in yaml.scan(text):
            if (token.start_mark.line, token.start_mark.column) >= (index, column):
                break
            previous = token
    except yaml.YAMLError:
        return None
    if not isinstance(previous, yaml.ScalarToken) or previous.style not in ("'", '"'):
        return None
    start, end = previous.start_mark, previous.end_mark
    if start.line != end.line:
        return _unclosed_quote(start.line, start.column, lines)
    if (end.line, end.column) == (index, column):
        if previous.style == "'":
            advice = "write an apostrophe inside single quotes twice ('') or put the text in double quotes"
        else:
            advice = 'write a double quote inside double quotes as \\" or put the text in single quotes'
        return SyntaxProblem(index + 1, column, f"the text in quotes ends here, before the rest of it; {advice}")
    return None


def _key_column(line: str) -> int:
    """Where the key of ``line`` starts: after its indentation and any "- " of list items."""
    match = re.match(r"( *)((?:- +)*)", line)
    return len(match[0])


def _misindented(index: int, lines: list[str]) -> SyntaxProblem | None:
    """A line indented less than the block it continues but more than the key that holds it, or
    more than a key that has its value already."""
    line = lines[index]
    indent = _indent(line)
    content = [above for above in range(index - 1, -1, -1)
               if lines[above].strip() and not lines[above].lstrip().startswith("#")]
    if line.lstrip().startswith("-"):
        for above in content:
            if lines[above].lstrip().startswith("-") and _indent(lines[above]) > indent:
                return SyntaxProblem(index + 1, indent + 1,
                                     f"this list item is indented by {_spaces(indent)}, less than the items "
                                     f"above it ({_spaces(_indent(lines[above]))} before '-' on line "
                                     f"{above + 1}); indent every '-' of a list the same")
            if _key_column(lines[above]) <= indent:
                break
    if not content:
        return None
    above = content[0]
    if _key_column(lines[above]) < indent:
        return _indented_more(index, above, lines)
    if _key_column(lines[above]) == indent:
        return None
    holder = next((candidate for candidate in content if _key_column(lines[candidate]) < indent), None)
    if holder is None:
        return None
    return SyntaxProblem(index + 1, indent + 1,
                         f"this line is indented by {_spaces(indent)}, which lines up with no key above it; "
                         f"indent it by {_spaces(_key_column(lines[above]))} like '{_key(lines[above])}' "
                         f"(line {above + 1}) to go on with it, or by {_spaces(_key_column(lines[holder]))} "
                         f"like '{_key(lines[holder])}' (line {holder + 1}) to start a new key")
