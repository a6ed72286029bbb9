"""What laying out a brief's documents needs to know of the brief, without its typed model.

The process that lays out the PDFs needs only the brief's id, the language its files are named
without, its page budgets and its issues' ids: the HTML is made where the brief was loaded. So
the layout imports neither pydantic nor the model, and a worker is sent these few values rather
than the whole brief.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BriefFacts:
    """The few facts of a brief its documents are laid out and checked with."""

    #: The brief's id: the folder its documents go in.
    id: str
    #: The language whose files carry no language tag (``letter.pdf``, not ``letter.en.pdf``).
    unnamed_language: str
    #: The page budgets in force, by document or section budget.
    budgets: dict[str, int]
    #: The ids of its issues, in order: the anchors of their notes.
    issue_ids: tuple[str, ...]
