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
from briefgen.load.recipients import Recipient, read_recipients
from briefgen.load.yamlfile import KeyPath, LineMap
from briefgen.model.brief import Brief, Localized, in_language
from briefgen.model.registry import mail_merged
from briefgen.prepare.brief import PreparedBrief, load_brief, missing_translations, untranslated_labels_warning
from briefgen.prepare.glyphs import check_glyphs, uncovered
from briefgen.prepare.greetings import built_salutations_warning, greeting
from briefgen.prepare.sender import Sender, find_sender, sender_contact
from briefgen.text import header_text_problem, one_line_problem, primary_language
from briefgen.view import placeholders


def check_header_texts(brief: Brief, line_map: LineMap) -> None:
    """Raise :class:`~briefgen.errors.InvalidBriefError` for each text of the brief that goes into
    the drafts (the subject and the sender's name into their headers) and is not plain text on
    one line, in every language it is given in."""
    fields = [(("letter", "subject"), brief.letter.subject),
              (("prepared_by", "organization"), brief.prepared_by.organization)]
    if found := sender_contact(brief):
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

    A recipient gets their ``language`` when the brief has the letter in it (``zh`` is the
    brief's ``zh-Hans`` when it has no other Chinese), else the brief's default.
    """
    letter = mail_merged().id
    available = [language for language in brief.langs if letter in brief.documents_in(language)] or brief.langs[:1]
    by_primary: dict[str, list[str]] = {}
    for language in available:
        by_primary.setdefault(primary_language(language), []).append(language)
    chosen: list[str] = []
    unmet: dict[str, list[int]] = {}
    for recipient in recipients:
        close = by_primary.get(primary_language(recipient.language or ""), [])
        if recipient.language in available:
            chosen.append(recipient.language)
        elif len(close) == 1:
            chosen.append(close[0])
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


def check_recipient_glyphs(recipients: list[Recipient], shown: str, used: set[str] = frozenset()) -> None:
    """Raise :class:`InvalidRecipientsError` for recipients with a character no installed font
    can print (it would print as a box), once per cell it is in: the cells the letter prints,
    those of the ``used`` placeholders' columns among them."""
    printed = ("name", "title", "salutation", "constituency")
    problems = [RowProblem(shown, recipient.line, column, message)
                for recipient in recipients
                for column, texts in ([(column, [getattr(recipient, column)]) for column in printed]
                                      + [("address", recipient.address)]
                                      + [(key, [recipient.fields().get(key)]) for key in sorted(used)
                                         if key not in printed and key != "address"])
                for text in texts if text for message in uncovered(text)]
    if problems:
        raise InvalidRecipientsError(problems)


#: Where each placeholder of the letter is: ``{language: [(key, (text's key path, name as written))]}``.
Placeholders = dict[str, list[tuple[str, tuple[KeyPath, str]]]]


def _placeholder_problem(line_map: LineMap, source: list[str], key_path: KeyPath, written: str, text_line: int,
                         message: str) -> Problem:
    """A problem at the placeholder ``{written}`` on line ``text_line`` (from 0) of the text at
    ``key_path``: on its own line and column when the brief's ``source`` lines show it (a text
    on one line, or a literal block ``|``), else where the text starts."""
    start = line_map.problem(key_path, message, value=True)
    value = source[start.line - 1][start.column - 1:] if 0 < start.line <= len(source) else ""
    # A literal block's lines are the text's, from the line after the "|"; a folded or plain
    # text's lines are not.
    line = start.line + 1 + text_line if value.startswith("|") else start.line if text_line == 0 else None
    column = source[line - 1].find("{" + written + "}") if line and line <= len(source) else -1
    return Problem(start.path, line, column + 1, start.key_path, message) if column >= 0 else start


def check_placeholders(brief: Brief, line_map: LineMap, columns: tuple[str, ...], shown: str,
                       source: list[str] = ()) -> Placeholders:
    """The placeholders of the letter's opening and body in each language of the brief.

    Raises :class:`~briefgen.errors.InvalidBriefError` for each that names no column of the
    recipients file (``shown``, whose ``columns`` are listed), located in the brief (whose
    lines ``source`` are, if given, to find the placeholder's own line and column).
    """
    available = [*columns, *(["salutation"] if "salutation" not in columns else [])]
    found: Placeholders = {language: [] for language in brief.langs}
    problems = []
    for name in placeholders.TEXTS:
        value = getattr(brief.letter, name)
        for language, text in (value.items() if isinstance(value, Localized) else [(None, value)]):
            key_path = ("letter", name) if language is None else ("letter", name, language)
            for written, text_line in placeholders.placeholders(text):
                key = placeholders.key(written)
                if key not in available:
                    problems.append(_placeholder_problem(line_map, list(source), key_path, written, text_line, (
                        f"{{{written}}} names no column of the recipients file {shown}; its columns are "
                        f"{', '.join(available)} (write {{{{ and }}}} for a brace)" if written.strip() else
                        "{} names no column; write {{ and }} for a brace")))
        # A letter in a language its text lacks prints the text of the fallback language.
        for language in brief.langs:
            text = in_language(value, brief.fallbacks(language))
            key_path = ("letter", name) if not isinstance(value, Localized) else (
                "letter", name, next(each for each in brief.fallbacks(language) if each in value))
            found[language] += [(placeholders.key(written), (key_path, written))
                                for written, _ in placeholders.placeholders(text)]
    if problems:
        raise InvalidBriefError(sorted(problems, key=lambda problem: (problem.line, problem.column)))
    return found


def check_placeholder_cells(recipients: list[Recipient], languages: list[str], used: Placeholders,
                            shown: str) -> None:
    """Raise :class:`InvalidRecipientsError` for each recipient whose cell for a placeholder of
    their letter is empty, or not text on one line."""
    problems = []
    for recipient, language in zip(recipients, languages):
        fields = recipient.fields()
        reported = set()
        for key, (key_path, written) in used.get(language, []):
            if key == "salutation" or key in reported:
                continue
            reported.add(key)
            text = ".".join(key_path[:2])
            if not fields.get(key):
                problems.append(RowProblem(shown, recipient.line, key, (
                    f"empty, but {text} uses {{{written}}}: fill it in, or take {{{written}}} out of the letter")))
            elif message := one_line_problem(fields[key]):
                problems.append(RowProblem(shown, recipient.line, key, message))
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


def prepare_letters(brief_path: Path | str, recipients_path: Path | str, *, columns: dict[str, str] | None = None,
                    where: list[tuple[str, str]] = ()) -> PreparedLetters:
    """Load and check the brief, its letter and sender, and the recipients (their columns
    mapped by ``columns``, ``{field: column}``, and picked by ``where``, ``(column, value)``
    pairs), the letter's placeholders against the recipients' columns, and build the
    salutation of each recipient who has none (with one warning naming them).

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
    found = read_recipients(recipients_path, columns=columns, where=list(where))
    recipients = found.recipients
    used = check_placeholders(brief, loaded.line_map, found.columns, shown,
                              brief_path.read_text(encoding="utf-8-sig").splitlines())
    languages, warnings = choose_languages(brief, recipients, shown)
    check_placeholder_cells(recipients, languages, used, shown)
    check_recipient_glyphs(recipients, shown, {key for keys in used.values() for key, _ in keys})
    warnings = [*found.warnings, *warnings]
    if built := built_salutations_warning(recipients, [greeting(recipient, language) for recipient, language
                                                       in zip(recipients, languages)]):
        first = next(recipient.line for recipient in recipients if not recipient.salutation)
        warnings.append(RowProblem(shown, first, "salutation", built))
    used = sorted(set(languages))
    warnings += [warning for language in used if language != brief.langs[0]
                 for warning in missing_translations(brief, loaded.line_map, language)
                 if warning.key_path.split(".")[0].split("[")[0] == "letter"]
    warnings += filter(None, (untranslated_labels_warning(brief, loaded.line_map, language) for language in used))
    senders = {language: find_sender(brief, language) for language in used}
    return PreparedLetters(PreparedBrief(brief_path, brief, loaded.line_map, used, []), recipients, languages,
                           senders, shown, warnings)
