"""Exceptions raised by briefgen, one class per kind of failure.

Each carries a message written for the person who made the mistake: the CLI
prints it as it is, without a traceback, and maps the class to an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class BriefgenError(Exception):
    """Base class of every error briefgen reports to its user."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file: ``PATH:LINE:COL: key.path: message``."""

    path: str
    line: int
    column: int
    key_path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.key_path}: {self.message}" if self.key_path else f"{where}: {self.message}"


class InvalidBriefError(BriefgenError):
    """Raised when a brief cannot be read or does not match brief format v1.

    ``problems`` holds every problem found, not just the first one.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self):
        return (type(self), (self.problems,))


class UsageError(BriefgenError):
    """Raised when the options given cannot apply to the brief (e.g. a language it is not written in)."""

    exit_code = 2


class OutputError(BriefgenError):
    """Raised when the output folder cannot be written: a full disk, a read-only file system, no
    permission, another briefgen holding it too long."""


class TemplateError(BriefgenError):
    """Raised when a template is missing, fails to compile or fails to render."""


class TemplateAccessError(TemplateError):
    """Raised when a template asks for a file that is not a real file inside the template folders
    (an absolute path, ``..``, or a link that leads elsewhere)."""

    def __init__(self, what: str, folders: list):
        super().__init__(f"{what}: briefgen reads templates only from the template folders "
                         f"({', '.join(map(str, folders))}); put the file there")


class TemplateLimitError(TemplateError):
    """Raised when a template takes longer, makes more or uses more memory than one render may
    (see :mod:`briefgen.render.limits`)."""


class RenderInterrupted(BaseException):
    """Raised inside a rendering thread when its render has run past a limit.

    A :class:`BaseException`, so that no ``except Exception`` on the way swallows it;
    :func:`briefgen.render.limits.render_limited` turns it into a :class:`TemplateLimitError`,
    and it never reaches the user.
    """


class BuildError(BriefgenError):
    """Raised when a document cannot be produced from valid input (e.g. HTML outside the subset)."""


class MissingGlyphError(BuildError):
    """Raised when a brief or a recipient holds characters that no installed font covers."""


class StyleMissingError(BuildError):
    """Raised when the HTML asks for a Word style that the reference document does not define."""


class UnsafeDraftError(BuildError):
    """Raised when an e-mail draft, read back, would not go to exactly its recipient from
    exactly its sender with exactly the headers briefgen wrote (the checks of the brief and
    the recipients keep any such text out; this is the last guard)."""


class PageBudgetError(BuildError):
    """Raised when a laid-out document, or an issue note in it, has more pages than its budget.

    ``overrun`` says what is over (see :class:`briefgen.render.budgets.Overrun`), so that the
    command, which knows where each text is in the brief, can point at the longest one.
    """

    def __init__(self, message: str, overrun: Any = None):
        self.overrun = overrun
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (str(self), self.overrun))


class StrictWarningsError(BuildError):
    """Raised when ``--strict`` is given and the brief has warnings."""

    def __init__(self, warnings: list[Problem]):
        self.warnings = warnings
        count = len(warnings)
        super().__init__("\n".join([*map(str, warnings),
                                    f"{count} warning{'s' if count != 1 else ''} and --strict given: nothing written"]))

    def __reduce__(self):
        return (type(self), (self.warnings,))


@dataclass(frozen=True)
class RowProblem:
    """One bad row of a table such as a recipients file: ``FILE:LINE: column: message``."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class InvalidRecipientsError(BriefgenError):
    """Raised when a recipients file cannot be read or has bad rows; ``problems`` lists them all."""

    exit_code = 2

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self):
        return (type(self), (self.problems,))


class DraftsError(BriefgenError):
    """Raised when a drafts folder has no drafts that ``briefgen letters`` recorded, or a draft
    is missing or is not the one it wrote."""

    exit_code = 2


class JournalError(BriefgenError):
    """Raised when the send journal of a drafts folder is missing, damaged, edited or cut short
    while letters have been sent from the folder, or is not a file of the folder (a link)."""

    exit_code = 2


class JournalWriteError(Exception):
    """Raised inside ``send`` when a journal entry could not be written (a full disk): sending
    stops. ``recorded`` when the entry itself is on disk (only its seal failed), so that it counts."""

    def __init__(self, message: str, *, recorded: bool):
        super().__init__(message)
        self.recorded = recorded


class RemoteTraceback(Exception):
    """Raised as the cause of an exception a worker process raised, to show the worker's traceback."""

    def __str__(self) -> str:
        return self.args[0]


class JournalLockedError(BriefgenError):
    """Raised when another ``briefgen send`` is delivering the same drafts."""
