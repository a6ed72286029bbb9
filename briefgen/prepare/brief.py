"""Read a brief, validate it, choose the languages to render it in and find what is missing in them."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from briefgen.errors import Problem, StrictWarningsError, UsageError
from briefgen.load.yamlfile import LineMap, load_yaml
from briefgen.model.brief import Brief, Localized
from briefgen.model.validate import find_warnings, model_values, validate_brief
from briefgen.prepare.signons import join_sign_ons
from briefgen.text import canonical_language, language_name
from briefgen.view.translations import untranslated_labels

#: Languages asked for: some of the brief's, ``"all"`` of them, or None for its default.
LanguageChoice = Sequence[str] | Literal["all"] | None


@dataclass(frozen=True)
class LoadedBrief:
    """A valid brief, where each of its keys stands in the file, and what deserves a warning."""

    brief: Brief
    line_map: LineMap
    warnings: list[Problem]
    #: The files besides the brief that went into it (its sign-on list): inputs of a build.
    inputs: tuple[Path, ...] = ()


def load_brief(path: Path, *, display_path: str | None = None) -> LoadedBrief:
    """Load and validate the brief at ``path``.

    Raises :class:`~briefgen.errors.InvalidBriefError` listing every problem, each located in the file.
    """
    data, line_map = load_yaml(path, display_path=display_path)
    brief = validate_brief(data, line_map, folder=path.resolve().parent)
    brief, sign_ons = join_sign_ons(brief, line_map, Path(path).parent)
    return LoadedBrief(brief, line_map, find_warnings(brief, line_map), (sign_ons,) if sign_ons else ())


#: The texts of the brief that a document of the default theme prints, as patterns of key paths
#: (``issues.*.title``). A language that ``language_documents`` limits to some documents is warned
#: about the missing texts of those documents only; a document not listed here prints any text.
TEXTS_SHOWN: dict[str, tuple[str, ...]] = {
    "letter": ("title", "subtitle", "prepared_by.organization", "visit.host", "visit.principal.*",
               "issues.*.title", "letter.*", "asks.*.text", "asks.*.of", "signatories.*"),
    "leave-behind": ("title", "subtitle", "prepared_by.*", "visit.host", "visit.principal.*", "issues.*.title",
                     "issues.*.summary", "asks.*.text", "asks.*.of", "signatories.*.name", "letter.contact.*"),
}


def _shown(key_path: tuple, documents: list[str]) -> bool:
    """Whether one of ``documents`` prints the text at ``key_path``."""
    dotted = ".".join(map(str, key_path))
    return any(document not in TEXTS_SHOWN or any(fnmatch.fnmatchcase(dotted, pattern) or
                                                  fnmatch.fnmatchcase(dotted, pattern + ".*")
                                                  for pattern in TEXTS_SHOWN[document])
               for document in documents)


def missing_translations(brief: Brief, line_map: LineMap, language: str) -> list[Problem]:
    """A warning for each text given in other languages but not in ``language``, among the texts
    of the documents built in ``language``."""
    default = brief.langs[0]
    documents = brief.documents_in(language)
    return [line_map.problem(key_path, f"warning: no {language_name(language)} text; "
                                       f"the {language_name(default)} is used")
            for key_path, value in model_values(brief)
            if isinstance(value, Localized) and language not in value and _shown(key_path, documents)
            # The translation note says who translated a language: one without it has nothing to say.
            and key_path != ("translation_note",)]


def untranslated_labels_warning(brief: Brief, line_map: LineMap, language: str) -> Problem | None:
    """One warning for the labels of the templates that briefgen has no translation of into
    ``language`` (all of them when it has no catalog of the language): they print in English."""
    labels = untranslated_labels(language)
    if not labels:
        return None
    key_path = ("languages", brief.langs.index(language)) if brief.languages else ("language",)
    name = f"{language_name(language)} ({language})"
    if len(labels) > 10:
        headings = [label for label in labels if "%(" not in label and "{" not in label][:3]
        what = (f"briefgen has no {name} translation of its {len(labels)} labels (such as "
                f"{', '.join(repr(label) for label in headings)})")
    else:
        what = f"briefgen has no {name} translation of the labels {', '.join(repr(label) for label in labels)}"
    return line_map.problem(key_path, f"warning: {what}: they are printed in English; translate them in "
                                      f"briefgen/locale/{language.replace('-', '_')}/LC_MESSAGES/briefgen.po "
                                      "(docs/theme.md)", value=True)


@dataclass(frozen=True)
class PreparedBrief:
    """A valid brief, the languages to render it in, and the warnings about it."""

    path: Path
    brief: Brief
    line_map: LineMap
    languages: list[str]
    warnings: list[Problem]
    #: The files besides the brief that went into it (its sign-on list): inputs of a build.
    inputs: tuple[Path, ...] = ()

    @property
    def folder(self) -> Path:
        """The brief's folder: the references it makes (images) start there."""
        return self.path.resolve().parent


def prepare_brief(path: Path | str, languages: LanguageChoice = None, *, strict: bool = False) -> PreparedBrief:
    """Load and validate the brief at ``path`` and resolve the languages to render it in.

    Raises :class:`~briefgen.errors.InvalidBriefError` for a bad brief,
    :class:`~briefgen.errors.UsageError` for a language the brief does not have and
    :class:`~briefgen.errors.StrictWarningsError` for warnings under ``strict``.
    """
    path = Path(path)
    loaded = load_brief(path)
    brief = loaded.brief
    chosen = brief.langs if languages == "all" else list(languages or brief.langs[:1])
    # --lang zh-hans is the brief's zh-Hans: tags are compared as BCP 47 writes them.
    chosen = [canonical_language(language) or language for language in chosen]
    unknown = [language for language in chosen if language not in brief.langs]
    if unknown:
        raise UsageError(f"{path}: the brief is written in {', '.join(brief.langs)} only, not "
                         f"{', '.join(unknown)}; add a languages list (e.g. languages: [en, fr]) and the texts")
    warnings = loaded.warnings + [warning for language in chosen if language != brief.langs[0]
                                  for warning in missing_translations(brief, loaded.line_map, language)]
    warnings += filter(None, (untranslated_labels_warning(brief, loaded.line_map, language) for language in chosen))
    if strict and warnings:
        raise StrictWarningsError(warnings)
    return PreparedBrief(path, brief, loaded.line_map, chosen, warnings, loaded.inputs)
