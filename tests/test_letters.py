"""`briefgen letters`: a personalised PDF (and .docx) and an e-mail draft per recipient, in the
recipient's language, the same letter as one rendered alone, and drafts a real SMTP server takes.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from email import policy
from pathlib import Path

import pytest
import yaml

from briefgen.render.html import default_theme_dir, render_html
from briefgen.render.pdf import layout_pdf, pdf_bytes
from briefgen.render.resources import Confinement
from briefgen.prepare.brief import load_brief
from briefgen.load.recipients import Recipient
from briefgen.render.letters import letter_context
from conftest import (LETTER_BRIEF, PEOPLE, Mailbox, docx_text, minimal_brief, normalise, pdf_text, require_tool,
                      run_briefgen, send, write_brief, write_recipients)

SLUGS = ["ann-arbour", "cleo-cote", "dev-das", "eve-ng", "ann-arbour-2"]
#: Names that wrap onto a second line of the addressee block.
LONG_NAMES = ["Ann Arbour, Honourable Member for a Riding with a Very Long Name Indeed, and for Another One Too",
              "Bea Bell, Honourable Member for a Riding with a Very Long Name Indeed, and for Another One Too"]


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The letters of PEOPLE, written once with --docx by two workers: (letters folder, process)."""
    folder = tmp_path_factory.mktemp("letters")
    recipients = write_recipients(folder, PEOPLE)
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(recipients), "-o", str(folder / "out"),
                          "--jobs", "2", "--docx")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letter-test" / "letters", result


def test_each_recipient_gets_a_pdf_a_docx_and_a_draft(merged) -> None:
    letters, result = merged
    assert sorted(path.name for path in letters.iterdir()) == sorted(
        [".briefgen-letters.json", *(f"{slug}{suffix}" for slug in SLUGS for suffix in (".pdf", ".docx", ".eml"))])
    assert re.fullmatch(rf"wrote 5 letters \(PDF, \.docx and e-mail draft each\) to {re.escape(str(letters))} "
                        r"in \d+\.\d s\n", result.stdout)
    # Two workers: Ann Arbour's letter and Dev Das's are one batch, and he has no address.
    assert result.stderr == (f"{letters.parent.parent.parent / 'recipients.csv'}:5: salutation: warning: 1 "
                             "recipient has no salutation, so one is built (neutral on line 5); write one in a "
                             "salutation column to choose it\n"
                             "notice: 1 letter laid out whole, about ten times slower: its data-per-recipient part "
                             "has other elements than the others' (a title, a constituency or an address line more or "
                             "fewer): dev-das\n")


@pytest.mark.parametrize("index", range(len(PEOPLE)))
def test_each_letter_is_personalised_in_the_recipients_language(merged, index: int) -> None:
    letters, _ = merged
    person, slug = PEOPLE[index], SLUGS[index]
    text = pdf_text(letters / f"{slug}.pdf")
    address = " ".join(filter(None, [person["name"], person["title"], person["constituency"],
                                     *person["address"].split("|")]))
    assert text.startswith(address + " ")
    french = person["language"] == "fr"
    subject = "Les droits de la personne pendant votre visite" if french else "Human rights during your visit"
    # Eve Ng has no salutation and no title: hers is built, never the brief's "Dear Prime Minister,".
    salutation = person["salutation"] or ("Madame, Monsieur," if french else f"Dear {person['name']},")
    assert f"{subject} {salutation}" in text
    assert ("Soulevez le premier enjeu" if french else "Raise the first issue") in text
    assert address in docx_text(letters / f"{slug}.docx")


def test_a_merged_letter_is_the_same_as_the_letter_rendered_alone(merged, tmp_path: Path) -> None:
    letters, _ = merged
    brief = load_brief(LETTER_BRIEF).brief
    person = PEOPLE[1]
    recipient = Recipient(person["name"], person["email"], person["title"], person["salutation"], "fr",
                          person["constituency"], tuple(person["address"].split("|")))
    html = render_html("letter.html.j2", letter_context(brief, recipient, "fr"), [default_theme_dir()])
    alone = tmp_path / "alone.pdf"
    alone.write_bytes(pdf_bytes(layout_pdf(html, Confinement(default_theme_dir(), [default_theme_dir()]))))
    assert pdf_text(letters / "cleo-cote.pdf") == pdf_text(alone)


