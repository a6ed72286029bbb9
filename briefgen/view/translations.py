"""The fixed words of the templates in each language, from the gettext catalogs in the package.

The catalogs are kept as ``.po`` files only (``make translations`` updates them from the
templates with Babel); they are compiled in memory when first used, so there is no
binary ``.mo`` file to keep in step. The words come out typeset in their language
(:func:`~briefgen.view.typography.typeset`): ``Annexe A : Demandes`` with a narrow no-break
space before the colon, ``Cahier d’information`` with a curly apostrophe, whatever the
catalog's typist put there.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from briefgen.view.typography import typeset

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
        return TypesetTranslations(language)
    with path.open("rb") as stream:
        catalog = read_po(stream, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    translated = TypesetTranslations(language)
    translated.add_fallback(gettext.GNUTranslations(compiled))
    return translated


class TypesetTranslations(gettext.NullTranslations):
    """The words of a catalog (its fallback) typeset in ``language``, each once."""

    def __init__(self, language: str):
        super().__init__()
        self.language = language
        self._typeset = functools.lru_cache(maxsize=1024)(lambda text: typeset(text, language))

    def gettext(self, message: str) -> str:
        """``message`` translated and typeset."""
        return self._typeset(super().gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """``singular`` or ``plural``, as ``n`` asks, translated and typeset."""
        return self._typeset(super().ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        """``message`` in ``context`` translated and typeset."""
        return self._typeset(super().pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        """``singular`` or ``plural`` in ``context``, as ``n`` asks, translated and typeset."""
        return self._typeset(super().npgettext(context, singular, plural, n))
