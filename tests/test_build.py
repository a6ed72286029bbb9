"""`briefgen build` on the sample: four documents, each in PDF, Word and HTML, with the same content.

The sample is built once per session through the real command line (see conftest);
assertions read the PDF back with poppler and reopen the .docx.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docx

from conftest import SAMPLE, docx_text, docx_xml, normalise, pdf_pages, pdf_text, run_briefgen

DOCUMENTS = ("briefing-pack", "delegation-pack", "leave-behind", "letter")
SOURCE_ENTRY = ("Tenzin Nyidon. [Canadian rights groups urge Prime Minister Carney to raise human rights "
                "during his visit to China]. Dharamshala, January 13, 2026.")


def test_build_says_what_it_wrote_with_page_counts(sample_build) -> None:
    folder, result = sample_build
    written = [re.fullmatch(r"wrote (\S+)(?: \((\d+) pages?\))?", line).groups()
               for line in result.stdout.splitlines()]
    # English and French for every document; Chinese for the two its language_documents names.
    built = [(suffix, document) for suffix in ("", ".fr") for document in DOCUMENTS]
    built += [(".zh-Hans", "leave-behind"), (".zh-Hans", "letter")]
    assert [path for path, _ in written] == [
        str(folder / f"{document}{suffix}.{ext}") for suffix, document in built for ext in ("html", "pdf", "docx")]
    pages = {Path(path).name: int(count) for path, count in written if count}
    assert set(pages) == {f"{document}{suffix}.pdf" for suffix, document in built}
    assert pages["leave-behind.pdf"] == 1
    assert pages["letter.pdf"] <= 2
    assert "wrote " + str(folder / "leave-behind.pdf") + " (1 page)" in result.stdout


def test_pack_pdf_carries_every_fact_with_its_source_as_a_footnote(sample_build, sample) -> None:
    folder, _ = sample_build
    text = pdf_text(folder / "briefing-pack.pdf")
    for issue in sample["issues"]:
        for fact in issue["facts"]:
            assert re.search(re.escape(normalise(fact["text"])) + r" ?\d+", text), fact["text"]
    # The first citation gives the source in full, later ones in short; Annex C lists it.
    assert text.count(SOURCE_ENTRY) == 2
    assert text.count("Tenzin Nyidon, January 13, 2026.") == sum(len(i["facts"]) for i in sample["issues"]) - 1


def test_footnotes_sit_at_the_foot_of_their_page(sample_build, sample) -> None:
    folder, _ = sample_build
    first_note_page = pdf_text(folder / "briefing-pack.pdf", page=4)
    first_fact = normalise(sample["issues"][0]["facts"][0]["text"])
    assert first_note_page.index(first_fact) < first_note_page.index("1. " + SOURCE_ENTRY)


def test_pack_pdf_has_cover_contents_overview_notes_and_annexes(sample_build, sample) -> None:
    folder, _ = sample_build
    text = pdf_text(folder / "briefing-pack.pdf")
    for expected in ("Prime Minister's Official Visit to China", "Human rights considerations", "Briefing pack",
                     "Prepared by Canadian Coalition on Human Rights in China", "Date January 13, 2026",
                     "January 13–17, 2026", "Contents", "Visit overview", "Purpose", "Counterparts",
                     "Annex A: Asks", "Annex B: Signatories", "Annex C: Sources", "Annex D: The letter"):
        assert expected in text, expected
    for number, issue in enumerate(sample["issues"], start=1):
        assert text.count(f"{number}. {issue['title']}") >= 2  # contents and heading
    assert "习近平" in text and "黎智英" in text


def test_pack_contents_give_page_numbers(sample_build) -> None:
    folder, _ = sample_build
    contents = pdf_text(folder / "briefing-pack.pdf", page=2)
    assert re.search(r"1\. Residential boarding schools in Tibet ?\.[ .]*\d+", contents)


def test_docx_carries_every_fact_of_the_pack(sample_build, sample) -> None:
    folder, _ = sample_build
    text = docx_text(folder / "briefing-pack.docx")
    for issue in sample["issues"]:
        for fact in issue["facts"]:
            assert normalise(fact["text"]) in text


def test_docx_uses_real_word_headings(sample_build, sample) -> None:
    folder, _ = sample_build
    document = docx.Document(str(folder / "briefing-pack.docx"))
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == ["Prime Minister’s Official Visit to China"]
    issue_headings = [f"{n}. {issue['title']}" for n, issue in enumerate(sample["issues"], start=1)]
    assert issue_headings == [text for text in by_style["Heading 1"] if text in issue_headings]
    assert {"Summary", "Background", "Key facts", "Points to make", "Recommendation"} <= set(by_style["Heading 2"])
    assert document.core_properties.title == "Prime Minister’s Official Visit to China"
    assert document.core_properties.author == "Canadian Coalition on Human Rights in China"


def test_letter_carries_every_ask_and_every_signatory_with_the_count(sample_build, sample) -> None:
    folder, _ = sample_build
    asks = {ask["id"]: normalise(ask["text"]) for ask in sample["asks"]}
    names = {s["id"]: s["name"] for s in sample["signatories"]}
    letter = sample["letter"]
    for text in (pdf_text(folder / "letter.pdf"), docx_text(folder / "letter.docx")):
        assert "The Right Honourable Mark Carney Prime Minister of Canada January 13, 2026" in text
        assert "Re: " + normalise(letter["subject"]) in text
        assert "Dear Prime Minister," in text
        for ask_id in letter["asks"]:
            assert asks[ask_id] in text
        assert f"Signed by {len(letter['signed_by'])} organizations:" in text
        for ref in letter["signed_by"]:
            assert names[ref] in text
        assert normalise(letter["signed_by_note"]) in text
    numbered = pdf_text(folder / "letter.pdf")
    assert re.search(r"We urge you to: 1\. Confront, during", numbered)
    assert "6. Make Canada's approach" in numbered


def test_leave_behind_is_one_page_with_issues_asks_and_who_asks(sample_build, sample) -> None:
    folder, _ = sample_build
    assert pdf_pages(folder / "leave-behind.pdf") == 1
    text = pdf_text(folder / "leave-behind.pdf")
    for heading in ("The issues in brief", "What we ask", "Who asks", "Contact"):
        assert heading in text
    for issue in sample["issues"]:
        assert issue["title"] in text
    for signatory in sample["signatories"]:
        assert signatory["name"] in text


def test_delegation_pack_has_meeting_sheet_asks_talking_points_leave_behind_and_annexes(sample_build, sample) -> None:
    folder, _ = sample_build
    for text in (pdf_text(folder / "delegation-pack.pdf"), docx_text(folder / "delegation-pack.docx")):
        for heading in ("Delegation pack", "Meeting sheet", "Our asks", "Talking points", "Leave-behind",
                        "Annex A: The letter", "Annex B: Signatories"):
            assert heading in text, heading
        for issue in sample["issues"]:
            for point in issue["points_to_make"]:
                assert normalise(point) in text


def test_html_has_one_top_heading_and_no_skipped_levels(sample_build) -> None:
    folder, _ = sample_build
    for document in DOCUMENTS:
        html = (folder / f"{document}.html").read_text(encoding="utf-8")
        levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]
        assert levels[0] == 1 and levels.count(1) == 1, document
        assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:])), document
        assert '<html lang="en">' in html
        assert "<script" not in html


def test_public_documents_carry_no_marking(sample_build) -> None:
    folder, _ = sample_build
    for document in ("leave-behind", "letter"):
        assert "UNCLASSIFIED" not in pdf_text(folder / f"{document}.pdf")
        assert "UNCLASSIFIED" not in docx_xml(folder / f"{document}.docx")


def test_two_builds_give_identical_bytes(sample_build, tmp_path) -> None:
    folder, _ = sample_build
    result = run_briefgen("build", str(SAMPLE), "-o", str(tmp_path), "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    for document in DOCUMENTS:
        for ext in ("pdf", "docx", "html"):
            name = f"{document}.{ext}"
            assert (tmp_path / "carney-china-2026" / name).read_bytes() == (folder / name).read_bytes(), name


def test_the_programme_is_printed_day_by_day_with_the_press_status(tmp_path) -> None:
    from conftest import minimal_brief, write_brief

    data = minimal_brief()
    data["visit"]["programme"] = [
        {"date": "2026-01-14", "time": "09:00", "event": "Wreath laying", "place": "Memorial", "press": "open"},
        {"date": "2026-01-13", "time": "14:00", "event": "Bilateral meeting", "place": "Great Hall", "press": "closed"},
    ]
    result = run_briefgen("build", str(write_brief(tmp_path, data)), "-o", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "out" / "minimal" / "briefing-pack.pdf")
    assert ("Programme Tuesday, January 13 Time Event Place Press 14:00 Bilateral meeting Great Hall closed "
            "Wednesday, January 14 Time Event Place Press 09:00 Wreath laying Memorial open") in text


def test_constant_time_footnote_lookups_keep_the_list_a_list() -> None:
    from weasyprint.layout import LayoutContext

    from briefgen.render.weasyprint_internals import install

    install()
    context = LayoutContext.__new__(LayoutContext)
    first, second = object(), object()
    context.footnotes = [first, second]
    assert first in context.footnotes and None not in context.footnotes
    context.footnotes.remove(first)
    assert first not in context.footnotes and context.footnotes == [second]
    context.footnotes.append(first)
    context.footnotes = context.footnotes.copy()
    assert first in context.footnotes and context.footnotes == [second, first]


def test_cached_page_references_follow_the_pages_added() -> None:
    import pydyf

    from briefgen.render.weasyprint_internals import install

    install()
    pdf, pages = pydyf.PDF(), []
    for _ in range(3):
        pages.append(pydyf.Dictionary({"Type": "/Page"}))
        pdf.add_page(pages[-1])
        assert pdf.page_references == tuple(f"{page.number} 0 R".encode() for page in pages)


def test_the_console_command_ends_with_all_it_printed_and_its_exit_code(tmp_path) -> None:
    # The process ends without tearing the interpreter down (briefgen.cli.run): what it printed
    # must still reach the reader, and its exit code be the command's.
    command = [str(Path(sys.executable).with_name("briefgen")), "build"]
    done = subprocess.run([*command, str(SAMPLE), "-o", str(tmp_path), "--format", "html"], capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [f"wrote {tmp_path / 'carney-china-2026' / document}.html"
                                        for document in DOCUMENTS]
    missing = subprocess.run([*command, str(tmp_path / "absent.yaml")], capture_output=True, text=True, check=False)
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        2, "", f"{tmp_path / 'absent.yaml'}:1:1: no such file\n")
