"""The earlier version of a brief that ``build --since`` makes an addendum against, and its checks.

``--since`` names a file, or ``git:REV`` for the brief's own file at a git revision
(:mod:`briefgen.load.revision`). The earlier version is read and validated as any brief is,
its images and sign-on list looked for in the brief's folder. Then: it must be the same brief
(its ``id``); the addendum's number is the brief's ``version``, else ``--addendum N``, and
must come after the earlier version's ``version``; an earlier version with the same content
(its date, version, documents and page budgets aside) makes no addendum.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import InvalidBriefError, UsageError
from briefgen.load.revision import GIT_PREFIX, read_at_revision
from briefgen.load.yamlfile import parse_yaml
from briefgen.model.brief import Brief
from briefgen.model.validate import validate_brief
from briefgen.prepare.brief import PreparedBrief, load_brief
from briefgen.prepare.signons import join_sign_ons

#: Fields whose change is no change of content: a brief that differs only in them makes no addendum.
NOT_CONTENT = ("briefgen", "date", "version", "documents", "page_budgets")


@dataclass(frozen=True)
class Since:
    """The earlier version of the brief, what names it in messages, and the addendum's number."""

    brief: Brief
    shown: str
    number: int
    #: The SHA-256 of the earlier version's text: an input of the build, whatever names it.
    digest: str
    #: Whether its content is the brief's: then there is no addendum to make.
    unchanged: bool


def load_since(prepared: PreparedBrief, since: str, addendum: int | None = None) -> Since:
    """The earlier version ``since`` (a path, or ``git:REV``) of ``prepared``'s brief, checked.

    Raises :class:`~briefgen.errors.InvalidBriefError` for an earlier version that is not valid,
    is another brief, or whose version is not before the brief's (located at ``version``), and
    :class:`~briefgen.errors.UsageError` when the addendum has no number or ``since`` cannot be read.
    """
    if since.startswith(GIT_PREFIX):
        text, shown = read_at_revision(prepared.path, since.removeprefix(GIT_PREFIX))
        data, line_map = parse_yaml(text, shown)
        old = validate_brief(data, line_map, folder=prepared.folder)
        old, _ = join_sign_ons(old, line_map, prepared.folder)
        digest = hashlib.sha256(text.encode()).hexdigest()
    else:
        path = Path(since)
        loaded = load_brief(path)
        old, line_map, shown = loaded.brief, loaded.line_map, since
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    new = prepared.brief
    if old.id != new.id:
        raise InvalidBriefError([line_map.problem(
            ("id",), f"this is the brief '{old.id}', not '{new.id}'; --since takes an earlier version of the same "
                     "brief", value=True)])
    number = _number(prepared, old, shown, addendum)
    unchanged = (old.model_dump(exclude=set(NOT_CONTENT)) == new.model_dump(exclude=set(NOT_CONTENT)))
    return Since(old, shown, number, digest, unchanged)


def _number(prepared: PreparedBrief, old: Brief, shown: str, addendum: int | None) -> int:
    """The addendum's number: the brief's version, else ``addendum``; after the earlier version's."""
    new = prepared.brief
    after = (old.version or 0) + 1
    if new.version is not None:
        if old.version is not None and new.version <= old.version:
            raise InvalidBriefError([prepared.line_map.problem(
                ("version",), f"version {new.version} is not after version {old.version} of the earlier brief "
                              f"({shown}); give this brief a later version (version: {after})", value=True)])
        if addendum is not None and addendum != new.version:
            raise InvalidBriefError([prepared.line_map.problem(
                ("version",), f"the brief is version {new.version} but --addendum asks for addendum {addendum}; "
                              f"leave out --addendum (the addendum is numbered {new.version}) or give the same "
                              "number", value=True)])
        return new.version
    if addendum is None:
        raise UsageError(f"{prepared.path}: the addendum needs a number: give the brief its version (version: "
                         f"{max(after, 2)}) or pass --addendum {max(after, 2)}")
    if old.version is not None and addendum <= old.version:
        raise UsageError(f"--addendum {addendum}: the earlier brief ({shown}) is version {old.version}; number "
                         f"the addendum after it (--addendum {after}), or give this brief version: {after}")
    return addendum
