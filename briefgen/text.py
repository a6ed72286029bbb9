"""The small rules about text that several stages share, each kept once.

- languages: BCP 47 tags (``en``, ``fr``, ``zh-Hans``, ``ug``), checked and named through
  Babel's CLDR data, and the Babel locale each is written in;
- slugs: ids in a brief and the file names made from people's names;
- e-mail addresses: the one rule for the brief's contacts and the recipients' addresses;
- text that goes into an e-mail header (a name, a subject): plain text on one line;
- the Unicode scripts briefs use beside Latin (Chinese, Japanese and Korean, Tibetan,
  Arabic script, Devanagari and others), with the language a run of each is marked with and
  the font package that covers it.

This module imports nothing of briefgen, so the loader can use it as well as the model,
the view and the writers.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

#: The languages briefgen has always written documents in, the default first: a text of a brief
#: that declares no languages may still be written {en: ..., fr: ...}.
LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
#: What a language tag looks like (BCP 47's language, script, region and variant subtags):
#: the JSON Schema's pattern; :func:`language_problem` says whether Babel knows it.
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-[A-Za-z0-9]{5,8})*$"
_LANGUAGE_TAG = re.compile(LANGUAGE_PATTERN)
#: The Babel locales of the languages Canadian documents are written in.
_CANADIAN = {"en": "en_CA", "fr": "fr_CA"}
#: Languages written right to left (primary subtags), whose documents are laid out so.
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ps", "sd", "ug", "ur", "yi"})


def _parse(tag: str):
    """Babel's locale of ``tag``; ValueError when it is none."""
    from babel import Locale, UnknownLocaleError  # CLDR's data loads only when a language is first asked for

    try:
        return Locale.parse(tag, sep="-")
    except UnknownLocaleError as error:
        raise ValueError(str(error)) from None


@functools.cache
def canonical_language(tag: str) -> str | None:
    """``tag`` as BCP 47 writes it (``zh-hans`` → ``zh-Hans``, ``EN-ca`` → ``en-CA``), or None
    when it is not a language tag that CLDR knows."""
    if not isinstance(tag, str) or not _LANGUAGE_TAG.match(tag) or tag.lower().startswith("und"):
        return None
    try:
        locale = _parse(tag)
    except (ValueError, LookupError, TypeError):
        return None
    return "-".join(part for part in (locale.language, locale.script, locale.territory, locale.variant) if part)


def language_problem(tag: object) -> str | None:
    """What is wrong with ``tag`` as the language of a brief or of a text, said with what to
    do; None when it is a BCP 47 tag CLDR knows, written as BCP 47 writes it."""
    if not isinstance(tag, str) or not tag:
        return "expected a language tag such as en, fr, zh-Hans or ug"
    if "_" in tag and canonical_language(tag.replace("_", "-")):
        return f"'{tag}' is not a BCP 47 tag; write {canonical_language(tag.replace('_', '-'))} (with a hyphen)"
    canonical = canonical_language(tag)
    if canonical is None:
        return (f"unknown language '{tag}'; use a BCP 47 tag such as en, fr, es, de, hi, zh-Hans, zh-Hant, "
                "bo or ug")
    if canonical != tag:
        return f"write the language '{tag}' as {canonical}"
    return None


def language_name(tag: str) -> str:
    """The English name of the language ``tag``: ``French``, ``Chinese (Simplified)``."""
    if tag in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[tag]
    try:
        return _parse(tag).get_display_name("en") or tag
    except (ValueError, LookupError, TypeError):
        return tag


def babel_locale(tag: str) -> str:
    """The Babel locale that dates and numbers of a ``tag`` document are written in: Canadian
    English and French, else the tag's own (``zh-Hans`` → ``zh_Hans``)."""
    if tag in _CANADIAN:
        return _CANADIAN[tag]
    return str(_parse(tag)) if canonical_language(tag) else "en_CA"


def is_right_to_left(tag: str) -> bool:
    """Whether documents in the language ``tag`` are written right to left (Uyghur, Arabic…)."""
    return primary_language(tag) in RIGHT_TO_LEFT

#: Ids name output folders and link documents together, so they stay slug-safe.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: The longest id: the brief's names the output folder and an issue's a file of its notes, and a
#: file name must stay well under the 255 bytes of every file system (and a whole path under
#: Windows's 260 characters).
ID_LENGTH = 64
#: File names made from names stay well under every file system's limit.
SLUG_LENGTH = 60


