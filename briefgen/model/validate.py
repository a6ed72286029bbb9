"""Turn loaded brief data into a :class:`~briefgen.model.brief.Brief`, or report every problem.

Two passes, both run so that one report lists everything: pydantic checks the shape and
types, and :func:`cross_check` checks what pydantic cannot (unique ids, references
between sections, dates in order). It reads the raw data defensively, so it still works
when parts of the brief are malformed. Given the brief's folder, :func:`check_images` reads the
images it names where the documents will: inside that folder only, each a PNG, JPEG or GIF that
decodes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, PlainValidator, ValidationError

from briefgen.errors import InvalidBriefError, Problem
from briefgen.load.yamlfile import KeyPath, LineMap, format_key_path
from briefgen.model.brief import IMAGE_FORMATS, TIME_PATTERN, URL_PATTERN, Brief, Localized, Markdown
from briefgen.text import EMAIL_PATTERN, LANGUAGES, SLUG_PATTERN, canonical_language
from briefgen.view.markdown import unsupported


def model_values(value: Any, key_path: KeyPath = ()):
    """Every leaf value of a model (strings, texts, dates…) with its key path."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from model_values(getattr(value, name), (*key_path, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from model_values(item, (*key_path, index))
    else:
        yield key_path, value


def find_warnings(brief: Brief, line_map: LineMap) -> list[Problem]:
    """What is valid but probably a mistake: sources that no fact cites, Markdown that would
    print as typed (a heading, an image, HTML…)."""
    cited = {ref for issue in brief.issues for fact in issue.facts for ref in fact.sources}
    warnings = [line_map.problem(("sources", index), f"warning: source '{source.id}' is not cited by any fact")
                for index, source in enumerate(brief.sources) if source.id not in cited]
    for key_path, text in markdown_texts(brief):
        warnings += [line_map.problem(key_path, f"warning: {message}", value=True) for message in unsupported(text)]
    return sorted(warnings, key=lambda warning: (warning.line, warning.column))


def markdown_texts(value: Any, key_path: KeyPath = ()):
    """Every Markdown text of a model with its key path, each language of a text on its own."""
    if isinstance(value, BaseModel):
        markdown = _markdown_fields(type(value))
        for name in type(value).model_fields:
            field = getattr(value, name)
            if name not in markdown:
                yield from markdown_texts(field, (*key_path, name))
                continue
            items = (list(enumerate(field)) if isinstance(field, list) else [(None, field)])
            for index, text in items:
                path = (*key_path, name) if index is None else (*key_path, name, index)
                if isinstance(text, Localized):
                    yield from (((*path, language), each) for language, each in text.items())
                elif isinstance(text, str):
                    yield path, text
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from markdown_texts(item, (*key_path, index))


#: What marks a field of the model as Markdown: the validator of the Markdown type.
_MARKDOWN_VALIDATOR = next(item for item in Markdown.__metadata__ if isinstance(item, PlainValidator))


