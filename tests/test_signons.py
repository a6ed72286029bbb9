"""A sign-on list beside the brief (``sign_ons: FILE``, CSV or .xlsx): its rows sign the letter
after ``letter.signed_by``, a person as an individual ("Jane Doe, Director, Org, City"), an
organisation alone as an organization; every bad row reported as ``FILE:LINE: column: message``;
the list an input of the build; and a letter with 40 sign-ons still laid out on its pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefgen.commands.validate import validate
from conftest import LETTER_BRIEF, docx_text, pdf_pages, pdf_text, run_briefgen, write_brief

#: What a French-locale spreadsheet saves from a sign-on form: a BOM, semicolons, its own headers
#: and columns that are not printed (timestamp, e-mail).
FORM_EXPORT = ("\ufeffHorodateur;Full Name;Organisation (if any);Job title;Town;Email\r\n"
               "2026-01-02;Jane Doe;Amnesty International Canada;Director;Ottawa;jane@example.org\r\n"
               ";;;;;\r\n"
               "2026-01-03;;Hong Kong Watch;;Toronto;info@example.org\r\n"
               "2026-01-04;Marie Côté;;;Montréal;marie@example.org\r\n")


def brief_with(folder: Path, sign_ons: str | None = "signons.csv", **changes) -> Path:
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    data["documents"] = ["letter"]
    if sign_ons is not None:
        data["sign_ons"] = sign_ons
    return write_brief(folder, {**data, **changes})


def problems(brief: Path) -> list[str]:
    return [str(problem) for problem in validate([brief]).problems]


def test_the_rows_of_a_form_export_sign_the_letter_after_its_signatories(tmp_path: Path) -> None:
    (tmp_path / "signons.csv").write_text(FORM_EXPORT, encoding="utf-8", newline="")
    brief = brief_with(tmp_path)
    assert problems(brief) == []
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "all")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "letter-test"
    expected = ("Signed by 2 organizations and 2 individuals: • A Group • Jane Doe, Director, Amnesty International "
                "Canada, Ottawa • Hong Kong Watch, Toronto • Marie Côté, Montréal Contact:")
    assert expected in pdf_text(out / "letter.pdf")
    assert expected.replace("• ", "") in docx_text(out / "letter.docx")
    french = pdf_text(out / "letter.fr.pdf")
    assert "Signée par 2 organisations et 2 personnes : • A Group • Jane Doe, Director" in french
    assert "example.org" not in pdf_text(out / "letter.pdf").replace("casey@coalition.example", "")


def test_a_workbook_is_read_like_a_csv_file(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["First name", "Last name", "Organization", "City"], ["Jane", "Doe", "Org", "Ottawa"],
                [None, None, "Hong Kong Watch", None], ["Jane", "Doe", "org", None]):
        sheet.append(row)
    workbook.save(tmp_path / "signons.xlsx")
    brief = brief_with(tmp_path, "signons.xlsx")
    assert problems(brief) == [f"{tmp_path}/signons.xlsx:4: name: 'Jane Doe, org' is listed twice (first on line 2); "
                               "delete one of the rows"]
    workbook.active.delete_rows(4)
    workbook.save(tmp_path / "signons.xlsx")
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "html")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "letter-test" / "letter.html").read_text(encoding="utf-8")
    assert "<li>Jane Doe, Org, Ottawa</li>" in html
    assert "<li>Hong Kong Watch</li>" in html


@pytest.mark.parametrize(("content", "expected"), [
    ("name,organization\nJane Doe,Org\n,\n ,  \n\n", None),  # empty rows are skipped
    ("name,organization,city\nJane Doe,Org,Ottawa\n,,Toronto\n",
     ["signons.csv:3: name: the row has neither a name nor an organization; fill one in or delete the row"]),
    ("name,organization\nJane Doe,Org\nJohn Roe,\njane  doe,ORG\nA Group,\n",
     ["signons.csv:4: name: 'jane doe, ORG' is listed twice (first on line 2); delete one of the rows"]),
    (",organization\n,A Group\n",
     ["signons.csv:2: organization: 'A Group' signs the letter already (letter.signed_by); delete the row"]),
    ("nmae,organisaton\nJane,Org\n",
     ["signons.csv:1: nmae: unknown column; did you mean 'name'?",
      "signons.csv:1: organisaton: unknown column; did you mean 'organization'?"]),
    ("email,phone\njane@example.org,1\n",
     ["signons.csv:1: the header row names no name or organization column; the columns are name, organization, "
      "title, city"]),
    ('name,organization\n"Jane\nDoe",Org\n',
     ["signons.csv:2: name: must be on one line; remove the line break (U+000A) in it"]),
    ("name,city\nJane Doe,Ottawa \ue000\n",
     ["signons.csv:2: city: U+E000 PRIVATE USE CHARACTER is covered by no installed font; it is a private-use "
      "character: replace it"]),
])
def test_bad_rows_are_reported_file_line_column(tmp_path: Path, monkeypatch, content: str,
                                                expected: list[str] | None) -> None:
    (tmp_path / "signons.csv").write_text(content, encoding="utf-8")
    brief_with(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert problems(Path("brief.yaml")) == (expected or [])


def test_a_file_not_in_utf8_names_its_line(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "signons.csv").write_bytes("name,organization\nJane Doe,Org\nMarie Côté,Org\n".encode("cp1252"))
    monkeypatch.chdir(tmp_path)
    brief_with(tmp_path)
    assert problems(Path("brief.yaml")) == [
        "signons.csv:3: the file is not UTF-8 text; save it as 'CSV UTF-8 (Comma delimited)'"]


@pytest.mark.parametrize(("given", "message"), [
    ("../signons.csv", "'../signons.csv' is outside the brief's folder; put the sign-on list beside the brief"),
    ("missing.csv", "'missing.csv': no such file in the brief's folder ({folder})"),
    ("signons.txt", "'signons.txt' is not a .csv or .xlsx file; export the sign-on list as CSV UTF-8 or .xlsx"),
])
def test_the_file_is_a_csv_or_workbook_in_the_briefs_folder(tmp_path: Path, given: str, message: str) -> None:
    folder = tmp_path / "brief"
    folder.mkdir()
    (tmp_path / "signons.csv").write_text("name\nJane Doe\n", encoding="utf-8")
    (folder / "signons.txt").write_text("name\nJane Doe\n", encoding="utf-8")
    brief = brief_with(folder, given)
    lines = brief.read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, start=1) if text.startswith("sign_ons:"))
    assert problems(brief) == [f"{brief}:{line}:11: sign_ons: {message.format(folder=folder.resolve())}"]


def test_a_changed_sign_on_list_builds_again_and_an_unchanged_one_does_not(tmp_path: Path) -> None:
    (tmp_path / "signons.csv").write_text("name\nJane Doe\n", encoding="utf-8")
    brief = brief_with(tmp_path)

    def build() -> str:
        result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "html")
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "wrote" in build()
    assert build().startswith("up to date:")
    (tmp_path / "signons.csv").write_text("name\nJane Doe\nJohn Roe\n", encoding="utf-8")
    assert "wrote" in build()
    assert "John Roe" in (tmp_path / "out" / "letter-test" / "letter.html").read_text(encoding="utf-8")
    assert build().startswith("up to date:")


def test_forty_sign_ons_keep_the_letter_and_the_leave_behind_on_their_pages(tmp_path: Path) -> None:
    rows = ["name,organization,title,city"] + [
        f",Organisation Number {i},,Toronto" if i % 2 == 0 else f"Person {i} Surname,Org {i},Director,Montréal"
        for i in range(40)]
    (tmp_path / "signons.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    brief = brief_with(tmp_path, documents=["leave-behind", "letter"])
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--lang", "all")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "letter-test"
    for name in ("letter.pdf", "letter.fr.pdf", "leave-behind.pdf", "leave-behind.fr.pdf"):
        assert pdf_pages(out / name) == 1, name
    for name in ("letter.pdf", "letter.fr.pdf"):
        assert "Person 39 Surname, Director, Org 39, Montréal" in pdf_text(out / name)
    assert "Signed by 21 organizations and 20 individuals:" in pdf_text(out / "letter.pdf")
    assert "Person 39 Surname, Director, Org 39, Montréal" in docx_text(out / "letter.docx")
    # The leave-behind names a dozen organisations and counts the rest.
    assert ("Who asks 21 organizations and 20 individuals: A Group · Organisation Number 0 · "
            "Organisation Number 2") in pdf_text(out / "leave-behind.pdf")
    assert "Organisation Number 20 and 9 others Contact" in pdf_text(out / "leave-behind.pdf")
    assert "Organisation Number 20 et 9 autres Personne-ressource" in pdf_text(out / "leave-behind.fr.pdf")


def test_a_brief_without_a_letter_has_nothing_for_sign_ons_to_sign(tmp_path: Path) -> None:
    (tmp_path / "signons.csv").write_text("name\nJane Doe\n", encoding="utf-8")
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    del data["letter"]
    brief = write_brief(tmp_path, {**data, "sign_ons": "signons.csv"})
    (problem,) = problems(brief)
    assert problem.endswith(": sign_ons: a sign-on list signs the letter, but the brief has no letter")


def test_validate_prints_the_bad_rows_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "signons.csv").write_text("name,organization\n,\nJane Doe,\n,,\n ,Org\nJane Doe,\n",
                                          encoding="utf-8")
    result = run_briefgen("validate", "brief.yaml", cwd=brief_with(tmp_path).parent)
    assert result.returncode == 2
    assert result.stderr == ("signons.csv:6: name: 'Jane Doe' is listed twice (first on line 3); "
                             "delete one of the rows\n")
    assert result.stdout == ""
