"""The fixed words of the templates in each language, from the gettext catalogs in the package.

The catalogs are kept as ``.po`` files only (``make translations`` updates them from the
templates with Babel); they are compiled in memory when first used, so there is no
binary ``.mo`` file to keep in step.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "briefgen"


def catalog_path(language: str) -> Path:
    """Where the ``.po`` catalog of ``language`` is kept."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations of the templates' fixed words into ``language`` (English is the source)."""
    path = catalog_path(language)
    if language == "en" or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as stream:
        catalog = read_po(stream, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
