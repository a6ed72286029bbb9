"""The document registry: one declaration per document that briefgen makes.

Everything else about a document derives from its entry: the ids a brief may list under
``documents``, the page budgets it may set and their defaults, the audience its view is
filtered for, the name of its template, the sections its budget is measured on, and
whether ``briefgen letters`` may mail-merge it. Adding a document is one entry here, one
template (``<id>.html.j2``) and the translations of its labels (docs/theme.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Audience = Literal["officials", "delegation", "public"]


@dataclass(frozen=True)
class Section:
    """A part of a document that starts on a page of its own, found by the anchor of its heading.

    A section runs from the page of its anchor to the page before the next section's.
    ``anchor`` is a fixed id (``overview``) or, with ``per_issue``, a pattern that names one
    section per issue of the brief (``issue-{id}``). ``budget`` names the page budget that
    limits each such section, and ``pages`` its default.
    """

    anchor: str
    per_issue: bool = False
    budget: str | None = None
    pages: int | None = None

    def anchors(self, issue_ids: list[str]) -> list[str]:
        """The anchors of this section in a brief with ``issue_ids``."""
        return [self.anchor.format(id=issue_id) for issue_id in issue_ids] if self.per_issue else [self.anchor]


@dataclass(frozen=True)
class DocumentType:
    """One document: who it is for, its page budget and sections, and how it is made."""

    id: str
    audience: Audience
    description: str
    #: Default page budget of the whole document; None for no limit.
    pages: int | None = None
    sections: tuple[Section, ...] = ()
    #: Whether ``briefgen letters`` makes one copy per recipient of it.
    mail_merge: bool = False
    #: Made only when the brief has its letter (the default documents leave it out otherwise).
    needs_letter: bool = False
    #: Laid out again on the theme's tighter page (body class ``tight``) when that saves a page:
    #: a short document whose last page would hold a few lines.
    fits_tighter: bool = False
    #: Made only by ``build --since``, against an earlier version of the brief, and named by its
    #: number (``addendum-2``): never one of the documents a brief builds by default or lists.
    addendum: bool = False
    #: Made once per issue of the brief, as ``<folder>/<issue id>.<ext>``, and only when the build
    #: asks for it (``--split-notes``): never one of the documents a brief builds by default or lists.
    per_issue: bool = False
    folder: str | None = None

    def output_id(self, number: int | None = None) -> str:
        """What names its files: its id, or for an addendum ``addendum-<number>``."""
        return f"{self.id}-{number}" if self.addendum else self.id

    @property
    def template(self) -> str:
        """The name of its template in the theme."""
        return f"{self.id}.html.j2"

    def section_anchors(self, issue_ids: list[str]) -> set[str]:
        """Every anchor that starts a section of this document."""
        return {anchor for section in self.sections for anchor in section.anchors(issue_ids)}


_ISSUE_NOTE = Section("issue-{id}", per_issue=True, budget="issue-note", pages=2)

#: The documents in the order they are built and listed, by id.
DOCUMENTS: dict[str, DocumentType] = {document.id: document for document in (
    DocumentType("briefing-pack", "officials", "the scenario book for officials",
                 sections=(Section("overview"), _ISSUE_NOTE, Section("asks"), Section("signatories"),
                           Section("letter"), Section("sources"))),
    DocumentType("delegation-pack", "delegation", "the pack of an advocacy delegation"),
    DocumentType("leave-behind", "public", "the one-page leave-behind", pages=1),
    DocumentType("letter", "public", "the coalition's open letter", pages=2, mail_merge=True, needs_letter=True,
                 fits_tighter=True),
    # Officials only: it reissues notes, which hold what only officials may see.
    DocumentType("addendum", "officials", "what changed since an earlier version of the brief, and the notes "
                 "that changed, reissued", addendum=True),
    DocumentType("note", "officials", "each issue note on its own (build --split-notes)", per_issue=True,
                 folder="notes"),
)}


def document(document_id: str) -> DocumentType:
    """The declaration of ``document_id``; KeyError for an id that names no document."""
    return DOCUMENTS[document_id]


def default_budgets() -> dict[str, int]:
    """The page budgets in force when a brief sets none: by document id and by section budget."""
    budgets = {document.id: document.pages for document in DOCUMENTS.values() if document.pages}
    budgets.update((section.budget, section.pages) for document in DOCUMENTS.values()
                   for section in document.sections if section.budget and section.pages)
    return budgets


def budget_names() -> list[str]:
    """What a brief's ``page_budgets`` may limit: every document, then every section budget."""
    names = listable()
    names += [section.budget for document in DOCUMENTS.values() for section in document.sections
              if section.budget and section.budget not in names]
    return names


def listable() -> list[str]:
    """The documents a brief may list under ``documents``: all but the addendum, which ``--since`` makes,
    and the notes on their own, which ``--split-notes`` makes."""
    return [document.id for document in DOCUMENTS.values() if not document.addendum and not document.per_issue]


def per_issue_documents() -> list[DocumentType]:
    """The documents made once per issue, on request (the notes of ``--split-notes``)."""
    return [document for document in DOCUMENTS.values() if document.per_issue]


def addendum() -> DocumentType:
    """The document that ``build --since`` makes."""
    return next(document for document in DOCUMENTS.values() if document.addendum)


def mail_merged() -> DocumentType:
    """The document that ``briefgen letters`` mail-merges."""
    return next(document for document in DOCUMENTS.values() if document.mail_merge)