def test_each_letter_pdf_is_tagged_pdf_ua_with_its_title_and_language(merged) -> None:
    letters, _ = merged
    for slug, language in (("ann-arbour", "en"), ("cleo-cote", "fr")):
        info = subprocess.run([require_tool("pdfinfo"), str(letters / f"{slug}.pdf")], capture_output=True,
                              text=True, check=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M)
        title = ("Les droits de la personne pendant votre visite" if language == "fr"
                 else "Human rights during your visit")
        assert re.search(rf"^Title:\s+{title}$", info, re.M)
        metadata = subprocess.run([require_tool("pdfinfo"), "-meta", str(letters / f"{slug}.pdf")],
                                  capture_output=True, text=True, check=True).stdout
        assert 'pdfuaid:part="1"' in metadata


@pytest.mark.parametrize("index", range(len(PEOPLE)))
def test_each_draft_parses_and_carries_the_key_content_and_that_recipients_pdf(merged, index: int,
                                                                                tmp_path: Path) -> None:
    letters, _ = merged
    person, slug = PEOPLE[index], SLUGS[index]
    message = email.message_from_bytes((letters / f"{slug}.eml").read_bytes(), policy=policy.default)
    assert str(message["From"]) == str(message["Reply-To"]) == "Casey Contact <casey@coalition.example>"
    assert message["To"].addresses[0].addr_spec == person["email"]
    assert message["To"].addresses[0].display_name == person["name"]
    french = person["language"] == "fr"
    assert message["Subject"] == ("Les droits de la personne pendant votre visite" if french
                                  else "Human rights during your visit")
    assert message["Content-Language"] == ("fr" if french else "en")
    assert re.fullmatch(r"<[0-9a-f]{40}@coalition\.example>", message["Message-ID"])
    assert message["MIME-Version"] == "1.0" and message.get_content_type() == "multipart/mixed"
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"]
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    # Eve Ng has no salutation and no title: hers is built, never the brief's "Dear Prime Minister,".
    salutation = person["salutation"] or ("Madame, Monsieur," if french else f"Dear {person['name']},")
    assert plain.startswith(salutation + "\n\n")
    if french:
        assert "1. Soulevez le premier enjeu auprès de votre homologue.\n2. Rendez compte au Parlement." in plain
    else:
        assert "We write as a coalition of groups" in normalise(plain)
        assert "1. Raise the first issue with your counterpart.\n2. Report back to Parliament." in plain
    html = message.get_body(("html",)).get_content()
    assert f'<html lang="{"fr" if french else "en"}">' in html and "<ol>" in html
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "letter-test-letter.pdf"
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(attachment.get_content())
    assert pdf_text(pdf).startswith(person["name"] + " ")
    assert pdf.read_bytes() == (letters / f"{slug}.pdf").read_bytes()


def test_the_message_id_stays_the_same_for_the_same_letter_and_changes_with_it(merged, tmp_path: Path) -> None:
    letters, _ = merged
    recipients = write_recipients(tmp_path, PEOPLE[:2])
    again = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(recipients), "-o", str(tmp_path),
                         "--jobs", "1")
    assert again.returncode == 0, again.stderr

    def message_ids(folder: Path) -> dict[str, str]:
        return {slug: email.message_from_bytes((folder / f"{slug}.eml").read_bytes(), policy=policy.default)
                ["Message-ID"] for slug in SLUGS[:2]}

    assert message_ids(tmp_path / "letter-test" / "letters") == message_ids(letters)
    changed = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    changed["letter"]["body"]["en"] += " Now."
    brief = write_brief(tmp_path, changed)
    assert run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "changed"),
                        "--jobs", "1").returncode == 0
    changed_ids = message_ids(tmp_path / "changed" / "letter-test" / "letters")
    assert changed_ids["ann-arbour"] != message_ids(letters)["ann-arbour"]
    assert changed_ids["cleo-cote"] == message_ids(letters)["cleo-cote"]  # the French letter did not change


def letter_brief_in_english_only(folder: Path, **letter_changes) -> Path:
    data = minimal_brief()
    data["letter"] = {"to": {"name": "The Right Honourable Test Principal"}, "subject": "Our concerns",
                      "salutation": "Dear Prime Minister,", "opening": "We write.", "signed_by": ["group"],
                      "contact": {"name": "Casey Contact", "email": "casey@coalition.example"}, **letter_changes}
    return write_brief(folder, data)


