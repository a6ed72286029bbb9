"""Security markings in the document's language (Government of Canada's official French)."""

from __future__ import annotations

#: English marking → its official French.
FRENCH_MARKINGS = {
    "UNCLASSIFIED": "NON CLASSIFIÉ",
    "PROTECTED A": "PROTÉGÉ A",
    "PROTECTED B": "PROTÉGÉ B",
    "PROTECTED C": "PROTÉGÉ C",
    "CONFIDENTIAL": "CONFIDENTIEL",
    "SECRET": "SECRET",
    "TOP SECRET": "TRÈS SECRET",
}


def localize_marking(marking: str, language: str) -> str:
    """``marking`` as printed in a ``language`` document; markings briefgen does not know stay as given."""
    if language == "fr":
        return FRENCH_MARKINGS.get(marking.strip().upper(), marking)
    return marking
