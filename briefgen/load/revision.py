"""Read a brief's own file as it was at a git revision (``build --since git:REV``).

The file is the one the brief is read from, at the same place in its repository: ``git show
REV:<its path from the repository's top>``. Each way this can fail (git missing, the brief
outside a repository, an unknown revision, the file not yet in it) is a
:class:`~briefgen.errors.UsageError` that says what to give instead.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from briefgen.errors import UsageError

#: What ``--since`` starts with to name a git revision rather than a file.
GIT_PREFIX = "git:"


def _git(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--since git:...: git is not installed; install it, or give the earlier brief as a "
                         "file (--since old.yaml)") from None


def read_at_revision(brief_path: Path, revision: str) -> tuple[str, str]:
    """The text of ``brief_path``'s file at git ``revision``, and how messages name it (``REV:path``).

    Raises :class:`~briefgen.errors.UsageError` when git is missing, the brief is in no git
    repository, ``revision`` names no commit, or the file is not in it.
    """
    option = f"--since {GIT_PREFIX}{revision}"
    if not revision:
        raise UsageError(f"{option}: name a revision after 'git:', e.g. --since git:HEAD~1 or --since git:v1")
    folder = brief_path.resolve().parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"{option}: {brief_path} is not in a git repository; give the earlier brief as a file "
                         "(--since old.yaml)")
    root = Path(top.stdout.decode().strip()).resolve()
    relative = brief_path.resolve().relative_to(root).as_posix()
    if _git(folder, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode != 0:
        raise UsageError(f"{option}: the repository at {root} has no revision '{revision}'; give a commit, a "
                         "branch or a tag (git log --oneline lists the commits)")
    shown = _git(folder, "show", f"{revision}:{relative}")
    if shown.returncode != 0:
        raise UsageError(f"{option}: {relative} is not in revision '{revision}'; give a revision that has it "
                         f"(git log --oneline -- {relative} lists them)")
    try:
        text = shown.stdout.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise UsageError(f"{option}: {relative} at '{revision}' is not UTF-8 text; give a revision where it is "
                         "(or the earlier brief as a file)") from None
    return text, f"{revision}:{relative}"