def slugify(text: str, *, length: int = SLUG_LENGTH) -> str:
    """``text`` as a slug: ``Jean Côté`` → ``jean-cote``; empty when nothing is left of it."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:length].rstrip("-")


# A deliberately plain address: what every SMTP server accepts without the SMTPUTF8
# extension, and what the drafts (7-bit) can carry in their headers unencoded.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: An e-mail address as briefgen accepts it, in the brief and in a recipients file.
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,}}$"
_EMAIL = re.compile(EMAIL_PATTERN)


#: The longest address SMTP carries (RFC 5321 4.5.3.1: a path of 256 octets with its brackets,
#: a local part of 64).
MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64


def is_email_address(text: str) -> bool:
    """Whether ``text`` is an e-mail address as briefgen accepts it (see :data:`EMAIL_PATTERN`),
    no longer than SMTP carries."""
    return (_EMAIL.match(text) is not None and len(text) <= MAX_EMAIL_LENGTH
            and len(text.partition("@")[0]) <= MAX_LOCAL_PART_LENGTH)


#: What ``str.splitlines`` breaks lines at: the line breaks a text on one line must not have.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# An RFC 2047 encoded word, as leniently as any mail program reads one.
_ENCODED_WORD = re.compile(r"=\?.*\?=", re.S)


def is_control(char: str) -> bool:
    """Whether ``char`` is a C0 or C1 control character, DEL, or U+2028/U+2029 (line and
    paragraph separators): none has a place in a name, a subject or an e-mail header."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029)


def one_line_problem(text: str) -> str | None:
    """What is wrong with ``text`` as plain text on one line (a recipient's title, an
    address line): a line break or a control character; None when nothing is."""
    for char in text:
        if char in LINE_BREAKS:
            return f"must be on one line; remove the line break (U+{ord(char):04X}) in it"
        if is_control(char):
            return f"contains the control character U+{ord(char):04X}; remove it"
    return None


def header_text_problem(text: str) -> str | None:
    """What is wrong with ``text`` as the text of an e-mail header (a name in From or To, a
    subject): besides :func:`one_line_problem`, an encoded word (``=?utf-8?b?...?=``), which
    mail programs would decode into other text, such as another address; None when nothing is."""
    if problem := one_line_problem(text):
        return problem
    if _ENCODED_WORD.search(text):
        return ("contains =?…?=, which mail programs read as an encoded word (RFC 2047) and show as other text; "
                "write the text itself")
    return None


@dataclass(frozen=True)
class ScriptRange:
    """Code points ``first`` to ``last`` of one script.

    ``language`` is the tag a run of them is marked with when nothing else says (None for
    punctuation and symbols the script's languages share), ``font_package`` the Debian
    package of the fonts that cover them.
    """

    first: int
    last: int
    script: str
    language: str | None
    font_package: str


#: The scripts that are set apart from Latin text: by their language tag in the HTML and
#: the PDF, by fonts and languages of their own in Word, by a font hint when none covers them.
SCRIPT_RANGES = tuple(sorted((
    ScriptRange(0x0370, 0x03FF, "greek", "el", "fonts-noto-core"),
    ScriptRange(0x0400, 0x04FF, "cyrillic", "ru", "fonts-noto-core"),
    ScriptRange(0x0590, 0x05FF, "hebrew", "he", "fonts-noto-core"),
    ScriptRange(0x0600, 0x06FF, "arabic", "ar", "fonts-noto-core"),
    ScriptRange(0x0750, 0x077F, "arabic", "ar", "fonts-noto-core"),
    ScriptRange(0x0900, 0x097F, "devanagari", "hi", "fonts-noto-core"),
    ScriptRange(0x0980, 0x09FF, "bengali", "bn", "fonts-noto-core"),
    ScriptRange(0x0E00, 0x0E7F, "thai", "th", "fonts-noto-core"),
    ScriptRange(0x0F00, 0x0FFF, "tibetan", "bo", "fonts-noto-core"),
    ScriptRange(0x2E80, 0x2FFF, "cjk", "zh", "fonts-noto-cjk"),  # radicals
    ScriptRange(0x3000, 0x303F, "cjk", None, "fonts-noto-cjk"),  # punctuation
    ScriptRange(0x3040, 0x30FF, "cjk", "ja", "fonts-noto-cjk"),  # kana
    ScriptRange(0x3100, 0x312F, "cjk", "zh", "fonts-noto-cjk"),  # bopomofo
    ScriptRange(0x3130, 0x318F, "cjk", "ko", "fonts-noto-cjk"),  # hangul jamo
    ScriptRange(0x3190, 0x33FF, "cjk", None, "fonts-noto-cjk"),  # enclosed and compatibility forms
    ScriptRange(0x3400, 0x9FFF, "cjk", "zh", "fonts-noto-cjk"),  # unified ideographs
    ScriptRange(0xA8E0, 0xA8FF, "devanagari", "hi", "fonts-noto-core"),  # Devanagari extended
    ScriptRange(0xAC00, 0xD7AF, "cjk", "ko", "fonts-noto-cjk"),
    ScriptRange(0xF900, 0xFAFF, "cjk", "zh", "fonts-noto-cjk"),  # compatibility ideographs
    ScriptRange(0xFB1D, 0xFB4F, "hebrew", "he", "fonts-noto-core"),
    ScriptRange(0xFB50, 0xFDFF, "arabic", "ar", "fonts-noto-core"),
    ScriptRange(0xFE70, 0xFEFF, "arabic", "ar", "fonts-noto-core"),
    ScriptRange(0xFF00, 0xFFEF, "cjk", None, "fonts-noto-cjk"),  # full-width forms
    ScriptRange(0x20000, 0x3FFFF, "cjk", "zh", "fonts-noto-cjk-extra"),  # extensions B and after
), key=lambda row: row.first))
#: The languages written in each script whose default a brief may change: a brief that names
#: one of them, among its ``languages`` or in a ``native_lang``, tags the script's runs with it
#: (Arabic script is Arabic unless the brief names Uyghur, Persian, Urdu…; Han is ``zh`` unless
#: it names ``zh-Hant``). Kana and Hangul stay Japanese and Korean.
SCRIPT_LANGUAGES = {
    "arabic": frozenset({"ar", "ug", "fa", "ur", "ps", "sd", "ckb", "ku", "kk", "ky"}),
    "bengali": frozenset({"bn", "as"}),
    "cjk": frozenset({"zh"}),
    "cyrillic": frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tt"}),
    "devanagari": frozenset({"hi", "mr", "ne", "sa", "mai"}),
    "greek": frozenset({"el"}),
    "hebrew": frozenset({"he", "yi"}),
    "thai": frozenset({"th"}),
    "tibetan": frozenset({"bo", "dz"}),
}
_FIRSTS = [row.first for row in SCRIPT_RANGES]


