"""Synthetic briefs of any size, for the benchmarks.

The text is placeholder prose of realistic length; it states nothing about the world.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SENTENCE = ("This placeholder sentence stands for a line of a briefing note of ordinary length, "
            "written to give the layout engine realistic work.")


def paragraph(sentences: int) -> str:
    """Placeholder prose of ``sentences`` sentences."""
    return " ".join([SENTENCE] * sentences)


def synthetic_brief(issues: int) -> dict:
    """A valid brief with ``issues`` issues, each a one-page note with facts, asks and points."""
    return {
        "briefgen": 1, "id": f"synthetic-{issues}", "title": f"Synthetic brief with {issues} issues",
        "subtitle": "Benchmark", "date": "2026-01-13", "language": "en",
        "prepared_by": {"organization": "Benchmark Office", "contact": {"name": "A. Person", "email": "a@example.org"}},
        "visit": {"principal": {"name": "A. Principal", "title": "Prime Minister"}, "host": "Testland",
                  "start": "2026-01-13", "end": "2026-01-17", "places": ["Capital"], "purpose": paragraph(3)},
        "issues": [{
            "id": f"issue-{n}", "title": f"Issue number {n}", "priority": "medium",
            "summary": paragraph(2), "background": paragraph(4), "current_status": paragraph(2),
            "facts": [{"text": paragraph(1), "sources": ["source"]} for _ in range(3)],
            "points_to_make": [paragraph(1)] * 2, "recommendation": paragraph(1),
        } for n in range(1, issues + 1)],
        "asks": [{"id": f"ask-{n}", "issue": f"issue-{n}", "text": paragraph(1), "of": "Prime Minister",
                  "by": ["group"]} for n in range(1, issues + 1)],
        "signatories": [{"id": "group", "name": "A Group"}],
        "letter": {"to": {"name": "The Prime Minister", "title": "Prime Minister", "address": ["1 Street", "City"]},
                   "subject": "Our asks", "salutation": "Dear Prime Minister,", "opening": paragraph(2),
                   "body": paragraph(3), "asks": ["ask-1"], "signed_by": ["group"],
                   "contact": {"name": "A. Person", "email": "a@example.org"}},
        "sources": [{"id": "source", "title": "A source", "author": "An Author", "date": "2026-01-13"}],
        # The leave-behind lists every issue: a synthetic brief of many issues needs more than a page.
        "page_budgets": {"leave-behind": 1000},
    }


def write_synthetic_brief(folder: Path, issues: int) -> Path:
    """Write :func:`synthetic_brief` to ``folder`` and return its path."""
    path = folder / f"synthetic-{issues}.yaml"
    path.write_text(yaml.safe_dump(synthetic_brief(issues), sort_keys=False), encoding="utf-8")
    return path
