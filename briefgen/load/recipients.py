"""Read and check the recipients of a mail merge: a CSV, Excel (.xlsx) or YAML file, one recipient per row.

The columns (the header, or the keys of each YAML item) are recognised by their name as
people write it (:mod:`briefgen.load.columns`: "Email", "Courriel", "First Name",
"Province / Territory"…) or mapped with ``--columns FIELD=COLUMN``; ``email`` and a name
(``name``, or ``first_name`` and ``last_name``) are required, and every other column is
kept as an extra field of the recipient that the letter may name. In CSV and Excel the
lines of an address are separated by ``|`` or by line breaks inside the cell (Alt+Enter in
Excel); in YAML ``address`` is a list of lines. ``--where COLUMN=VALUE`` keeps the rows
whose cell is VALUE (case and accents aside). Every bad cell is reported at once, located
in the file: ``FILE:LINE: column: message`` (LINE is the row's number in a workbook).

Only CR and LF end a line of a CSV file, as in the ``csv`` module's ``newline=""`` reading:
the other characters ``str.splitlines`` breaks at (U+0085 NEXT LINE, U+2028…) stay inside
their cell, where they are refused, rather than splitting a row in two. Every cell is plain
text on one line without control characters; the name, which goes into the To header of an
e-mail, must not hold an encoded word either (:func:`briefgen.text.header_text_problem`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import InvalidBriefError, InvalidRecipientsError, RowProblem, UsageError
from briefgen.load.columns import FIELDS, Header, field_of, normalise, resolve_header
from briefgen.load.yamlfile import LineMap, load_yaml
from briefgen.text import canonical_language, header_text_problem, is_email_address, language_problem, one_line_problem

#: The columns of the first format, which messages about a YAML item list.
COLUMNS = FIELDS[:7]
REQUIRED = {"name": "a name", "email": "an e-mail address"}
ADDRESS_SEPARATOR = "|"
SUFFIXES = (".csv", ".xlsx", ".yaml", ".yml")
#: The line ends of a CSV file, also inside a quoted cell.
_LINE_END = re.compile(r"\r\n|\r|\n")
#: A language as spreadsheets of MPs write it ("English", "Français"), normalised.
_LANGUAGE_NAMES = {name: tag for tag, names in {"en": ("en", "english", "anglais", "eng"),
                                                 "fr": ("fr", "french", "francais", "fra")}.items() for name in names}
#: Values a --where message lists at most.
_LISTED = 10


@dataclass(frozen=True)
class Recipient:
    """One person a personalised letter goes to, and where their row starts in the file."""

    name: str
    email: str
    title: str | None = None
    salutation: str | None = None
    language: str | None = None
    constituency: str | None = None
    address: tuple[str, ...] = ()
    line: int = 1
    honorific: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    province: str | None = None
    party: str | None = None
    phone: str | None = None
    #: The file's other columns: (normalised name, text), in the file's order.
    extra: tuple[tuple[str, str], ...] = ()

    def fields(self) -> dict[str, str]:
        """Every field and extra column of the recipient that has a value, as text (the address's lines joined)."""
        values = {name: getattr(self, name) for name in FIELDS}
        values["address"] = ", ".join(self.address)
        return {name: value for name, value in [*values.items(), *self.extra] if value}

    def letter_fields(self) -> dict[str, Any]:
        """What the letter template shows of the recipient (the ``recipient`` of its context):
        its fields, its extra columns and, as ``fields``, all of them as text."""
        known = {name: getattr(self, name) for name in FIELDS if name not in ("email", "language")}
        return {**dict(self.extra), **known, "address": list(self.address), "fields": self.fields()}


@dataclass(frozen=True)
class RecipientsFile:
    """The recipients a file lists (those ``--where`` picks), the columns it has and what deserves a warning."""

    recipients: list[Recipient]
    #: The fields and extra columns the file has: what the letter's placeholders may name.
    columns: tuple[str, ...]
    warnings: list[RowProblem]


def parse_where(values: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """``--where COLUMN=VALUE`` options as ``(column, value)`` pairs.

    Raises :class:`~briefgen.errors.UsageError` for one without ``=``.
    """
    pairs = []
    for value in values:
        column, equals, wanted = value.partition("=")
        if not equals or not column.strip():
            raise UsageError(f"--where '{value}': give COLUMN=VALUE, e.g. province=Quebec")
        pairs.append((column.strip(), wanted.strip()))
    return pairs


def load_recipients(path: Path, *, display_path: str | None = None) -> list[Recipient]:
    """Read and check the recipients file at ``path`` (``.csv``, ``.xlsx``, ``.yaml`` or ``.yml``).

    Raises :class:`InvalidRecipientsError` listing every bad row.
    """
    return read_recipients(path, display_path=display_path).recipients


def read_recipients(path: Path, *, columns: dict[str, str] | None = None, where: list[tuple[str, str]] = (),
                    display_path: str | None = None) -> RecipientsFile:
    """Read and check the recipients file at ``path``, its columns mapped by ``columns``
    (``{field: column}``), its rows picked by ``where`` (``(column, value)`` pairs: a row is
    kept if, for each column named, its cell is one of the values given for it).

    Raises :class:`InvalidRecipientsError` listing every bad row (with the warnings, which
    may say why), a mapped column the file lacks, or a ``where`` that picks nobody.
    """
    shown = display_path or str(path)
    suffix = path.suffix.lower()
    mapping = columns or {}
    if suffix == ".csv":
        header, rows, problems = _read_table(*_read_csv(path, shown), mapping, shown)
    elif suffix == ".xlsx":
        from briefgen.load.spreadsheet import read_xlsx

        header_line, names, cells = read_xlsx(path, shown)
        header, rows, problems = _read_table(header_line, names, [(number, row, None) for number, row in cells],
                                             [], mapping, shown)
    elif suffix in (".yaml", ".yml"):
        header, rows, problems = _read_yaml(path, shown, mapping)
    else:
        advice = "; save an .xls workbook as .xlsx" if suffix == ".xls" else ""
        raise InvalidRecipientsError([RowProblem(shown, 1, "", "a recipients file must end in .csv, .xlsx, .yaml or "
                                                              f".yml{advice}")])
    if not problems and where:
        rows = _picked(rows, where, header, shown, problems)
    recipients = _check_rows(rows, shown, problems)
    if not problems and not recipients:
        problems.append(RowProblem(shown, 1, "", "no recipients: the file lists nobody"))
    if problems:
        raise InvalidRecipientsError(sorted(problems + header.warnings, key=lambda problem: problem.line))
    available = header.available
    if "name" not in available:
        available.insert(0, "name")
    return RecipientsFile(recipients, tuple(available), header.warnings)


@dataclass
class _Row:
    """The raw cells of one row (by field or extra column), with the line of the row and of each cell."""

    line: int
    cells: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)


def _read_text(path: Path, shown: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidRecipientsError([RowProblem(shown, 1, "", "no such file")]) from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise InvalidRecipientsError([RowProblem(shown, line, "", (
            'the file is not UTF-8 text; in Excel, save it with File > Save As as "CSV UTF-8 (Comma delimited)" '
            "(not \"CSV (Comma delimited)\"), or as an Excel workbook (.xlsx)"))]) from None
    except OSError as error:
        raise InvalidRecipientsError([RowProblem(shown, 1, "", f"cannot read the file: {error.strerror}")]) from None


def _read_csv(path: Path, shown: str) -> tuple[int, list[str], list[tuple[int, list[str], list[int]]],
                                               list[RowProblem]]:
    """The header of a CSV file, and each later row that is not empty: its line, its cells and the line of each."""
    text = _read_text(path, shown)
    header_line = next(io.StringIO(text, newline=""), "")
    # Spreadsheets set to French write semicolons between cells.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    rows: list[tuple[int, list[str], list[int]]] = []
    problems: list[RowProblem] = []
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            problems.append(RowProblem(shown, previous_end + 1, "", f"cannot read the row: {error}; check that "
                                                                    "every quoted cell ends with its quote"))
            break
        if cells is None:
            break
        start, previous_end = previous_end + 1, reader.line_num
        lines, line = [], start
        for cell in cells:
            # A cell starts on the line where the line breaks of the cells before it end.
            lines.append(line)
            line += len(_LINE_END.findall(cell))
        rows.append((start, cells, lines))
    return 1, header, rows, problems


def _read_table(header_line: int, names: list[str], table: list[tuple[int, list[str], list[int] | None]],
                problems: list[RowProblem], mapping: dict[str, str],
                shown: str) -> tuple[Header, list[_Row], list[RowProblem]]:
    """The rows of a CSV file or a sheet (each row's number, cells and the line of each cell,
    or None for a sheet's row), their cells kept by field or extra column."""
    header = resolve_header(names, mapping, shown, header_line)
    if header.problems:
        # Without a sound header every row would repeat the same complaint.
        return header, [], header.problems
    rows: list[_Row] = []
    for start, cells, lines in table:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names):]):
            problems.append(RowProblem(shown, start, "", f"the row has {len(cells)} cells but the header has "
                                                         f"{len(names)} columns; put the lines of an address in one "
                                                         f"cell, separated by {ADDRESS_SEPARATOR}"))
            continue
        row = _Row(start, {})
        for index, (key, cell) in enumerate(zip(header.keys, cells)):
            if key is not None:
                row.cells[key], row.lines[key] = cell.strip(), lines[index] if lines else start
        if row.cells.get("address"):
            row.cells["address"] = [part for piece in row.cells["address"].split(ADDRESS_SEPARATOR)
                                    for part in _LINE_END.split(piece)]
        rows.append(row)
    return header, rows, problems


