"""Read a YAML file into plain Python data and a map of where every key and item stands.

PyYAML builds the node tree; :class:`LocatingLoader` then walks it itself so that it can
record the line and column of each key and each list item under its key path
(``("issues", 0, "title")``), refuse duplicate keys, and stop on alias expansion that
would grow without bound. The tree comes from libyaml (PyYAML's C parser) when it is
there, ten times faster than PyYAML's Python parser (0.08 s against 1 s for a brief of
200 issues); a file with any problem is read again by the Python parser, whose messages
name the offending character. The two read briefs alike (the tests compare them on
mutations of the sample); they differ only in corners no brief needs, such as a tab
after a value, which libyaml allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefgen.errors import InvalidBriefError, Problem
from briefgen.load.yamlerrors import explain

KeyPath = tuple[str | int, ...]

#: Nodes visited while building the data; a brief has a few thousand at most, so more
#: than this means aliases expanding without bound ("billion laughs").
MAX_NODES = 50_000
#: Largest file read; a brief of 200 issues is well under 1 MB.
MAX_BYTES = 5 * 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
# Longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
_SAVE_AS_UTF8 = 'save it as UTF-8 (in most editors: Save As, then the encoding "UTF-8")'



@dataclass
class LineMap:
    """Where each key path of a loaded file starts: ``(line, column)``, both counted from 1.

    ``keys`` holds the position of a mapping key (or of a list item), ``values`` the
    position of the value under it.
    """

    path: str
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    #: How the file spells each value YAML read as a boolean, a number or null (``yes``, ``1e3``,
    #: ``~``), so that a message can show it as the user wrote it rather than as Python prints it.
    written: dict[KeyPath, str] = field(default_factory=dict)

    def locate(self, key_path: KeyPath, *, value: bool = False) -> tuple[int, int]:
        """Return the position of ``key_path``, or of its nearest ancestor that has one."""
        table = self.values if value else self.keys
        for end in range(len(key_path), -1, -1):
            prefix = key_path[:end]
            if prefix in table:
                return table[prefix]
            if prefix in self.keys:
                return self.keys[prefix]
        return (1, 1)

    def problem(self, key_path: KeyPath, message: str, *, value: bool = False) -> Problem:
        """A :class:`Problem` for ``key_path``, located in this file."""
        line, column = self.locate(key_path, value=value)
        return Problem(self.path, line, column, format_key_path(key_path), message)


def format_key_path(key_path: KeyPath) -> str:
    """Spell a key path as users write it: ``issues[0].facts[1].text``."""
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Locating:
    """What both loaders add to PyYAML's: positions recorded, duplicate keys refused."""

    def __init__(self, stream: str, line_map: LineMap):
        super().__init__(stream)
        self.line_map = line_map
        self.problems: list[Problem] = []
        self._nodes_seen = 0

    def load_located(self) -> Any:
        """Build the single document of the stream, recording positions on the way."""
        node = self.get_single_node()
        if node is None:
            return None
        return self._build(node, ())

    def _mark(self, table: dict[KeyPath, tuple[int, int]], key_path: KeyPath, node: Node) -> None:
        table.setdefault(key_path, (node.start_mark.line + 1, node.start_mark.column + 1))

    def _build(self, node: Node, key_path: KeyPath) -> Any:
        self._nodes_seen += 1
        if self._nodes_seen > MAX_NODES:
            raise _TooLarge(node)
        self._mark(self.line_map.values, key_path, node)
        if isinstance(node, MappingNode):
            return self._build_mapping(node, key_path)
        if isinstance(node, SequenceNode):
            result = []
            for index, item in enumerate(node.value):
                self._mark(self.line_map.keys, (*key_path, index), item)
                result.append(self._build(item, (*key_path, index)))
            return result
        return self._build_scalar(node, key_path)

    def _build_mapping(self, node: MappingNode, key_path: KeyPath) -> dict:
        self.flatten_mapping(node)
        result: dict = {}
        first_seen: dict = {}
        for key_node, value_node in node.value:
            key = self._build_scalar(key_node, key_path) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.problems.append(Problem(self.line_map.path, line, column, format_key_path(key_path),
                                             "keys must be plain words such as 'title'"))
                continue
            key = str(key)
            if key in first_seen:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.problems.append(Problem(
                    self.line_map.path, line, column, format_key_path((*key_path, key)),
                    f"duplicate key '{key}' (first given on line {first_seen[key]})"))
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self._mark(self.line_map.keys, (*key_path, key), key_node)
            result[key] = self._build(value_node, (*key_path, key))
        return result

    def _build_scalar(self, node: ScalarNode, key_path: KeyPath) -> Any:
        try:
            value = self.construct_object(node, deep=True)
            if node.tag.rsplit(":", 1)[-1] in ("bool", "int", "float", "null"):
                self.line_map.written[key_path] = node.value
            return value
        except (ValueError, yaml.constructor.ConstructorError) as error:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            reason = "not a real date" if node.tag.endswith(":timestamp") else str(error)
            self.problems.append(Problem(self.line_map.path, line, column, format_key_path(key_path),
                                         f"'{node.value}' is {reason}"))
            return node.value