def test_a_recipient_asking_for_a_language_the_brief_lacks_gets_the_default_with_a_warning(tmp_path: Path) -> None:
    brief = letter_brief_in_english_only(tmp_path)
    recipients = write_recipients(tmp_path, PEOPLE[:2] + PEOPLE[4:])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"{recipients}:3: language: warning: the letter is not written in fr (the brief has "
                             "en), so 2 recipients who asked for it (lines 3, 4) get it in en\n")
    assert "Our concerns Madame la Députée, We write." in pdf_text(tmp_path / "minimal" / "letters" / "cleo-cote.pdf")


def test_a_brief_without_a_contact_e_mail_address_is_refused(tmp_path: Path) -> None:
    brief = letter_brief_in_english_only(tmp_path, contact={"name": "Casey Contact"})
    recipients = write_recipients(tmp_path, PEOPLE[:1])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    line, text = next((number, text) for number, text in enumerate(brief.read_text().splitlines(), start=1)
                      if text.strip().startswith("contact:"))
    assert result.returncode == 2
    assert result.stderr == (f"{brief}:{line}:{text.index('contact') + 1}: letter.contact: no e-mail address to "
                             "send the letters from: add an email to letter.contact (or to prepared_by.contact)\n")
    assert not (tmp_path / "out").exists()


def test_a_brief_without_a_letter_is_refused(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, minimal_brief())
    recipients = write_recipients(tmp_path, PEOPLE[:1])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (
        2, f"{brief}:1:1: letter: the brief has no letter to send; add a letter section\n")


def test_each_letter_numbers_its_own_pages_and_one_over_budget_fails_the_run(tmp_path: Path) -> None:
    body = "\n\n".join(["The situation has worsened in many ways that this paragraph describes at length. " * 6] * 7)
    brief = letter_brief_in_english_only(tmp_path, body=body)
    long_address = "|".join(f"Address line {number}" for number in range(1, 31))
    people = [{**PEOPLE[0], "address": long_address}, PEOPLE[2], {**PEOPLE[3], "address": long_address}]
    recipients = write_recipients(tmp_path, people)
    over = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "over"))
    assert over.returncode == 1
    assert over.stderr == (f"letter to Ann Arbour ({recipients}:2): 3 pages, budget 2\n"
                           f"letter to Eve Ng ({recipients}:4): 3 pages, budget 2\n")
    assert not (tmp_path / "over").exists()

    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    data["page_budgets"] = {"letter": 3}
    brief = write_brief(tmp_path, data)
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "minimal" / "letters"
    assert "Page" not in pdf_text(folder / "dev-das.pdf", page=1)
    assert pdf_text(folder / "dev-das.pdf", page=2).endswith("Page 2 of 2")
    assert pdf_text(folder / "ann-arbour.pdf", page=2).endswith("Page 2 of 3")
    assert pdf_text(folder / "ann-arbour.pdf", page=3).endswith("Page 3 of 3")
    assert pdf_text(folder / "eve-ng.pdf", page=3).endswith("Page 3 of 3")


