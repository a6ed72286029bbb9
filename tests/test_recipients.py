"""Recipients files: every bad row located as FILE:LINE: column: message, exit 2, nothing written.

One fixture per failure mode under tests/fixtures/recipients/, each with the exact stderr of
`briefgen letters` in a file of the same name ending in .expected.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import InvalidRecipientsError
from briefgen.load.columns import parse_columns
from briefgen.load.recipients import Recipient, load_recipients, parse_where, read_recipients
from conftest import FIXTURES, ROOT

LETTER_BRIEF = FIXTURES / "letter-brief.yaml"
BAD = sorted(path for path in (FIXTURES / "recipients").iterdir() if path.suffix != ".expected")


@pytest.mark.parametrize("recipients", BAD, ids=[path.name for path in BAD])
def test_each_bad_recipients_file_gets_its_exact_located_message(recipients: Path, tmp_path: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["letters", str(LETTER_BRIEF.relative_to(ROOT)), "--recipients",
                                       str(recipients.relative_to(ROOT)), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == recipients.with_suffix(".expected").read_text(encoding="utf-8")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_there_is_a_fixture_for_every_failure_mode_the_issue_names() -> None:
    assert {"bad-email", "missing-name", "unknown-language", "duplicate-email", "control-characters",
            "encoded-word-name", "line-breaks-in-cells"} <= {path.stem for path in BAD}


def test_csv_cells_become_recipients_with_address_lines_and_the_line_of_their_row(tmp_path: Path) -> None:
    path = tmp_path / "mps.csv"
    path.write_text("\ufeffName,Title,Email,Salutation,Language,Constituency,Address\n"
                    'Ann Arbour,Member of Parliament,ann@example.org,"Dear Ms Arbour,",EN,Ottawa Centre,'
                    '"House of Commons|Ottawa, Ontario K1A 0A6"\n'
                    "\n"
                    'Cleo Côté,,cleo@example.org,"Madame la députée,",fr,"Gatineau",\n'
                    "Dev Das,,dev@example.org,,,,\n", encoding="utf-8")
    assert load_recipients(path) == [
        Recipient("Ann Arbour", "ann@example.org", "Member of Parliament", "Dear Ms Arbour,", "en", "Ottawa Centre",
                  ("House of Commons", "Ottawa, Ontario K1A 0A6"), line=2),
        Recipient("Cleo Côté", "cleo@example.org", None, "Madame la députée,", "fr", "Gatineau", line=4),
        Recipient("Dev Das", "dev@example.org", line=5),
    ]


def test_a_spreadsheet_in_french_may_separate_cells_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "deputes.csv"
    path.write_text("name;email;address\nCleo Côté;cleo@example.org;Chambre des communes|Ottawa (Ontario)\n",
                    encoding="utf-8")
    assert load_recipients(path) == [Recipient("Cleo Côté", "cleo@example.org",
                                               address=("Chambre des communes", "Ottawa (Ontario)"), line=2)]


def test_yaml_items_become_recipients(tmp_path: Path) -> None:
    path = tmp_path / "mps.yaml"
    path.write_text("- name: Ann Arbour\n  email: ann@example.org\n  address: [House of Commons, Ottawa]\n"
                    "- name: Bob Roe\n  email: bob@example.org\n  address: 80 Wellington Street\n  language: fr\n",
                    encoding="utf-8")
    assert load_recipients(path) == [
        Recipient("Ann Arbour", "ann@example.org", address=("House of Commons", "Ottawa"), line=1),
        Recipient("Bob Roe", "bob@example.org", language="fr", address=("80 Wellington Street",), line=4),
    ]


def test_line_breaks_in_an_address_cell_are_its_lines_and_later_rows_keep_their_line(tmp_path: Path) -> None:
    # Excel writes Alt+Enter inside a cell as a line break in quotes; U+0085 and U+2028 end no row.
    path = tmp_path / "mps.csv"
    path.write_bytes(b"name,email,address\r\n"
                     b'Ann Arbour,ann@example.org,"House of Commons\r\nOttawa, Ontario\nK1A 0A6"\r\n'
                     b"Bob Roe,bob@example.org,80 Wellington Street|Ottawa\r\n")
    assert load_recipients(path) == [
        Recipient("Ann Arbour", "ann@example.org", address=("House of Commons", "Ottawa, Ontario", "K1A 0A6"),
                  line=2),
        Recipient("Bob Roe", "bob@example.org", address=("80 Wellington Street", "Ottawa"), line=5)]


def test_a_row_that_a_quote_left_open_makes_too_long_is_a_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "mps.csv"
    path.write_text('name,email\nAnn Arbour,ann@example.org\n"Bob Roe,bob@example.org\n' + "x" * 140_000 + "\n",
                    encoding="utf-8")
    with pytest.raises(InvalidRecipientsError) as raised:
        load_recipients(path)
    assert str(raised.value) == (f"{path}:3: cannot read the row: field larger than field limit (131072); check "
                                 "that every quoted cell ends with its quote")


def invoke_letters(recipients: Path, *options: str, brief: Path = LETTER_BRIEF, out: Path | None = None):
    """``briefgen letters`` run in this process on ``recipients`` (a file outside the repository)."""
    return CliRunner().invoke(main, ["letters", str(brief), "--recipients", str(recipients), *options,
                                     "-o", str(out or recipients.parent / "out")])


def test_the_house_of_commons_export_is_read_as_it_comes_and_its_other_columns_kept(tmp_path: Path) -> None:
    # Saved from Excel as "CSV UTF-8": a byte-order mark and CRLF; an Email column added by hand.
    path = tmp_path / "members.csv"
    path.write_bytes("\ufeffHonorific Title,First Name,Last Name,Constituency,Province / Territory,"
                     "Political Affiliation/Caucus,Email,Start Date\r\n"
                     "Hon.,Ann,Arbour,Ottawa Centre,Ontario,Liberal,ann@example.org,2025-05-26\r\n"
                     ",Jean-Yves,Côté,Gatineau,Québec,Bloc Québécois,jy@example.org,\r\n".encode())
    found = read_recipients(path)
    assert found.recipients == [
        Recipient("Ann Arbour", "ann@example.org", constituency="Ottawa Centre", line=2, honorific="Hon.",
                  first_name="Ann", last_name="Arbour", province="Ontario", party="Liberal",
                  extra=(("start_date", "2025-05-26"),)),
        Recipient("Jean-Yves Côté", "jy@example.org", constituency="Gatineau", line=3, first_name="Jean-Yves",
                  last_name="Côté", province="Québec", party="Bloc Québécois")]
    assert found.columns == ("name", "honorific", "first_name", "last_name", "constituency", "province", "party",
                             "email", "start_date")
    assert found.warnings == []


def test_represent_data_and_french_headers_are_recognised(tmp_path: Path) -> None:
    represent = tmp_path / "represent.csv"
    represent.write_text("name,first_name,last_name,elected_office,district_name,party_name,email,url\n"
                         "Ann Arbour,Ann,Arbour,MP,Ottawa Centre,Liberal,ann@example.org,https://example.org\n",
                         encoding="utf-8")
    assert read_recipients(represent).recipients == [Recipient(
        "Ann Arbour", "ann@example.org", "MP", constituency="Ottawa Centre", line=2, first_name="Ann",
        last_name="Arbour", party="Liberal", extra=(("url", "https://example.org"),))]
    french = tmp_path / "deputes.csv"
    french.write_text("Prénom;Nom;Courriel;Circonscription;Langue;Civilité\n"
                      "Cleo;Côté;cleo@example.org;Gatineau;Français;Mme\n", encoding="utf-8")
    assert read_recipients(french).recipients == [Recipient(
        "Cleo Côté", "cleo@example.org", language="fr", constituency="Gatineau", line=2, honorific="Mme",
        first_name="Cleo", last_name="Côté")]


def test_an_extra_column_is_kept_and_a_misspelt_one_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "mps.csv"
    path.write_text("name,email,Committee,Langage\nAnn Arbour,ann@example.org,Finance,en\n", encoding="utf-8")
    found = read_recipients(path)
    assert found.recipients[0].extra == (("committee", "Finance"), ("langage", "en"))
    assert [str(warning) for warning in found.warnings] == [
        f"{path}:1: Langage: warning: not a column briefgen knows, kept as the extra column {{langage}}; if it is "
        "the language, rename it or give --columns language=Langage"]
    result = invoke_letters(path, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert str(found.warnings[0]) in result.stderr


def test_columns_map_fields_to_the_columns_a_file_has(tmp_path: Path) -> None:
    path = tmp_path / "mps.csv"
    path.write_text("Député,Adresse 1,Riding\nAnn Arbour,ann@example.org,Ottawa Centre\n", encoding="utf-8")
    found = read_recipients(path, columns=parse_columns(["name=depute, email=ADRESSE 1"]))
    assert found.recipients == [Recipient("Ann Arbour", "ann@example.org", constituency="Ottawa Centre", line=2)]


@pytest.mark.parametrize(("options", "message"), [
    (["--columns", "emial=Email"], "--columns emial=Email: 'emial' is not a recipient field; use name, title, "
                                   "email, salutation, language, constituency, address, honorific, first_name, "
                                   "last_name, province, party, phone\n"),
    (["--columns", "email"], "--columns 'email': give FIELD=COLUMN, e.g. email=Courriel\n"),
    (["--columns", "email=Mail"], "{path}:1: --columns email=Mail: the file has no column 'Mail'; its columns are "
                                  "Name, E-mail, Province / Territory\n"),
    (["--where", "province"], "--where 'province': give COLUMN=VALUE, e.g. province=Quebec\n"),
    (["--where", "provinse=Quebec"], "{path}:1: --where provinse=Quebec: the file has no column 'provinse'; its "
                                     "columns are name, email, province\n"),
    (["--where", "province=Quebc"], "{path}:1: province: --where province=Quebc matches nobody: no row has "
                                    "'Quebc' in this column; it has Ontario, Québec\n"),
], ids=["bad-field", "no-equals", "no-such-column", "where-no-equals", "where-no-column", "where-nobody"])
def test_a_bad_mapping_or_choice_of_rows_is_an_exact_error(tmp_path: Path, options: list[str], message: str) -> None:
    path = tmp_path / "mps.csv"
    path.write_text("Name,E-mail,Province / Territory\nAnn Arbour,ann@example.org,Ontario\n"
                    "Cleo Côté,cleo@example.org,Québec\n", encoding="utf-8")
    result = invoke_letters(path, *options)
    assert (result.exit_code, result.stderr) == (2, message.format(path=path))
    assert not (tmp_path / "out").exists()


def test_where_picks_the_rows_whose_cell_matches_case_and_accents_aside(tmp_path: Path) -> None:
    path = tmp_path / "mps.csv"
    path.write_text("name,email,province,caucus\nAnn Arbour,ann@example.org,Ontario,Liberal\n"
                    "Cleo Côté,cleo@example.org,Québec,Liberal\nBob Roe,bob@example.org,Quebec,Conservative\n"
                    "Bad Row,not-an-address,Alberta,Liberal\n", encoding="utf-8")
    found = read_recipients(path, where=parse_where(["Province=quebec", "party=LIBERAL"]))
    assert [recipient.name for recipient in found.recipients] == ["Cleo Côté"]
    either = read_recipients(path, where=parse_where(["province=ontario", "province=QUÉBEC"]))
    assert [recipient.name for recipient in either.recipients] == ["Ann Arbour", "Cleo Côté", "Bob Roe"]


def write_workbook(path: Path, rows: list[list], formats: dict[str, str] | None = None) -> Path:
    """An .xlsx of ``rows`` on its first sheet (a second sheet that must not be read), made with openpyxl."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    workbook.create_sheet("Other").append(["name", "email"])
    workbook.save(path)
    return path


