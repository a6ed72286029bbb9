"""Dates as each language writes them in running text (Babel, Canadian locales)."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date, format_interval

LOCALES = {"en": "en_CA", "fr": "fr_CA"}
_YEAR_AFTER_RANGE = {"en": "{range}, {year}", "fr": "{range} {year}"}


def _french_first(text: str) -> str:
    # French writes the first day of a month as an ordinal: "1er février". In a formatted
    # French date, a 1 standing alone can only be a day.
    return re.sub(r"(?<!\d)1(?!\d|er)", "1er", text)


def long_date(value: dt.date, language: str) -> str:
    """``January 13, 2026`` / ``13 janvier 2026``, ``1er février 2026``."""
    text = format_date(value, "long", locale=LOCALES[language])
    return _french_first(text) if language == "fr" else text


def date_range(start: dt.date, end: dt.date, language: str) -> str:
    """``January 13 – 17, 2026`` / ``13–17 janvier 2026``; a single day when start is end."""
    if start == end:
        return long_date(start, language)
    if start.year != end.year:
        return f"{long_date(start, language)} – {long_date(end, language)}"
    within_year = format_interval(start, end, "MMMMd", locale=LOCALES[language])
    if language == "fr":
        within_year = _french_first(within_year)
    return _YEAR_AFTER_RANGE[language].format(range=within_year, year=start.year)


def day_heading(value: dt.date, language: str) -> str:
    """``Tuesday, January 13`` / ``mardi 13 janvier``: the heading of a programme day."""
    text = format_date(value, "full", locale=LOCALES[language]).rsplit(" ", 1)[0].rstrip(",")
    return _french_first(text) if language == "fr" else text
