"""Notes as departments issue them (issue 20, parts 1, 2, 5 and 6): the note metadata of a brief
(action, drafter, approver, consulted, distribution) on the briefing pack's cover and in each
note's header block, the file number in every page footer, the principal's decision block, each
note on its own with ``build --split-notes``, and the checks of these fields.

The brief is the sample given these fields; every test reads what the build wrote: the PDF's
text as pdftotext extracts it, the .docx reopened with python-docx, the PDF checked by pdfua.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn
from pypdf import PdfReader

from briefgen.model.brief import Brief
from conftest import (SAMPLE, docx_text, in_language, minimal_brief, normalise, pdf_pages, pdf_text, require_tool,
                      run_briefgen, write_brief)
from test_pdfua import assert_clean, pdfua_reports, structure_elements
from test_word_package import findings

METADATA = {
    "file_number": "PCO-2026-0113",
    "action": "for decision",
    "drafted_by": {"name": "Jane Doe", "title": {"en": "Policy Analyst", "fr": "Analyste des politiques"},
                   "date": "2026-01-10"},
    "approved_by": {"name": "John Roe", "title": {"en": "Director General", "fr": "Directeur général"},
                    "date": "2026-01-11"},
    "consulted": ["Global Affairs Canada"],
    "distribution": ["Deputy Minister", {"en": "Canadian Embassy in Beijing", "fr": "Ambassade du Canada à Beijing"}],
}
#: The labels, as the French catalog gives them (apostrophes straight: the text is normalised).
LABELS = {
    "en": {"action": "Action required", "For decision": "For decision", "drafted": "Drafted by",
           "approved": "Approved by", "consulted": "Consulted", "distribution": "Distribution", "to": "To",
           "file": "File number", "title": "Title", "decision": "Decision", "concur": "I concur",
           "not": "I do not concur", "signature": "Signature:", "date": "Date:",
           "dates": {"2026-01-10": "January 10, 2026", "2026-01-11": "January 11, 2026"}},
    "fr": {"action": "Suite à donner", "For decision": "Pour décision", "drafted": "Rédigé par",
           "approved": "Approuvé par", "consulted": "Consultations", "distribution": "Distribution",
           "to": "Destinataire", "file": "Numéro de dossier", "title": "Titre", "decision": "Décision",
           "concur": "Je suis d'accord", "not": "Je ne suis pas d'accord", "signature": "Signature :",
           "date": "Date :", "dates": {"2026-01-10": "10 janvier 2026", "2026-01-11": "11 janvier 2026"}},
}
SUFFIX = {"en": "", "fr": ".fr"}
OTHER = {"en": "fr", "fr": "en"}


def sample_with_metadata(**changes) -> dict:
    """The sample brief as data, with the note metadata (and ``changes``) added."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data.update(METADATA, **changes)
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict, str]:
    """The sample with note metadata built with --split-notes in both languages and formats:
    (its output folder, the brief's data, the build's standard output)."""
    folder = tmp_path_factory.mktemp("notes20")
    data = sample_with_metadata()
    brief = write_brief(folder, data)
    result = run_briefgen("build", str(brief), "-o", str(folder / "out"), "--lang", "all", "--split-notes")
    assert result.returncode == 0, result.stderr
    return folder / "out" / data["id"], data, result.stdout


def official(person: dict, language: str) -> str:
    """A drafter or approver as the header block prints them: name, title, date."""
    return f"{person['name']}, {in_language(person['title'], language)}, {LABELS[language]['dates'][person['date']]}"


def cover_rows(data: dict, language: str) -> list[tuple[str, str]]:
    """The rows the cover adds for the metadata, in the order it prints them: the bilingual title,
    action, drafter, approver, consulted, distribution."""
    labels = LABELS[language]
    title = f"{data['title'][language]} / {data['title'][OTHER[language]]}"
    return normal_rows([(labels["title"], title), (labels["action"], labels["For decision"]),
                        (labels["drafted"], official(data["drafted_by"], language)),
                        (labels["approved"], official(data["approved_by"], language)),
                        (labels["consulted"], ", ".join(in_language(data["consulted"], language))),
                        (labels["distribution"], ", ".join(in_language(data["distribution"], language)))])


