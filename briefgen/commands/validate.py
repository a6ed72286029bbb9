"""``briefgen validate``: check briefs against brief format v1 without rendering anything.

It runs every check of ``build`` that needs no layout, so that a brief it calls valid builds:
the format and cross-references, a character no installed font covers (an error, as in
``build``), a text missing in one of the brief's languages and a letter nobody could send
(warnings, as ``build --lang all`` and ``letters`` would say).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import InvalidBriefError, Problem
from briefgen.prepare.brief import LoadedBrief, load_brief, missing_translations, untranslated_labels_warning
from briefgen.prepare.glyphs import glyph_problems
from briefgen.prepare.sender import find_sender


@dataclass(frozen=True)
class BriefReport:
    """What validating one brief found: its problems (none when it is valid) and its warnings."""

    path: Path
    problems: list[Problem]
    warnings: list[Problem]

    @property
    def valid(self) -> bool:
        """Whether the brief has no problem (warnings allowed)."""
        return not self.problems


@dataclass(frozen=True)
class ValidationResult:
    """The report of each brief, in the order given."""

    briefs: list[BriefReport]

    @property
    def valid(self) -> bool:
        """Whether every brief is valid."""
        return all(report.valid for report in self.briefs)

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every brief, in order."""
        return [problem for report in self.briefs for problem in report.problems]


def validate(briefs: Sequence[Path]) -> ValidationResult:
    """Check each of ``briefs``; every problem of each, located in its file."""
    reports = []
    for path in briefs:
        try:
            loaded = load_brief(Path(path))
        except InvalidBriefError as error:
            reports.append(BriefReport(Path(path), error.problems, []))
        else:
            reports.append(BriefReport(Path(path), glyph_problems(loaded.brief, loaded.line_map),
                                       _warnings(loaded)))
    return ValidationResult(reports)


def _warnings(loaded: LoadedBrief) -> list[Problem]:
    """What ``build`` in every language of the brief, and ``letters``, would warn about."""
    brief, line_map = loaded.brief, loaded.line_map
    warnings = list(loaded.warnings)
    warnings += [warning for language in brief.langs[1:] for warning in missing_translations(brief, line_map, language)]
    warnings += filter(None, (untranslated_labels_warning(brief, line_map, language) for language in brief.langs))
    if brief.letter is not None and "letter" in brief.document_ids and find_sender(brief, brief.langs[0]) is None:
        warnings.append(line_map.problem(("letter",), "warning: the letter has no e-mail address to be sent from, "
                                                      "so briefgen letters will refuse it; add an email to "
                                                      "letter.contact (or to prepared_by.contact)"))
    return sorted(warnings, key=lambda warning: (warning.line, warning.column))