@functools.cache
def _markdown_fields(model_class: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model_class`` that hold Markdown (or a list of it)."""
    return frozenset(name for name, info in model_class.model_fields.items()
                     if _is_markdown(info.annotation, info.metadata))


def _is_markdown(annotation: Any, metadata: Any = ()) -> bool:
    if any(item is _MARKDOWN_VALIDATOR for item in metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_markdown(typing.get_args(annotation)[0], annotation.__metadata__)
    return any(_is_markdown(argument) for argument in typing.get_args(annotation))


def validate_brief(data: Any, line_map: LineMap, folder: Path | None = None) -> Brief:
    """Validate loaded ``data`` against brief format v1; raises :class:`InvalidBriefError` listing every problem.

    With ``folder`` (the brief's), the images the brief names are checked there too (:func:`check_images`).
    """
    if not isinstance(data, dict):
        found = "empty" if data is None else f"a {_kind(data)}"
        raise InvalidBriefError([line_map.problem(
            (), f"the brief must be a mapping of keys (briefgen: 1, id: ..., title: ...); this file is {found}")])
    problems: list[Problem] = []
    brief = None
    try:
        brief = Brief.model_validate(data)
    except ValidationError as error:
        errors = error.errors()
        # A misspelt required key gives two errors; "did you mean" already says both. So does a
        # key indented under the wrong parent, whose texts ({en: …}) came along as keys too.
        suggested = {(*err["loc"][:-1], _suggest_key(err["loc"])) for err in errors
                     if err["type"] == "extra_forbidden"}
        misplaced = {tuple(err["loc"]): owner for err in errors if err["type"] == "extra_forbidden"
                     if (owner := _owner(tuple(err["loc"]))) is not None}
        suggested |= {(*owner, loc[-1]) for loc, owner in misplaced.items()}
        moved_into = {loc[:-1] for loc in misplaced}
        for err in errors:
            loc = tuple(err["loc"])
            if err["type"] == "missing" and loc in suggested:
                continue
            if err["type"] == "extra_forbidden" and loc[:-1] in moved_into and _is_language(loc[-1]):
                continue
            if loc in misplaced:
                owner = misplaced[loc]
                problems.append(line_map.problem(loc, (
                    f"'{loc[-1]}' is a key of {format_key_path(owner) or 'the brief'}, not of "
                    f"{format_key_path(loc[:-1])}: indent it like the other keys of "
                    f"{format_key_path(owner) or 'the brief'}" + (f" ('{loc[-2]}')" if isinstance(loc[-2], str)
                                                                   and len(loc) - len(owner) == 2 else ""))))
            else:
                problems.append(_problem_from_pydantic(err, line_map))
    problems.extend(cross_check(data, line_map))
    if brief is not None:
        problems.extend(_undeclared_languages(brief, line_map))
    if folder is not None:
        problems.extend(check_images(data, line_map, folder))
    if problems:
        problems.sort(key=lambda p: (p.line, p.column))
        raise InvalidBriefError(_unique(problems))
    assert brief is not None
    return brief


def _undeclared_languages(brief: Brief, line_map: LineMap) -> list[Problem]:
    """A text of the model in a language the brief does not declare (the raw data's check,
    :func:`cross_check`, knows a text only by its keys: ``{de: ...}`` alone looks like any mapping)."""
    return [line_map.problem((*key_path, language), f"'{language}' is not a language of this brief; add it to "
                                                    f"languages: [{', '.join(brief.langs)}, {language}]")
            for key_path, value in model_values(brief) if isinstance(value, Localized)
            for language in value if language not in brief.langs]


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def _show(value: Any) -> str:
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


_PATTERN_MESSAGES = {
    SLUG_PATTERN: "is not a valid id: use lowercase letters, digits and single hyphens, e.g. tibet-boarding-schools",
    TIME_PATTERN: "is not a time like 14:00",
    URL_PATTERN: "is not a web address: it must start with https:// or http://",
    EMAIL_PATTERN: "is not an e-mail address like name@example.org",
}
#: Names Windows keeps for devices: an output folder cannot be called so.
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def _problem_from_pydantic(err: dict, line_map: LineMap) -> Problem:
    kind, value = err["type"], err.get("input")
    loc: KeyPath = tuple(err["loc"])
    if kind == "extra_forbidden":
        suggestion = _suggest_key(loc)
        message = f"unknown key '{loc[-1]}'" + (f"; did you mean '{suggestion}'?" if suggestion else "")
        return line_map.problem(loc, message)
    if kind == "missing" and loc[-1] == "alt" and len(loc) > 1 and loc[-2] in IMAGE_FIELDS:
        line, column = line_map.locate(loc[:-1])
        return Problem(line_map.path, line, column, format_key_path(loc), ALT_MISSING)
    if kind == "missing":
        line, column = line_map.locate(loc[:-1])
        return Problem(line_map.path, line, column, format_key_path(loc), "required key is missing")
    if kind == "string_pattern_mismatch":
        message = f"{_show(value)} " + _PATTERN_MESSAGES[err["ctx"]["pattern"]]
    elif kind == "string_type":
        message = f"expected text, not a {_kind(value)}"
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind == "string_too_long" and loc[-1] == "id":
        message = (f"{_show(value)} is {len(value)} characters long, more than the {err['ctx']['max_length']} "
                   "an id may have: ids name files and folders, and file systems limit the length of a name")
    elif kind in ("list_type",):
        message = f"expected a list, not {'empty' if value is None else 'a ' + _kind(value)}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping of keys, not {'empty' if value is None else 'a ' + _kind(value)}"
    elif (kind.startswith("date_") or kind.startswith("datetime_")) and isinstance(value, str) \
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        message = f"{_show(value)} is not a real date"  # quoted, it reaches here as text
    elif kind.startswith("date_") or kind.startswith("datetime_"):
        message = f"expected a date like 2026-01-13, not {_show(value)}"
    elif kind == "too_short" and isinstance(value, list):
        message = "must list at least one item"
    elif kind == "literal_error" and loc == ("briefgen",):
        message = f"unsupported format version {_show(value)}; this briefgen reads version 1"
    elif kind == "literal_error":
        written = line_map.written.get(loc, value)
        message = f"{_show(written)} is not one of: {err['ctx']['expected'].replace(' or ', ', ')}"
    else:
        message = err["msg"][0].lower() + err["msg"][1:]
    return line_map.problem(loc, message, value=True)


def _owner(loc: KeyPath) -> KeyPath | None:
    """For an unknown key that no known key resembles: the nearest mapping above its own that
    has it (a key indented one level too far), or None."""
    if _suggest_key(loc) is not None:
        return None
    for end in range(len(loc) - 2, -1, -1):
        if loc[-1] in _allowed_keys(loc[:end]):
            return loc[:end]
    return None


def _suggest_key(loc: KeyPath) -> str | None:
    """The known key closest to the unknown key at ``loc``, if one is close enough."""
    close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(loc[:-1]), n=1, cutoff=0.6)
    return close[0] if close else None


def _allowed_keys(loc: KeyPath) -> list[str]:
    """The field names of the model found at ``loc``, walking from :class:`Brief`."""
    model: Any = Brief
    for part in loc:
        model = _unwrap(model)
        if isinstance(part, int):
            args = typing.get_args(model)
            model = args[0] if args else None
        elif isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            model = model.model_fields[part].annotation
        else:
            return []
    model = _unwrap(model)
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _unwrap(annotation: Any) -> Any:
    """Strip ``Optional`` from an annotation."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def cross_check(data: dict, line_map: LineMap) -> list[Problem]:
    """Problems between sections: unique ids, references that name nothing, dates out of order."""
    problems: list[Problem] = []
    ids = {section: _collect_ids(data, section, line_map, problems)
           for section in ("issues", "asks", "signatories", "sources")}

    def check(key_path: KeyPath, value: Any, section: str, what: str) -> None:
        if not isinstance(value, str) or value in ids[section]:
            return
        message = f"no {what} has the id '{value}'"
        close = difflib.get_close_matches(value, list(ids[section]), n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
        elif ids[section]:
            message += f"; known: {', '.join(ids[section])}"
        else:
            message += f"; the brief has no {section}"
        problems.append(line_map.problem(key_path, message, value=True))

    for i, ask in _items(data.get("asks")):
        check(("asks", i, "issue"), ask.get("issue"), "issues", "issue")
        for j, ref in _list_items(ask.get("by")):
            check(("asks", i, "by", j), ref, "signatories", "signatory")
    letter = data.get("letter")
    if isinstance(letter, dict):
        for j, ref in _list_items(letter.get("signed_by")):
            check(("letter", "signed_by", j), ref, "signatories", "signatory")
        for j, ref in _list_items(letter.get("asks")):
            check(("letter", "asks", j), ref, "asks", "ask")
    for i, issue in _items(data.get("issues")):
        for j, fact in _items(issue.get("facts")):
            for k, ref in _list_items(fact.get("sources")):
                check(("issues", i, "facts", j, "sources", k), ref, "sources", "source")
    if "letter" in (data.get("documents") or []) and not isinstance(letter, dict):
        index = data["documents"].index("letter")
        problems.append(line_map.problem(("documents", index), "the letter is listed but the brief has no letter",
                                         value=True))
    problems.extend(_check_signatories_and_delegation(data, line_map, check))
    problems.extend(_check_languages(data, line_map))
    problems.extend(_check_native_langs(data, line_map))
    if data.get("id") in RESERVED_NAMES:
        problems.append(line_map.problem(("id",), f"'{data['id']}' is a reserved file name on Windows; "
                                                  "choose another id", value=True))
    visit = data.get("visit")
    if isinstance(visit, dict):
        problems.extend(_check_visit_dates(visit, line_map))
    problems.extend(_check_approval_date(data, line_map))
    return problems


def _check_approval_date(data: dict, line_map: LineMap) -> list[Problem]:
    """The approver's date not before the drafter's: a note is approved once it is drafted."""
    drafted, approved = (data.get(key) if isinstance(data.get(key), dict) else {}
                         for key in ("drafted_by", "approved_by"))
    drafted_on, approved_on = _as_date(drafted.get("date")), _as_date(approved.get("date"))
    if drafted_on and approved_on and approved_on < drafted_on:
        return [line_map.problem(
            ("approved_by", "date"), f"the notes are approved ({approved_on}) before they are drafted "
                                     f"({drafted_on}); correct approved_by.date or drafted_by.date", value=True)]
    return []


def _check_signatories_and_delegation(data: dict, line_map: LineMap, check: Callable[..., None]) -> list[Problem]:
    """Members only for a coalition; each delegate's issues known, and a speaker's given."""
    problems = []
    for i, signatory in _items(data.get("signatories")):
        if signatory.get("members") and signatory.get("kind") != "coalition":
            problems.append(line_map.problem(
                ("signatories", i, "members"), "only a coalition has members; add kind: coalition"))
    for i, delegate in _items(data.get("delegation")):
        for j, ref in _list_items(delegate.get("issues")):
            check(("delegation", i, "issues", j), ref, "issues", "issue")
        if delegate.get("role") == "speaks" and not delegate.get("issues"):
            problems.append(line_map.problem(
                ("delegation", i, "role"), "a delegate who speaks needs the issues they speak on: "
                                           "issues: [issue-id]", value=True))
    return problems


def _as_date(value: Any) -> dt.date | None:
    """``value`` as the date it means, written as a YAML date or quoted; None if it is no date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _check_visit_dates(visit: dict, line_map: LineMap) -> list[Problem]:
    """The visit's end not before its start, and its programme within it, however the dates are written."""
    problems = []
    start, end = _as_date(visit.get("start")), _as_date(visit.get("end"))
    if start and end and end < start:
        problems.append(line_map.problem(
            ("visit", "end"), f"the visit ends ({end}) before it starts ({start})", value=True))
        return problems  # the programme cannot be placed in a visit that has no days
    programme = visit.get("programme")
    if start and end and isinstance(programme, list):
        for index, item in enumerate(programme):
            day = _as_date(item.get("date")) if isinstance(item, dict) else None
            if day and not start <= day <= end:
                problems.append(line_map.problem(
                    ("visit", "programme", index, "date"),
                    f"{day} is outside the visit ({start} to {end}); correct the date or the visit's start and end",
                    value=True))
    return problems


def _check_languages(data: dict, line_map: LineMap) -> list[Problem]:
    """``language`` or ``languages``, each once, and texts only in those languages."""
    problems = []
    languages = data.get("languages")
    if "language" in data and languages is not None:
        problems.append(line_map.problem(("languages",), "give either language or languages, not both"))
    if isinstance(languages, list):
        for index, language in enumerate(languages):
            if language in languages[:index]:
                problems.append(line_map.problem(("languages", index), f"'{language}' is listed twice", value=True))
    declared = languages if isinstance(languages, list) else [data.get("language", "en")]
    if languages is None and "language" not in data:
        # A misspelt `languages` is reported as the unknown key it is; the texts are checked
        # against what it lists, not each reported as in a language the brief does not declare.
        misspelt = next((value for key, value in data.items() if key not in Brief.model_fields
                         and _suggest_key((key,)) in ("language", "languages")), None)
        if isinstance(misspelt, list):
            declared = misspelt
        elif isinstance(misspelt, str):
            declared = [misspelt]
    limited = data.get("language_documents")
    if isinstance(limited, dict):
        for language in limited:
            if isinstance(language, str) and _is_language(language) and language not in declared:
                problems.append(line_map.problem(
                    ("language_documents", language),
                    f"'{language}' is not a language of this brief; add it to languages: "
                    f"[{', '.join(map(str, declared))}, {language}]"))
            elif declared and language == declared[0]:
                problems.append(line_map.problem(
                    ("language_documents", language),
                    f"'{language}' is the brief's first language, which every document is built in; "
                    "limit only the others"))
    for key_path, texts in _localized_texts(data, (), declared):
        for language in texts:
            if language not in declared:
                problems.append(line_map.problem(
                    (*key_path, language),
                    f"'{language}' is not a language of this brief; add it to languages: "
                    f"[{', '.join(map(str, declared))}, {language}]"))
    return problems


def _check_native_langs(data: dict, line_map: LineMap) -> list[Problem]:
    """A ``native_lang`` of a name that has no ``native_name`` tags nothing."""
    visit = data.get("visit") if isinstance(data.get("visit"), dict) else {}
    people = [(("visit", "counterparts", i), person) for i, person in _items(visit.get("counterparts"))]
    people += [(("issues", i, "people", j), person) for i, issue in _items(data.get("issues"))
               for j, person in _items(issue.get("people"))]
    return [line_map.problem((*key_path, "native_lang"), "native_lang says the language of native_name, which "
                             "this name has not; add native_name in its script or remove native_lang")
            for key_path, person in people if "native_lang" in person and not person.get("native_name")]


def _is_language(key: Any) -> bool:
    """Whether ``key`` is a language tag (in any case: the model says how to write it)."""
    return isinstance(key, str) and canonical_language(key) is not None


def _localized_texts(value: Any, key_path: KeyPath, declared: list):
    """Every ``{en: ..., fr: ...}`` text in raw brief data, with its key path: a mapping of
    texts whose keys are all language tags, one of them the brief's or English or French (a
    mapping such as ``{id: ..., to: ...}`` has keys that are tags too)."""
    if isinstance(value, dict):
        if (value and all(map(_is_language, value)) and all(isinstance(text, str) for text in value.values())
                and set(value) & {*map(str, declared), *LANGUAGES}):
            yield key_path, value
            return
        for key, item in value.items():
            yield from _localized_texts(item, (*key_path, key), declared)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _localized_texts(item, (*key_path, index), declared)


def _items(value: Any) -> list[tuple[int, dict]]:
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _list_items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _collect_ids(data: dict, section: str, line_map: LineMap, problems: list[Problem]) -> dict[str, int]:
    """The ids of ``section`` with the line each is first given on; duplicates are problems."""
    seen: dict[str, int] = {}
    for i, item in _items(data.get(section)):
        value = item.get("id")
        if not isinstance(value, str):
            continue
        line, _ = line_map.locate((section, i, "id"), value=True)
        if value in seen:
            problems.append(line_map.problem(
                (section, i, "id"), f"duplicate id '{value}' (first used on line {seen[value]})", value=True))
        else:
            seen[value] = line
    return seen


# -- Images ---------------------------------------------------------------------------

#: The keys whose value is an image ``{src, alt}``.
IMAGE_FIELDS = ("logo", "photo", "signature")
#: Where the brief's images are: key paths, ``[]`` standing for every item of a list.
IMAGE_PATHS: tuple[tuple[str, ...], ...] = (
    ("prepared_by", "logo"),
    ("visit", "counterparts", "[]", "photo"),
    ("letter", "letterhead", "logo"),
    ("letter", "signer", "signature"),
)
ALT_MISSING = ("an image needs alt text: add alt: with what it shows, e.g. alt: Logo of the organisation "
               "(screen readers read it in the PDF and in Word)")
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF"}


def image_format(path: Path) -> str | None:
    """The format of the image file at ``path`` (one of :data:`IMAGE_FORMATS`), from its first bytes; None if
    it is none of them."""
    with path.open("rb") as file:
        start = file.read(8)
    return next((name for signature, name in _SIGNATURES.items() if start.startswith(signature)), None)


def image_damage(path: Path) -> str | None:
    """What stops the image at ``path`` being decoded whole, or None if nothing does.

    A truncated PNG stops python-docx (UnexpectedEndOfFileError) where WeasyPrint embeds what it
    can read of it: found here first, when the brief is read, it is one located problem.
    """
    from PIL import Image as PILImage  # WeasyPrint's own dependency; only a brief with images pays for it

    try:
        with PILImage.open(path) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError) as error:
        return str(error) or type(error).__name__
    return None


def _image_sources(data: Any, path: tuple[str, ...], key_path: KeyPath = ()):
    """(key path, src) of each image at ``path`` in raw brief data that gives a src as text."""
    if not path:
        if isinstance(data, dict) and isinstance(data.get("src"), str) and data["src"].strip():
            yield (*key_path, "src"), data["src"].strip()
        return
    head, rest = path[0], path[1:]
    if head == "[]":
        for index, item in _list_items(data):
            yield from _image_sources(item, rest, (*key_path, index))
    elif isinstance(data, dict):
        yield from _image_sources(data.get(head), rest, (*key_path, head))


def check_images(data: dict, line_map: LineMap, folder: Path) -> list[Problem]:
    """Each image the brief names is an image file (PNG, JPEG or GIF) inside ``folder``, the brief's.

    Read as the documents read it: every link followed first, so a link to a file elsewhere is outside.
    """
    root = folder.resolve()
    formats = ", ".join(IMAGE_FORMATS[:-1]) + f" or {IMAGE_FORMATS[-1]}"
    problems = []
    for image_path in IMAGE_PATHS:
        for key_path, src in _image_sources(data, image_path):
            message = None
            real = (root / src).resolve()
            if re.match(r"^[a-z][a-z0-9+.-]*://", src, re.I):
                message = (f"'{src}' is a web address; briefgen reads images only from the brief's folder "
                           f"({root}): save the image there and give its file name")
            elif not real.is_relative_to(root) and Path(os.path.normpath(root / src)).is_relative_to(root):
                message = (f"'{src}' is a link to {real}, outside the brief's folder ({root}); briefgen "
                           "reads images only from there: copy the image itself into it")
            elif not real.is_relative_to(root):
                message = (f"'{src}' leads outside the brief's folder ({root}); briefgen reads images only "
                           "from there: copy the image into it and give its name")
            elif not real.is_file():
                message = (f"'{src}': no such file in the brief's folder ({root}); check the name, or copy "
                           "the image there")
            else:
                try:
                    found = image_format(real)
                except OSError as error:
                    message = f"'{src}' cannot be read ({error.strerror}); check its permissions"
                else:
                    if found is None:
                        message = f"'{src}' is not a {formats} image; save it as one of these"
                    elif (damage := image_damage(real)) is not None:
                        message = (f"'{src}' is a damaged {found} file ({damage}); open it in an image editor "
                                   "and save it again")
            if message:
                problems.append(line_map.problem(key_path, message, value=True))
    return problems
