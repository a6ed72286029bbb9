"""The document registry (briefgen/model/registry.py): a fifth document is one entry and one
template, and everything else (validation, audience, budget, file names) follows from it."""

from __future__ import annotations

from pathlib import Path

import pytest

import briefgen
from briefgen.errors import InvalidBriefError, PageBudgetError
from briefgen.model import registry
from briefgen.model.registry import DocumentType
from conftest import docx_text, minimal_brief, pdf_pages, pdf_text, write_brief

FACT_SHEET = """{% extends "_base.html.j2" %}
{% block body %}
<h1>{{ brief.title }}: the facts</h1>
{% for issue in brief.issues %}
<h2>{{ issue.title }}</h2>
<p>{{ issue.internal_notes | default("No internal notes reach this audience.") }}</p>
{% for _ in range(repeat | default(0)) %}<p>{{ lorem }}</p>{% endfor %}
{% endfor %}
{% endblock %}
"""


@pytest.fixture
def fact_sheet(monkeypatch, tmp_path: Path) -> Path:
    """A 'fact-sheet' document for the public, declared for this test only, and its theme folder."""
    monkeypatch.setitem(registry.DOCUMENTS, "fact-sheet",
                        DocumentType("fact-sheet", "public", "one page of facts", pages=1))
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "fact-sheet.html.j2").write_text(FACT_SHEET, encoding="utf-8")
    return theme


def brief_with_fact_sheet(folder: Path, **changes) -> Path:
    data = minimal_brief()
    data["issues"][0]["internal_notes"] = "Officials only: do not share."
    data.update({"documents": ["fact-sheet", "leave-behind"], **changes})
    return write_brief(folder, data)


def test_a_document_declared_only_in_a_test_is_built_in_both_formats_for_its_audience(fact_sheet, tmp_path) -> None:
    out = tmp_path / "out"
    result = briefgen.build(brief_with_fact_sheet(tmp_path),
                            briefgen.BuildOptions(output_dir=out, templates=fact_sheet))
    assert [path.name for path in result.written] == ["leave-behind.pdf", "leave-behind.docx", "fact-sheet.pdf",
                                                      "fact-sheet.docx"]
    for text in (pdf_text(out / "minimal" / "fact-sheet.pdf"), docx_text(out / "minimal" / "fact-sheet.docx")):
        assert "Minimal brief: the facts First issue No internal notes reach this audience." in text
        assert "do not share" not in text
    assert pdf_pages(out / "minimal" / "fact-sheet.pdf") == 1


def test_its_page_budget_comes_from_its_entry_and_a_brief_may_change_it(fact_sheet, tmp_path) -> None:
    long = {"lorem": "Many words about the facts. " * 40}
    theme_vars = fact_sheet / "fact-sheet.html.j2"
    theme_vars.write_text("{% set repeat = 30 %}{% set lorem = '" + long["lorem"] + "' %}" + FACT_SHEET,
                          encoding="utf-8")
    options = briefgen.BuildOptions(output_dir=tmp_path / "out", templates=fact_sheet, formats=("pdf",))
    with pytest.raises(PageBudgetError, match=r"^[^:]+/brief\.yaml:1:1: fact-sheet\.pdf is \d+ pages, over its budget "
                                              r"of 1 \(the default\): shorten its texts, or allow it more pages in "
                                              r"the brief \(page_budgets: \{fact-sheet: \d+\}\)$"):
        briefgen.build(brief_with_fact_sheet(tmp_path), options)
    assert not (tmp_path / "out").exists()
    result = briefgen.build(brief_with_fact_sheet(tmp_path, page_budgets={"fact-sheet": 50}), options)
    (fact_sheet_pdf,) = [file for file in result.files if file.document_id == "fact-sheet"]
    assert fact_sheet_pdf.pages > 1


def test_a_brief_may_name_only_the_documents_of_the_registry(fact_sheet, tmp_path, monkeypatch) -> None:
    brief = brief_with_fact_sheet(tmp_path)
    assert briefgen.validate([brief]).valid
    monkeypatch.delitem(registry.DOCUMENTS, "fact-sheet")
    with pytest.raises(InvalidBriefError) as raised:
        briefgen.build(brief)
    assert str(raised.value).endswith("documents[0]: 'fact-sheet' is not one of: 'briefing-pack', "
                                      "'delegation-pack', 'leave-behind', 'letter'")


def test_the_defaults_follow_from_the_entries() -> None:
    assert registry.default_budgets() == {"leave-behind": 1, "letter": 2, "issue-note": 2}
    assert registry.budget_names() == ["briefing-pack", "delegation-pack", "leave-behind", "letter", "issue-note"]
    assert registry.mail_merged().id == "letter"
    assert [document.template for document in registry.DOCUMENTS.values()] == [
        "briefing-pack.html.j2", "delegation-pack.html.j2", "leave-behind.html.j2", "letter.html.j2",
        "addendum.html.j2", "note.html.j2"]
    # The addendum, which only build --since makes, is no document a brief lists or budgets; nor are
    # the notes on their own, which only build --split-notes makes, once per issue.
    assert registry.addendum().id == "addendum" and "addendum" not in registry.listable()
    assert registry.listable() == ["briefing-pack", "delegation-pack", "leave-behind", "letter"]
    assert [document.id for document in registry.per_issue_documents()] == ["note"]
