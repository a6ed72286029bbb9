"""Which language tag a run of text in another script should carry.

Names in briefs on China come in Chinese, Tibetan and Uyghur (Arabic script); marking
them with their language lets screen readers and Word pick the right voice and font.
"""

from __future__ import annotations

#: (first code point, last code point, language tag) of the scripts briefs use.
_SCRIPT_RANGES = (
    (0x0F00, 0x0FFF, "bo"),   # Tibetan
    (0x0600, 0x06FF, "ug"),   # Arabic script: in these briefs, Uyghur
    (0x3400, 0x9FFF, "zh"),   # CJK unified ideographs
    (0xF900, 0xFAFF, "zh"),   # CJK compatibility ideographs
)


def script_language(text: str) -> str:
    """The language tag of the first character of ``text`` in a known script, else ``und``."""
    for char in text:
        code = ord(char)
        for first, last, tag in _SCRIPT_RANGES:
            if first <= code <= last:
                return tag
    return "und"
