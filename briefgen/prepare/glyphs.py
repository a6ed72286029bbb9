"""Check, before anything is laid out, that an installed font covers every character of a brief.

A character that no font covers prints as a blank box, which nobody notices until the
letter has gone to a head of government. Pango falls back to any installed font, so the
fonts a document can use are all the fonts fontconfig knows; their coverage comes from
``fc-list`` once per process.
"""

from __future__ import annotations

import bisect
import functools
import shutil
import subprocess
import unicodedata

from pydantic import BaseModel

from briefgen.errors import BuildError, MissingGlyphError, Problem
from briefgen.load.yamlfile import LineMap
from briefgen.model.brief import Localized
from briefgen.model.validate import model_values
from briefgen.text import script_range

#: Where to look for a font for characters of no script of briefgen's table, by code point range.
_OTHER_FONT_PACKAGES = (
    (0xE000, 0xF8FF, None),  # private use: no font package can know what it means
    (0xF0000, 0x10FFFF, None),
    (0x1F000, 0x1FAFF, "fonts-noto-color-emoji"),
)
_UNNAMED = {"Co": "PRIVATE USE CHARACTER", "Cn": "UNASSIGNED CHARACTER"}


@functools.lru_cache(maxsize=1)
def installed_coverage() -> tuple[list[int], list[int]]:
    """Sorted, merged ``(starts, ends)`` of the code points some installed font covers."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise BuildError("fc-list is not installed, so briefgen cannot check which characters the fonts cover; "
                         "install fontconfig")
    output = subprocess.run([fc_list, "--format", "%{charset}\n"], capture_output=True, text=True,
                            check=True).stdout
    # Fonts share most of their ranges: parse each range once (the text holds it ~20 times).
    ranges = sorted((int(first, 16), int(last or first, 16))
                    for first, _, last in (item.partition("-") for item in set(output.split())))
    starts: list[int] = []
    ends: list[int] = []
    for first, last in ranges:
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


def is_covered(char: str) -> bool:
    """Whether some installed font has a glyph for ``char``."""
    starts, ends = installed_coverage()
    index = bisect.bisect_right(starts, ord(char)) - 1
    return index >= 0 and ord(char) <= ends[index]


def needs_glyph(char: str) -> bool:
    """Whether ``char`` is drawn at all (controls, format characters and variation selectors are not)."""
    return unicodedata.category(char) not in ("Cc", "Cf") and not 0xFE00 <= ord(char) <= 0xFE0F


def font_package_hint(char: str) -> str:
    """What to install (or do) so that ``char`` prints."""
    row = script_range(char)
    if row is not None:
        return f"install {row.font_package}"
    for first, last, package in _OTHER_FONT_PACKAGES:
        if first <= ord(char) <= last:
            return f"install {package}" if package else "it is a private-use character: replace it"
    return "install fonts-noto-extra, or a font for its script"


def _texts(brief: BaseModel):
    """Every string of ``brief`` with its key path, each language of a text on its own."""
    for key_path, value in model_values(brief):
        if isinstance(value, Localized):
            for language, text in value.items():
                yield (*key_path, language), text
        elif isinstance(value, str):
            yield key_path, value


def glyph_problems(brief: BaseModel, line_map: LineMap) -> list[Problem]:
    """A problem for each character no installed font covers, once per field it is in."""
    return [line_map.problem(key_path, message, value=True)
            for key_path, text in _texts(brief) for message in uncovered(text)]


def check_glyphs(brief: BaseModel, line_map: LineMap) -> None:
    """Raise :class:`MissingGlyphError` listing each uncovered character, once per field it is in."""
    if problems := glyph_problems(brief, line_map):
        raise MissingGlyphError("\n".join(map(str, problems)))


def uncovered(text: str) -> list[str]:
    """A message for each character of ``text`` that no installed font covers (once each)."""
    messages = []
    for char in dict.fromkeys(text):
        if needs_glyph(char) and not is_covered(char):
            name = unicodedata.name(char, None) or _UNNAMED.get(unicodedata.category(char), "UNNAMED CHARACTER")
            messages.append(f"U+{ord(char):04X} {name} is covered by no installed font; {font_package_hint(char)}")
    return messages
