"""No empty sections: a brief without issues or asks gets no heading with nothing under it, in
any document or format, and its annexes are lettered in order from A."""

from __future__ import annotations

from pathlib import Path

from conftest import docx_text, minimal_brief, normalise, pdf_text, run_briefgen, write_brief

DOCUMENTS = ("briefing-pack", "delegation-pack", "leave-behind", "letter")


def test_a_brief_without_issues_or_asks_has_no_empty_section_and_letters_its_annexes_in_order(
        tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"], data["asks"] = [], []
    data["letter"] = {"to": {"name": "The Prime Minister"}, "subject": "Our concerns",
                      "salutation": "Dear Prime Minister,", "opening": "We write to you.", "closing": "Sincerely,",
                      "signed_by": ["group"]}
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf,docx")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "minimal"
    texts = {(document, kind): normalise(pdf_text(folder / f"{document}.pdf") if kind == "pdf"
                                         else docx_text(folder / f"{document}.docx"))
             for document in DOCUMENTS for kind in ("pdf", "docx")}
    for (document, kind), text in texts.items():
        for empty in ("The issues in brief", "Talking points", "What we ask", "We urge you to", "Annex D"):
            assert empty not in text, (document, kind, empty)
    for kind in ("pdf", "docx"):
        pack = texts["briefing-pack", kind]
        # Contents and headings: the signatories, the sources and the letter, lettered A, B, C.
        assert pack.count("Annex A: Signatories") == 2 and pack.count("Annex B: Sources") == 2
        assert pack.count("Annex C: The letter") == 2
        assert "Asks" not in pack
        delegation = texts["delegation-pack", kind]
        assert "Annex A: The letter" in delegation and "Annex B: Signatories" in delegation
        assert "Our asks" not in delegation


def test_a_pack_without_a_letter_or_signatories_letters_its_annexes_from_a(tmp_path: Path) -> None:
    data = minimal_brief()
    data["asks"][0]["by"] = []
    data["signatories"] = []
    data["documents"] = ["briefing-pack"]
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf", "--lang", "en")
    assert result.returncode == 0, result.stderr
    text = normalise(pdf_text(tmp_path / "out" / "minimal" / "briefing-pack.pdf"))
    assert text.count("Annex A: Asks") == 2 and text.count("Annex B: Sources") == 2
    assert "Annex C" not in text and "Signatories" not in text