def header_rows(data: dict, issue: dict, language: str) -> list[tuple[str, str]]:
    """The rows of a note's header block: file number, bilingual title, action, addressee, drafter,
    approver, consulted."""
    labels = LABELS[language]
    title = f"{issue['title'][language]} / {issue['title'][OTHER[language]]}"
    return normal_rows([(labels["file"], data["file_number"]), (labels["title"], title),
                        (labels["action"], labels["For decision"]), (labels["to"], data["prepared_for"][language]),
                        (labels["drafted"], official(data["drafted_by"], language)),
                        (labels["approved"], official(data["approved_by"], language)),
                        (labels["consulted"], ", ".join(in_language(data["consulted"], language)))])


def normal_rows(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Expected rows compared as the outputs' text is: see :func:`normal`."""
    return [tuple(normal(cell) for cell in row) for row in rows]


def flat(rows: list[tuple[str, str]]) -> str:
    return " ".join(f"{label} {value}" for label, value in rows)


def pdf_flow(path: Path, page: int | None = None) -> str:
    """The text of a PDF in reading order (pdftotext without -layout, which keeps a table cell's
    lines together), normalised."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run([require_tool("pdftotext"), *pages, str(path), "-"], capture_output=True, text=True,
                            check=True)
    return normalise(result.stdout)


def normal(text: str) -> str:
    """Text as :func:`conftest.normalise` leaves it: one space between words, straight apostrophes."""
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def table_rows(table) -> list[tuple[str, ...]]:
    return [tuple(normal(cell.text) for cell in row.cells) for row in table.rows]


# -- The cover and the header block -----------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_cover_shows_the_action_drafter_approver_consulted_and_distribution(built, language) -> None:
    folder, data, _ = built
    cover = normal(pdf_text(folder / f"briefing-pack{SUFFIX[language]}.pdf", page=1))
    assert flat(cover_rows(data, language)) in cover
    document = docx.Document(str(folder / f"briefing-pack{SUFFIX[language]}.docx"))
    assert set(cover_rows(data, language)) <= set(table_rows(document.tables[0]))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_note_opens_with_its_header_block_and_bilingual_title_in_both_formats(built, language) -> None:
    folder, data, _ = built
    issues = in_language_keep_titles(data)
    text = pdf_flow(folder / f"briefing-pack{SUFFIX[language]}.pdf")
    for number, issue in enumerate(issues, start=1):
        assert normal(f"{number}. {issue['title'][language]} {flat(header_rows(data, issue, language))}") in text
    document = docx.Document(str(folder / f"briefing-pack{SUFFIX[language]}.docx"))
    headers = [table_rows(table) for table in document.tables if table.style.name == "Note Header"]
    assert headers == [header_rows(data, issue, language) for issue in issues]


def in_language_keep_titles(data: dict) -> list[dict]:
    """The brief's issues, each with its title in both languages."""
    return [{"id": issue["id"], "title": issue["title"], "recommendation": issue.get("recommendation")}
            for issue in data["issues"]]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_file_number_is_in_the_footer_of_every_page_of_the_pack(built, language) -> None:
    folder, data, _ = built
    footer = f"{LABELS[language]['file']} : {data['file_number']}" if language == "fr" else \
        f"File number: {data['file_number']}"
    pdf = folder / f"briefing-pack{SUFFIX[language]}.pdf"
    pages = pdf_pages(pdf)
    assert pages > 10
    assert [page for page in range(1, pages + 1) if footer not in normal(pdf_text(pdf, page=page))] == []
    section = docx.Document(str(folder / f"briefing-pack{SUFFIX[language]}.docx")).sections[0]
    # The cover's footer (Word's first page) and every other page's.
    for part in (section.first_page_footer, section.footer):
        assert [normal(paragraph.text) for paragraph in part.paragraphs][0] == footer


def test_documents_for_other_audiences_show_none_of_the_metadata(built) -> None:
    folder, data, _ = built
    names = [data["drafted_by"]["name"], data["approved_by"]["name"], "Global Affairs Canada", data["file_number"]]
    for document in ("delegation-pack", "leave-behind", "letter"):
        for language in ("en", "fr"):
            text = pdf_text(folder / f"{document}{SUFFIX[language]}.pdf") + \
                docx_text(folder / f"{document}{SUFFIX[language]}.docx")
            assert [name for name in names if name in text] == [], (document, language)


# -- The decision block -------------------------------------------------------------------------------

def decision_rows(data: dict, language: str) -> list[tuple[str, ...]]:
    labels = LABELS[language]
    principal = data["visit"]["principal"]
    name = f"{principal['name']}, {in_language(principal['title'], language)}"
    # The name spans both columns: python-docx gives a merged cell once per column it covers.
    return normal_rows([(labels["concur"], labels["not"]), (labels["signature"], labels["signature"]),
                        (labels["date"], labels["date"]), (name, name)])


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_note_with_a_recommendation_ends_with_the_decision_block_in_the_pdf(built, language) -> None:
    folder, data, _ = built
    text = pdf_flow(folder / f"briefing-pack{SUFFIX[language]}.pdf")
    rows = decision_rows(data, language)
    block = " ".join([LABELS[language]["decision"], *rows[0], *rows[1], *rows[2], rows[3][0]])
    with_recommendation = [issue for issue in data["issues"] if issue.get("recommendation")]
    assert with_recommendation
    assert text.count(block) == len(with_recommendation)
    # Each block ends its own note: between its recommendation and the next note's heading.
    starts = [text.index(normal(f"{number}. {issue['title'][language]} {LABELS[language]['file']}"))
              for number, issue in enumerate(data["issues"], start=1)]
    for issue, start, end in zip(data["issues"], starts, [*starts[1:], len(text)]):
        note = text[start:end]
        assert note.count(block) == (1 if issue.get("recommendation") else 0), issue["id"]
        assert note.index(block) > note.index(normal(in_language(issue["recommendation"], language))[:40])


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_decision_block_is_a_real_word_table_kept_whole_with_the_recommendation(built, language) -> None:
    folder, data, _ = built
    document = docx.Document(str(folder / f"briefing-pack{SUFFIX[language]}.docx"))
    blocks = [table for table in document.tables if table.style.name == "Decision"]
    assert len(blocks) == sum(1 for issue in data["issues"] if issue.get("recommendation"))
    for table in blocks:
        assert table_rows(table) == decision_rows(data, language)
        rows = table._tbl.tr_lst
        assert rows[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        assert all(row.find(qn("w:trPr")) is not None and row.find(qn("w:trPr")).find(qn("w:cantSplit"))
                   is not None for row in rows)
        # Kept with what precedes it: the recommendation keeps with the caption ("Decision"), whose
        # style keeps with the table; every row keeps with the next but the last.
        caption = table._tbl.getprevious()
        assert normal("".join(caption.xpath(".//w:t/text()"))) == LABELS[language]["decision"]
        assert document.styles["Caption"].paragraph_format.keep_with_next is True
        assert caption.getprevious().find(qn("w:pPr")).find(qn("w:keepNext")) is not None
        keeps = [all(p.find(qn("w:pPr")).find(qn("w:keepNext")) is not None for p in row.iter(qn("w:p")))
                 for row in rows]
        assert keeps == [True] * (len(rows) - 1) + [False]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_packs_and_notes_pdfs_with_the_decision_block_stay_pdf_ua_clean(built, language) -> None:
    folder, data, _ = built
    pdfs = [folder / f"briefing-pack{SUFFIX[language]}.pdf",
            folder / "notes" / f"{data['issues'][0]['id']}{SUFFIX[language]}.pdf"]
    assert_clean(pdfua_reports(pdfs))
    headers = [element for element in structure_elements(PdfReader(pdfs[1])) if element["/S"] == "/TH"]
    # The decision block's two column headers ("I concur", "I do not concur"), after the header
    # block's row headers.
    assert sorted(str(element["/A"]["/Scope"]) for element in headers) == ["/Column"] * 2 + ["/Row"] * 7


def test_openxml_audit_finds_nothing_in_the_pack_nor_in_the_notes_on_their_own(built) -> None:
    folder, data, _ = built
    paths = [folder / f"briefing-pack{SUFFIX[language]}.docx" for language in ("en", "fr")]
    paths += [folder / "notes" / f"{issue['id']}{SUFFIX[language]}.docx" for issue in data["issues"]
              for language in ("en", "fr")]
    # One file at a time: over a folder of them (--recursive), openxml-audit's verdict on a file
    # depends on the files checked before it (footnote ids of one reported missing in another).
    verdicts = {}
    for path in paths:
        result = subprocess.run([require_tool("openxml-audit"), "--output", "json", str(path)], capture_output=True,
                                text=True, check=False)
        (report,) = json.loads(result.stdout)
        verdicts[path.name] = (result.returncode, findings(report), report["warning_count"])
    assert verdicts == {path.name: (0, [], 0) for path in paths}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_libreoffice_lays_out_each_decision_block_whole_on_the_page_of_its_recommendation(built, language,
                                                                                           tmp_path) -> None:
    folder, data, _ = built
    docx_path = folder / f"briefing-pack{SUFFIX[language]}.docx"
    subprocess.run([require_tool("soffice"), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                   capture_output=True, check=True, timeout=300)
    pdf = tmp_path / docx_path.with_suffix(".pdf").name
    labels = LABELS[language]
    principal = normal(f"{data['visit']['principal']['name']}, "
                       f"{in_language(data['visit']['principal']['title'], language)}")
    recommendation = {"en": "Recommendation", "fr": "Recommandation"}[language]
    whole = []
    for page in range(1, pdf_pages(pdf) + 1):
        text = pdf_flow(pdf, page=page)
        if labels["concur"] in text or labels["signature"] in text:
            block = text.split(labels["concur"])[-1]
            whole.append(text.count(labels["concur"]) == 1 and block.count(labels["signature"]) == 2
                         and block.count(labels["date"]) == 2 and principal in block
                         and recommendation in text.split(labels["concur"])[0])
    assert whole == [True] * sum(1 for issue in data["issues"] if issue.get("recommendation"))


def test_an_action_that_asks_for_information_gives_no_decision_block(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, sample_with_metadata(action="information", documents=["briefing-pack"]))
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    text = normal(pdf_text(tmp_path / "out" / "carney-china-2026" / "briefing-pack.pdf"))
    assert "Action required For information" in text
    assert "I concur" not in text


def test_the_header_block_shows_the_briefs_version_when_it_has_one() -> None:
    from briefgen.render.html import render_html
    from briefgen.render.resources import template_search_path
    from briefgen.view.context import build_context

    versioned = Brief.model_validate(sample_with_metadata(version=3))
    for language in ("en", "fr"):  # "Version" in both
        context = build_context(versioned, "note", language=language, issue=versioned.issues[0].id)
        html = render_html("note.html.j2", context, template_search_path(None))
        assert '<tr><th scope="row">Version</th><td>3</td></tr>' in html
    unversioned = Brief.model_validate(sample_with_metadata())
    html = render_html("note.html.j2", build_context(unversioned, "note", issue=unversioned.issues[0].id),
                       template_search_path(None))
    assert ">Version<" not in html


# -- Notes on their own -------------------------------------------------------------------------------

def test_split_notes_writes_one_note_per_issue_in_each_language_and_format(built) -> None:
    folder, data, stdout = built
    expected = {f"{issue['id']}{SUFFIX[language]}.{ext}" for issue in data["issues"] for language in ("en", "fr")
                for ext in ("pdf", "docx")}
    assert {path.name for path in (folder / "notes").iterdir()} == expected
    assert all(f"wrote {folder / 'notes' / name}" in stdout for name in expected)
    manifest = json.loads((folder / ".briefgen-build.json").read_text(encoding="utf-8"))
    recorded = {Path(name).relative_to(data["id"]).as_posix() for entry in manifest.values()
                if isinstance(entry, dict) for name in entry.get("outputs", {})}
    assert {f"notes/{name}" for name in expected} <= recorded


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_note_on_its_own_holds_only_its_note_with_the_marking_file_number_and_header(built, language) -> None:
    folder, data, _ = built
    marking = {"en": "UNCLASSIFIED", "fr": "NON CLASSIFIÉ"}[language]
    for number, issue in enumerate(data["issues"], start=1):
        pdf = folder / "notes" / f"{issue['id']}{SUFFIX[language]}.pdf"
        text = pdf_flow(pdf)
        assert text.startswith(normal(f"{marking} {number}. {issue['title'][language]} "
                                      f"{flat(header_rows(data, issue, language))}")), issue["id"]
        others = [normal(other["title"][language]) for other in data["issues"] if other is not issue]
        assert [title for title in others if title in text] == []
        footer = f"{LABELS[language]['file']}{' :' if language == 'fr' else ':'} {data['file_number']} {marking}"
        for page in range(1, pdf_pages(pdf) + 1):
            page_text = pdf_flow(pdf, page=page)
            assert page_text.startswith(marking), (issue["id"], page)
            assert re.search(rf"{re.escape(footer)}( Page {page} \S+ \d+)?$", page_text), (issue["id"], page)
        assert normal(str(PdfReader(pdf).metadata["/Title"])) == normal(issue["title"][language])
        document = docx.Document(str(pdf.with_suffix(".docx")))
        assert [table_rows(table) for table in document.tables if table.style.name == "Note Header"] == [
            header_rows(data, issue, language)]
        assert document.paragraphs[0].style.name == "Title"
        assert normal(document.paragraphs[0].text) == normal(f"{number}. {issue['title'][language]}")
        assert [table_rows(table) for table in document.tables if table.style.name == "Decision"] == [
            decision_rows(data, language)]


def test_a_second_build_with_split_notes_is_up_to_date(built) -> None:
    folder, _, _ = built
    brief = folder.parent.parent / "brief.yaml"
    result = run_briefgen("build", str(brief), "-o", str(folder.parent), "--lang", "all", "--split-notes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("up to date:")


def test_a_rebuild_lays_out_again_only_the_note_whose_issue_changed(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"].append({"id": "second-issue", "title": "Second issue", "summary": "As it was."})
    brief = write_brief(tmp_path, data)
    out = tmp_path / "out"
    build = ("build", str(brief), "-o", str(out), "--format", "docx", "--split-notes")
    assert run_briefgen(*build).returncode == 0
    data["issues"][1]["summary"] = "As it is now."
    write_brief(tmp_path, data)
    result = run_briefgen(*build)
    assert result.returncode == 0, result.stderr
    notes = out / data["id"] / "notes"
    assert f"kept {notes / 'first-issue.docx'}" in result.stdout.splitlines()
    assert f"wrote {notes / 'second-issue.docx'}" in result.stdout.splitlines()
    assert "As it is now." in docx_text(notes / "second-issue.docx")


def test_a_note_whose_issue_left_the_brief_goes_and_a_users_own_file_stays(tmp_path: Path) -> None:
    data = minimal_brief()
    data["issues"].append({"id": "second-issue", "title": "Second issue"})
    brief = write_brief(tmp_path, data)
    out = tmp_path / "out"
    build = ("build", str(brief), "-o", str(out), "--format", "docx", "--split-notes")
    assert run_briefgen(*build).returncode == 0
    notes = out / data["id"] / "notes"
    assert sorted(path.name for path in notes.iterdir()) == ["first-issue.docx", "second-issue.docx"]
    (notes / "comments.txt").write_text("the desk's own file", encoding="utf-8")
    data["issues"].pop()
    write_brief(tmp_path, data)
    result = run_briefgen(*build)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in notes.iterdir()) == ["comments.txt", "first-issue.docx"]


# -- Checks -------------------------------------------------------------------------------------------
# (A programme item on a day outside the visit is already an error: tests/test_validate.py runs
# tests/fixtures/invalid/programme-outside-visit.yaml, as it runs approved-before-drafted.yaml.)

def test_an_approval_dated_before_the_drafting_is_a_located_error(tmp_path: Path) -> None:
    data = minimal_brief()
    data.update(drafted_by={"name": "A", "date": "2026-01-12"}, approved_by={"name": "B", "date": "2026-01-11"})
    brief = write_brief(tmp_path, data)
    result = run_briefgen("validate", str(brief))
    assert result.returncode == 2
    line = brief.read_text(encoding="utf-8").splitlines().index("  date: '2026-01-11'") + 1
    assert result.stderr == (f"{brief}:{line}:9: approved_by.date: the notes are approved (2026-01-11) before they "
                             "are drafted (2026-01-12); correct approved_by.date or drafted_by.date\n")


def test_an_unknown_action_is_reported_as_written_with_the_spelling_it_resembles(tmp_path: Path) -> None:
    data = minimal_brief()
    data["action"] = "For Decison"
    brief = write_brief(tmp_path, data)
    result = run_briefgen("validate", str(brief))
    assert result.returncode == 2
    line = brief.read_text(encoding="utf-8").splitlines().index("action: For Decison") + 1
    assert result.stderr == (f"{brief}:{line}:9: action: 'For Decison' is not an action; did you mean 'for "
                             "decision'? Write information, decision, approval or signature, or 'for decision' "
                             "and the like\n")


@pytest.mark.parametrize("written, action", [("decision", "decision"), ("for decision", "decision"),
                                             ("For approval", "approval"), ("FOR SIGNATURE", "signature"),
                                             ("information", "information")])
def test_an_action_is_written_bare_or_after_for(written: str, action: str) -> None:
    data = minimal_brief()
    data["action"] = written
    assert Brief.model_validate(data).action == action


def test_a_brief_without_note_metadata_has_no_header_or_decision_block(sample_build) -> None:
    folder, _ = sample_build
    for language in ("en", "fr"):
        text = normal(pdf_text(folder / f"briefing-pack{SUFFIX[language]}.pdf"))
        assert LABELS[language]["action"] not in text and LABELS[language]["concur"] not in text
        styles = {table.style.name for table in
                  docx.Document(str(folder / f"briefing-pack{SUFFIX[language]}.docx")).tables}
        assert not styles & {"Note Header", "Decision"}
