"""The cells of an Excel workbook (``.xlsx``) as text, as Excel shows them (recipients and sign-on lists).

Only the first sheet is read, in openpyxl's read-only mode (a sheet of thousands of rows
streams without being held whole), with the values Excel last computed for formulas. The
first row that is not empty is the header; rows are numbered as Excel numbers them, so a
problem's location is the row a user sees. openpyxl is imported here, when a workbook is
read, never by a command that reads none.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from briefgen.errors import InvalidRecipientsError, RowProblem

#: A number format of zeros only (``00000``): the number is shown padded to its width.
_ZERO_PADDED = re.compile(r"^0+$")


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell's ``value`` as the sheet shows it: 613 not 613.0, a date as 2026-01-13, a
    number in the format ``00000`` with its leading zeros; text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(timespec="minutes") if isinstance(value, dt.time) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        return text.zfill(len(number_format)) if _ZERO_PADDED.match(number_format or "") else text
    return str(value)


def read_xlsx(path: Path, shown: str) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header row of the first sheet of the workbook at ``path`` (its number and its
    cells) and every later row (its number and its cells), all as text.

    Raises :class:`InvalidRecipientsError` for a file that is not a workbook Excel saves as .xlsx.
    """
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InvalidRecipientsError([RowProblem(shown, 1, "", "no such file")]) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise InvalidRecipientsError([RowProblem(shown, 1, "", (
            "not an Excel workbook (.xlsx) that can be read (an older .xls, or one protected by a password?); "
            "in Excel, save it as \"Excel Workbook (*.xlsx)\" or as \"CSV UTF-8 (Comma delimited)\""))]) from None
    try:
        sheet = workbook.worksheets[0]
        header_row, header, rows = 0, [], []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            texts = [cell_text(cell.value, getattr(cell, "number_format", "General")) for cell in cells]
            if not header_row:
                if any(text.strip() for text in texts):
                    header_row, header = number, texts
                continue
            rows.append((number, texts))
    finally:
        workbook.close()
    return header_row or 1, header, rows