def test_a_rerun_for_fewer_recipients_removes_the_drafts_of_the_others(tmp_path: Path) -> None:
    brief = letter_brief_in_english_only(tmp_path)
    run_briefgen("letters", str(brief), "--recipients", str(write_recipients(tmp_path, PEOPLE[:3])), "-o",
                 str(tmp_path))
    folder = tmp_path / "minimal" / "letters"
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_briefgen("letters", str(brief), "--recipients", str(write_recipients(tmp_path, PEOPLE[:1])),
                          "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "removed 4 files of an earlier run for recipients no longer listed"
    assert sorted(path.name for path in folder.iterdir()) == [".briefgen-letters.json", "ann-arbour.eml",
                                                              "ann-arbour.pdf", "notes.txt"]


def test_the_drafts_of_briefgen_letters_go_through_a_real_smtp_server(merged, smtp_server, tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    shutil.copytree(merged[0], letters)
    mailbox = Mailbox()
    result = send(letters, smtp_server(mailbox))
    assert result.returncode == 0, result.stderr
    assert mailbox.delivered_to() == Counter(person["email"] for person in PEOPLE)
    for _, (address,), data in mailbox.messages:
        message = email.message_from_bytes(data, policy=policy.default)
        (attachment,) = message.iter_attachments()
        pdf = tmp_path / "received.pdf"
        pdf.write_bytes(attachment.get_content())
        person = next(person for person in PEOPLE if person["email"] == address)
        assert pdf_text(pdf).startswith(person["name"] + " ")


def test_a_recipient_whose_name_no_installed_font_can_print_is_refused_with_its_row(tmp_path: Path) -> None:
    people = [PEOPLE[0], {**PEOPLE[2], "name": "Dev \ue000 Das", "address": "Suite \ue000|Ottawa"}]
    recipients = write_recipients(tmp_path, people)
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    hint = "is covered by no installed font; it is a private-use character: replace it"
    assert result.stderr == (f"{recipients}:3: name: U+E000 PRIVATE USE CHARACTER {hint}\n"
                             f"{recipients}:3: address: U+E000 PRIVATE USE CHARACTER {hint}\n")
    assert not (tmp_path / "out").exists()


def test_a_letter_text_missing_in_a_recipients_language_is_warned_with_its_line(tmp_path: Path) -> None:
    brief = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    brief["letter"]["closing"] = {"en": "Sincerely,"}
    path = write_brief(tmp_path, brief)
    recipients = write_recipients(tmp_path, [PEOPLE[0], PEOPLE[1]])
    result = run_briefgen("letters", str(path), "--recipients", str(recipients), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    line = next(number for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if text.strip().startswith("closing:"))
    assert result.stderr == f"{path}:{line}:3: letter.closing: warning: no French text; the English is used\n"
    # A French recipient's closing is the formula that repeats her salutation, not the brief's closing.
    assert ("Veuillez agréer, Madame la Députée, l'expression de nos sentiments distingués."
            in pdf_text(tmp_path / "letter-test" / "letters" / "cleo-cote.pdf"))
    assert "Sincerely," in pdf_text(tmp_path / "letter-test" / "letters" / "ann-arbour.pdf")


@pytest.mark.parametrize(("body", "streams"), [
    # The default letter and a postscript: the addressee and salutation are composed onto one
    # layout (the page's stream between q and Q, then one stream for each); an English letter's
    # closing is the brief's, laid out with the rest.
    ('{{ letter_block(brief.letter, brief.date|date, "h1", recipient) }}<p>P.S. See you in Ottawa.</p>', 5),
    # A letter of its own, nothing marked per recipient: each letter is laid out whole.
    ("<p>To {{ recipient.name }}</p><p>{{ brief.letter.opening|markdown }}</p><p>P.S. See you in Ottawa.</p>", 1),
], ids=["composed", "laid-out-whole"])
def test_letters_use_the_templates_folder(tmp_path: Path, body: str, streams: int) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "letter.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% from "_macros.html.j2" import letter_block %}'
        f"{{% block body %}}{body}{{% endblock %}}", encoding="utf-8")
    recipients = write_recipients(tmp_path, [PEOPLE[0], {**PEOPLE[0], "name": "Bea Bell", "email": "bea@example.org"}])
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(recipients), "-o", str(tmp_path / "out"),
                          "--templates", str(theme))
    assert result.returncode == 0, result.stderr
    for slug, name in (("ann-arbour", "Ann Arbour"), ("bea-bell", "Bea Bell")):
        pdf = tmp_path / "out" / "letter-test" / "letters" / f"{slug}.pdf"
        text = pdf_text(pdf)
        assert name in text and text.endswith("P.S. See you in Ottawa.")
        pages = subprocess.run([require_tool("qpdf"), "--show-pages", str(pdf)], capture_output=True, text=True,
                               check=True).stdout
        assert len(re.findall(r"^    \d+ 0 R$", pages.partition("page 2:")[0], re.M)) == streams


def test_every_letter_is_checked_against_the_html_subset_as_a_built_document_is(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    # Outside the subset for the letter built alone and for the second recipient only.
    (theme / "letter.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block body %}\n<h1>{{ brief.letter.subject }}</h1>\n'
        '{% if not recipient or recipient.name == "Cleo Côté" %}<video></video>{% endif %}\n{% endblock %}\n',
        encoding="utf-8")
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    data["documents"] = ["letter"]
    brief = write_brief(tmp_path, data)
    built = run_briefgen("build", str(brief), "--templates", str(theme), "-o", str(tmp_path / "built"))
    recipients = write_recipients(tmp_path, [{**PEOPLE[0], "language": "fr"}, PEOPLE[1]])
    merged = run_briefgen("letters", str(brief), "--recipients", str(recipients), "--templates", str(theme),
                          "-o", str(tmp_path / "out"), "--jobs", "2")
    assert built.returncode == merged.returncode == 1
    assert built.stderr == merged.stderr
    assert re.fullmatch(r"letter\.html\.j2: <video> on HTML line \d+ is not in briefgen's HTML subset\n", merged.stderr)
    assert not (tmp_path / "out").exists()


def test_letters_whose_name_wraps_are_named_once_in_a_notice_of_their_whole_layout(tmp_path: Path) -> None:
    people = [PEOPLE[0], {**PEOPLE[0], "name": LONG_NAMES[0], "email": "long1@example.org"},
              {**PEOPLE[0], "name": "Cy Cole", "email": "cy@example.org"},
              {**PEOPLE[0], "name": LONG_NAMES[1], "email": "long2@example.org"}]
    # Two workers: two batches, a long name in each.
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(write_recipients(tmp_path, people)),
                          "-o", str(tmp_path / "out"), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "notice: 2 letters laid out whole, about ten times slower: their data-per-recipient part is laid out "
        "otherwise than the others' (a name, an address or a paragraph naming a recipient's field that wraps "
        "otherwise): ann-arbour-honourable-member-for-a-riding-with-a-very-long-n, "
        "bea-bell-honourable-member-for-a-riding-with-a-very-long-nam\n")
    letters = tmp_path / "out" / "letter-test" / "letters"
    assert pdf_text(letters / "bea-bell-honourable-member-for-a-riding-with-a-very-long-nam.pdf").startswith(
        LONG_NAMES[1] + " Member of Parliament")


def test_a_theme_whose_letter_marks_no_part_says_once_that_each_letter_is_laid_out_whole(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "letter.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block body %}<p>To {{ recipient.name }}</p>{% endblock %}', encoding="utf-8")
    people = [{**PEOPLE[0], "name": name, "email": f"{name.lower()}@example.org"} for name in ("Ann", "Bea", "Cy")]
    # Two workers: two batches, each of which finds no part.
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(write_recipients(tmp_path, people)),
                          "-o", str(tmp_path / "out"), "--jobs", "2", "--templates", str(theme))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("notice: letter.html.j2 marks no data-per-recipient part, so each letter is laid out "
                             "whole (about ten times slower); see docs/theme.md\n")
    assert pdf_text(tmp_path / "out" / "letter-test" / "letters" / "cy.pdf") == "To Cy"


def test_two_runs_write_the_same_pdfs_whatever_the_hash_seed(tmp_path: Path) -> None:
    people = [{**PEOPLE[0], "name": f"Member {number}", "email": f"member{number}@example.org",
               "salutation": f"Dear Member {number},"} for number in range(8)]
    recipients = write_recipients(tmp_path, [*people, {**PEOPLE[0], "name": LONG_NAMES[0]}])
    runs = []
    for seed in ("0", "1"):
        result = subprocess.run([sys.executable, "-m", "briefgen", "letters", str(LETTER_BRIEF), "--recipients",
                                 str(recipients), "-o", str(tmp_path / seed), "--jobs", "1"],
                                capture_output=True, text=True, check=False,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        letters = tmp_path / seed / "letter-test" / "letters"
        runs.append({path.name: path.read_bytes() for path in letters.glob("*.pdf")})
    assert len(runs[0]) == 9 and runs[0] == runs[1]


def test_names_that_make_the_same_file_name_each_get_a_letter_whatever_the_workers(tmp_path: Path,
                                                                                   smtp_server) -> None:
    people = [{**PEOPLE[0], "name": name, "email": address} for name, address in (
        ("Jean Côté", "jean.cote@example.org"), ("Jean Cote", "jcote@example.org"),
        ("Jean Cote 2", "jean2@example.org"), ("JEAN  COTE", "jc@example.org"))]
    recipients = write_recipients(tmp_path, people)
    expected = {"jean-cote": "jean.cote@example.org", "jean-cote-2": "jcote@example.org",
                "jean-cote-2-2": "jean2@example.org", "jean-cote-3": "jc@example.org"}
    for run in range(3):
        out = tmp_path / f"run-{run}"
        result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(recipients), "-o", str(out),
                              "--jobs", "3")
        assert result.returncode == 0, result.stderr
        letters = out / "letter-test" / "letters"
        drafts = {path.stem: email.message_from_bytes(path.read_bytes(), policy=policy.default)["To"]
                  .addresses[0].addr_spec for path in letters.glob("*.eml")}
        assert drafts == expected
        assert pdf_text(letters / "jean-cote-2-2.pdf").startswith("Jean Cote 2 ")
    mailbox = Mailbox()
    assert send(letters, smtp_server(mailbox)).returncode == 0
    assert mailbox.delivered_to() == Counter(expected.values())


def test_letters_never_remove_or_overwrite_a_file_of_the_user(tmp_path: Path) -> None:
    brief = letter_brief_in_english_only(tmp_path)
    folder = tmp_path / "minimal" / "letters"
    folder.mkdir(parents=True)
    (folder / "SIGNED-by-director.pdf").write_bytes(b"%PDF-1.7 the director's signed copy")
    (folder / "ann-arbour.pdf").write_bytes(b"%PDF-1.7 a file of the user's with a recipient's name")
    for people in (PEOPLE[:2], PEOPLE[:1]):
        result = run_briefgen("letters", str(brief), "--recipients", str(write_recipients(tmp_path, people)),
                              "-o", str(tmp_path))
        assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "removed 2 files of an earlier run for recipients no longer listed"
    assert sorted(path.name for path in folder.iterdir()) == [
        ".briefgen-letters.json", "SIGNED-by-director.pdf", "ann-arbour-2.eml", "ann-arbour-2.pdf", "ann-arbour.pdf"]
    assert (folder / "SIGNED-by-director.pdf").read_bytes() == b"%PDF-1.7 the director's signed copy"
    assert (folder / "ann-arbour.pdf").read_bytes() == b"%PDF-1.7 a file of the user's with a recipient's name"
    assert pdf_text(folder / "ann-arbour-2.pdf").startswith("Ann Arbour ")


def test_letters_wait_for_no_send_and_a_build_keeps_the_journal_of_a_running_send(tmp_path: Path,
                                                                                 smtp_server) -> None:
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    brief = write_brief(tmp_path, data)
    recipients = write_recipients(tmp_path, PEOPLE[:3])
    out = tmp_path / "out"
    assert run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(out)).returncode == 0
    folder = out / "letter-test" / "letters"
    mailbox = Mailbox(delay_data=1.5)
    sending = subprocess.Popen([sys.executable, "-m", "briefgen", "send", str(folder), "--smtp",
                                f"127.0.0.1:{smtp_server(mailbox)}"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (folder / "send-journal.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    again = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(out))
    assert again.returncode == 1
    assert again.stderr == (f"{folder}: a briefgen send is delivering these drafts; write the letters again when "
                            "it has finished (or stop it first)\n")
    # A build switches the brief's folder while the send goes on: the journal it writes stays the one kept.
    assert run_briefgen("build", str(brief), "--format", "html", "-o", str(out)).returncode == 0
    stdout, stderr = sending.communicate(timeout=60)
    assert sending.returncode == 0, stderr
    assert mailbox.delivered_to() == Counter(person["email"] for person in PEOPLE[:3])
    rerun = send(folder, smtp_server(Mailbox()))
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.splitlines()[-1].startswith("3 drafts: 0 sent now, 3 sent before")


def test_a_damaged_outbox_is_a_warning_and_no_file_is_removed(tmp_path: Path) -> None:
    brief = letter_brief_in_english_only(tmp_path)
    recipients = write_recipients(tmp_path, PEOPLE[:2])
    assert run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path)).returncode == 0
    folder = tmp_path / "minimal" / "letters"
    (folder / ".briefgen-letters.json").write_text('{"format": 1, "entries": "not a list"}', encoding="utf-8")
    result = run_briefgen("letters", str(brief), "--recipients", str(write_recipients(tmp_path, PEOPLE[:1])),
                          "-o", str(tmp_path))
    assert result.returncode == 0
    assert result.stderr == (f"{folder / '.briefgen-letters.json'}:1:1: warning: damaged: this is not the record "
                             "briefgen letters writes; no file of the earlier run is removed, and the record is "
                             "written anew\n")
    assert sorted(path.name for path in folder.iterdir()) == [
        ".briefgen-letters.json", "ann-arbour-2.eml", "ann-arbour-2.pdf", "ann-arbour.eml", "ann-arbour.pdf",
        "cleo-cote.eml", "cleo-cote.pdf"]
