"""Build the template context of one document: only what its audience may see, in one language.

The context is made of plain dicts and lists, not model objects, so a template cannot
reach a field that the audience filter left out: internal fields (marked ``internal`` in
the model) are absent from the context of every audience but ``officials``. Texts given
in several languages are resolved to the document's language, falling back to the
brief's default language, and typeset in the language they are in
(:func:`~briefgen.view.typography.typeset`: quotes, apostrophes, French spacing): every text
the model marks :data:`~briefgen.model.brief.TYPESET`, and the recipient's name, title,
salutation, constituency and address. Markdown is typeset by its parser; ids, e-mail
addresses, URLs, times and phone numbers stay exactly as the brief gives them. The
placeholders ``{column}`` of the letter's opening and body are filled with the recipient's
fields, or the addressee's (:mod:`briefgen.view.placeholders`). A name in another script
carries its language as ``native_lang``: the brief's, else the one its script and the brief
decide (:func:`script_languages`), which the context also gives as ``script_languages``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from briefgen import __version__
from briefgen.model.brief import Brief, Localized, Typeset, in_language
from briefgen.model.registry import Audience, document
from briefgen.text import is_right_to_left, script_defaults, script_language
from briefgen.view.markings import localize_marking
from briefgen.view.placeholders import letter_texts
from briefgen.view.typography import typeset

#: The recipient's fields a letter prints, typeset as the brief's texts are.
RECIPIENT_TEXTS = ("name", "title", "salutation", "constituency", "address")


def visible_data(model: BaseModel, audience: Audience, languages: list[str]) -> dict[str, Any]:
    """``model`` as plain data, without the internal fields unless ``audience`` is officials.

    Each text takes the first of ``languages`` that it has (the document's, then the default),
    and texts marked :data:`~briefgen.model.brief.TYPESET` are typeset in the language they
    are in (one text for every language counts as the document's).
    """
    data: dict[str, Any] = {}
    typeset_fields = _typeset_fields(type(model))
    for name, info in type(model).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("internal") and audience != "officials":
            continue
        data[name] = _plain(getattr(model, name), audience, languages, name in typeset_fields)
    return data


def _plain(value: Any, audience: Audience, languages: list[str], typeset_text: bool) -> Any:
    if isinstance(value, BaseModel):
        return visible_data(value, audience, languages)
    if isinstance(value, (list, tuple)):
        return [_plain(item, audience, languages, typeset_text) for item in value]
    if typeset_text and isinstance(value, str):
        return typeset(value, languages[0])
    if typeset_text and isinstance(value, Localized):
        language = next((language for language in languages if language in value), next(iter(value)))
        return typeset(value[language], language)
    return in_language(value, languages)


@functools.cache
def _typeset_fields(model_class: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model_class`` whose texts are typeset: their type is marked TYPESET."""
    return frozenset(name for name, info in model_class.model_fields.items()
                     if _marked(info.annotation, info.metadata))


def _marked(annotation: Any, metadata: Any = ()) -> bool:
    """Whether ``annotation`` (with ``metadata``), or a type it is made of, is marked TYPESET."""
    if any(isinstance(item, Typeset) for item in metadata):
        return True
    if get_origin(annotation) is Annotated:
        return _marked(get_args(annotation)[0], annotation.__metadata__)
    return any(_marked(argument) for argument in get_args(annotation))


def _typeset_recipient(recipient: dict[str, Any], language: str) -> dict[str, Any]:
    """The recipient's printed fields typeset in ``language``; their e-mail address, if given, as it is."""
    typeset_fields = {}
    for key in RECIPIENT_TEXTS:
        value = recipient.get(key)
        if isinstance(value, str):
            typeset_fields[key] = typeset(value, language)
        elif isinstance(value, (list, tuple)):
            typeset_fields[key] = [typeset(line, language) if isinstance(line, str) else line for line in value]
    return {**recipient, **typeset_fields}


#: The brief's fields that head its notes (issue 20): with none of them, a note has no header block.
NOTE_METADATA = ("action", "drafted_by", "approved_by", "consulted", "distribution")
#: The actions that end each note with a recommendation in the principal's decision block.
DECIDING_ACTIONS = ("decision", "approval")


def _other_titles(brief: Brief, title: Any, language: str) -> list[dict[str, str]]:
    """A bilingual brief's ``title`` in its other languages, each typeset in its own: the
    bilingual title of a note's header block. Empty for a brief in one language. A language
    that ``language_documents`` keeps to other documents than the officials' (the letter and
    leave-behind in Chinese) is not one they are issued in, so it is left out."""
    if len(brief.langs) < 2 or not isinstance(title, Localized):
        return []
    return [{"language": other, "text": typeset(title[other], other)}
            for other in brief.langs if other != language and other in title
            and any(document(document_id).audience == "officials" for document_id in brief.documents_in(other))]


def build_context(brief: Brief, document_id: str, recipient: dict[str, Any] | None = None,
                  language: str | None = None, issue: str | None = None) -> dict[str, Any]:
    """The context for rendering ``document_id`` of ``brief`` in ``language`` (default: the
    brief's first), filtered for its audience.

    ``recipient`` (name, title, salutation, constituency, address, …, and ``fields``, all of
    them as text for the placeholders) personalises a letter. ``issue`` names the one issue of
    a document made per issue (a note on its own), given as ``issue`` with its ``number``.
    """
    audience = document(document_id).audience
    language = language or brief.langs[0]
    # A text missing in this language falls back to the default, then to whatever it has.
    data = visible_data(brief, audience, brief.fallbacks(language))
    sources_by_id = {source["id"]: source for source in data["sources"]}
    signatory_names = {signatory["id"]: signatory["name"] for signatory in data["signatories"]}
    issue_titles = {issue["id"]: issue["title"] for issue in data["issues"]}
    for ask in data["asks"]:
        ask["issue_title"] = issue_titles[ask["issue"]]
        ask["by_names"] = [signatory_names[ref] for ref in ask["by"]]
    languages_of_scripts = script_languages(brief)
    for person in [*data["visit"]["counterparts"], *(person for issue in data["issues"] for person in issue["people"])]:
        if person["native_name"] and not person["native_lang"]:
            # A name in no script of briefgen's table is in the document's language: no tag of its own.
            native_lang = script_language(person["native_name"], languages_of_scripts)
            person["native_lang"] = None if native_lang == "und" else native_lang
    cited_before: set[str] = set()
    officials = audience == "officials"
    for model_issue, issue_data in zip(brief.issues, data["issues"]):
        issue_data["other_titles"] = _other_titles(brief, model_issue.title, language) if officials else []
    for issue_data in data["issues"]:
        issue_data["asks"] = [ask for ask in data["asks"] if ask["issue"] == issue_data["id"]]
        for fact in issue_data["facts"]:
            # The first footnote citing a source gives it in full, later ones in short.
            fact["cited"] = [{**sources_by_id[ref], "first": ref not in cited_before} for ref in fact["sources"]]
            cited_before.update(fact["sources"])
    letter = data["letter"]
    if letter is not None:
        chosen = letter["asks"] if letter["asks"] is not None else [ask["id"] for ask in data["asks"]]
        asks_by_id = {ask["id"]: ask for ask in data["asks"]}
        letter["asks"] = [asks_by_id[ref] for ref in chosen]
        letter["signed_by"] = [signatory for ref in letter["signed_by"]
                               for signatory in data["signatories"] if signatory["id"] == ref]
        letter_texts(letter, recipient, language)
    note_metadata = officials and any(data[name] for name in NOTE_METADATA)
    one_issue = None
    if issue is not None:
        number, one_issue = next((number, each) for number, each in enumerate(data["issues"], start=1)
                                 if each["id"] == issue)
        # On its own, the note gives each source in full the first time it cites it.
        cited_here: set[str] = set()
        facts = []
        for fact in one_issue["facts"]:
            facts.append({**fact, "cited": [{**cited, "first": cited["id"] not in cited_here}
                                            for cited in fact["cited"]]})
            cited_here.update(fact["sources"])
        one_issue = {**one_issue, "facts": facts, "number": number}
    return {
        "brief": data,
        "document": {"id": document_id, "audience": audience},
        # The header block of each note and the decision block, for officials only (their fields are internal).
        "note_metadata": note_metadata,
        "decision_block": note_metadata and data["action"] in DECIDING_ACTIONS,
        "other_titles": _other_titles(brief, brief.title, language) if officials else [],
        "issue": one_issue,
        "language": language,
        # Uyghur (and any language written right to left) is laid out so in both formats.
        "direction": "rtl" if is_right_to_left(language) else "ltr",
        "translation_note": _translation_note(brief, language),
        # The officials' documents print the file number in every page's footer.
        "footer_file_number": data["file_number"] if officials else None,
        "marking": (localize_marking(brief.classification, language) if audience == "officials"
                    else data["public_marking"]),
        "programme_days": programme_by_day(data["visit"]["programme"]),
        "generator": f"briefgen {__version__}",
        "recipient": _typeset_recipient(recipient, language) if recipient is not None else None,
        "script_languages": languages_of_scripts,
    }


def _translation_note(brief: Brief, language: str) -> str | None:
    """The brief's ``translation_note`` in ``language``, typeset, for a document in another
    language than the brief's first; None when it has none in that language."""
    note = brief.translation_note
    if note is None or language == brief.langs[0]:
        return None
    if isinstance(note, Localized):
        return typeset(note[language], language) if language in note else None
    return typeset(note, language)


def script_languages(brief: Brief) -> dict[str, str]:
    """The language each script's runs are tagged with where the brief names one written in it
    (see :func:`briefgen.text.script_defaults`): its languages, then its names' ``native_lang``."""
    people = [*brief.visit.counterparts, *(person for issue in brief.issues for person in issue.people)]
    return script_defaults([*brief.langs, *(person.native_lang for person in people if person.native_lang)])


def programme_by_day(programme: list[dict[str, Any]]) -> list[tuple[dt.date, list[dict[str, Any]]]]:
    """Group programme events by day, in date and time order."""
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for event in sorted(programme, key=lambda e: (e["date"], e["time"] or "")):
        days.setdefault(event["date"], []).append(event)
    return list(days.items())
