"""The columns of a recipients file: the names people give them, recognised or mapped.

A column's name is compared *normalised* (:func:`normalise`): without accents, in lower
case, each run of other characters than letters and digits made one ``_``; so "E-mail",
"Province / Territory" and "Prénom" are ``e_mail``, ``province_territory`` and ``prenom``.
A normalised name that is a field or one of its :data:`ALIASES` is that field (the House
of Commons members export, Represent-style data, French headers); ``--columns
FIELD=COLUMN`` says which column is a field when the name says nothing. Every other column
is kept under its normalised name, an *extra* column the letter may use; one whose name
looks like a misspelt field gets a warning.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from briefgen.errors import RowProblem, UsageError

#: The fields of a recipient, in the order messages list them.
FIELDS = ("name", "title", "email", "salutation", "language", "constituency", "address", "honorific",
          "first_name", "last_name", "province", "party", "phone")
#: Each field's other names, normalised: what spreadsheets of MPs and sign-on forms call it.
ALIASES = {
    "name": ("full_name", "recipient", "nom_complet", "destinataire"),
    "title": ("job_title", "position", "elected_office", "office", "titre", "fonction", "poste"),
    "email": ("e_mail", "email_address", "e_mail_address", "mail", "courriel", "adresse_courriel",
              "adresse_electronique", "adresse_de_courriel", "courrier_electronique"),
    "salutation": ("greeting", "dear", "appel", "formule_d_appel"),
    "language": ("lang", "preferred_language", "official_language", "langue", "langue_preferee",
                 "langue_officielle", "langue_de_correspondance"),
    "constituency": ("riding", "district", "district_name", "electoral_district", "circonscription",
                     "circonscription_electorale"),
    "address": ("mailing_address", "postal_address", "street_address", "adresse", "adresse_postale"),
    "honorific": ("honorific_title", "courtesy_title", "prefix", "civilite", "titre_de_civilite", "appellation"),
    "first_name": ("firstname", "given_name", "forename", "prenom"),
    "last_name": ("lastname", "surname", "family_name", "nom_de_famille"),
    "province": ("province_territory", "province_or_territory", "territory", "state", "province_territoire",
                 "province_ou_territoire"),
    "party": ("party_name", "caucus", "political_affiliation", "political_affiliation_caucus",
              "political_party", "parti", "parti_politique", "affiliation_politique", "affiliation"),
    "phone": ("phone_number", "telephone", "telephone_number", "tel", "numero_de_telephone"),
}
_FIELD_OF = {name: name for name in FIELDS} | {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_EXAMPLES = {"name": "Name, or First Name and Last Name", "email": "Email or Courriel"}
#: "Nom" is the family name beside a "Prénom", else the whole name.
_NOM = "nom"


def normalise(name: str) -> str:
    """``name`` without accents, in lower case, runs of other characters than letters and digits as one ``_``."""
    plain = "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))
    return re.sub(r"[^0-9a-z]+", "_", plain.casefold()).strip("_")


def field_of(name: str, *, with_first_name: bool = False) -> str | None:
    """The recipient field that a column (or placeholder) named ``name`` is, if any."""
    key = normalise(name)
    if key == _NOM:
        return "last_name" if with_first_name else "name"
    return _FIELD_OF.get(key)


def _misspelt(key: str) -> str | None:
    """The field whose name or alias ``key`` (normalised) looks like a misspelling of."""
    close = difflib.get_close_matches(key, list(_FIELD_OF), n=1, cutoff=0.8)
    return _FIELD_OF[close[0]] if close else None


def parse_columns(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--columns FIELD=COLUMN[,FIELD=COLUMN…]`` (each value may hold several pairs) as ``{field: column}``.

    Raises :class:`~briefgen.errors.UsageError` for a pair without ``=`` or a FIELD that is
    no recipient field.
    """
    mapping: dict[str, str] = {}
    for value in values:
        for pair in filter(str.strip, value.split(",")):
            name, equals, column = pair.partition("=")
            if not equals or not name.strip() or not column.strip():
                raise UsageError(f"--columns '{pair.strip()}': give FIELD=COLUMN, e.g. email=Courriel")
            field_name = name.strip().lower()
            if field_name not in FIELDS:
                raise UsageError(f"--columns {pair.strip()}: '{name.strip()}' is not a recipient field; "
                                 f"use {', '.join(FIELDS)}")
            mapping[field_name] = column.strip()
    return mapping


@dataclass
class Header:
    """What each column of a file is: a field, an extra column (its normalised name) or nothing."""

    #: Per column, the key its cells are kept under (a field or an extra's name), or None if ignored.
    keys: list[str | None]
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def available(self) -> list[str]:
        """The keys of the file's columns, in their order."""
        return [key for key in self.keys if key]


def resolve_header(names: list[str], mapping: dict[str, str], shown: str, line: int = 1) -> Header:
    """What each of the columns ``names`` (as the file writes them, on ``line``) is, with
    ``mapping`` (``{field: column}`` from ``--columns``) before the aliases."""
    header = Header([None] * len(names))
    normalised = [normalise(name) for name in names]
    taken: dict[str, int] = {}
    for field_name, column in mapping.items():
        index = next((i for i, name in enumerate(normalised) if name == normalise(column)), None)
        if index is None:
            header.problems.append(RowProblem(shown, line, "", (
                f"--columns {field_name}={column}: the file has no column '{column}'; its columns are "
                f"{', '.join(name for name in names if name.strip()) or 'none'}")))
        else:
            header.keys[index], taken[field_name] = field_name, index
    with_first_name = any(field_of(name) == "first_name" for name in names) or "first_name" in mapping
    for index, name in enumerate(names):
        if header.keys[index] is not None or index in taken.values() or not normalised[index]:
            continue
        found = field_of(name, with_first_name=with_first_name)
        if found and found not in taken:
            header.keys[index], taken[found] = found, index
        elif found or normalised[index] in header.keys or normalised[index] in FIELDS:
            used = names[taken[found]] if found else name
            header.warnings.append(RowProblem(shown, line, name.strip(), (
                f"warning: '{used}' is already the {found or normalised[index]} column, so this one is "
                + (f"ignored; to use it instead, give --columns {found}={name.strip()}" if found else "ignored"))))
        else:
            header.keys[index] = normalised[index]
            if suggestion := _misspelt(normalised[index]):
                header.warnings.append(RowProblem(shown, line, name.strip(), (
                    f"warning: not a column briefgen knows, kept as the extra column {{{normalised[index]}}}; "
                    f"if it is the {suggestion}, rename it or give --columns {suggestion}={name.strip()}")))
    keys = set(header.keys)
    for required in ("name", "email"):
        if required in keys or (required == "name" and keys & {"first_name", "last_name"}):
            continue
        hint = next((name.strip() for name, key in zip(names, header.keys) if key and _misspelt(key) == required),
                    None)
        header.problems.append(RowProblem(shown, line, required, "required column is missing" + (
            f"; if '{hint}' is it, rename it or give --columns {required}={hint}" if hint else
            f"; add one ({_EXAMPLES[required]}; see docs/recipients.md) or give --columns {required}=COLUMN")))
    # Misspellings of a missing required column are said once, by the problem.
    missing = {problem.column for problem in header.problems}
    header.warnings = [warning for warning in header.warnings
                       if not (missing and _misspelt(normalise(warning.column)) in missing)]
    return header
