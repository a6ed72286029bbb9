"""What ``briefgen letters`` needs before any letter is rendered: the brief, the recipients,
the language of each one's letter and who the e-mails come from, all checked.

The texts of the brief that go into the drafts' headers (the subject, the sender's name) or
beside them (the organisation) must be plain text on one line: no line break, no control
character, no encoded word (``=?utf-8?b?...?=``) that a mail program would read as other
text. Each one that is not is a located problem of the brief.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import InvalidBriefError, InvalidRecipientsError, Problem, RowProblem
from briefgen.load.recipients import Recipient, load_recipients
from briefgen.load.yamlfile import KeyPath, LineMap
from briefgen.model.brief import Brief, Contact, Localized, in_language
from briefgen.prepare.brief import PreparedBrief, load_brief, missing_translations
from briefgen.prepare.glyphs import check_glyphs, uncovered
from briefgen.text import header_text_problem


@dataclass(frozen=True)
class Sender:
    """Who the drafts come from and who replies go to: the brief's contact."""

    name: str
    email: str
    organization: str | None = None


def _sender_contact(brief: Brief) -> tuple[KeyPath, Contact] | None:
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
    found = _sender_contact(brief)
    if found is None:
        return None
    languages = brief.fallbacks(language)
    return Sender(in_language(found[1].name, languages), found[1].email,
                  in_language(brief.prepared_by.organization, languages))


def check_header_texts(brief: Brief, line_map: LineMap) -> None:
    """Raise :class:`~briefgen.errors.InvalidBriefError` for each text of the brief that goes into
    the drafts (the subject and the sender's name into their headers) and is not plain text on
    one line, in every language it is given in."""
    fields = [(("letter", "subject"), brief.letter.subject),
              (("prepared_by", "organization"), brief.prepared_by.organization)]
    if found := _sender_contact(brief):
        fields.append(((*found[0], "name"), found[1].name))
    problems = [line_map.problem(key_path if language is None else (*key_path, language), message, value=True)
                for key_path, value in fields
                for language, text in (value.items() if isinstance(value, Localized) else [(None, value)])
                if (message := header_text_problem(text))]
    if problems:
        raise InvalidBriefError(sorted(problems, key=lambda problem: (problem.line, problem.column)))


def choose_languages(brief: Brief, recipients: list[Recipient],
                     shown: str) -> tuple[list[str], list[RowProblem | Problem]]:
    """The language of each recipient's letter, and a warning per language the brief lacks.

    A recipient gets their ``language`` when the brief has it, else the brief's default.
    """
    available = brief.langs
    chosen: list[str] = []
    unmet: dict[str, list[int]] = {}
    for recipient in recipients:
        if recipient.language in available:
            chosen.append(recipient.language)
        else:
            chosen.append(available[0])
            if recipient.language:
                unmet.setdefault(recipient.language, []).append(recipient.line)
    warnings: list[RowProblem | Problem] = []
    for language, lines in unmet.items():
        many = len(lines) > 1
        warnings.append(RowProblem(
            shown, lines[0], "language",
            f"warning: the letter is not written in {language} (the brief has {', '.join(available)}), so "
            f"{len(lines)} recipient{'s' if many else ''} who asked for it (line{'s' if many else ''} "
            f"{', '.join(map(str, lines))}) get{'' if many else 's'} it in {available[0]}"))
    return chosen, warnings


def check_recipient_glyphs(recipients: list[Recipient], shown: str) -> None:
    """Raise :class:`InvalidRecipientsError` for recipients with a character no installed font
    can print (it would print as a box), once per cell it is in."""
    problems = [RowProblem(shown, recipient.line, column, message)
                for recipient in recipients
                for column, texts in (("name", [recipient.name]), ("title", [recipient.title]),
                                      ("salutation", [recipient.salutation]),
                                      ("constituency", [recipient.constituency]), ("address", recipient.address))
                for text in texts if text for message in uncovered(text)]
    if problems:
        raise InvalidRecipientsError(problems)


@dataclass(frozen=True)
class PreparedLetters:
    """A brief with a letter to send, its recipients and everything their letters need."""

    prepared: PreparedBrief
    recipients: list[Recipient]
    #: The language of each recipient's letter.
    languages: list[str]
    #: Who the drafts come from, by language.
    senders: dict[str, Sender]
    #: The recipients file as messages name it.
    recipients_file: str
    warnings: list[RowProblem | Problem]


def prepare_letters(brief_path: Path | str, recipients_path: Path | str) -> PreparedLetters:
    """Load and check the brief, its letter and sender, and the recipients.

    Raises :class:`~briefgen.errors.InvalidBriefError` for a bad brief, one without a letter
    or without a contact e-mail address, :class:`~briefgen.errors.MissingGlyphError` for a
    character no font covers, and :class:`~briefgen.errors.InvalidRecipientsError` for bad
    recipients.
    """
    brief_path, recipients_path = Path(brief_path), Path(recipients_path)
    loaded = load_brief(brief_path)
    brief = loaded.brief
    if brief.letter is None:
        raise InvalidBriefError([loaded.line_map.problem(("letter",), "the brief has no letter to send; "
                                                         "add a letter section")])
    if find_sender(brief, brief.langs[0]) is None:
        raise InvalidBriefError([loaded.line_map.problem(("letter", "contact"), "no e-mail address to send the "
                                                         "letters from: add an email to letter.contact (or to "
                                                         "prepared_by.contact)")])
    check_header_texts(brief, loaded.line_map)
    check_glyphs(brief, loaded.line_map)
    shown = str(recipients_path)
    recipients = load_recipients(recipients_path)
    check_recipient_glyphs(recipients, shown)
    languages, warnings = choose_languages(brief, recipients, shown)
    used = sorted(set(languages))
    warnings += [warning for language in used if language != brief.langs[0]
                 for warning in missing_translations(brief, loaded.line_map, language)
                 if warning.key_path.split(".")[0].split("[")[0] == "letter"]
    senders = {language: find_sender(brief, language) for language in used}
    return PreparedLetters(PreparedBrief(brief_path, brief, loaded.line_map, used, []), recipients, languages,
                           senders, shown, warnings)