def test_an_excel_workbook_is_read_as_excel_shows_it(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "mps.xlsx", [
        [], ["Name", "Courriel", "Adresse", "Circonscription", "Code", "Depuis", "Langue"],
        ["Ann Arbour", "ann@example.org", "House of Commons\nOttawa, Ontario\nK1A 0A6", "Ottawa Centre", 613,
         dt.datetime(2025, 5, 26), "EN"],
        [None] * 7,
        ["Bob Roe", "bob@example.org", None, None, 7.5, dt.date(2026, 1, 13), "fr"]], {"E3": "00000"})
    assert read_recipients(path).recipients == [
        Recipient("Ann Arbour", "ann@example.org", language="en", constituency="Ottawa Centre",
                  address=("House of Commons", "Ottawa, Ontario", "K1A 0A6"), line=3,
                  extra=(("code", "00613"), ("depuis", "2025-05-26"))),
        Recipient("Bob Roe", "bob@example.org", language="fr", line=5,
                  extra=(("code", "7.5"), ("depuis", "2026-01-13")))]


def test_a_bad_row_of_a_workbook_is_located_by_its_row_number(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "mps.xlsx", [
        ["Name", "Email", "Language"], ["Ann Arbour", "ann@example.org", "en"],
        ["Bob\nRoe", "bob@example", "xx"]])
    with pytest.raises(InvalidRecipientsError) as raised:
        load_recipients(path)
    assert str(raised.value) == (f"{path}:3: name: must be on one line; remove the line break (U+000A) in it\n"
                                 f"{path}:3: email: 'bob@example' is not an e-mail address\n"
                                 f"{path}:3: language: unknown language 'xx'; use a BCP 47 tag such as en, fr, es, "
                                 "de, hi, zh-Hans, zh-Hant, bo or ug")