class LocatingLoader(_Locating, yaml.SafeLoader):
    """A ``SafeLoader`` that records positions and refuses duplicate keys."""


#: The same with libyaml's parser, where PyYAML was built with it.
_FastLocatingLoader = type("_FastLocatingLoader", (_Locating, yaml.CSafeLoader), {}) if yaml.__with_libyaml__ else None


class _TooLarge(Exception):
    def __init__(self, node: Node):
        self.node = node


def _not_utf8(data: bytes, start: int) -> str:
    """What to say of ``data`` that is not UTF-8 from byte ``start``: the Windows code page, if it reads as one."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return f"the file is not UTF-8 text; {_SAVE_AS_UTF8}"
    byte = data[start:start + 1]
    return (f"the file is not UTF-8 text: it reads as Windows-1252 (cp1252), where this byte, "
            f"0x{byte.hex().upper()}, is {byte.decode('cp1252')!r}; {_SAVE_AS_UTF8}")


def load_yaml(path: Path, *, display_path: str | None = None) -> tuple[Any, LineMap]:
    """Read ``path`` and return its data and :class:`LineMap`.

    Raises :class:`InvalidBriefError` for a file that cannot be read, is too large, is not
    UTF-8 YAML, has duplicate keys or expands without bound.
    """
    shown = display_path or str(path)

    def fail(message: str, line: int = 1, column: int = 1) -> InvalidBriefError:
        return InvalidBriefError([Problem(shown, line, column, "", message)])

    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("this is a folder, not a file") from None
    except OSError as error:
        raise fail(f"cannot read the file: {error.strerror}") from None
    if len(data) > MAX_BYTES:
        raise fail(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB, the limit for one file")
    # Windows editors save UTF-8 with a byte-order mark: it is UTF-8 all the same, and it is no column.
    data = data.removeprefix(_UTF8_BOM)
    for bom, encoding in _BOMS.items():
        if data.startswith(bom) or (encoding == "UTF-16" and b"\x00" in data[:2]):
            raise fail(f"the file is {encoding} text, not UTF-8; {_SAVE_AS_UTF8}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line, column = before.count(b"\n") + 1, error.start - before.rfind(b"\n")
        raise fail(_not_utf8(data, error.start), line, column) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, display_path: str) -> tuple[Any, LineMap]:
    """Parse YAML ``text`` (shown in messages as ``display_path``); see :func:`load_yaml`."""
    if _FastLocatingLoader is not None:
        line_map = LineMap(display_path)
        loader = _FastLocatingLoader(text, line_map)
        try:
            data = loader.load_located()
            if not loader.problems:
                return data, line_map
        except (yaml.YAMLError, RecursionError, _TooLarge):
            pass
        finally:
            loader.dispose()
    line_map = LineMap(display_path)
    loader = None
    try:
        # The reader checks every character as soon as the loader is made.
        loader = LocatingLoader(text, line_map)
        data = loader.load_located()
    except yaml.MarkedYAMLError as error:
        found = explain(error, text)
        raise InvalidBriefError([Problem(display_path, found.line, found.column, "", found.message)]) from None
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        line, column = before.count("\n") + 1, error.position - before.rfind("\n")
        raise InvalidBriefError([Problem(display_path, line, column, "",
                                         f"the character U+{error.character:04X} is not allowed in YAML; "
                                         "remove it")]) from None
    except RecursionError:
        raise InvalidBriefError([Problem(display_path, 1, 1, "", "the YAML is nested too deeply")]) from None
    except _TooLarge as error:
        mark = error.node.start_mark
        raise InvalidBriefError([Problem(display_path, mark.line + 1, mark.column + 1, "",
                                         "YAML aliases expand to too many items; "
                                         "write the text out instead of repeating anchors")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if loader.problems:
        raise InvalidBriefError(loader.problems)
    return data, line_map
