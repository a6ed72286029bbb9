"""Letters of their own: every combination of language and salutation (given, built from the
courtesy title, neutral) with its closing, in the PDF and in the .docx; placeholders ``{column}``
filled per recipient, escaped, composed onto one layout, checked before anything is laid out;
and the letter `build` writes, where no placeholder prints raw.
"""

from __future__ import annotations

import csv
import email
import re
from email import policy
from pathlib import Path

import pytest
import yaml

from briefgen.load.recipients import read_recipients
from briefgen.prepare.brief import load_brief
from briefgen.render.html import default_theme_dir, render_html
from briefgen.render.letters import letter_context
from briefgen.render.pdf import layout_pdf, pdf_bytes
from briefgen.render.resources import Confinement
from conftest import LETTER_BRIEF, docx_text, normalise, pdf_text, run_briefgen, write_brief

COLUMNS = ["name", "email", "language", "title", "honorific", "last_name", "salutation", "constituency", "committee"]
#: en/fr × salutation given / built from the courtesy title and last name / neutral.
PEOPLE = [
    ["Ann Given", "ann@example.org", "en", "Member of Parliament", "Ms.", "Given", "Dear Colleague,", "Ottawa Centre",
     "Finance"],
    ["Bob Roe", "bob@example.org", "en", "Member of Parliament", "Mr.", "Roe", "", "Calgary Centre",
     "*Justice* & <Human Rights> [x](https://example.org)"],
    ["Cy Cole", "cy@example.org", "en", "Member of Parliament", "Hon.", "Cole", "", "Brampton North", "Health"],
    ["Dee Dubé", "dee@example.org", "fr", "Députée", "Mme", "Dubé", "Chère collègue,", "Laurier—Sainte-Marie",
     "Finances"],
    ["Cleo Côté", "cleo@example.org", "fr", "Députée", "Mme", "Côté", "", "Gatineau", "Justice"],
    ["Luc Roy", "luc@example.org", "fr", "Député", "", "Roy", "", "Québec", "Santé"],
]
SLUGS = ["ann-given", "bob-roe", "cy-cole", "dee-dube", "cleo-cote", "luc-roy"]
#: (salutation, closing) printed in each letter.
GREETINGS = [
    ("Dear Colleague,", "Sincerely,"),
    ("Dear Mr. Roe,", "Sincerely,"),
    ("Dear Member of Parliament,", "Sincerely,"),
    ("Chère collègue,", "Veuillez agréer, Chère collègue, l'expression de nos sentiments distingués."),
    ("Madame la Députée,", "Veuillez agréer, Madame la Députée, l'expression de nos sentiments distingués."),
    ("Madame, Monsieur,", "Veuillez agréer, Madame, Monsieur, l'expression de nos sentiments distingués."),
]
BODY = {"en": "As the Member for {Constituency}, you sit on the {committee} committee. {{Braces}} stay.",
        "fr": "En tant que député de {constituency}, vous siégez au comité {committee}."}


def personal_brief(folder: Path, **changes) -> Path:
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    data["letter"]["body"] = dict(BODY)
    data["letter"].update(changes)
    return write_brief(folder, data)


def write_people(folder: Path, people: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    path = folder / "mps.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([columns, *people])
    return path


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, Path, Path, str]:
    """The letters of PEOPLE with --docx: (letters folder, brief, recipients, stderr)."""
    folder = tmp_path_factory.mktemp("personal")
    brief, recipients = personal_brief(folder), write_people(folder, PEOPLE)
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(folder / "out"),
                          "--docx", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letter-test" / "letters", brief, recipients, result.stderr


def test_the_built_salutations_are_warned_once_and_only_a_paragraph_that_wraps_is_laid_out_whole(written) -> None:
    _, _, recipients, stderr = written
    # The paragraph with placeholders and the closing are composed onto one layout, but for Bob
    # Roe's, whose long committee makes it a line longer.
    assert stderr == (f"{recipients}:3: salutation: warning: 4 recipients have no salutation, so one is built "
                      "(from the courtesy title on lines 3, 6; neutral on lines 4, 7); write one in a salutation "
                      "column to choose it\n"
                      "notice: 1 letter laid out whole, about ten times slower: its data-per-recipient part is laid "
                      "out otherwise than the others' (a name, an address or a paragraph naming a recipient's field "
                      "that wraps otherwise): bob-roe\n")