def test_a_file_named_xlsx_that_is_no_workbook_says_how_to_save_one(tmp_path: Path) -> None:
    path = tmp_path / "mps.xlsx"
    path.write_text("name,email\n", encoding="utf-8")
    with pytest.raises(InvalidRecipientsError) as raised:
        load_recipients(path)
    assert str(raised.value) == (f"{path}:1: not an Excel workbook (.xlsx) that can be read (an older .xls, or one "
                                 'protected by a password?); in Excel, save it as "Excel Workbook (*.xlsx)" or as '
                                 '"CSV UTF-8 (Comma delimited)"')


def test_reading_recipients_imports_no_openpyxl_unless_a_workbook_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mps.csv"
    path.write_text("name,email\nAnn Arbour,ann@example.org\n", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from briefgen.load.recipients import load_recipients; "
            f"load_recipients(Path({str(path)!r})); print('openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout == "False\n"


def test_a_yaml_list_takes_the_same_names_and_keeps_its_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "mps.yaml"
    path.write_text("- Name: Ann Arbour\n  Courriel: ann@example.org\n  Riding: Ottawa Centre\n  committee: Finance\n",
                    encoding="utf-8")
    assert load_recipients(path) == [Recipient("Ann Arbour", "ann@example.org", constituency="Ottawa Centre", line=1,
                                               extra=(("committee", "Finance"),))]


def test_a_second_column_for_a_field_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "mps.csv"
    path.write_text("Name,Email,Courriel\nAnn Arbour,ann@example.org,ann@other.example\n", encoding="utf-8")
    found = read_recipients(path)
    assert found.recipients == [Recipient("Ann Arbour", "ann@example.org", line=2)]
    assert [str(warning) for warning in found.warnings] == [
        f"{path}:1: Courriel: warning: 'Email' is already the email column, so this one is ignored; to use it "
        "instead, give --columns email=Courriel"]
    chosen = read_recipients(path, columns={"email": "courriel"})
    assert chosen.recipients[0].email == "ann@other.example"
