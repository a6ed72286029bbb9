"""Greetings that are never wrong: each recipient's salutation, and the closing that follows it.

A recipient's own ``salutation`` is used as it is. Without one, it is built from what the
row says, in the language of their letter:

- English: "Dear Ms. Smith," from a courtesy title (Mr., Ms., Mrs., Dr.…) and the last name;
  else a neutral one for the title ("Dear Member of Parliament,", "Dear Senator,"), else
  "Dear Ann Smith,". A row with a constituency and no title is taken for a Member of
  Parliament's, as the House of Commons export gives its members without a title. A style
  such as "Hon." or "Right Hon." is no courtesy title: "Dear Hon. Smith," is a mistake
  protocol offices point out, so it leads to the neutral form.
- French, as Canadian French correspondence writes it (the Office québécois de la langue
  française's *Banque de dépannage linguistique* and the federal Translation Bureau's
  guide): the salutation never holds the family name ("Madame Smith," is a calque of the
  English and reads as curt), it names the office when there is one, with the feminine
  form for a woman and a capital to the office ("Madame la Députée,", "Monsieur le
  Sénateur,"), and just "Madame," or "Monsieur," otherwise. Whether to write Madame or
  Monsieur comes from the courtesy title (Mme, M., Ms., Mr.…); without it, the neutral
  "Madame, Monsieur," which both guides give for a recipient whose gender is not known.

The closing: English letters close with the brief's ``letter.closing`` ("Sincerely,"), which
repeats nothing. French letters close with a formula that repeats the salutation ("Veuillez
agréer, Madame la Députée, l'expression de nos sentiments distingués."), as French
correspondence requires; the brief's own French closing is for its own addressee
(``letter.to``, in ``build``), whose salutation it was written for.

The words are in the French catalog (``briefgen/locale/fr/LC_MESSAGES/briefgen.po``),
extracted from this module by ``make translations``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from briefgen.load.columns import normalise
from briefgen.load.recipients import Recipient
from briefgen.view.translations import translations
from briefgen.view.typography import typeset

#: Courtesy titles, normalised, by the gender they say (None: none, as for Dr. or Mx.).
_COURTESY = {"ms": "f", "mrs": "f", "miss": "f", "mme": "f", "madame": "f", "mlle": "f", "mademoiselle": "f",
             "mr": "m", "m": "m", "monsieur": "m", "dr": None, "mx": None, "prof": None, "professor": None}
#: The English courtesy title of a French one, in an English letter.
_ENGLISH = {"mme": "Ms.", "madame": "Ms.", "mlle": "Ms.", "mademoiselle": "Ms.", "m": "Mr.", "monsieur": "Mr."}
_OFFICES = {"mp": ("member_of_parliament", "mp", "m_p", "depute", "deputee", "depute_e", "membre_du_parlement",
                   "member_of_the_house_of_commons"),
            "senator": ("senator", "senateur", "senatrice", "senateur_trice")}
_OFFICE_OF = {name: office for office, names in _OFFICES.items() for name in names}


class Built(Enum):
    """Where a recipient's salutation comes from."""

    GIVEN = "given"
    HONORIFIC = "honorific"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Greeting:
    """A recipient's salutation and closing, typeset in their letter's language; ``closing``
    None means the brief's own ``letter.closing``."""

    salutation: str
    closing: str | None
    built: Built


def _office(title: str | None) -> str | None:
    key = normalise(title or "")
    return _OFFICE_OF.get(key) or next((office for name, office in _OFFICE_OF.items()
                                        if len(name) > 3 and key.startswith(name)), None)


def greeting(recipient: Recipient, language: str) -> Greeting:
    """The salutation and closing of ``recipient``'s letter in ``language``."""
    catalog = translations(language)
    _ = catalog.gettext
    courtesy = normalise(recipient.honorific or "")
    gender = _COURTESY.get(courtesy)
    # A row with a riding and no title is a Member of Parliament's (the House of Commons
    # export and Represent's data name no office): they are written to as one.
    office = _office(recipient.title) or ("mp" if not recipient.title and recipient.constituency else None)
    if recipient.salutation:
        salutation, built = recipient.salutation, Built.GIVEN
    elif language == "fr":
        if gender:
            # The office, else Madame or Monsieur alone: never the family name (see the module's docstring).
            pgettext = catalog.pgettext
            forms = {("f", "mp"): pgettext("salutation to a woman", "Dear Member of Parliament,"),
                     ("m", "mp"): pgettext("salutation to a man", "Dear Member of Parliament,"),
                     ("f", "senator"): pgettext("salutation to a woman", "Dear Senator,"),
                     ("m", "senator"): pgettext("salutation to a man", "Dear Senator,"),
                     ("f", None): pgettext("salutation to a woman", "Dear Sir or Madam,"),
                     ("m", None): pgettext("salutation to a man", "Dear Sir or Madam,")}
            salutation, built = forms[gender, office], Built.HONORIFIC
        else:
            salutation, built = _("Dear Sir or Madam,"), Built.NEUTRAL
    elif courtesy in _COURTESY and recipient.last_name:
        honorific = _ENGLISH.get(courtesy, recipient.honorific.strip())
        salutation = _("Dear %(honorific)s %(last_name)s,") % {"honorific": honorific,
                                                               "last_name": recipient.last_name}
        built = Built.HONORIFIC
    else:
        salutation = {"mp": _("Dear Member of Parliament,"), "senator": _("Dear Senator,")}.get(
            office) or _("Dear %(name)s,") % {"name": recipient.name}
        built = Built.NEUTRAL
    salutation = typeset(salutation, language)
    closing = None
    if language == "fr":
        # The formula repeats the salutation without its comma: "Veuillez agréer, Madame, l'expression…".
        repeated = re.sub(r"[\s,;:!]+$", "", salutation)
        closing = typeset(_("Please accept, %(salutation)s, the assurance of our highest regards.")
                          % {"salutation": repeated}, language)
    return Greeting(salutation, closing, built)


def _lines(lines: list[int]) -> str:
    """Line numbers as runs: 2-4, 7."""
    runs: list[list[int]] = []
    for line in lines:
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def built_salutations_warning(recipients: list[Recipient], greetings: list[Greeting]) -> str | None:
    """One warning naming the rows whose salutation was built (from the honorific, or
    neutral), or None if every recipient has their own."""
    by_kind = {kind: [recipient.line for recipient, found in zip(recipients, greetings) if found.built is kind]
               for kind in (Built.HONORIFIC, Built.NEUTRAL)}
    count = sum(map(len, by_kind.values()))
    if not count:
        return None
    parts = [f"from the courtesy title on line{'s' if len(lines) > 1 else ''} {_lines(lines)}"
             if kind is Built.HONORIFIC else f"neutral on line{'s' if len(lines) > 1 else ''} {_lines(lines)}"
             for kind, lines in by_kind.items() if lines]
    return (f"warning: {count} recipient{'s have' if count > 1 else ' has'} no salutation, so one is built "
            f"({'; '.join(parts)}); write one in a salutation column to choose it")
