"""YAML syntax errors in plain words, at the line of the mistake, for each mistake people make
(the fixtures under tests/fixtures/invalid/yaml-*.yaml show them in a whole brief)."""

from __future__ import annotations

import pytest

from briefgen.errors import InvalidBriefError
from briefgen.load.yamlfile import parse_yaml

CASES = {
    "a key indented under a key that has its value": (
        "visit:\n  host: China\n    start: 2026-01-13\n",
        "3:5: this line is indented more than the key above it ('host', line 2), which already has its value on "
        "its line; indent it by 2 spaces like 'host', or, to put it under 'host', move the value after 'host:' "
        "to a line of its own"),
    "a key indented further than the key of a list item": (
        "issues:\n  - id: a\n     title: b\n",
        "3:6: this line is indented more than the key above it ('id', line 2), which already has its value on "
        "its line; indent it by 4 spaces like 'id', or, to put it under 'id', move the value after 'id:' to a "
        "line of its own"),
    "a key indented less than the key above it": (
        "visit:\n  host: China\n start: 2026-01-13\n",
        "3:2: this line is indented by 1 space, which lines up with no key above it; indent it by 2 spaces like "
        "'host' (line 2) to go on with it, or by 0 spaces like 'visit' (line 1) to start a new key"),
    "a key of a list item indented less than the one above": (
        "issues:\n  - id: a\n   title: b\n",
        "3:4: this line is indented by 3 spaces, which lines up with no key above it; indent it by 4 spaces like "
        "'id' (line 2) to go on with it, or by 0 spaces like 'issues' (line 1) to start a new key"),
    "a missing colon, the next line at the same indentation": (
        "visit:\n  host China\n  start: 2026-01-13\n",
        "2:3: 'host China' has no colon after its key; write the key, a colon and a space, then the value "
        "(host: China)"),
    "a missing colon on the last line": (
        "visit:\n  host: China\n  places [Beijing]\n",
        "3:3: 'places [Beijing]' has no colon after its key; write the key, a colon and a space, then the value "
        "(places: [Beijing])"),
    "a colon and a space inside a text": (
        "title: Visit: the sequel\n",
        "1:13: this text holds a colon and a space, which YAML reads as a new key; put the whole text in quotes: "
        "title: \"Visit: the sequel\""),
    "a colon inside a text that holds double quotes": (
        'title: The "big" visit: day one\n',
        "1:23: this text holds a colon and a space, which YAML reads as a new key; put the whole text in quotes: "
        "title: 'The \"big\" visit: day one'"),
    "a list item dedented": (
        "issues:\n  - id: a\n    title: b\n - id: c\n   title: d\n",
        "4:2: this list item is indented by 1 space, less than the items above it (2 spaces before '-' on line "
        "2); indent every '-' of a list the same"),
    "an unclosed quote at the end of the file": (
        'title: "Prime Minister\nsubtitle: x\n',
        '1:8: the text in quotes that starts here is never closed; end it with " on this line'),
    "an unclosed quote that runs to the next quote": (
        'visit:\n  host: "China\n  start: 2026-01-13\n  end: "2026-01-17"\n',
        '2:9: the text in quotes that starts here is never closed; end it with " on this line'),
    "an apostrophe inside single quotes": (
        "title: 'Canada's visit'\n",
        "1:15: the text in quotes ends here, before the rest of it; write an apostrophe inside single quotes "
        "twice ('') or put the text in double quotes"),
    "a double quote inside double quotes": (
        'title: "The "big" visit"\n',
        '1:13: the text in quotes ends here, before the rest of it; write a double quote inside double quotes '
        'as \\" or put the text in single quotes'),
    "an unclosed bracket": (
        "places: [Beijing, Shanghai\nhost: China\n",
        "1:9: the list opened with '[' here is not closed; end it with ']' after its last item"),
    "an unclosed brace": (
        "principal: {name: A, title: B\nhost: China\n",
        "1:12: the mapping opened with '{' here is not closed; end it with '}' after its last item"),
    "a brace after a NEXT LINE, which YAML counts as a line break": (
        "\x85{0",
        "2:1: the mapping opened with '{' here is not closed; end it with '}' after its last item"),
    "a bracket after a LINE SEPARATOR": (
        "a: 1\u2028b: [x\n",
        "2:4: the list opened with '[' here is not closed; end it with ']' after its last item"),
    "a tab": (
        "visit:\n\thost: China\n",
        "2:1: a tab character; YAML is indented with spaces, not tabs"),
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_each_mistake_is_named_at_its_line_with_what_to_write(text: str, expected: str) -> None:
    with pytest.raises(InvalidBriefError) as raised:
        parse_yaml(text, "brief.yaml")
    assert [str(problem) for problem in raised.value.problems] == [f"brief.yaml:{expected}"]


def test_a_brace_alone_keeps_the_parsers_words_at_the_end_of_the_text() -> None:
    with pytest.raises(InvalidBriefError) as raised:
        parse_yaml("{", "brief.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        "brief.yaml:1:2: YAML syntax error: while parsing a flow node (line 1, column 2), "
        "expected the node content, but found '<stream end>'"]


def test_a_mistake_it_does_not_recognise_keeps_the_parsers_words() -> None:
    with pytest.raises(InvalidBriefError) as raised:
        parse_yaml("a: &x 1\nb: *y\n", "brief.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        "brief.yaml:2:4: YAML syntax error: found undefined alias 'y'"]
