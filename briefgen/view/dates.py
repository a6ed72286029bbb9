"""Dates as each language writes them in running text (Babel, Canadian locales).

Date ranges take the order of day and month and the month names from CLDR's interval
formats (Babel's ``format_interval`` with the skeleton ``MMMMd``), and their dash from the
Canadian usage of the domain notes: an en dash without spaces within one month
(``January 13–17, 2026``, ``13–17 janvier 2026``), spaced across months or years
(``January 30 – February 2, 2026``). CLDR spaces the dash with thin spaces in both cases in
English and across months in French, and its ``yMMMMd`` intervals abbreviate the months
(``Jan 13–17, 2026``): neither is what Canadian documents print.

Other languages write dates as CLDR gives them for the language (Babel's locale of the tag:
``2026年1月13日``), ranges as CLDR's ``yMMMMd`` interval, except Chinese, which writes a range
with 至 and leaves out of its end what its start already says: ``2026年1月13日至17日``,
``2026年1月30日至2月2日``, ``2025年12月30日至2026年1月2日``.
"""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date, format_interval

from briefgen.text import babel_locale, primary_language

LOCALES = {"en": "en_CA", "fr": "fr_CA"}
_YEAR_AFTER_RANGE = {"en": "{range}, {year}", "fr": "{range} {year}"}
# The dash between two dates: a no-break space before it, so that no line starts with it.
SPACED_DASH = "\u00a0\u2013 "
_CLDR_DASH = re.compile(r"\s*\u2013\s*")


def _french_first(text: str) -> str:
    # French writes the first day of a month as an ordinal: "1er février". In a formatted
    # French date, a 1 standing alone can only be a day.
    return re.sub(r"(?<!\d)1(?!\d|er)", "1er", text)


def long_date(value: dt.date, language: str) -> str:
    """``January 13, 2026`` / ``13 janvier 2026``, ``1er février 2026``."""
    text = format_date(value, "long", locale=babel_locale(language))
    return _french_first(text) if language == "fr" else text


def date_range(start: dt.date, end: dt.date, language: str) -> str:
    """``January 13–17, 2026`` / ``13–17 janvier 2026``, ``January 30 – February 2, 2026`` /
    ``30 janvier – 2 février 2026``; a single day when start is end."""
    if start == end:
        return long_date(start, language)
    if primary_language(language) == "zh":
        return _chinese_range(start, end, language)
    if language not in LOCALES:
        return format_interval(start, end, "yMMMMd", locale=babel_locale(language))
    if start.year != end.year:
        return f"{long_date(start, language)}{SPACED_DASH}{long_date(end, language)}"
    dash = "\u2013" if start.month == end.month else SPACED_DASH
    within_year = _CLDR_DASH.sub(dash, format_interval(start, end, "MMMMd", locale=LOCALES[language]))
    if language == "fr":
        within_year = _french_first(within_year)
    return _YEAR_AFTER_RANGE[language].format(range=within_year, year=start.year)


def _chinese_range(start: dt.date, end: dt.date, language: str) -> str:
    """``2026年1月13日至17日``: the end without the year, or the month, that the start gives."""
    locale = babel_locale(language)
    skeleton = "yMMMMd" if start.year != end.year else "MMMMd" if start.month != end.month else "d"
    return f"{long_date(start, language)}至{format_date(end, _pattern(skeleton, locale), locale=locale)}"


def _pattern(skeleton: str, locale: str) -> str:
    from babel import Locale

    return Locale.parse(locale).datetime_skeletons[skeleton].pattern


def day_heading(value: dt.date, language: str) -> str:
    """``Tuesday, January 13`` / ``mardi 13 janvier``: the heading of a programme day; in
    another language, CLDR's month, day and weekday (``1月13日星期二``)."""
    if language not in LOCALES:
        return format_date(value, _pattern("MMMMEd", babel_locale(language)), locale=babel_locale(language))
    text = format_date(value, "full", locale=LOCALES[language]).rsplit(" ", 1)[0].rstrip(",")
    return _french_first(text) if language == "fr" else text