@pytest.mark.parametrize("index", range(len(PEOPLE)))
def test_each_salutation_and_closing_in_the_pdf_the_docx_and_the_draft(written, index: int) -> None:
    letters, *_ = written
    salutation, closing = GREETINGS[index]
    for text in (pdf_text(letters / f"{SLUGS[index]}.pdf"), docx_text(letters / f"{SLUGS[index]}.docx")):
        subject = "Les droits de la personne pendant votre visite" if index >= 3 else "Human rights during your visit"
        assert f"{subject} {salutation} " in text
        assert f" {closing} Sign" in text
        # The brief's own salutation and closing are its addressee's, never a recipient's.
        assert "Prime Minister," not in text and "Premier Ministre," not in text
        assert "salutations distinguées" not in text
    message = email.message_from_bytes((letters / f"{SLUGS[index]}.eml").read_bytes(), policy=policy.default)
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith(salutation + "\n\n") and closing in normalise(plain)


@pytest.mark.parametrize("index", range(len(PEOPLE)))
def test_each_letter_names_the_recipients_own_fields_printed_as_they_are(written, index: int) -> None:
    letters, *_ = written
    person = dict(zip(COLUMNS, PEOPLE[index]))
    sentence = (f"En tant que député de {person['constituency']}, vous siégez au comité {person['committee']}."
                if index >= 3 else f"As the Member for {person['constituency']}, you sit on the "
                                   f"{person['committee']} committee. {{Braces}} stay.")
    # Compared without spaces: the PDF breaks the address in Bob Roe's committee across lines.
    for text in (pdf_text(letters / f"{SLUGS[index]}.pdf"), docx_text(letters / f"{SLUGS[index]}.docx")):
        assert "".join(sentence.split()) in "".join(text.split())


def test_a_composed_letter_with_placeholders_is_the_letter_laid_out_alone(written, tmp_path: Path) -> None:
    letters, brief_path, recipients, _ = written
    brief = load_brief(brief_path).brief
    recipient = read_recipients(recipients).recipients[0]
    html = render_html("letter.html.j2", letter_context(brief, recipient, "en"), [default_theme_dir()])
    # The addressee, the salutation and the paragraph with placeholders; an English closing is
    # the brief's, laid out once with the rest, a French one repeats the salutation.
    assert len(re.findall(r"<[a-z]+[^>]* data-per-recipient", html)) == 3
    french = render_html("letter.html.j2", letter_context(brief, read_recipients(recipients).recipients[4], "fr"),
                         [default_theme_dir()])
    assert re.findall(r'<p class="closing"[^>]*>', french) == ['<p class="closing" data-per-recipient>']
    alone = tmp_path / "alone.pdf"
    alone.write_bytes(pdf_bytes(layout_pdf(html, Confinement(default_theme_dir(), [default_theme_dir()]))))
    assert pdf_text(letters / "ann-given.pdf") == pdf_text(alone)


def test_a_placeholder_naming_no_column_is_an_error_of_the_brief_before_any_layout(tmp_path: Path) -> None:
    brief = personal_brief(tmp_path, opening={"en": "We write to {Riding} and {comitee}.", "fr": "Nous écrivons."})
    recipients = write_people(tmp_path, PEOPLE[:1])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    line, column = next((number, text.index("{comitee}") + 1) for number, text
                        in enumerate(brief.read_text(encoding="utf-8").splitlines(), start=1) if "{comitee}" in text)
    assert result.returncode == 2
    assert result.stderr == (
        f"{brief}:{line}:{column}: letter.opening.en: {{comitee}} names no column of the recipients file "
        f"{recipients}; its columns are name, email, language, title, honorific, last_name, salutation, "
        "constituency, committee (write {{ and }} for a brace)\n")
    assert not (tmp_path / "out").exists()


def test_a_placeholder_in_a_literal_block_is_located_on_its_own_line(tmp_path: Path) -> None:
    body = ("  body:\n    en: The situation has worsened. We ask you to act.\n"
            "    fr: La situation s'est aggravée. Nous vous demandons d'agir.\n")
    text = LETTER_BRIEF.read_text(encoding="utf-8")
    assert body in text
    brief = tmp_path / "brief.yaml"
    literal = ("  body:\n    en: |\n      The situation has worsened.\n\n      As the Member for {riding},\n"
               "      we ask you to act on {comittee} now.\n    fr: Agissez.\n")
    brief.write_text(text.replace(body, literal), encoding="utf-8")
    recipients = write_people(tmp_path, PEOPLE[:1])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    lines = brief.read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, start=1) if "{comittee}" in text)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{brief}:{line}:{lines[line - 1].index('{comittee}') + 1}: letter.body.en: "
                                    "{comittee} names no column of the recipients file")