def _read_yaml(path: Path, shown: str, mapping: dict[str, str]) -> tuple[Header, list[_Row], list[RowProblem]]:
    try:
        data, line_map = load_yaml(path, display_path=shown)
    except InvalidBriefError as error:
        raise InvalidRecipientsError([RowProblem(p.path, p.line, p.key_path, p.message) for p in error.problems]) \
            from None
    if not isinstance(data, list):
        return Header([]), [], [RowProblem(shown, 1, "", f"the recipients must be a list of mappings (- name: ..., "
                                                        f"email: ...); this file is {_kind(data)}")]
    items = [(index, item) for index, item in enumerate(data) if isinstance(item, dict)]
    # The keys of all the items are the file's columns, resolved once, located where each is first used.
    names = list(dict.fromkeys(str(key) for _, item in items for key in item))
    first_line = {name: next(_line(line_map, index, key) for index, item in items for key in item
                             if str(key) == name) for name in names}
    header = resolve_header(names, mapping, shown, first_line[names[0]] if names else 1)
    header.warnings = [RowProblem(w.path, first_line.get(w.column, w.line), w.column, w.message)
                       for w in header.warnings]
    if header.problems:
        # Every item would repeat the same complaint.
        return header, [], list(header.problems)
    key_of = dict(zip(names, header.keys))
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    for index, item in enumerate(data):
        line = line_map.locate((index,))[0]
        if not isinstance(item, dict):
            problems.append(RowProblem(shown, line, "",
                                       f"expected a mapping of {', '.join(COLUMNS)}, not {_kind(item)}"))
            continue
        row = _Row(line, {})
        for key, value in item.items():
            if key_of.get(str(key)):
                row.cells[key_of[str(key)]] = value
                row.lines[key_of[str(key)]] = _line(line_map, index, key)
        rows.append(row)
    return header, rows, problems


