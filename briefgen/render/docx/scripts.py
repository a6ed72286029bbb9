"""Writing systems: which script a piece of text is in, and how Word sets text in it.

Text in Chinese, Tibetan, Arabic script (Uyghur, Arabic), Devanagari, Bengali, Thai or
Hebrew gets runs of its own, with the font and language Word needs for that script: Han in
the ``eastAsia`` slot of ``w:rFonts`` and ``w:lang``, the complex scripts in the ``cs`` slot and
``w:lang w:bidi`` (so that Word and LibreOffice take the script's Noto font, not a fallback
whose ascent doubles the line). Arabic script and Hebrew read right to left, and a paragraph
written in nothing but Arabic script does too. Any other text (Latin, Cyrillic, Greek) takes the
style's font, and the element's language as its ``w:lang w:val``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.text import SCRIPT_LANGUAGES, character_class

# Word wants a language with its region. briefgen writes for Canadian readers, so a bare English
# or French means its Canadian variant; the Chinese, Tibetan and Uyghur of briefs on China are
# those of the People's Republic.
_LANGUAGE_REGIONS = {
    "en": "en-CA", "fr": "fr-CA", "zh": "zh-CN", "zh-hans": "zh-CN", "zh-hant": "zh-TW", "bo": "bo-CN", "ug": "ug-CN",
    # Elsewhere, the region Word pairs the language with by default.
    "ar": "ar-SA", "hi": "hi-IN", "mr": "mr-IN", "ne": "ne-NP", "bn": "bn-IN", "th": "th-TH", "he": "he-IL",
    "ru": "ru-RU", "el": "el-GR", "fa": "fa-IR", "ur": "ur-PK",
}
_TRADITIONAL_CHINESE = re.compile(r"zh-(hant|tw|hk|mo)\b", re.IGNORECASE)
_TRADITIONAL_CHINESE_FONT = "Noto Serif CJK TC"


@dataclass(frozen=True)
class Script:
    """How Word sets text in one script: its w:rFonts and w:lang attributes, and the language
    of its text when the element's ``lang`` names no language written in it."""

    characters: str  # a regular-expression character class, without its brackets
    font_slot: str
    font: str
    lang_slot: str
    languages: frozenset[str]  # primary language subtags
    default_language: str
    right_to_left: bool = False

    @property
    def complex(self) -> bool:
        """Whether Word treats the script as complex, reading its bold and italic from w:bCs and w:iCs."""
        return self.font_slot == "cs"

    def font_and_language(self, lang: str | None) -> tuple[str, str]:
        """The font and the Word language of text in this script, inside an element of language ``lang``."""
        language = self.default_language
        if lang and lang.split("-")[0].lower() in self.languages:
            language = word_language(lang)
        traditional = self.font_slot == "eastAsia" and _TRADITIONAL_CHINESE.match(language)
        return (_TRADITIONAL_CHINESE_FONT if traditional else self.font), language


# The scripts and their code points are briefgen's one table (briefgen.text.SCRIPT_RANGES).
SCRIPTS = {
    "cjk": Script(character_class("cjk"), "eastAsia", "Noto Serif CJK SC", "eastAsia", frozenset({"zh", "ja", "ko"}),
                  "zh-CN"),
    "tibetan": Script(character_class("tibetan"), "cs", "Noto Serif Tibetan", "bidi", SCRIPT_LANGUAGES["tibetan"],
                      "bo-CN"),
    "arabic": Script(character_class("arabic"), "cs", "Noto Naskh Arabic", "bidi", SCRIPT_LANGUAGES["arabic"],
                     "ar-SA", right_to_left=True),
    "devanagari": Script(character_class("devanagari"), "cs", "Noto Serif Devanagari", "bidi",
                         SCRIPT_LANGUAGES["devanagari"], "hi-IN"),
    "bengali": Script(character_class("bengali"), "cs", "Noto Serif Bengali", "bidi", SCRIPT_LANGUAGES["bengali"],
                      "bn-IN"),
    "thai": Script(character_class("thai"), "cs", "Noto Serif Thai", "bidi", SCRIPT_LANGUAGES["thai"], "th-TH"),
    "hebrew": Script(character_class("hebrew"), "cs", "Noto Serif Hebrew", "bidi", SCRIPT_LANGUAGES["hebrew"],
                     "he-IL", right_to_left=True),
}
ARABIC = "arabic"
_ANY_SCRIPT = "".join(script.characters for script in SCRIPTS.values())
_IN_A_SCRIPT = re.compile(f"[{_ANY_SCRIPT}]")
_LETTER = r"[^\W\d_]"
# A stretch of letters of one script. What lies between two stretches (spaces, punctuation,
# digits) belongs to no script.
_SCRIPT_STRETCH = re.compile(
    "|".join(f"(?P<{name}>[{script.characters}]+)" for name, script in SCRIPTS.items())
    + f"|(?P<other>(?:(?![{_ANY_SCRIPT}]){_LETTER})+)"
)
_RIGHT_TO_LEFT = re.compile(f"[{SCRIPTS[ARABIC].characters}]")
_LEFT_TO_RIGHT_LETTER = re.compile(f"(?![{SCRIPTS[ARABIC].characters}]){_LETTER}")


def document_script(lang: str) -> Script | None:
    """The script a whole document in the language ``lang`` is written in, when it is one of
    :data:`SCRIPTS` (``zh-Hans`` → cjk, ``ug`` → arabic); None for Latin and the others."""
    primary = lang.split("-")[0].lower()
    return next((script for script in SCRIPTS.values() if primary in script.languages), None)


def word_language(lang: str) -> str:
    """``lang`` as Word names a language: a bare language gets its region (en → en-CA, zh-Hant → zh-TW)."""
    return _LANGUAGE_REGIONS.get(lang.lower(), lang)


def script_runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into (script, text) runs; the script is a key of SCRIPTS, or "" for any other.

    Letters decide the script. Spaces, punctuation and digits between two letters of one
    script stay in its run; any others are in no script of their own (""), so that the
    parentheses around a Uyghur name in English read left to right.
    """
    if not _IN_A_SCRIPT.search(text):
        return [("", text)]
    runs: list[tuple[str, str]] = []

    def add(script: str, piece: str) -> None:
        if not piece:
            return
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + piece)
        else:
            runs.append((script, piece))

    before: str | None = None  # the script of the last letter
    end = 0
    for match in _SCRIPT_STRETCH.finditer(text):
        script = "" if match.lastgroup == "other" else match.lastgroup
        add(script if script == before else "", text[end : match.start()])
        add(script, match.group())
        before, end = script, match.end()
    add("", text[end:])
    return runs


def right_to_left(text: str) -> bool:
    """Whether every letter of ``text`` is right to left (Arabic script), and it has some."""
    return _RIGHT_TO_LEFT.search(text) is not None and _LEFT_TO_RIGHT_LETTER.search(text) is None


def in_a_script(text: str) -> bool:
    """Whether ``text`` has a character of a script of :data:`SCRIPTS`, whose font is not the style's."""
    return _IN_A_SCRIPT.search(text) is not None