def test_an_empty_cell_for_a_placeholder_is_an_error_of_its_row(tmp_path: Path) -> None:
    people = [PEOPLE[0], [*PEOPLE[1][:8], ""], PEOPLE[2], [*PEOPLE[4][:7], "", "Justice"]]
    recipients = write_people(tmp_path, people)
    result = run_briefgen("letters", str(personal_brief(tmp_path)), "--recipients", str(recipients), "-o",
                          str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (2, (
        f"{recipients}:3: committee: empty, but letter.body uses {{committee}}: fill it in, or take {{committee}} "
        "out of the letter\n"
        f"{recipients}:5: constituency: empty, but letter.body uses {{constituency}}: fill it in, or take "
        "{constituency} out of the letter\n"))
    assert not (tmp_path / "out").exists()


def test_the_letter_build_writes_prints_the_addressees_fields_and_marks_the_others(tmp_path: Path) -> None:
    brief = personal_brief(tmp_path, opening="To {name}, {title}:")
    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    data["documents"] = ["letter"]
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "--format", "pdf,docx", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    for text in (pdf_text(tmp_path / "out" / "letter-test" / "letter.pdf"),
                 docx_text(tmp_path / "out" / "letter-test" / "letter.docx")):
        assert "To The Right Honourable Test Principal, Prime Minister:" in text
        assert ("As the Member for [constituency], you sit on the [committee] committee. {Braces} stay." in text)
        assert "Dear Prime Minister," in text and "Sincerely," in text
        assert "{" + "constituency}" not in text


def test_letters_whose_paragraph_wraps_alike_are_composed_on_a_layout_of_their_own(tmp_path: Path) -> None:
    long_committee = "Citizenship, Immigration, Foreign Affairs, International Development and Trade"
    people = [[f"Member {number}", f"member{number}@example.org", "en", "Member of Parliament", "", "",
               "Dear Member,", "Ottawa Centre", long_committee if number % 2 else "Finance"] for number in range(4)]
    recipients = write_people(tmp_path, people)
    brief = personal_brief(tmp_path)
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "out"),
                          "--jobs", "1")
    # No notice: the two whose paragraph takes a line more share a second layout.
    assert (result.returncode, result.stderr) == (0, "")
    letters = tmp_path / "out" / "letter-test" / "letters"
    loaded = load_brief(brief).brief
    for index, recipient in enumerate(read_recipients(recipients).recipients):
        html = render_html("letter.html.j2", letter_context(loaded, recipient, "en"), [default_theme_dir()])
        alone = tmp_path / f"alone-{index}.pdf"
        alone.write_bytes(pdf_bytes(layout_pdf(html, Confinement(default_theme_dir(), [default_theme_dir()]))))
        assert pdf_text(letters / f"member-{index}.pdf") == pdf_text(alone)
    assert long_committee in pdf_text(letters / "member-1.pdf")


def test_letters_to_the_rows_of_a_workbook_that_where_picks(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Honorific Title", "First Name", "Last Name", "Constituency", "Province / Territory", "Courriel",
                  "Langue", "Committee", "Mailing Address"])
    sheet.append(["Mme", "Cleo", "Côté", "Gatineau", "Québec", "cleo@example.org", "Français", "Justice",
                  "Chambre des communes\nOttawa (Ontario) K1A 0A6"])
    sheet.append(["Mr.", "Bob", "Roe", "Calgary Centre", "Alberta", "bob@example.org", "English", "Health", None])
    recipients = tmp_path / "members.xlsx"
    workbook.save(recipients)
    result = run_briefgen("letters", str(personal_brief(tmp_path)), "--recipients", str(recipients),
                          "--where", "province=quebec", "-o", str(tmp_path / "out"), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"{recipients}:2: salutation: warning: 1 recipient has no salutation, so one is built "
                             "(from the courtesy title on line 2); write one in a salutation column to choose it\n")
    letters = tmp_path / "out" / "letter-test" / "letters"
    assert sorted(path.name for path in letters.glob("*.pdf")) == ["cleo-cote.pdf"]
    assert pdf_text(letters / "cleo-cote.pdf").startswith(
        "Cleo Côté Gatineau Chambre des communes Ottawa (Ontario) K1A 0A6 13 janvier 2026 Objet : Les droits de la "
        "personne pendant votre visite Madame la Députée, Nous vous écrivons")
    # No title column, but a riding: a Member of Parliament, as in the House of Commons export,
    # and the closing repeats the salutation.
    text = pdf_text(letters / "cleo-cote.pdf")
    assert "En tant que député de Gatineau, vous siégez au comité Justice." in text
    assert "Veuillez agréer, Madame la Députée, l'expression de nos sentiments distingués." in text
