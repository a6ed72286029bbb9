"""Recipients files: every bad row located as FILE:LINE: column: message, exit 2, nothing written.

One fixture per failure mode under tests/fixtures/recipients/, each with the exact stderr of
`briefgen letters` in a file of the same name ending in .expected.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import InvalidRecipientsError
from briefgen.load.recipients import Recipient, load_recipients
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