def _line(line_map: LineMap, index: int, key: str) -> int:
    return line_map.locate((index, key))[0]


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return {list: "a list", dict: "a mapping", str: "text"}.get(type(value), type(value).__name__)


def _matched(text: Any) -> str:
    """A cell as ``--where`` compares it: case, accents and runs of spaces aside."""
    text = " | ".join(map(str, text)) if isinstance(text, list) else "" if text is None else str(text)
    plain = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def _picked(rows: list[_Row], where: list[tuple[str, str]], header: Header, shown: str,
            problems: list[RowProblem]) -> list[_Row]:
    """The rows that ``where`` picks; a problem for a column the file lacks or a value no row has."""
    wanted: dict[str, set[str]] = {}
    asked: dict[str, list[str]] = {}
    for column, value in where:
        key = field_of(column, with_first_name="first_name" in header.keys) or normalise(column)
        if key not in header.keys:
            problems.append(RowProblem(shown, 1, "", f"--where {column}={value}: the file has no column '{column}'; "
                                                     f"its columns are {', '.join(header.available)}"))
            continue
        wanted.setdefault(key, set()).add(_matched(value))
        asked.setdefault(key, []).append(value)
    if problems:
        return []
    for key in wanted:
        present = {_matched(row.cells.get(key)) for row in rows}
        for value in asked[key]:
            if _matched(value) not in present:
                found = sorted({str(row.cells.get(key) or "").strip() for row in rows} - {""}, key=str.casefold)
                listed = ", ".join(found[:_LISTED]) + (f" and {len(found) - _LISTED} more" if len(found) > _LISTED
                                                        else "")
                problems.append(RowProblem(shown, 1, key, f"--where {key}={value} matches nobody: no row has "
                                                          f"'{value}' in this column" +
                                                          (f"; it has {listed}" if found else "; it is empty")))
    return [row for row in rows if all(_matched(row.cells.get(key)) in values for key, values in wanted.items())]


