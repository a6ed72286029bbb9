"""Read and check a sign-on list: who signed the letter through a sign-on form, one row each.

The list is a CSV file or an Excel workbook (``.xlsx``, its first sheet) with a header row.
Its columns are ``name, organization, title, city``, under any of the headers sign-on forms
and spreadsheets use for them (``Full name``, ``Organisation``, ``Job title``, ``Town``, the
French ``Nom``, ``Organisme``, ``Titre``, ``Ville``…), or ``first name`` and ``last name``
instead of ``name``. Other columns (a form's timestamp, e-mail or consent) are not read:
nothing of them is printed. A CSV file may start with a byte order mark and separate its
cells with semicolons (spreadsheets set to French do).

Every bad row is reported at once, located in the file: ``FILE:LINE: column: message``.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import InvalidBriefError, RowProblem
from briefgen.load.spreadsheet import cell_text
from briefgen.text import one_line_problem

COLUMNS = ("name", "organization", "title", "city")
SUFFIXES = (".csv", ".xlsx")
#: The headers read as each column, as :func:`_header_key` spells them.
HEADERS = {
    "name": ("name", "full name", "your name", "signatory", "signatory name", "signer", "person", "nom",
             "nom complet"),
    "first name": ("first name", "given name", "first", "forename", "prenom"),
    "last name": ("last name", "surname", "family name", "last", "nom de famille"),
    "organization": ("organization", "organisation", "org", "organization name", "organisation name",
                     "affiliation", "company", "group", "association", "organisme", "organisme ou association"),
    "title": ("title", "job title", "position", "role", "titre", "fonction", "poste"),
    "city": ("city", "town", "city town", "city or town", "location", "ville", "municipality", "municipalite"),
}
_HEADER_OF = {variant: column for column, variants in HEADERS.items() for variant in variants}


@dataclass(frozen=True)
class SignOn:
    """One row of a sign-on list: a person (with their organisation, title and city) or an
    organisation alone; ``line`` is where its row starts in the file."""

    line: int
    name: str | None = None
    organization: str | None = None
    title: str | None = None
    city: str | None = None

    @property
    def kind(self) -> str:
        """``individual`` when the row names a person, else ``organization``."""
        return "individual" if self.name else "organization"

    def __str__(self) -> str:
        return ", ".join(part for part in (self.name, self.organization) if part)


def load_sign_ons(path: Path, shown: str) -> list[SignOn]:
    """Read and check the sign-on list at ``path`` (named ``shown`` in messages).

    Raises :class:`~briefgen.errors.InvalidBriefError` listing every bad row.
    """
    if path.suffix.lower() == ".xlsx":
        rows = _read_xlsx(path, shown)
    else:
        rows = _read_csv(path, shown)
    problems: list[RowProblem] = []
    header_line, header = rows[0] if rows else (1, [])
    columns = _columns(header, shown, header_line, problems)
    if problems:
        # Without a sound header every row would repeat the same complaint.
        raise InvalidBriefError(problems)  # type: ignore[arg-type]
    sign_ons = _check_rows(rows[1:], columns, shown, problems)
    if problems:
        raise InvalidBriefError(sorted(problems, key=lambda problem: problem.line))  # type: ignore[arg-type]
    return sign_ons


def _header_key(cell: str) -> str:
    """A header as :data:`HEADERS` spells it: lower case, no accents on e, no notes in
    brackets, no punctuation, single spaces (``Organisation (if any)*`` → ``organisation``)."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", cell.lower()).replace("é", "e").replace("è", "e")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _columns(header: list[str], shown: str, line: int, problems: list[RowProblem]) -> dict[str, int]:
    """Which cell of a row holds each column; problems for a header that names none or twice."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        column = _HEADER_OF.get(key)
        if column is None:
            close = difflib.get_close_matches(key, list(_HEADER_OF), n=1, cutoff=0.75) if key else []
            if close:
                problems.append(RowProblem(shown, line, cell.strip(), f"unknown column; did you mean "
                                                                      f"'{_HEADER_OF[close[0]]}'?"))
        elif column in columns:
            problems.append(RowProblem(shown, line, cell.strip(), f"a second {column} column (the first is "
                                                                  f"'{header[columns[column]].strip()}')"))
        else:
            columns[column] = index
    if not problems and not {"name", "first name", "last name", "organization"} & set(columns):
        problems.append(RowProblem(shown, line, "", "the header row names no name or organization column; "
                                                    f"the columns are {', '.join(COLUMNS)}"))
    return columns


def _check_rows(rows: list[tuple[int, list[str]]], columns: dict[str, int], shown: str,
                problems: list[RowProblem]) -> list[SignOn]:
    """The sign-ons of ``rows``, adding a problem for each bad cell, empty row or duplicate."""
    sign_ons: list[SignOn] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        values: dict[str, str] = {}
        row_problems: list[RowProblem] = []
        for column, index in columns.items():
            text = cells[index].strip() if index < len(cells) else ""
            if message := one_line_problem(text):
                row_problems.append(RowProblem(shown, line, column, message))
            elif text:
                values[column] = re.sub(r"[ \t]+", " ", text)  # a form's typing, not a printed gap
        first, last = values.pop("first name", None), values.pop("last name", None)
        if "name" not in values and (first or last):
            values["name"] = " ".join(part for part in (first, last) if part)
        if not row_problems and not (values.get("name") or values.get("organization")):
            row_problems.append(RowProblem(shown, line, "name", "the row has neither a name nor an organization; "
                                                                "fill one in or delete the row"))
        if row_problems:
            problems.extend(row_problems)
            continue
        sign_on = SignOn(line, **values)
        key = (" ".join((sign_on.name or "").casefold().split()),
               " ".join((sign_on.organization or "").casefold().split()))
        if key in first_line:
            problems.append(RowProblem(shown, line, "name" if sign_on.name else "organization",
                                       f"'{sign_on}' is listed twice (first on line {first_line[key]}); "
                                       "delete one of the rows"))
            continue
        first_line[key] = line
        sign_ons.append(sign_on)
    return sign_ons


def _read_csv(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    """The rows of a CSV file, each with the line it starts on."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise InvalidBriefError([RowProblem(  # type: ignore[list-item]
            shown, line, "", "the file is not UTF-8 text; save it as 'CSV UTF-8 (Comma delimited)'")]) from None
    except OSError as error:
        raise InvalidBriefError([RowProblem(  # type: ignore[list-item]
            shown, 1, "", f"cannot read the file: {error.strerror}")]) from None
    header_line = next(io.StringIO(text, newline=""), "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    previous_end = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            raise InvalidBriefError([RowProblem(  # type: ignore[list-item]
                shown, previous_end + 1, "", f"cannot read the row: {error}; check that every quoted cell ends "
                                             "with its quote")]) from None
        if cells is None:
            return rows
        rows.append((previous_end + 1, cells))
        previous_end = reader.line_num


def _read_xlsx(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    """The rows of the first sheet of a workbook, each with its row number."""
    import zipfile

    import openpyxl  # only a workbook needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as error:
        reason = getattr(error, "strerror", None) or "it is not an Excel workbook"
        raise InvalidBriefError([RowProblem(  # type: ignore[list-item]
            shown, 1, "", f"cannot read the workbook: {reason}; save it from Excel as .xlsx")]) from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, [cell_text(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
