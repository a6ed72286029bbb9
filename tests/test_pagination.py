"""Word paginates like the PDF, and both follow the same pagination rules.

The sample and a long bilingual brief of invented prose (tests/longbrief.py) are built in
PDF and .docx in both languages; LibreOffice lays out every .docx (``soffice --convert-to
pdf``) and each heading of level 1 and 2 must start on the same page there as in the PDF,
the .docx contents must give the pages LibreOffice lays the headings on, and the page
budgets must hold in both. The rules themselves are checked on the pages: no page of
either format ends with a heading, a table caption or a question, and the .docx carries Word's keeps.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from lxml import etree

from conftest import LETTER_BRIEF, in_language, require_tool, run_briefgen, write_brief
from pagination import body_lines, heading_pages, headings, mismatches, page_lines

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENTS = ("briefing-pack", "delegation-pack", "leave-behind", "letter")
BUILDS = [(brief, document, language) for brief in ("sample", "long") for document in DOCUMENTS
          for language in ("en", "fr")]


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W_NS}}}t"))


def _file(document: str, language: str) -> str:
    return document if language == "en" else f"{document}.{language}"


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory, sample_build, long_build) -> dict[str, tuple[Path, Path]]:
    """For each brief: (folder of briefgen's PDF and .docx, folder of LibreOffice's PDF of each .docx)."""
    soffice = require_tool("soffice")
    require_tool("pdftotext")
    root = tmp_path_factory.mktemp("pagination")
    profile = tmp_path_factory.mktemp("profile")
    folders = {}
    for name, built in (("sample", sample_build[0]), ("long", long_build)):
        converted = root / f"{name}-libreoffice"
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(converted), *sorted(str(path) for path in built.glob("*.docx"))],
                       check=True, capture_output=True, timeout=600)
        folders[name] = (built, converted)
    return folders


@pytest.mark.parametrize(("brief", "document", "language"), BUILDS)
def test_libreoffice_starts_every_heading_on_the_page_of_the_pdf(laid_out, brief, document, language) -> None:
    built, converted = laid_out[brief]
    name = _file(document, language)
    assert mismatches(built / f"{name}.docx", built / f"{name}.pdf", converted / f"{name}.pdf") == []


@pytest.mark.parametrize("brief", ["sample", "long"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_docx_contents_give_the_pages_libreoffice_lays_the_headings_on(laid_out, brief, language) -> None:
    built, converted = laid_out[brief]
    name = _file("briefing-pack", language)
    entries = [p.text.rsplit("\t", 1) for p in docx.Document(str(built / f"{name}.docx")).paragraphs
               if p.style.name.lower().startswith("toc ") and "\t" in p.text]
    assert len(entries) >= 8
    pages = heading_pages(converted / f"{name}.pdf", [title for title, _ in entries])
    assert [(title, int(page)) for title, page in entries] == list(zip([title for title, _ in entries], pages))


@pytest.mark.parametrize(("brief", "document", "language"),
                         [build for build in BUILDS if build[1] != "delegation-pack"])  # it has no budget
def test_page_budgets_hold_in_both_formats(laid_out, brief, document, language) -> None:
    built, converted = laid_out[brief]
    name = _file(document, language)
    budgets = {"sample": {"leave-behind": 1, "letter": 2}, "long": {"leave-behind": 2, "letter": 3}}[brief]
    note_budget = 2 if brief == "sample" else 3
    for pdf in (built / f"{name}.pdf", converted / f"{name}.pdf"):
        pages = len(page_lines(pdf)) - 1  # pdftotext ends the last page with a form feed too
        if document in budgets:
            assert pages <= budgets[document], pdf
        if document == "briefing-pack":
            titled = [title for style, title in headings(built / f"{name}.docx") if style == "Heading 1"]
            starts = heading_pages(pdf, titled)
            notes = [(title, start, end) for title, start, end in zip(titled, starts, starts[1:])
                     if title[:1].isdigit()]  # the numbered issue notes
            assert notes and all(end - start <= note_budget for _, start, end in notes), (pdf, notes)


@pytest.mark.parametrize(("brief", "document", "language"),
                         [build for build in BUILDS if build[1] != "letter"])  # the letter has no headings
def test_no_page_ends_with_a_heading_a_table_caption_or_a_question(laid_out, brief, document, language) -> None:
    built, converted = laid_out[brief]
    name = _file(document, language)
    titles = {" ".join(title.split()) for _, title in headings(built / f"{name}.docx", ("Heading 1", "Heading 2",
                                                                                            "Heading 3", "Caption"))}
    assert titles
    for pdf in (built / f"{name}.pdf", converted / f"{name}.pdf"):
        pages = body_lines(pdf)
        for number, lines in enumerate(pages[:-1], start=1):
            body = [line for line in lines if line not in ("UNCLASSIFIED", "NON CLASSIFIÉ")]
            if body:
                assert body[-1] not in titles, f"{pdf.name} page {number} ends with {body[-1]!r}"
                assert not body[-1].startswith(("Q:", "Q :", "Q\u202f:")), f"{pdf.name} page {number}"


def test_the_docx_carries_words_keeps(laid_out) -> None:
    built, _ = laid_out["long"]
    body = etree.fromstring(docx.Document(str(built / "briefing-pack.docx")).element.xml.encode())
    ns = {"w": W_NS}
    rows = body.findall(".//w:tr", ns)
    assert rows and all(row.find("w:trPr/w:cantSplit", ns) is not None for row in rows)  # tr { break-inside: avoid }
    assert any(row.find("w:trPr/w:tblHeader", ns) is not None for row in rows)
    questions = [p for p in body.iter(f"{{{W_NS}}}p") if _text(p).startswith("Q:")]
    assert questions and all(p.find("w:pPr/w:pStyle", ns).get(f"{{{W_NS}}}val") == "Question" for p in questions)
    styles = docx.Document(str(built / "briefing-pack.docx")).styles
    assert questions and styles["Question"].paragraph_format.keep_with_next
    for name in ("Heading 1", "Heading 2"):
        assert styles[name].paragraph_format.keep_with_next and styles[name].paragraph_format.keep_together
    # .note-meta { break-after: avoid }: the "Key facts" label stays with its list.
    delegation = etree.fromstring(docx.Document(str(built / "delegation-pack.docx")).element.xml.encode())
    labels = [p for p in delegation.iter(f"{{{W_NS}}}p") if _text(p) == "Key facts"]
    assert labels and all(p.find("w:pPr/w:keepNext", ns) is not None for p in labels)


def _letter_brief(folder: Path, paragraphs: int) -> Path:
    """The letters' test brief in English, its letter's body ``paragraphs`` paragraphs of two lines."""
    data = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    data["languages"] = ["en"]
    data = in_language(data, "en")
    data["documents"] = ["letter"]
    data["letter"]["body"] = "\n\n".join(["We ask you to raise these concerns with your counterpart, directly and in "
                                          "public, during every meeting of the visit, and to report back to "
                                          "Parliament on what was said in reply."] * paragraphs)
    return write_brief(folder, data, f"letter-{paragraphs}.yaml")


@pytest.mark.parametrize(("paragraphs", "tight"), [(9, False), (11, True), (16, False)])
def test_a_letter_that_spills_a_few_lines_is_laid_out_on_the_tighter_page_in_both_formats(
        tmp_path, paragraphs, tight) -> None:
    import weasyprint

    soffice = require_tool("soffice")
    brief = _letter_brief(tmp_path, paragraphs)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "letter-test"
    html = (folder / "letter.html").read_text(encoding="utf-8")
    assert ('<body class="tight">' in html) == tight
    # On the ordinary page the letter would take two pages; on the tighter one it takes one.
    ordinary = len(weasyprint.HTML(string=html.replace('<body class="tight">', "<body>"), base_url=str(folder))
                   .render().pages)
    pages = len(page_lines(folder / "letter.pdf")) - 1
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "lo"), str(folder / "letter.docx")],
                   check=True, capture_output=True, timeout=300)
    assert len(page_lines(tmp_path / "lo" / "letter.pdf")) - 1 == pages
    assert (ordinary, pages) == {9: (1, 1), 11: (2, 1), 16: (2, 2)}[paragraphs]
    margins = docx.Document(str(folder / "letter.docx")).sections[0]
    assert round(margins.top_margin.cm, 2) == (1.5 if tight else 2.3)  # @page tight, else @page
