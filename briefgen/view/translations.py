"""The fixed words of the templates in each language, from the gettext catalogs in the package.

The catalogs are kept as ``.po`` files only (``make translations`` updates them from the
templates with Babel); they are compiled in memory when first used, so there is no
binary ``.mo`` file to keep in step. There is one catalog per language (``en``, ``fr``,
``zh-Hans``); the English one lists every label, so that :func:`untranslated_labels` can
say which labels a language lacks: those are printed in English. The words come out typeset in their language
(:func:`~briefgen.view.typography.typeset`): ``Annexe A : Demandes`` with a narrow no-break
space before the colon, ``Cahier d’information`` with a curly apostrophe, whatever the
catalog's typist put there.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "briefgen"


def catalog_path(language: str) -> Path:
    """Where the ``.po`` catalog of ``language`` is kept (``zh-Hans`` in ``zh_Hans/``, as gettext
    names locales)."""
    return LOCALE_DIR / language.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read_catalog(language: str) -> Catalog | None:
    path = catalog_path(language)
    if not path.is_file():
        return None
    with path.open("rb") as stream:
        return read_po(stream, locale=language.replace("-", "_"))


def _key(message: Message) -> tuple:
    return (message.context, message.id)


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


@functools.cache
def untranslated_labels(language: str) -> tuple[str, ...]:
    """The labels of the templates (the English catalog's) that ``language``'s catalog does not
    translate, or all of them when it has none: they are printed in English."""
    if language == "en":
        return ()
    english = _read_catalog("en")
    translated = _read_catalog(language)
    done = {_key(message) for message in translated or () if message.id and _translated(message)}
    return tuple(message.id[0] if isinstance(message.id, tuple) else message.id
                 for message in english or () if message.id and _key(message) not in done)


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations of the templates' fixed words into ``language`` (English is the source)."""
    catalog = _read_catalog(language)
    if language == "en" or catalog is None:
        return TypesetTranslations(language)
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
        # Imported here: validate reads which labels a catalog lacks, and typesets none of them.
        from briefgen.view.typography import typeset

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
