"""Read and check the recipients of a mail merge: a CSV or YAML file, one recipient per row.

The columns (the CSV header, or the keys of each YAML item) are ``name, title, email,
salutation, language, constituency, address``; ``name`` and ``email`` are required. In CSV
the lines of an address are separated by ``|`` or by line breaks inside the cell (Alt+Enter
in Excel); in YAML ``address`` is a list of lines. Every bad cell is reported at once,
located in the file: ``FILE:LINE: column: message``.

Only CR and LF end a line of a CSV file, as in the ``csv`` module's ``newline=""`` reading:
the other characters ``str.splitlines`` breaks at (U+0085 NEXT LINE, U+2028…) stay inside
their cell, where they are refused, rather than splitting a row in two. Every cell is plain
text on one line without control characters; the name, which goes into the To header of an
e-mail, must not hold an encoded word either (:func:`briefgen.text.header_text_problem`).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.errors import InvalidBriefError, InvalidRecipientsError, RowProblem
from briefgen.load.yamlfile import LineMap, load_yaml
from briefgen.text import LANGUAGES, header_text_problem, is_email_address, one_line_problem

COLUMNS = ("name", "title", "email", "salutation", "language", "constituency", "address")
REQUIRED = {"name": "a name", "email": "an e-mail address"}
ADDRESS_SEPARATOR = "|"
#: The line ends of a CSV file, also inside a quoted cell.
_LINE_END = re.compile(r"\r\n|\r|\n")


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

    def letter_fields(self) -> dict[str, Any]:
        """What the letter template shows of the recipient (the ``recipient`` of its context)."""
        return {"name": self.name, "title": self.title, "salutation": self.salutation,
                "constituency": self.constituency, "address": list(self.address)}


def load_recipients(path: Path, *, display_path: str | None = None) -> list[Recipient]:
    """Read and check the recipients file at ``path`` (``.csv``, ``.yaml`` or ``.yml``).

    Raises :class:`InvalidRecipientsError` listing every bad row.
    """
    shown = display_path or str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows, problems = _read_csv(path, shown)
    elif suffix in (".yaml", ".yml"):
        rows, problems = _read_yaml(path, shown)
    else:
        raise InvalidRecipientsError([RowProblem(shown, 1, "", "a recipients file must end in .csv, .yaml or .yml")])
    recipients = _check_rows(rows, shown, problems)
    if not problems and not recipients:
        problems.append(RowProblem(shown, 1, "", "no recipients: the file lists nobody"))
    if problems:
        raise InvalidRecipientsError(sorted(problems, key=lambda problem: problem.line))
    return recipients


@dataclass
class _Row:
    """The raw cells of one row, with the line of the row and of each cell."""

    line: int
    cells: dict[str, Any]
    lines: dict[str, int]


def _read_text(path: Path, shown: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidRecipientsError([RowProblem(shown, 1, "", "no such file")]) from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise InvalidRecipientsError([RowProblem(shown, line, "", "the file is not UTF-8 text; save it as UTF-8")]) \
            from None
    except OSError as error:
        raise InvalidRecipientsError([RowProblem(shown, 1, "", f"cannot read the file: {error.strerror}")]) from None


def _read_csv(path: Path, shown: str) -> tuple[list[_Row], list[RowProblem]]:
    text = _read_text(path, shown)
    header_line = next(io.StringIO(text, newline=""), "")
    # Spreadsheets set to French write semicolons between cells.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    problems = [RowProblem(shown, 1, name, _unknown_column(name)) for name in unknown]
    # A misspelt required column is reported once, with its suggestion.
    suggested = {_suggestion(name) for name in unknown}
    problems += [RowProblem(shown, 1, name, "required column is missing") for name in REQUIRED
                 if name not in header and name not in suggested]
    if problems:
        # Without a sound header every row would repeat the same complaint.
        return [], problems
    rows: list[_Row] = []
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
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(RowProblem(shown, start, "", f"the row has {len(cells)} cells but the header has "
                                                         f"{len(header)} columns; put the lines of an address in one "
                                                         f"cell, separated by {ADDRESS_SEPARATOR}"))
            continue
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        line = start
        for name, cell in zip(header, cells):
            # A cell starts on the line where the line breaks of the cells before it end.
            values[name], lines[name] = cell.strip(), line
            line += len(_LINE_END.findall(cell))
        if values.get("address"):
            values["address"] = [part for piece in values["address"].split(ADDRESS_SEPARATOR)
                                 for part in _LINE_END.split(piece)]
        rows.append(_Row(start, values, lines))
    return rows, problems


def _read_yaml(path: Path, shown: str) -> tuple[list[_Row], list[RowProblem]]:
    try:
        data, line_map = load_yaml(path, display_path=shown)
    except InvalidBriefError as error:
        raise InvalidRecipientsError([RowProblem(p.path, p.line, p.key_path, p.message) for p in error.problems]) \
            from None
    if not isinstance(data, list):
        return [], [RowProblem(shown, 1, "", f"the recipients must be a list of mappings (- name: ..., email: ...); "
                                             f"this file is {_kind(data)}")]
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    for index, item in enumerate(data):
        line = line_map.locate((index,))[0]
        if not isinstance(item, dict):
            problems.append(RowProblem(shown, line, "",
                                       f"expected a mapping of {', '.join(COLUMNS)}, not {_kind(item)}"))
            continue
        unknown = [key for key in item if key not in COLUMNS]
        problems += [RowProblem(shown, _line(line_map, index, key), key, _unknown_column(key)) for key in unknown]
        cells = {key: value for key, value in item.items() if key in COLUMNS}
        rows.append(_Row(line, cells, {key: _line(line_map, index, key) for key in cells}))
    return rows, problems


def _line(line_map: LineMap, index: int, key: str) -> int:
    return line_map.locate((index, key))[0]


def _suggestion(name: str) -> str | None:
    close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_column(name: str) -> str:
    suggestion = _suggestion(name)
    return "unknown column" + (f"; did you mean '{suggestion}'?" if suggestion else f"; use {', '.join(COLUMNS)}")


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return {list: "a list", dict: "a mapping", str: "text"}.get(type(value), type(value).__name__)


def _check_rows(rows: list[_Row], shown: str, problems: list[RowProblem]) -> list[Recipient]:
    """Turn rows into recipients, adding a problem for each bad cell."""
    recipients: list[Recipient] = []
    first_line_of_email: dict[str, int] = {}
    for row in rows:
        row_problems: list[RowProblem] = []

        def problem(column: str, message: str, row: _Row = row, row_problems: list[RowProblem] = row_problems) -> None:
            row_problems.append(RowProblem(shown, row.lines.get(column, row.line), column, message))

        values = _typed_cells(row, problem)
        for column, what in REQUIRED.items():
            if not values.get(column) and not any(p.column == column for p in row_problems):
                problem(column, f"missing; every recipient needs {what}")
        email = values.get("email")
        if email and not is_email_address(email):
            problem("email", f"'{email}' is not an e-mail address")
        elif email and email.lower() in first_line_of_email:
            problem("email", f"'{email}' is given twice (first on line {first_line_of_email[email.lower()]})")
        elif email:
            first_line_of_email[email.lower()] = row.lines.get("email", row.line)
        if values.get("language") and values["language"] not in LANGUAGES:
            problem("language", f"unknown language '{values['language']}'; use {' or '.join(LANGUAGES)}")
        problems.extend(row_problems)
        if not row_problems:
            recipients.append(Recipient(**values, line=row.line))
    return recipients


def _typed_cells(row: _Row, problem) -> dict[str, Any]:
    """The cells of ``row`` as text (address: a tuple of lines), empty cells left out."""
    values: dict[str, Any] = {}
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
            # The name goes into the To header of the e-mail, the others into the letter's lines.
            if message := (header_text_problem if column == "name" else one_line_problem)(text):
                problem(column, message)
            elif text:
                values[column] = text
        elif value is not None:
            problem(column, f"expected text, not {_kind(value)}")
    if "language" in values:
        values["language"] = values["language"].lower()
    return values
