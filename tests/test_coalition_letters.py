"""A coalition's letters end to end, as issue 18 asks: a brief with letterhead, logo, signer, a
coalition whose members are footnoted, an individual signatory and a sign-on list of 40 names,
sent to a recipients workbook and to the same people as Excel writes a French CSV (BOM,
semicolons, CRLF, addresses on several lines, extra columns, rows without a salutation, English
and French). Each recipient's letter has their address lines, greeting, closing and sentence,
the right counts, and a draft whose plain body is the whole letter."""

from __future__ import annotations

import csv
import email
import io
import shutil
from email import policy
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import FIXTURES, normalise, pdf_text, run_briefgen

MEMBERS = ["Canada Tibet Committee", "Amnesty International Canada", "Hong Kong Watch"]
COLUMNS = ["Honorific Title", "First Name", "Last Name", "Constituency", "Province / Territory",
           "Political Affiliation", "Email", "Language", "Address", "Phone"]
#: The people written to, as the House of Commons export has them (one without an honorific).
PEOPLE = [
    ["Ms.", "Ann", "Smith", "Ottawa Centre", "Ontario", "Liberal", "ann.smith@example.org", "English",
     "House of Commons\nOttawa ON  K1A 0A6", "613-555-0101"],
    ["Mme", "Claire", "Côté", "Gatineau", "Québec", "Bloc Québécois", "claire.cote@example.org", "Français",
     "Chambre des communes\nOttawa (Ontario)  K1A 0A6", "613-555-0102"],
    ["M.", "Luc", "Roy", "Québec Centre", "Québec", "Conservative", "luc.roy@example.org", "Français",
     "Chambre des communes\nOttawa (Ontario)  K1A 0A6", "613-555-0103"],
    ["", "Sam", "Lee", "Vancouver East", "British Columbia", "NDP", "sam.lee@example.org", "English",
     "House of Commons\nOttawa ON  K1A 0A6", "613-555-0104"],
]
#: What each one's letter must say: (greeting, closing, the sentence naming their riding, address lines).
EXPECTED = [
    ("Dear Ms. Smith,", "Sincerely,", "As the Member for Ottawa Centre, you can raise this in the House.",
     ["House of Commons", "Ottawa ON K1A 0A6"]),
    ("Madame la Députée,", "Veuillez agréer, Madame la Députée, l'expression de nos sentiments distingués.",
     "En tant que députée ou député de Gatineau, vous pouvez le soulever à la Chambre.",
     ["Chambre des communes", "Ottawa (Ontario) K1A 0A6"]),
    ("Monsieur le Député,", "Veuillez agréer, Monsieur le Député, l'expression de nos sentiments distingués.",
     "En tant que députée ou député de Québec Centre, vous pouvez le soulever à la Chambre.",
     ["Chambre des communes", "Ottawa (Ontario) K1A 0A6"]),
    ("Dear Member of Parliament,", "Sincerely,",
     "As the Member for Vancouver East, you can raise this in the House.",
     ["House of Commons", "Ottawa ON K1A 0A6"]),
]
SLUGS = ["ann-smith", "claire-cote", "luc-roy", "sam-lee"]


def write_campaign(folder: Path) -> Path:
    """The letterhead fixture's brief with a coalition, an individual, 40 sign-ons and a sentence per MP."""
    for path in (FIXTURES / "letterhead").iterdir():
        shutil.copy(path, folder / path.name)
    data = yaml.safe_load((folder / "brief.yaml").read_text(encoding="utf-8"))
    data["signatories"] = [
        {"id": "group", "name": "A Coalition", "kind": "coalition", "members": MEMBERS},
        {"id": "jane", "name": "Jane Doe", "kind": "individual"},
    ]
    data["asks"][0]["by"] = ["group", "jane"]
    letter = data["letter"]
    letter["signed_by"] = ["group", "jane"]
    letter["body"] = {"en": "As the Member for {constituency}, you can raise this in the House.",
                      "fr": "En tant que députée ou député de {constituency}, vous pouvez le soulever à la Chambre."}
    data["sign_ons"] = "signons.csv"
    rows = [["name", "organization", "title", "city"]]
    rows += [[f"Person {number}", f"Group {number}", "Volunteer", "Toronto"] for number in range(30)]
    rows += [["", f"Association {number}", "", "Montréal"] for number in range(10)]
    with (folder / "signons.csv").open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    brief = folder / "brief.yaml"
    brief.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return brief


def write_workbook(folder: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [COLUMNS, *PEOPLE]:
        sheet.append(row)
    path = folder / "mps.xlsx"
    workbook.save(path)
    return path


def write_excel_csv(folder: Path) -> Path:
    """The same people as Excel set to French saves "CSV UTF-8": a BOM, semicolons, CRLF."""
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows([COLUMNS, *PEOPLE])
    path = folder / "mps.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
    return path


@pytest.fixture(scope="module", params=["xlsx", "csv"])
def sent(request, tmp_path_factory) -> tuple[Path, str]:
    """The letters of PEOPLE from a workbook or an Excel CSV: (letters folder, stderr)."""
    folder = tmp_path_factory.mktemp(f"coalition-{request.param}")
    brief = write_campaign(folder)
    recipients = write_workbook(folder) if request.param == "xlsx" else write_excel_csv(folder)
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(folder / "out"))
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letterhead-test" / "letters", result.stderr


@pytest.mark.parametrize("index", range(len(PEOPLE)))
def test_each_letter_has_its_recipients_address_greeting_closing_and_sentence(sent, index: int) -> None:
    letters, _ = sent
    text = normalise(pdf_text(letters / f"{SLUGS[index]}.pdf"))
    greeting, closing, sentence, address = EXPECTED[index]
    first, last = PEOPLE[index][1:3]
    assert f"{first} {last} {PEOPLE[index][3]} {' '.join(address)}" in text
    assert greeting in text and closing in text and sentence in text
    assert "{constituency}" not in text and "[constituency]" not in text
    french = PEOPLE[index][7] == "Français"
    counts = ("Signée par 11 organisations et 31 personnes :" if french
              else "Signed by 11 organizations and 31 individuals:")
    assert counts in text
    assert ("Membres : " if french else "Members: ") + ", ".join(MEMBERS) + "." in text
    assert "A Coalition" in text and "Sam Signer" in text  # the letterhead and the signer


@pytest.mark.parametrize("index", range(len(PEOPLE)))
def test_each_draft_carries_the_whole_letter_and_names_its_attachment(sent, index: int) -> None:
    letters, _ = sent
    message = email.message_from_bytes((letters / f"{SLUGS[index]}.eml").read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == PEOPLE[index][6]
    plain = normalise(message.get_body(("plain",)).get_content())
    greeting, closing, sentence, _ = EXPECTED[index]
    assert plain.startswith(greeting) and sentence in plain and closing in plain
    assert ("Soulevez le premier enjeu" if PEOPLE[index][7] == "Français" else "Raise the first issue") in plain
    attachment = next(part for part in message.iter_attachments())
    assert attachment.get_filename() in plain  # "the PDF is attached: <its name>"
    assert attachment.get_content() == (letters / f"{SLUGS[index]}.pdf").read_bytes()


def test_the_rows_without_a_salutation_are_named_once(sent) -> None:
    _, stderr = sent
    assert stderr.count("warning: 4 recipients have no salutation, so one is built") == 1
