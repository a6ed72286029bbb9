"""A long bilingual brief of invented prose, for the tests of pagination and typography.

Every word is made up from a fixed seed (the brief states nothing about the world), with
words of varied length in each language, so that lines break as in real text and the two
formats have real line-breaking work: a programme, many issues with facts citing several
sources, responsive lines, people, counterparts, many asks and a long signatory list of
organisations and individuals.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

_EN = ("the government delegation report minister community rights freedom detention families "
       "consultation international obligation dialogue representatives language culture schools "
       "organisations regional economic agreement commitment public statement human protection "
       "of and to in with for on by a that its their has have been under across between").split()
_FR = ("le gouvernement délégation rapport ministre communauté droits liberté détention familles "
       "consultation internationale obligation dialogue représentants langue culture écoles "
       "organisations régionale économique accord engagement public déclaration humaine protection "
       "de et à dans avec pour sur par une que ses leurs a ont été sous entre auprès").split()


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(length))
    return text[0].upper() + text[1:] + "."


def _prose(rng: random.Random, sentences: int) -> dict[str, str]:
    lengths = [rng.randint(8, 24) for _ in range(sentences)]
    return {"en": " ".join(_sentence(rng, _EN, n) for n in lengths),
            "fr": " ".join(_sentence(rng, _FR, n + n // 5) for n in lengths)}


def _title(rng: random.Random, words: int) -> dict[str, str]:
    return {"en": _sentence(rng, _EN, words).rstrip("."), "fr": _sentence(rng, _FR, words + 1).rstrip(".")}


def long_brief(issues: int = 8, signatories: int = 45, seed: int = 17) -> dict:
    """The brief as data: ``issues`` issue notes and ``signatories`` signatories, the same for the same seed."""
    rng = random.Random(seed)
    sources = [{"id": f"source-{n}", "title": _title(rng, 6), "author": f"Author {n}", "publisher": "Gazette",
                "date": f"2026-0{1 + n % 8}-1{n % 9}"} for n in range(1, 13)]
    people = [{"id": f"group-{n}", "name": f"{_title(rng, 3)['en']} Network {n}",
               "kind": "individual" if n % 7 == 0 else "organization"} for n in range(1, signatories + 1)]
    note_issues = []
    for n in range(1, issues + 1):
        note_issues.append({
            "id": f"issue-{n}", "title": _title(rng, rng.randint(3, 9)), "priority": rng.choice(["high", "medium"]),
            "summary": _prose(rng, 2), "background": _prose(rng, rng.randint(3, 6)),
            "current_status": _prose(rng, 2),
            "facts": [{"text": _prose(rng, 1), "sources": rng.sample([s["id"] for s in sources], rng.randint(1, 3))}
                      for _ in range(rng.randint(2, 5))],
            "points_to_make": [_prose(rng, 1) for _ in range(rng.randint(2, 4))],
            "responsive_lines": [{"question": _prose(rng, 1), "answer": _prose(rng, rng.randint(1, 3))}
                                 for _ in range(rng.randint(1, 3))],
            "considerations": _prose(rng, 2), "recommendation": _prose(rng, 1),
            "people": [{"name": f"Person {n}-{k}", "status": _prose(rng, 1)} for k in range(rng.randint(0, 2))],
        })
    return {
        "briefgen": 1, "id": "long-brief",
        "title": {"en": "Official visit to Testland", "fr": "Visite officielle en Testland"},
        "subtitle": {"en": "Considerations for the visit", "fr": "Considérations pour la visite"},
        "date": "2026-02-10", "languages": ["en", "fr"], "classification": "UNCLASSIFIED",
        "file_number": "TL-2026-0042",
        # a leave-behind and a letter of everything this long take more pages
        "page_budgets": {"leave-behind": 2, "letter": 2, "issue-note": 3},
        "prepared_by": {"organization": "Office of Invented Affairs",
                        "contact": {"name": "A. Officer", "email": "a.officer@example.org",
                                    "phone": "+1-613-555-0100"}},
        "visit": {
            "principal": {"name": "A. Principal", "title": {"en": "Prime Minister", "fr": "Premier ministre"}},
            "host": {"en": "Republic of Testland", "fr": "République de Testland"},
            "counterparts": [{"name": f"Counterpart {k}", "title": _title(rng, 4), "bio": _prose(rng, 3)}
                             for k in range(1, 4)],
            "start": "2026-02-15", "end": "2026-02-19", "places": ["Capital City", "Port Town"],
            "purpose": _prose(rng, 3), "context": _prose(rng, 5),
            "programme": [{"date": f"2026-02-1{5 + k // 3}", "time": f"{9 + k % 3 * 3:02d}:00", "event": _title(rng, 5),
                           "place": "Capital City", "press": rng.choice(["open", "closed"])} for k in range(12)],
        },
        "issues": note_issues,
        "asks": [{"id": f"ask-{n}", "issue": f"issue-{1 + n % issues}", "text": _prose(rng, 1), "of": "Prime Minister",
                  "by": [p["id"] for p in rng.sample(people, 3)]} for n in range(1, issues + 3)],
        "signatories": people,
        "letter": {
            "to": {"name": "The Prime Minister", "title": {"en": "Prime Minister", "fr": "Premier ministre"},
                   "address": ["1 Invented Street", "Capital City"]},
            "subject": _title(rng, 8),
            "salutation": {"en": "Dear Prime Minister,", "fr": "Monsieur le Premier Ministre,"},
            "opening": _prose(rng, 3), "body": _prose(rng, 6), "closing": {"en": "Sincerely,", "fr": "Cordialement,"},
            "signed_by": [p["id"] for p in people], "contact": {"name": "A. Officer", "email": "a.officer@example.org"},
        },
        "sources": sources,
    }


def write_long_brief(folder: Path, **options) -> Path:
    """Write :func:`long_brief` as ``long-brief.yaml`` in ``folder`` and return its path."""
    path = folder / "long-brief.yaml"
    path.write_text(yaml.safe_dump(long_brief(**options), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    import sys

    print(write_long_brief(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
