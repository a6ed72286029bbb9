"""The typed model of brief format v1 (pydantic v2).

Every model forbids unknown keys and describes every field: the JSON Schema for editors
and the format reference are generated from these descriptions. Fields whose
description says they hold Markdown accept paragraphs, emphasis, lists, links and tables.
Fields marked ``internal`` reach only documents for the ``officials`` audience.

A text field holds either one string, the same in every language of the brief, or one
string per language: ``{en: ..., fr: ...}``, ``{en: ..., zh-Hans: ...}`` (a :class:`Localized`;
languages are BCP 47 tags, :data:`Language`). Texts (:data:`Text`) are
marked :data:`TYPESET`: the view gives them each language's quotes and spacing; Markdown
gets them from its parser, and what must stay exact (ids, addresses, URLs, times) is not marked.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from briefgen.model import registry
from briefgen.model.facts import BriefFacts
from briefgen.text import (EMAIL_PATTERN, ID_LENGTH, LANGUAGE_PATTERN, SLUG_PATTERN, canonical_language,
                           language_problem)
from briefgen.view.markdown import nesting_problem



def _validate_language(value: Any) -> str:
    problem = language_problem(value)
    if problem:
        raise PydanticCustomError("language_tag", "{problem}", {"problem": problem})
    return value


#: A language: a BCP 47 tag that CLDR knows, written as BCP 47 writes it (en, fr, zh-Hans, ug).
Language = Annotated[str, PlainValidator(_validate_language),
                     WithJsonSchema({"type": "string", "format": "bcp47", "pattern": LANGUAGE_PATTERN,
                                     "examples": ["en", "fr", "zh-Hans", "zh-Hant", "bo", "ug", "hi", "es"]})]

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
#: The id of an issue, ask, signatory, source or of the brief itself: it names files and folders.
Id = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=ID_LENGTH)]
_ID_DESCRIPTION = f"Unique id (lowercase letters, digits, hyphens; at most {ID_LENGTH} characters)."
#: Text that is the same in every language: addresses, numbers, markings briefgen translates itself.
Plain = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: Links in documents go to the web or to an e-mail address, never to files or scripts.
URL_PATTERN = r"^https?://[^\s<>\"]+$"
Url = Annotated[str, StringConstraints(strip_whitespace=True, pattern=URL_PATTERN)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL_PATTERN)]
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class Localized(dict):
    """One text in several languages: ``{"en": ..., "fr": ..., "zh-Hans": ...}``."""


class Typeset:
    """Marks a type of text that the view typesets (quotes, apostrophes, French spacing) before
    templates print it: see :mod:`briefgen.view.typography`."""


TYPESET = Typeset()


def in_language(value: Any, languages: list[str]) -> Any:
    """``value`` with a :class:`Localized` text resolved to the first of ``languages`` it has."""
    if isinstance(value, Localized):
        return next((value[language] for language in languages if language in value), next(iter(value.values())))
    return value


def _kind_of(value: Any) -> str:
    return {list: "a list", int: "a number", float: "a number", bool: "true/false"}.get(type(value), "empty")


def _validate_text(value: Any) -> str | Localized:
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("text_empty", "must not be empty")
        return value.strip()
    if isinstance(value, dict) and value:
        problem = next(filter(None, map(language_problem, value)), None)
        if problem:
            raise PydanticCustomError("text_language", "{problem}", {"problem": problem})
        if not all(isinstance(text, str) and text.strip() for text in value.values()):
            raise PydanticCustomError("text_empty", "each language needs non-empty text")
        return Localized({key: text.strip() for key, text in value.items()})
    raise PydanticCustomError("text_type", "expected text or {example}, not {kind}",
                              {"example": "{en: ..., fr: ...}", "kind": _kind_of(value)})


#: The JSON Schema of a text.
TEXT_SCHEMA = {
    "description": "Text, the same in every language, or one text per language of the brief (BCP 47 tags): "
                   "{en: ..., fr: ...}, {en: ..., zh-Hans: ...}.",
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "propertyNames": {"pattern": LANGUAGE_PATTERN},
         "additionalProperties": {"type": "string", "minLength": 1}, "minProperties": 1},
    ],
}
#: Text in one or several languages.
Text = Annotated[str | Localized, PlainValidator(_validate_text), WithJsonSchema(TEXT_SCHEMA), TYPESET]


def _validate_markdown(value: Any) -> str | Localized:
    text = _validate_text(value)
    for each in text.values() if isinstance(text, Localized) else [text]:
        problem = nesting_problem(each)
        if problem:
            raise PydanticCustomError("markdown_nesting", "{problem}", {"problem": problem})
    return text


#: Text in Markdown, in one or several languages, whose nesting briefgen can lay out.
Markdown = Annotated[str | Localized, PlainValidator(_validate_markdown), WithJsonSchema(TEXT_SCHEMA)]
Time = Annotated[str, StringConstraints(pattern=TIME_PATTERN)]



def _validate_language_tag(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("language_tag", "expected a language tag such as hi, bo, ug or zh-Hant, not {kind}",
                                  {"kind": _kind_of(value)})
    tag = value.strip()
    if canonical_language(tag) is None:  # a tag CLDR has data for, "und" (undetermined) not one
        raise PydanticCustomError("language_tag", "unknown language tag '{tag}'; write the BCP 47 tag of the "
                                  "name's language, such as hi, bo, ug or zh-Hant", {"tag": tag})
    return tag


#: The BCP 47 tag of the language a name in another script is written in.
LanguageTag = Annotated[str, PlainValidator(_validate_language_tag),
                        WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"})]
_NATIVE_LANG = ("BCP 47 tag of the language native_name is written in, e.g. hi, bo, ug, zh-Hant. Without it the "
                "script decides: Han zh, Tibetan bo, Devanagari hi, Arabic script ar (or the brief's language "
                "of that script, e.g. ug among its languages or another native_lang), Cyrillic ru, Greek el, "
                "Hebrew he, Thai th.")

def _one_of(names: Callable[[], list[str]], schema: dict[str, Any]) -> Any:
    """A name that must be one of ``names()``, asked when a brief is validated: the registry
    may gain a document after this module is imported (a test's own document)."""

    def check(value: Any) -> str:
        choices = names()
        if not isinstance(value, str) or value not in choices:
            expected = ", ".join(f"'{name}'" for name in choices[:-1]) + f" or '{choices[-1]}'"
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
        return value

    return Annotated[str, PlainValidator(check), WithJsonSchema({"enum": names(), **schema})]


#: A document of the registry.
DocumentId = _one_of(registry.listable, {"type": "string"})
#: What a page budget can limit: a whole document, or each section of a kind (each issue note).
BudgetedPart = _one_of(registry.budget_names, {})


def internal(description: str, **kwargs):
    """A field that only documents for the ``officials`` audience may show."""
    return Field(description=description, json_schema_extra={"internal": True}, **kwargs)


class Model(BaseModel):
    """Base of every brief model: unknown keys are errors, and a loaded brief is read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# -- Images, the letterhead and the signer (issue 18) ----------------------------------

#: The image formats both a PDF and a Word document embed as they are.
IMAGE_FORMATS = ("PNG", "JPEG", "GIF")


class Image(Model):
    """An image in a file in the brief's folder (a logo, a photo, a signature) and the text that
    stands for it: the alt text screen readers read, in the PDF and in Word."""

    src: Plain = Field(description="The image file (PNG, JPEG or GIF), in the brief's folder or a folder "
                                   "inside it, relative to the brief: logo.png, images/logo.png.")
    alt: Text = Field(description="What the image shows, for a reader who cannot see it, e.g. 'Logo of the "
                                  "Canadian Coalition on Human Rights in China'. Required.")


class Letterhead(Model):
    """The sender's letterhead at the top of the letter's first page."""

    organization: Text = Field(description="The organisation whose letter it is.")
    address: list[Text] = Field(default_factory=list, description="Postal address, one line per item.")
    phone: Plain | None = Field(None, description="Telephone number, as it should be printed.")
    web: Url | None = Field(None, description="Web site (http:// or https://).")
    logo: Image | None = Field(None, description="The organisation's logo, with its alt text.")


class Signer(Model):
    """The person who signs the letter, under the closing."""

    name: Text = Field(description="Full name.")
    title: Text | None = Field(None, description="Position, e.g. 'Executive Director'.")
    organization: Text | None = Field(None, description="Organisation the signer speaks for.")
    signature: Image | None = Field(None, description="An image of the handwritten signature, with its alt text.")


class Contact(Model):
    """A person to contact about the brief or the letter."""

    name: Text = Field(description="Full name.")
    email: Email | None = Field(None, description="E-mail address.")
    phone: Plain | None = Field(None, description="Telephone number, as it should be printed.")


class PreparedBy(Model):
    """Who prepared the brief."""

    organization: Text = Field(description="Department or organisation that prepared the brief.")
    contact: Contact | None = Field(None, description="The person to contact about it.")
    logo: Image | None = Field(None, description="The department's or organisation's logo, on the cover of the "
                                                 "briefing pack.")


class Principal(Model):
    """The head of government or minister making the visit."""

    name: Text = Field(description="Name as printed, e.g. 'Mark Carney'.")
    title: Text = Field(description="Office, e.g. 'Prime Minister of Canada'.")


class Counterpart(Model):
    """A person the principal meets during the visit."""

    name: Text = Field(description="Name in Latin script.")
    native_name: Text | None = Field(None, description="Name in its own script, e.g. 习近平.")
    native_lang: LanguageTag | None = Field(None, description=_NATIVE_LANG)
    title: Text | None = Field(None, description="Office held.")
    bio: Markdown | None = Field(None, description="Short biography (Markdown).")
    photo: Image | None = internal(
        "A photo above the biography, with its alt text, where biographies are shown (the briefing pack).",
        default=None)


class ProgrammeItem(Model):
    """One event of the visit programme."""

    date: dt.date = Field(description="Day of the event (YYYY-MM-DD).")
    time: Time | None = Field(None, description="Local start time, 24-hour HH:MM.")
    event: Text = Field(description="What happens.")
    place: Text | None = Field(None, description="Where it happens.")
    press: Literal["open", "closed"] | None = Field(None, description="Whether the press may attend.")


class Visit(Model):
    """The visit the brief prepares."""

    principal: Principal = Field(description="Who makes the visit.")
    host: Text = Field(description="The host country or government.")
    destination: Text | None = Field(
        None, description="Where the visit goes, as a sentence says it after 'visit', with its preposition and "
                          "article: {en: to the Republic of India, fr: en Inde}; 'au Canada', 'aux États-Unis'. "
                          "Without it, documents say 'visit to' and the host as given (in French, 'pays hôte :' "
                          "and the host).")
    counterparts: list[Counterpart] = Field(default_factory=list, description="People met during the visit.")
    start: dt.date = Field(description="First day of the visit (YYYY-MM-DD).")
    end: dt.date = Field(description="Last day of the visit (YYYY-MM-DD), not before start.")
    places: list[Text] = Field(default_factory=list, description="Cities or places visited.")
    purpose: Markdown | None = Field(None, description="Why the visit takes place (Markdown).")
    context: Markdown | None = Field(None, description="The wider context of the visit (Markdown).")
    programme: list[ProgrammeItem] = Field(default_factory=list, description="The events, day by day.")


class Fact(Model):
    """A statement of fact with the sources that support it."""

    text: Markdown = Field(description="The fact, one or two sentences (inline Markdown).")
    sources: list[Slug] = Field(min_length=1, description="Ids of the sources that support the fact.")


class ResponsiveLine(Model):
    """An anticipated question and the suggested reply."""

    question: Text = Field(description="The question as it might be asked.")
    answer: Markdown = Field(description="The suggested reply (Markdown).")


class Person(Model):
    """A person whose case is part of an issue."""

    name: Text = Field(description="Name in Latin script.")
    native_name: Text | None = Field(None, description="Name in its own script, e.g. 黎智英.")
    native_lang: LanguageTag | None = Field(None, description=_NATIVE_LANG)
    status: Text | None = Field(None, description="Their situation, e.g. detained since 2020.")


class Issue(Model):
    """One issue at stake; each becomes a short note in the briefing pack."""

    id: Id = Field(description=_ID_DESCRIPTION)
    title: Text = Field(description="Short title of the issue.")
    priority: Literal["high", "medium", "low"] | None = Field(None, description="How much the issue matters.")
    summary: Markdown | None = Field(None, description="The issue in two or three sentences (Markdown).")
    background: Markdown | None = Field(None, description="Factual background (Markdown).")
    current_status: Markdown | None = Field(None, description="Where things stand now (Markdown).")
    facts: list[Fact] = Field(default_factory=list, description="Key facts, each with its sources.")
    points_to_make: list[Markdown] = Field(default_factory=list,
                                           description="What the principal may say (inline Markdown).")
    responsive_lines: list[ResponsiveLine] = internal(
        "Anticipated questions with suggested replies (officials only).", default_factory=list)
    considerations: Markdown | None = internal("Considerations for officials only (Markdown).", default=None)
    recommendation: Markdown | None = Field(None, description="The recommended course (Markdown).")
    internal_notes: Markdown | None = internal("Notes for officials only (Markdown).", default=None)
    people: list[Person] = Field(default_factory=list, description="People whose cases are part of the issue.")


class Ask(Model):
    """Something the signatories ask of the government."""

    id: Id = Field(description=_ID_DESCRIPTION)
    issue: Slug = Field(description="Id of the issue the ask belongs to.")
    text: Markdown = Field(description="The ask, as one sentence (inline Markdown).")
    of: Text = Field(description="Who is asked, e.g. 'Prime Minister'.")
    by: list[Slug] = Field(default_factory=list, description="Ids of the signatories who make the ask.")


class Signatory(Model):
    """An organisation, coalition or person who signs the asks or the letter."""

    id: Id = Field(description=_ID_DESCRIPTION)
    name: Text = Field(description="Name as it should be printed.")
    kind: Literal["organization", "coalition", "individual"] = Field(
        "organization", description="What kind of signatory this is.")
    url: Url | None = Field(None, description="Web site (http:// or https://).")
    contact: Contact | None = Field(None, description="Who to contact at this signatory.")
    # Issue 18: coalition members, and what a sign-on form says of a person who signs.
    members: list[Text] = Field(
        default_factory=list, description="The members of a coalition, printed in a footnote to its name in the "
                                          "letter.")
    title: Text | None = Field(None, description="An individual's position, e.g. 'Director'.")
    organization: Text | None = Field(None, description="The organisation an individual belongs to.")
    city: Text | None = Field(None, description="The city the signatory is from.")


class Delegate(Model):
    """A person who attends the delegation's meetings, and what they do there."""

    name: Text = Field(description="Full name.")
    organization: Text | None = Field(None, description="The organisation they come from.")
    role: Literal["lead", "speaks", "notes", "attends"] = Field(
        "attends", description="What they do in the meeting: lead (opens, makes the asks, closes), speaks (on the "
                               "issues given), notes (takes the notes and sends the follow-up), attends.")
    issues: list[Slug] = Field(default_factory=list, description="Ids of the issues they speak on.")


class Addressee(Model):
    """The person a letter is addressed to."""

    name: Text = Field(description="Name with honorific, e.g. 'The Right Honourable Mark Carney'.")
    title: Text | None = Field(None, description="Office, e.g. 'Prime Minister of Canada'.")
    address: list[Text] = Field(default_factory=list, description="Postal address, one line per item.")


class Letter(Model):
    """The coalition's open letter."""

    to: Addressee = Field(description="The addressee.")
    subject: Text = Field(description="Subject, printed after 'Re:'.")
    salutation: Text = Field(description="Salutation, e.g. 'Dear Prime Minister,'.")
    opening: Markdown | None = Field(None, description="Who is writing and why now (Markdown; {column} names a "
                                                       "recipient's field, see docs/recipients.md).")
    body: Markdown | None = Field(None, description="The body of the letter (Markdown; {column} names a recipient's "
                                                    "field, see docs/recipients.md).")
    asks: list[Slug] | None = Field(None, description="Ids of the asks the letter makes; default all.")
    closing: Text = Field("Sincerely,", description="Closing, e.g. 'Sincerely,'.")
    signed_by: list[Slug] = Field(default_factory=list, description="Ids of the signatories of the letter.")
    signed_by_note: Text | None = Field(
        None, description="A note printed under the signatories, e.g. that the list is incomplete.")
    contact: Contact | None = Field(None, description="The contact person for the letter.")
    letterhead: Letterhead | None = Field(None, description="The sender's letterhead: organisation, address, "
                                                            "phone, web site and logo.")
    signer: Signer | None = Field(None, description="Who signs the letter: name, title, organisation and an "
                                                    "optional signature image.")
    cc: list[Text] = Field(default_factory=list, description="Who else receives a copy, one name per item.")


# -- Note metadata (issue 20) ----------------------------------------------------------

#: What a note asks of its addressee, as departments head it ("For decision").
ACTIONS = ("information", "decision", "approval", "signature")


def _validate_action(value: Any) -> str:
    # "For decision" is how a note says it; the brief may write it so or as the bare word.
    if isinstance(value, str):
        word = value.strip().lower()
        word = word[4:].strip() if word.startswith("for ") else word
        if word in ACTIONS:
            return word
    spellings = [*ACTIONS, *(f"for {action}" for action in ACTIONS)]
    close = difflib.get_close_matches(value.strip().lower(), spellings, n=1) if isinstance(value, str) else []
    choices = "information, decision, approval or signature, or 'for decision' and the like"
    written = f"'{value}'" if isinstance(value, str) else _kind_of(value)
    if close:
        raise PydanticCustomError("action_error", "{written} is not an action; did you mean '{close}'? Write "
                                                  "{choices}", {"written": written, "close": close[0],
                                                                "choices": choices})
    raise PydanticCustomError("action_error", "{written} is not an action: write {choices}",
                              {"written": written, "choices": choices})


#: The action a note asks for: one of :data:`ACTIONS`, written bare or after "for".
Action = Annotated[str, PlainValidator(_validate_action),
                   WithJsonSchema({"type": "string", "enum": [*ACTIONS, *(f"for {word}" for word in ACTIONS)]})]


class Official(Model):
    """Someone who drafts or approves a note, and when."""

    name: Text = Field(description="Full name.")
    title: Text | None = Field(None, description="Position, e.g. 'Director General, North Asia'.")
    date: dt.date | None = Field(None, description="When they drafted or approved it (YYYY-MM-DD).")


class Source(Model):
    """A source that facts cite."""

    id: Id = Field(description=_ID_DESCRIPTION)
    title: Text = Field(description="Title; a title supplied by the brief's author goes in [square brackets].")
    author: Text | None = Field(None, description="Author.")
    publisher: Text | None = Field(None, description="Publisher or outlet.")
    place: Text | None = Field(None, description="Place of publication (dateline).")
    date: dt.date | None = Field(None, description="Date of publication (YYYY-MM-DD).")
    url: Url | None = Field(None, description="Address on the web (http:// or https://).")


class Brief(Model):
    """A brief for a state visit: brief format v1."""

    briefgen: Literal[1] = Field(description="Brief format version; always 1.")
    id: Id = Field(description=f"Unique id of the brief; names the output folder (at most {ID_LENGTH} characters).")
    title: Text = Field(description="Title of the brief.")
    subtitle: Text | None = Field(None, description="Subtitle.")
    date: dt.date = Field(description="Date of the brief (YYYY-MM-DD).")
    language: Language | None = Field(
        None, description="Language of a one-language brief, a BCP 47 tag (en, fr, zh-Hans, ug…); default en.")
    languages: list[Language] | None = Field(
        None, min_length=1, description="Languages of a brief in several, the default first, as BCP 47 tags: "
                                        "[en, fr], [en, fr, zh-Hans]. Documents in English (else in the first, French "
                                        "aside) are named <document id>.<ext>, in the others "
                                        "<document id>.<tag>.<ext>.")
    language_documents: dict[Language, list[DocumentId]] = Field(
        default_factory=dict,
        description="The documents a language of the brief is built in, when not all of them: "
                    "{zh-Hans: [letter, leave-behind]} for a brief whose Chinese covers only the texts those "
                    "two show. A language not named here is built in every document.",
        json_schema_extra=lambda schema: schema.update(
            type="object", propertyNames={"type": "string", "format": "bcp47", "pattern": LANGUAGE_PATTERN},
            additionalProperties=schema.pop("patternProperties").popitem()[1]))
    translation_note: Text | None = Field(
        None, description="A note printed at the end of the letter and the leave-behind in a language other than "
                          "the brief's first, saying who translated them: {zh-Hans: 本译文由 briefgen 提供，并非联盟的"
                          "官方译文。}. A document in a language the note is not given in prints none.")
    classification: Plain = Field(
        "UNCLASSIFIED", description="Security marking printed on every page of documents for officials.")
    public_marking: Text | None = Field(
        None, description="Marking printed on every page of the other documents, e.g. 'EMBARGOED UNTIL …'.")
    file_number: Text | None = Field(None, description="File or reference number, printed on the cover and in "
                                                       "the footer of every page of documents for officials.")
    version: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Version of the brief (1, 2, …): the number of the addendum that `build --since` writes "
                          "against an earlier version, which must have a lower one.")
    prepared_by: PreparedBy = Field(description="Who prepared the brief.")
    prepared_for: Text | None = Field(None, description="Who the brief is for.")
    visit: Visit = Field(description="The visit.")
    action: Action | None = internal(
        "What the notes ask of who they are for: information, decision, approval or signature (also written "
        "'for decision'). Shown on the cover and in each note's header; with decision or approval, each note "
        "that has a recommendation ends with the principal's decision block.", default=None)
    drafted_by: Official | None = internal("Who drafted the notes: name, title and date.", default=None)
    approved_by: Official | None = internal(
        "Who approved the notes: name, title and date (not before the drafter's).", default=None)
    consulted: list[Text] = internal("Who was consulted on the notes, one name per item.", default_factory=list)
    distribution: list[Text] = internal("Who receives the pack, one name per item.", default_factory=list)
    issues: list[Issue] = Field(default_factory=list, description="The issues at stake.")
    asks: list[Ask] = Field(default_factory=list, description="What is asked of the government.")
    signatories: list[Signatory] = Field(default_factory=list, description="Who makes the asks.")
    sign_ons: Plain | None = Field(
        None, description="A sign-on list beside the brief, .csv or .xlsx, with the columns name, organization, "
                          "title and city: each row signs the letter after letter.signed_by.")
    delegation: list[Delegate] = Field(
        default_factory=list, description="Who attends the delegation's meetings, shown on its meeting sheet.")
    letter: Letter | None = Field(None, description="The open letter.")
    sources: list[Source] = Field(default_factory=list, description="The sources facts cite.")
    documents: list[DocumentId] | None = Field(
        None, description="Which documents to build; default all (the letter only when there is one).")
    page_budgets: dict[BudgetedPart, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict,
        description="Most pages allowed, by document id or 'issue-note' (each note of the briefing pack); "
                    "defaults: " + ", ".join(f"{name} {pages}" for name, pages in registry.default_budgets().items())
                    + ".",
        json_schema_extra=lambda schema: schema.update(propertyNames={"enum": registry.budget_names()}))

    @property
    def langs(self) -> list[str]:
        """The brief's languages, the default first."""
        return list(self.languages or [self.language or "en"])

    @property
    def unnamed_language(self) -> str:
        """The language whose documents' file names name none (``letter.pdf``; the others are
        ``letter.fr.pdf``, ``letter.zh-Hans.pdf``): English when the brief has it, else its first,
        except French, whose files have always been named ``.fr.``."""
        return "en" if "en" in self.langs or self.langs[0] == "fr" else self.langs[0]

    def fallbacks(self, language: str) -> list[str]:
        """The languages a text is taken in for a ``language`` document, in order: that one,
        the brief's (its default first), then any."""
        return [language, *self.langs]

    def documents_in(self, language: str) -> list[str]:
        """The documents to build in ``language``: :attr:`document_ids`, less those that
        ``language_documents`` leaves out of it."""
        covered = self.language_documents.get(language)
        return [document_id for document_id in self.document_ids if covered is None or document_id in covered]

    @property
    def document_ids(self) -> list[str]:
        """The documents to build, in the order of the registry."""
        wanted = self.documents or [document.id for document in registry.DOCUMENTS.values()
                                    if (not document.needs_letter or self.letter is not None)
                                    and not document.addendum and not document.per_issue]
        return [document_id for document_id in registry.DOCUMENTS if document_id in wanted]

    @property
    def budgets(self) -> dict[str, int]:
        """The page budgets in force: the registry's defaults overridden by the brief's own."""
        return {**registry.default_budgets(), **self.page_budgets}

    @property
    def facts(self) -> BriefFacts:
        """What laying out its documents needs to know of it (:class:`~briefgen.model.facts.BriefFacts`)."""
        return BriefFacts(self.id, self.unnamed_language, self.budgets, tuple(issue.id for issue in self.issues))
