"""``briefgen validate``: check briefs against brief format v1 without rendering anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import InvalidBriefError, Problem
from briefgen.prepare.brief import load_brief


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
            reports.append(BriefReport(Path(path), [], loaded.warnings))
    return ValidationResult(reports)
