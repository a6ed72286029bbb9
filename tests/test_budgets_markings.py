"""Page budgets, security markings, and warnings about the brief.

Budgets are measured on the laid-out PDF; a document over budget fails the build with
exit 1 and leaves earlier outputs exactly as they were.
"""

from __future__ import annotations

from pathlib import Path

import docx

from conftest import docx_xml, line_starting, minimal_brief, pdf_pages, pdf_text, run_briefgen, write_brief

LONG_PARAGRAPH = " ".join(["This sentence makes the background longer than a note should be."] * 12)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_an_issue_note_over_budget_fails_and_leaves_earlier_outputs_untouched(tmp_path: Path) -> None:
    data = minimal_brief()
    out = tmp_path / "out"
    assert run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(out)).returncode == 0
    before = snapshot(out)

    data["issues"][0]["background"] = "\n\n".join([LONG_PARAGRAPH] * 12)
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(out))
    assert result.returncode == 1
    brief = tmp_path / "brief.yaml"
    line = line_starting(brief, "  background: ")
    assert result.stderr == (
        f"{brief}:{line}:15: issues[0].background: briefing-pack.pdf: the note on issue 'first-issue' is 3 pages, "
        "over its budget of 2 (the default); this is its longest text (9,370 characters): shorten it, or allow "
        "more pages in the brief (page_budgets: {issue-note: 3})\n")
    assert result.stdout == ""
    assert snapshot(out) == before


def test_a_brief_can_raise_a_budget(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"][0]["background"] = "\n\n".join([LONG_PARAGRAPH] * 12)
    data["page_budgets"] = {"issue-note": 3}
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr


def test_a_document_over_budget_names_the_document(tmp_path: Path) -> None:
    data = minimal_brief()
    data["letter"] = {"to": {"name": "The Prime Minister"}, "subject": "Our asks",
                      "salutation": "Dear Prime Minister,", "body": "\n\n".join([LONG_PARAGRAPH] * 4)}
    data["page_budgets"] = {"letter": 1}
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    brief = tmp_path / "brief.yaml"
    line = line_starting(brief, "  body: ")
    assert result.stderr == (
        f"{brief}:{line}:9: letter.body: letter.pdf is 2 pages, over its budget of 1; this is its longest text "
        "(3,122 characters): shorten it, or allow more pages in the brief (page_budgets: {letter: 2})\n")
    assert not (tmp_path / "out").exists()


def test_protected_a_is_on_every_page_of_the_pack_in_both_formats(tmp_path: Path) -> None:
    data = minimal_brief()
    data["classification"] = "PROTECTED A"
    out = tmp_path / "out"
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(out))
    assert result.returncode == 0, result.stderr
    pack = out / "minimal" / "briefing-pack.pdf"
    for page in range(1, pdf_pages(pack) + 1):
        assert pdf_text(pack, page=page).count("PROTECTED A") >= 2, f"page {page}"
    document = docx.Document(str(out / "minimal" / "briefing-pack.docx"))
    for section in document.sections:
        assert "PROTECTED A" in section.header.paragraphs[0].text
        assert any("PROTECTED A" in p.text for p in section.footer.paragraphs)
    for public in ("leave-behind",):
        assert "PROTECTED A" not in pdf_text(out / "minimal" / f"{public}.pdf")
        assert "PROTECTED A" not in docx_xml(out / "minimal" / f"{public}.docx")


def test_a_public_marking_goes_on_the_public_documents(tmp_path: Path) -> None:
    data = minimal_brief()
    data["public_marking"] = "EMBARGOED UNTIL 2026-01-13"
    out = tmp_path / "out"
    assert run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(out)).returncode == 0
    assert "EMBARGOED UNTIL 2026-01-13" in pdf_text(out / "minimal" / "leave-behind.pdf")
    assert "EMBARGOED UNTIL 2026-01-13" in docx_xml(out / "minimal" / "leave-behind.docx")
    assert "EMBARGOED" not in pdf_text(out / "minimal" / "briefing-pack.pdf")


def test_a_source_nobody_cites_is_a_warning_and_strict_makes_it_fail(tmp_path: Path) -> None:
    data = minimal_brief()
    data["sources"].append({"id": "unused", "title": "Nobody cites this"})
    brief = write_brief(tmp_path, data)
    warning = f"{brief}:34:3: sources[1]: warning: source 'unused' is not cited by any fact\n"

    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "html")
    assert result.returncode == 0
    assert result.stderr == warning

    strict = run_briefgen("build", str(brief), "-o", str(tmp_path / "strict"), "--strict")
    assert strict.returncode == 1
    assert strict.stderr == warning + "1 warning and --strict given: nothing written\n"
    assert not (tmp_path / "strict").exists()


def test_documents_picks_a_subset(tmp_path: Path) -> None:
    data = minimal_brief()
    data["documents"] = ["leave-behind"]
    out = tmp_path / "out"
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (out / "minimal").iterdir()) == [
        ".briefgen-build.json", "leave-behind.docx", "leave-behind.pdf"]


def test_a_french_note_over_the_briefs_own_budget_points_at_its_french_text(tmp_path: Path) -> None:
    data = minimal_brief()
    data["languages"] = ["en", "fr"]
    data["issues"][0]["background"] = {"en": "Short.", "fr": "\n\n".join([LONG_PARAGRAPH] * 6)}
    data["page_budgets"] = {"issue-note": 1}
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "fr", "--format", "pdf")
    assert result.returncode == 1
    line = line_starting(brief, "    fr: ")
    assert result.stderr == (
        f"{brief}:{line}:9: issues[0].background.fr: briefing-pack.fr.pdf: the note on issue 'first-issue' is 2 "
        "pages, over its budget of 1; this is its longest text (4,684 characters): shorten it, or allow more pages "
        "in the brief (page_budgets: {issue-note: 2})\n")