def _check_rows(rows: list[_Row], shown: str, problems: list[RowProblem]) -> list[Recipient]:
    """Turn rows into recipients, adding a problem for each bad cell."""
    recipients: list[Recipient] = []
    first_line_of_email: dict[str, int] = {}
    for row in rows:
        row_problems: list[RowProblem] = []

        def problem(column: str, message: str, row: _Row = row, row_problems: list[RowProblem] = row_problems) -> None:
            row_problems.append(RowProblem(shown, row.lines.get(column, row.line), column, message))

        values, extra = _typed_cells(row, problem)
        if not values.get("name") and not any(p.column == "name" for p in row_problems):
            # Sign-on forms and the House of Commons export give the name in two columns.
            built = " ".join(filter(None, (values.get("first_name"), values.get("last_name"))))
            if built and "name" not in row.cells:
                values["name"] = built
            elif built:
                problem("name", "missing; every recipient needs a name (it is built from the first and last name "
                                "only when the file has no name column)")
            else:
                problem("name", "missing; every recipient needs a name" if "name" in row.cells or not
                        {"first_name", "last_name"} & set(row.cells) else
                        "missing; every recipient needs a name: fill in the first name or the last name")
        if not values.get("email") and not any(p.column == "email" for p in row_problems):
            problem("email", f"missing; every recipient needs {REQUIRED['email']}")
        email = values.get("email")
        if email and not is_email_address(email):
            problem("email", f"'{email}' is not an e-mail address")
        elif email and email.lower() in first_line_of_email:
            problem("email", f"'{email}' is given twice (first on line {first_line_of_email[email.lower()]})")
        elif email:
            first_line_of_email[email.lower()] = row.lines.get("email", row.line)
        if values.get("language") and (message := language_problem(values["language"])):
            problem("language", message)
        problems.extend(row_problems)
        if not row_problems:
            recipients.append(Recipient(**values, extra=tuple(extra.items()), line=row.line))
    return recipients


def _typed_cells(row: _Row, problem) -> tuple[dict[str, Any], dict[str, str]]:
    """The cells of ``row`` as text (address: a tuple of lines), empty cells left out: the
    fields', and the extra columns' (whose text is checked only if a letter uses it)."""
    values: dict[str, Any] = {}
    extra: dict[str, str] = {}
    for column, value in row.cells.items():
        if column == "address":
            lines = [value] if isinstance(value, str) else value
            if isinstance(lines, list) and all(isinstance(part, (str, int)) for part in lines):
                address = tuple(str(part).strip() for part in lines if str(part).strip())
                if message := next(filter(None, map(one_line_problem, address)), None):
                    problem(column, message)
                else:
                    values[column] = address
            elif value is not None:
                problem(column, f"expected address lines, not {_kind(value)}")
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value).strip()
            if column not in FIELDS:
                if text:
                    extra[column] = text
            # The name goes into the To header of the e-mail, the others into the letter's lines.
            elif message := (header_text_problem if column == "name" else one_line_problem)(text):
                problem(column, message)
            elif text:
                values[column] = text
        elif value is not None and column in FIELDS:
            problem(column, f"expected text, not {_kind(value)}")
    if "language" in values:
        # "English", "Français", or a BCP 47 tag in any case (zh-hans is the brief's zh-Hans).
        given = values["language"]
        values["language"] = _LANGUAGE_NAMES.get(normalise(given)) or canonical_language(given) or given
    return values, extra
