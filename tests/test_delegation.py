"""The delegation on the delegation pack's meeting sheet: who attends, and who says what (the
lead opens, makes the asks and closes; each issue its speakers; the notes and follow-up), in
English and French; without a delegation the row is left out. Delegates' issues are validated.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from briefgen.commands.validate import validate
from conftest import LETTER_BRIEF, docx_text, pdf_text, run_briefgen, write_brief

DELEGATION = [
    {"name": "Jane Doe", "organization": "Amnesty International Canada", "role": "lead"},
    {"name": "Li Wei", "organization": {"en": "Canada Tibet Committee", "fr": "Comité Canada-Tibet"},
     "role": "speaks", "issues": ["first-issue"]},
    {"name": "Sam Roe", "role": "notes"},
    {"name": "Pat Poe", "organization": "Hong Kong Watch"},
]


def brief_data(**changes) -> dict:
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    data["documents"] = ["delegation-pack"]
    return {**data, **changes}


def meeting_sheet(text: str) -> str:
    return text[text.index("Meeting sheet"):text.index("Prepared by")]


def test_the_meeting_sheet_shows_who_attends_and_who_says_what(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, brief_data(delegation=DELEGATION))
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "all")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "letter-test"
    expected = ("Delegation Jane Doe, Amnesty International Canada Li Wei, Canada Tibet Committee Sam Roe "
                "Pat Poe, Hong Kong Watch Who says what Opening, the asks and closing: Jane Doe "
                "First issue: Li Wei Notes and follow-up: Sam Roe")
    assert expected in meeting_sheet(pdf_text(out / "delegation-pack.pdf"))
    assert expected in docx_text(out / "delegation-pack.docx")
    french = ("Délégation Jane Doe, Amnesty International Canada Li Wei, Comité Canada-Tibet Sam Roe "
              "Pat Poe, Hong Kong Watch Qui dit quoi Ouverture, demandes et conclusion : Jane Doe "
              "Premier enjeu : Li Wei Notes et suivi : Sam Roe")
    assert french in pdf_text(out / "delegation-pack.fr.pdf").replace("Fiche de rencontre", "Meeting sheet") \
        .replace("Préparé par", "Prepared by")


def test_without_a_delegation_the_row_is_left_out(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, brief_data())
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    sheet = meeting_sheet(pdf_text(tmp_path / "out" / "letter-test" / "delegation-pack.pdf"))
    assert "Delegation" not in sheet
    assert "Who says what" not in sheet
    assert "A Group" not in sheet  # the signatories are not the delegation


def test_a_delegates_issues_are_checked(tmp_path: Path) -> None:
    delegation = [{"name": "Li Wei", "role": "speaks", "issues": ["frist-issue"]},
                  {"name": "Sam Roe", "role": "speaks"},
                  {"name": "Pat Poe", "role": "chair"}]
    brief = write_brief(tmp_path, brief_data(delegation=delegation))
    messages = [f"{problem.key_path}: {problem.message}" for problem in validate([brief]).problems]
    assert messages == [
        "delegation[0].issues[0]: no issue has the id 'frist-issue'; did you mean 'first-issue'?",
        "delegation[1].role: a delegate who speaks needs the issues they speak on: issues: [issue-id]",
        "delegation[2].role: 'chair' is not one of: 'lead', 'speaks', 'notes', 'attends'",
    ]
