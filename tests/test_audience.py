"""Internal fields reach the officials' pack and nothing else, whatever the template does.

Sentinel strings in every internal field are searched for in every output of every
document: PDF text, the .docx XML and the HTML.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.model.brief import Brief
from briefgen.model.registry import DOCUMENTS
from briefgen.view.context import build_context
from conftest import docx_xml, minimal_brief, pdf_text, run_briefgen, write_brief

SENTINELS = {
    "internal_notes": "SENTINELNOTES",
    "considerations": "SENTINELCONSIDER",
    "question": "SENTINELQUESTION",
    "answer": "SENTINELANSWER",
}


def brief_with_internal_text() -> dict:
    data = minimal_brief()
    issue = data["issues"][0]
    issue["internal_notes"] = f"Keep this inside: {SENTINELS['internal_notes']}."
    issue["considerations"] = f"Weigh {SENTINELS['considerations']} carefully."
    issue["responsive_lines"] = [{"question": f"What about {SENTINELS['question']}?",
                                  "answer": f"We reply {SENTINELS['answer']}."}]
    data["letter"] = {"to": {"name": "The Prime Minister"}, "subject": "Our asks",
                      "salutation": "Dear Prime Minister,", "signed_by": ["group"]}
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("audience")
    brief = write_brief(folder, brief_with_internal_text())
    result = run_briefgen("build", str(brief), "-o", str(folder / "out"), "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "minimal"


def outputs(folder: Path, document: str) -> dict[str, str]:
    return {"pdf": pdf_text(folder / f"{document}.pdf"),
            "docx": docx_xml(folder / f"{document}.docx"),
            "html": (folder / f"{document}.html").read_text(encoding="utf-8")}


def test_the_officials_pack_shows_every_internal_field(built) -> None:
    for form, text in outputs(built, "briefing-pack").items():
        for sentinel in SENTINELS.values():
            assert sentinel in text, (form, sentinel)


@pytest.mark.parametrize("document", ["delegation-pack", "leave-behind", "letter"])
def test_no_other_document_contains_any_internal_text(built, document) -> None:
    for form, text in outputs(built, document).items():
        for sentinel in SENTINELS.values():
            assert sentinel not in text, (document, form, sentinel)


def test_the_context_of_other_audiences_does_not_contain_internal_fields_at_all() -> None:
    brief = Brief.model_validate(brief_with_internal_text())
    internal = {name for name, info in type(brief.issues[0]).model_fields.items()
                if (info.json_schema_extra or {}).get("internal")}
    assert internal == {"internal_notes", "considerations", "responsive_lines"}
    for document, audience in ((declared.id, declared.audience) for declared in DOCUMENTS.values()):
        issue = build_context(brief, document)["brief"]["issues"][0]
        assert (internal <= issue.keys()) == (audience == "officials"), document


def test_a_custom_template_cannot_reach_internal_fields(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, brief_with_internal_text())
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "letter.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block body %}<h1>Leak</h1>'
        "<p>{{ brief.issues[0].internal_notes }}</p>{% endblock %}", encoding="utf-8")
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--templates", str(theme))
    assert result.returncode == 1
    assert result.stderr == "letter.html.j2:1: 'dict object' has no attribute 'internal_notes'\n"
    assert not (tmp_path / "out").exists()
