"""Join a brief's sign-on list to its letter: each row becomes a signatory, after ``letter.signed_by``.

The list is named by ``sign_ons`` and read from the brief's folder only (a brief shared
with others cannot make briefgen read a file elsewhere). A row that names a person becomes
an ``individual`` (printed "Jane Doe, Director, Org, City"), one that names an organisation
only an ``organization``. The signatories get the ids ``sign-on-<line>``, unless the brief
uses one of those already.
"""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import InvalidBriefError, RowProblem
from briefgen.load.signons import COLUMNS, SUFFIXES, SignOn, load_sign_ons
from briefgen.load.yamlfile import LineMap
from briefgen.model.brief import Brief, Localized, Signatory
from briefgen.prepare.glyphs import uncovered


def sign_on_file(brief: Brief, line_map: LineMap, folder: Path) -> Path | None:
    """The sign-on list of ``brief`` as a path in ``folder`` (the brief's), or None without one.

    Raises :class:`~briefgen.errors.InvalidBriefError` for a list outside the folder, missing,
    not .csv or .xlsx, or given to a brief without a letter.
    """
    if brief.sign_ons is None:
        return None
    given = brief.sign_ons

    def problem(message: str) -> InvalidBriefError:
        return InvalidBriefError([line_map.problem(("sign_ons",), message, value=True)])

    root = folder.resolve()
    path = (root / given).resolve()
    if not path.is_relative_to(root):
        raise problem(f"'{given}' is outside the brief's folder; put the sign-on list beside the brief")
    if path.suffix.lower() not in SUFFIXES:
        raise problem(f"'{given}' is not a .csv or .xlsx file; export the sign-on list as CSV UTF-8 or .xlsx")
    if not path.is_file():
        raise problem(f"'{given}': no such file in the brief's folder ({root})")
    if brief.letter is None:
        raise problem("a sign-on list signs the letter, but the brief has no letter")
    return path


def join_sign_ons(brief: Brief, line_map: LineMap, folder: Path) -> tuple[Brief, Path | None]:
    """``brief`` with the rows of its sign-on list as signatories of its letter, and the
    list's path (an input of the build); ``brief`` as it is when it has no list.

    Raises :class:`~briefgen.errors.InvalidBriefError` for a list that cannot be read or has
    bad rows (``FILE:LINE: column: message``): a row that names a signatory of the letter
    again, or a character no installed font covers.
    """
    path = sign_on_file(brief, line_map, folder)
    if path is None:
        return brief, None
    assert brief.letter is not None
    shown = str(Path(line_map.path).parent / brief.sign_ons) if brief.sign_ons else str(path)
    sign_ons = load_sign_ons(path, shown)
    signing = {_key(text) for signatory in brief.signatories if signatory.id in brief.letter.signed_by
               for text in _texts(signatory.name)}
    problems = [RowProblem(shown, sign_on.line, "organization" if not sign_on.name else "name",
                           f"'{sign_on}' signs the letter already (letter.signed_by); delete the row")
                for sign_on in sign_ons if _key(str(sign_on)) in signing]
    # Checked here, not with the brief's texts, so that a problem names the row it is on.
    problems += [RowProblem(shown, sign_on.line, column, message) for sign_on in sign_ons
                 for column in COLUMNS if (text := getattr(sign_on, column)) for message in uncovered(text)]
    if problems:
        raise InvalidBriefError(problems)  # type: ignore[arg-type]
    taken = {signatory.id for signatory in brief.signatories}
    added = [_signatory(sign_on, taken) for sign_on in sign_ons]
    letter = brief.letter.model_copy(update={"signed_by": [*brief.letter.signed_by,
                                                           *(signatory.id for signatory in added)]})
    return brief.model_copy(update={"signatories": [*brief.signatories, *added], "letter": letter}), path


def _signatory(sign_on: SignOn, taken: set[str]) -> Signatory:
    """The signatory a row of the list makes, with an id no other signatory has."""
    identifier, suffix = f"sign-on-{sign_on.line}", 1
    while identifier in taken:
        suffix += 1
        identifier = f"sign-on-{sign_on.line}-{suffix}"
    taken.add(identifier)
    if sign_on.name:
        return Signatory(id=identifier, name=sign_on.name, kind="individual", title=sign_on.title,
                         organization=sign_on.organization, city=sign_on.city)
    return Signatory(id=identifier, name=sign_on.organization, kind="organization", city=sign_on.city)


def _texts(text: str | Localized) -> list[str]:
    return list(text.values()) if isinstance(text, Localized) else [text]


def _key(text: str) -> str:
    return " ".join(text.casefold().split())
