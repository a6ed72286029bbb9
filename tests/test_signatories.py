"""Signatories counted as campaigns count them: organisations (a coalition is one) apart from
individuals, in the letter, the leave-behind's "Who asks" and the packs' signatory annexes, in
English and French; a coalition's members as a real footnote to its name, in both formats.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefgen.commands.validate import validate
from conftest import LETTER_BRIEF, docx_text, docx_xml, pdf_text, run_briefgen, write_brief

MEMBERS = ["Canada Tibet Committee", "Hong Kong Watch", "Uyghur Rights Advocacy Project"]


def signed_brief() -> dict:
    """The letters' brief signed by an organisation, a coalition with members and an individual."""
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    data["signatories"] = [
        {"id": "group", "name": "A Group"},
        {"id": "cchrc", "name": "Canadian Coalition on Human Rights in China", "kind": "coalition",
         "members": MEMBERS},
        {"id": "jane", "name": "Jane Doe", "kind": "individual"},
    ]
    data["letter"]["signed_by"] = ["group", "cchrc", "jane"]
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Every document of :func:`signed_brief` in English and French, PDF and .docx."""
    folder = tmp_path_factory.mktemp("signed")
    brief = write_brief(folder, signed_brief())
    result = run_briefgen("build", str(brief), "-o", str(folder / "out"), "--lang", "all")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letter-test"


def test_the_letter_counts_organizations_and_individuals_apart_in_both_formats(built: Path) -> None:
    for name in ("letter.pdf", "letter.docx"):
        text = pdf_text(built / name) if name.endswith(".pdf") else docx_text(built / name)
        assert "Signed by 2 organizations and 1 individual:" in text, name
        assert "Signed by 3 organizations" not in text
    french = pdf_text(built / "letter.fr.pdf")
    assert "Signée par 2 organisations et 1 personne :" in french
    assert "Signée par 2 organisations et 1 personne :" in docx_text(built / "letter.fr.docx")


def test_a_coalitions_members_are_a_footnote_to_its_name(built: Path) -> None:
    members = f"Members: {', '.join(MEMBERS)}."
    text = pdf_text(built / "letter.pdf")
    # The call follows the name; the note is at the foot of the page, after the contact.
    assert "Canadian Coalition on Human Rights in China1" in text
    assert text.index(members) > text.index("Contact: Casey Contact")
    assert f"Membres : {', '.join(MEMBERS)}." in pdf_text(built / "letter.fr.pdf")
    xml = docx_xml(built / "letter.docx")
    footnotes = xml[xml.index("<w:footnotes"):]
    assert members in footnotes.replace("</w:t></w:r><w:r><w:t>", "")
    assert "w:footnoteReference" in xml
    assert members not in docx_text(built / "letter.docx")  # in the footnotes, not the body


def test_who_asks_and_the_annexes_count_the_same_way(built: Path) -> None:
    leave_behind = pdf_text(built / "leave-behind.pdf")
    assert ("Who asks 2 organizations and 1 individual: A Group · Canadian Coalition on Human Rights in China "
            "Contact") in leave_behind
    assert "Jane Doe" not in leave_behind  # one page: the individuals are counted, not named
    assert "Qui demande 2 organisations et 1 personne : A Group · Canadian Coalition" in \
        pdf_text(built / "leave-behind.fr.pdf")
    for pack in ("briefing-pack", "delegation-pack"):
        text = pdf_text(built / f"{pack}.pdf")
        annex = text[text.rindex("Annex B: Signatories"):]
        assert annex.startswith("Annex B: Signatories 2 organizations and 1 individual • A Group • Canadian "
                                "Coalition on Human Rights in China"), pack
        assert "Jane Doe" in annex
        french = pdf_text(built / f"{pack}.fr.pdf")
        assert "2 organisations et 1 personne" in french[french.rindex("Signataires"):]


def test_only_individuals_and_only_organizations_are_said_so(tmp_path: Path) -> None:
    data = signed_brief()
    data["signatories"] = [{"id": "jane", "name": "Jane Doe", "kind": "individual"},
                           {"id": "john", "name": "John Roe", "kind": "individual"}]
    data["letter"]["signed_by"] = ["jane", "john"]
    data["asks"] = [{**ask, "by": ["jane"]} for ask in data["asks"]]
    data["documents"] = ["letter"]
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "all", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert "Signed by 2 individuals: • Jane Doe • John Roe" in pdf_text(tmp_path / "out/letter-test/letter.pdf")
    assert "Signée par 2 personnes : • Jane Doe" in pdf_text(tmp_path / "out/letter-test/letter.fr.pdf")


def test_members_belong_to_a_coalition(tmp_path: Path) -> None:
    data = signed_brief()
    data["signatories"][0]["members"] = ["Someone"]
    brief = write_brief(tmp_path, data)
    (problem,) = validate([brief]).problems
    assert str(problem).endswith(": signatories[0].members: only a coalition has members; add kind: coalition")
