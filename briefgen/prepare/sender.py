"""Who a brief's letters come from: its letter's contact, else the brief's, with an e-mail address.

Apart from the rest of :mod:`briefgen.prepare.letters` so that ``validate``, which only asks
whether there is a sender, imports nothing of the recipients and the greetings.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.load.yamlfile import KeyPath
from briefgen.model.brief import Brief, Contact, in_language


@dataclass(frozen=True)
class Sender:
    """Who the drafts come from and who replies go to: the brief's contact."""

    name: str
    email: str
    organization: str | None = None


def sender_contact(brief: Brief) -> tuple[KeyPath, Contact] | None:
    """The contact the drafts come from, and where it is in the brief: the letter's contact,
    else the brief's, if one has an e-mail address."""
    letter_contact = brief.letter.contact if brief.letter else None
    for key_path, contact in ((("letter", "contact"), letter_contact),
                              (("prepared_by", "contact"), brief.prepared_by.contact)):
        if contact and contact.email:
            return key_path, contact
    return None


def find_sender(brief: Brief, language: str) -> Sender | None:
    """Who the drafts in ``language`` come from: the letter's contact, else the brief's, if one
    has an e-mail address."""
    found = sender_contact(brief)
    if found is None:
        return None
    languages = brief.fallbacks(language)
    return Sender(in_language(found[1].name, languages), found[1].email,
                  in_language(brief.prepared_by.organization, languages))