def script_range(char: str) -> ScriptRange | None:
    """The row of :data:`SCRIPT_RANGES` that ``char`` falls in, if any."""
    index = bisect.bisect_right(_FIRSTS, ord(char)) - 1
    if index >= 0 and ord(char) <= SCRIPT_RANGES[index].last:
        return SCRIPT_RANGES[index]
    return None


def character_class(script: str) -> str:
    """The code points of ``script`` in :data:`SCRIPT_RANGES`, as the inside of a regular
    expression's character class (Tibetan: ``\\U00000f00-\\U00000fff``)."""
    return "".join(f"\\U{row.first:08x}-\\U{row.last:08x}" for row in SCRIPT_RANGES if row.script == script)


def primary_language(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, in lower case: ``zh-Hant`` → ``zh``."""
    return tag.split("-")[0].lower()


def script_defaults(tags) -> dict[str, str]:
    """For each script of :data:`SCRIPT_LANGUAGES`, the first of ``tags`` (the brief's languages
    and ``native_lang`` tags) written in it, if any: the language its runs are tagged with."""
    defaults: dict[str, str] = {}
    for tag in tags:
        for script, languages in SCRIPT_LANGUAGES.items():
            if primary_language(tag) in languages:
                defaults.setdefault(script, tag)
    return defaults


def _run_language(row: ScriptRange, defaults: dict[str, str] | None) -> str | None:
    if row.language is None:
        return None
    if defaults and row.script in defaults and row.language in SCRIPT_LANGUAGES.get(row.script, ()):
        return defaults[row.script]
    return row.language


def script_language(text: str, defaults: dict[str, str] | None = None) -> str:
    """The language tag of the first character of ``text`` in a script of :data:`SCRIPT_RANGES`
    that has one (changed by ``defaults``, see :func:`script_defaults`), else ``und``."""
    for char in text:
        row = script_range(char)
        if row is not None and (language := _run_language(row, defaults)):
            return language
    return "und"


#: A character of a script of :data:`SCRIPT_RANGES` that is a language's (not shared punctuation).
SCRIPT_CHARACTER = re.compile("[" + "".join(f"\\U{row.first:08x}-\\U{row.last:08x}" for row in SCRIPT_RANGES
                                            if row.language) + "]")


def language_runs(text: str, defaults: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
    """The runs of ``text`` in a script of :data:`SCRIPT_RANGES`, as ``(start, end, language)``.

    A run goes from a letter of the script to the last letter of the same language with no
    other letter between (spaces, digits and punctuation between two letters stay in it).
    """
    runs: list[list] = []
    for match in SCRIPT_CHARACTER.finditer(text):
        language = _run_language(script_range(match.group()), defaults)
        start = match.start()
        if runs and runs[-1][2] == language and not any(char.isalpha() for char in text[runs[-1][1]:start]):
            runs[-1][1] = start + 1
        else:
            runs.append([start, start + 1, language])
    return [(start, end, language) for start, end, language in runs]


#: The scripts whose glyphs a shaper reorders, stacks or joins, so that a glyph's place on the
#: line does not tell where its characters are in the text (Tibetan vowel signs above their
#: letter, Devanagari's short i before it): the PDF gives their runs as text too.
SHAPED_SCRIPTS = frozenset({"tibetan", "devanagari", "bengali", "thai"})
_SHAPED = re.compile("[" + "".join(character_class(script) for script in SHAPED_SCRIPTS) + "]")


def shaped(text: str) -> bool:
    """Whether ``text`` has a character of a script of :data:`SHAPED_SCRIPTS`."""
    return _SHAPED.search(text) is not None
