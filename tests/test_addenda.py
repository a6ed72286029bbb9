"""Numbered addenda (issue 20, parts 3 and 4): ``build --since OLD`` against an earlier version.

A second version of the sample brief changes one fact, adds an ask and removes a signatory.
Built with ``--since`` the first, its addendum lists exactly those three changes (the PDF's
text, the .docx reopened), reissues the note whose fact changed with that change marked word
by word: tracked changes in Word (author, date, ids; accepting them gives the new note of the
plain pack; LibreOffice reads exactly those changes), underlined and struck through in the PDF,
tagged so that a screen reader says them, and pdfua and openxml-audit find nothing to report.
Then ``git:REV``, the checks and their messages, and the audience filter of the changes.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTCurve, LTTextContainer
from pypdf import PdfReader

from conftest import SAMPLE, line_starting, minimal_brief, normalise, pdf_text, require_tool, run_briefgen, write_brief
from test_pdfua import assert_clean, pdfua_reports
from test_word_package import audit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
BRIEF_ID = "carney-china-2026"
#: Every line of the list of changes starts with the kind of item and what happened to it.
CHANGE_LINE = re.compile(r"\b(Note|Fact|Point to make|Person|Responsive line|Ask|Signatory|Programme item) "
                         r"(added|removed|changed)[:;.]")


def versions(folder: Path) -> tuple[Path, Path, dict, dict]:
    """The sample as version 1, and a version 2 that changes a fact, adds an ask and removes a signatory."""
    old = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    old["version"] = 1
    new = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    new["version"] = 2
    fact = new["issues"][0]["facts"][0]["text"]
    fact["en"] = fact["en"].replace("urged him to directly raise", "urged him to raise, directly and publicly,")
    fact["fr"] = fact["fr"].replace("à soulever directement", "à soulever directement et publiquement")
    assert fact != old["issues"][0]["facts"][0]["text"]
    new["asks"].insert(1, {"id": "meet-tibetan-groups", "issue": new["issues"][0]["id"],
                           "text": {"en": "Meet Tibetan community groups in Canada on the return from Beijing.",
                                    "fr": "Rencontrer les groupes de la communauté tibétaine au Canada au "
                                          "retour de Beijing."},
                           "of": {"en": "Prime Minister", "fr": "Premier ministre"}, "by": ["ctc"]})
    removed = "aic"
    new["signatories"] = [signatory for signatory in new["signatories"] if signatory["id"] != removed]
    for ask in new["asks"]:
        ask["by"] = [ref for ref in ask["by"] if ref != removed]
    new["letter"]["signed_by"] = [ref for ref in new["letter"]["signed_by"] if ref != removed]
    return write_brief(folder, old, "v1.yaml"), write_brief(folder, new, "v2.yaml"), old, new


@pytest.fixture(scope="module")
def addendum(tmp_path_factory):
    """Version 2 built with --since version 1, both languages, PDF, .docx and HTML: (folder, old, new, process)."""
    folder = tmp_path_factory.mktemp("addenda")
    v1, v2, old, new = versions(folder)
    result = run_briefgen("build", str(v2), "--since", str(v1), "-o", str(folder / "out"), "--lang", "all",
                          "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    return folder / "out" / BRIEF_ID, old, new, result


def english(value):
    return value["en"] if isinstance(value, dict) else value


def expected_changes(old: dict, new: dict, language: str = "en") -> list[tuple[str, str, str]]:
    """The three changes version 2 makes, as (kind, change, text), read from the two briefs."""
    def text(value):
        return value[language] if isinstance(value, dict) else value
    (signatory,) = [s for s in old["signatories"] if s["id"] not in {n["id"] for n in new["signatories"]}]
    (ask,) = [a for a in new["asks"] if a["id"] not in {o["id"] for o in old["asks"]}]
    return [("Fact", "changed", text(new["issues"][0]["facts"][0]["text"])),
            ("Ask", "added", text(ask["text"])),
            ("Signatory", "removed", text(signatory["name"]))]


def change_lines(text: str) -> list[tuple[str, str, str]]:
    """The changes listed in ``text`` (normalised), each (kind, change, the words up to the next one)."""
    found = list(CHANGE_LINE.finditer(text))
    return [(match.group(1), match.group(2), text[match.end():found[index + 1].start()
                                                 if index + 1 < len(found) else len(text)].strip())
            for index, match in enumerate(found)]


def listed_changes(text: str, new: dict) -> list[tuple[str, str, str]]:
    """The changes listed in an addendum's ``text``: from "What changed" to its first reissued note,
    whose heading follows the list's heading of the same issue."""
    summary = text[text.index("What changed"):]
    heading = "1. " + english(new["issues"][0]["title"])
    return change_lines(summary[:summary.index(heading, summary.index(heading) + 1)])


def straight(text: str) -> str:
    return normalise(text)


def test_the_addendum_is_written_beside_the_documents_in_both_languages_and_formats(addendum) -> None:
    folder, _, _, result = addendum
    for name in ("addendum-2.pdf", "addendum-2.docx", "addendum-2.fr.pdf", "addendum-2.fr.docx"):
        assert (folder / name).is_file(), name
        assert f"wrote {folder / name}" in result.stdout
    assert (folder / "briefing-pack.docx").is_file()


def test_the_pdf_lists_exactly_the_three_changes(addendum) -> None:
    folder, old, new, _ = addendum
    text = pdf_text(folder / "addendum-2.pdf")
    listed = listed_changes(text, new)
    assert [(kind, change) for kind, change, _ in listed] == [(k, c) for k, c, _ in expected_changes(old, new)]
    for (_, _, words), (_, _, wanted) in zip(listed, expected_changes(old, new)):
        assert words.startswith(straight(wanted)), (words, wanted)
    # The changed fact says what it was; nothing else of the brief is listed.
    assert straight("(was: " + english(old["issues"][0]["facts"][0]["text"]) + ")") in listed[0][2]
    assert len(CHANGE_LINE.findall(text)) == 3
    assert "Other changes" not in text


def test_the_french_pdf_lists_them_in_french(addendum) -> None:
    folder, old, new, _ = addendum
    text = pdf_text(folder / "addendum-2.fr.pdf")
    labels = ["Fait modifié :", "Demande ajoutée :", "Signataire retiré :"]
    for label, (_, _, wanted) in zip(labels, expected_changes(old, new, "fr")):
        assert f"{label} {straight(wanted)}" in text.replace("\u202f", " ").replace("\u00a0", " ") or \
            f"{label} {straight(wanted)}" in text
    assert text.startswith("NON CLASSIFIÉ Addenda n° 2")


def docx_paragraphs(path: Path) -> list[etree._Element]:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml")).findall(".//w:body/w:p", NS)


def paragraph_text(p: etree._Element, *, accept: bool | None = None) -> str:
    """The text of the paragraph ``p``; with ``accept`` True its changes accepted, False rejected."""
    parts = []
    for node in p.iter(f"{{{W}}}t", f"{{{W}}}delText"):
        inside = {ancestor.tag for ancestor in node.iterancestors()}
        if accept is True and f"{{{W}}}del" in inside:
            continue
        if accept is False and f"{{{W}}}ins" in inside:
            continue
        parts.append(node.text or "")
    return normalise("".join(parts))


def test_the_docx_lists_exactly_the_three_changes(addendum) -> None:
    folder, old, new, _ = addendum
    texts = [paragraph_text(p) for p in docx_paragraphs(folder / "addendum-2.docx")]
    start = texts.index("What changed")
    heading = "1. " + english(new["issues"][0]["title"])
    note = texts.index(heading, texts.index(heading, start) + 1)  # the list's heading, then the note's
    listed = [change for text in texts[start:note] for change in change_lines(text)]
    assert [(kind, change) for kind, change, _ in listed] == [(k, c) for k, c, _ in expected_changes(old, new)]
    for (_, _, words), (_, _, wanted) in zip(listed, expected_changes(old, new)):
        assert words.startswith(straight(wanted))
    assert sum(len(CHANGE_LINE.findall(text)) for text in texts) == 3


def revisions(path: Path) -> list[etree._Element]:
    with zipfile.ZipFile(path) as package:
        document = etree.fromstring(package.read("word/document.xml"))
    return document.xpath("//w:ins | //w:del", namespaces=NS)


def test_the_fact_s_change_is_tracked_word_by_word_with_author_date_and_ids_of_their_own(addendum) -> None:
    folder, old, new, _ = addendum
    path = folder / "addendum-2.docx"
    marks = revisions(path)
    assert {mark.tag for mark in marks} == {f"{{{W}}}ins", f"{{{W}}}del"}
    date = f"{new['date']}T00:00:00Z" if isinstance(new["date"], str) else f"{new['date'].isoformat()}T00:00:00Z"
    for mark in marks:
        assert mark.get(f"{{{W}}}author") == "briefgen"
        assert mark.get(f"{{{W}}}date") == date
        kind = etree.QName(mark).localname
        assert mark.findall(".//w:t", NS) == [] if kind == "del" else mark.findall(".//w:delText", NS) == []
    with zipfile.ZipFile(path) as package:
        ids = re.findall(rb'<w:(?:ins|del|bookmarkStart)\b[^>]*\bw:id="(\d+)"', package.read("word/document.xml"))
    assert len(ids) == len(set(ids))
    # Every change is in the one paragraph of the fact: accepted, the new fact; rejected, the old one.
    (paragraph,) = {mark.getparent() for mark in marks}
    assert paragraph_text(paragraph, accept=True) == straight(english(new["issues"][0]["facts"][0]["text"]))
    assert paragraph_text(paragraph, accept=False) == straight(english(old["issues"][0]["facts"][0]["text"]))
    # Word by word: no mark holds the whole sentence.
    assert all(len(paragraph_text_of(mark).split()) <= 3 for mark in marks)


def paragraph_text_of(mark: etree._Element) -> str:
    return "".join(node.text or "" for node in mark.iter(f"{{{W}}}t", f"{{{W}}}delText"))


def note_texts(paragraphs: list[etree._Element], heading: str, *, accept: bool | None = None) -> list[str]:
    """The texts of a note's paragraphs: from its heading (the last paragraph of that text: an
    addendum's list of changes names the note before it) to the next heading of the same style."""
    texts = [paragraph_text(p, accept=accept) for p in paragraphs]
    start = len(texts) - 1 - texts[::-1].index(heading)
    style = paragraphs[start].find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val")
    end = next((index for index in range(start + 1, len(paragraphs))
                if (found := paragraphs[index].find("w:pPr/w:pStyle", NS)) is not None
                and found.get(f"{{{W}}}val") == style), len(paragraphs))
    return [text for text in texts[start:end] if text]


def test_accepting_every_change_gives_the_note_of_the_new_briefing_pack(addendum) -> None:
    folder, _, new, _ = addendum
    heading = "1. " + english(new["issues"][0]["title"])
    accepted = note_texts(docx_paragraphs(folder / "addendum-2.docx"), heading, accept=True)
    assert accepted == note_texts(docx_paragraphs(folder / "briefing-pack.docx"), heading)
    assert len(accepted) > 10


def test_libreoffice_opens_the_docx_with_exactly_those_tracked_changes(addendum, tmp_path) -> None:
    folder, _, new, _ = addendum
    soffice = require_tool("soffice")
    profile = f"file:///tmp/lo-profile-addenda-{tmp_path.name}"
    for target in ("odt", "pdf"):
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(tmp_path), str(folder / "addendum-2.docx")],
                       capture_output=True, check=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "addendum-2.odt") as package:
        content = etree.fromstring(package.read("content.xml"))
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    regions = content.findall(f".//{{{text_ns}}}changed-region")
    kinds = [etree.QName(region[0]).localname for region in regions]
    marks = revisions(folder / "addendum-2.docx")
    assert sorted(kinds) == sorted({"ins": "insertion", "del": "deletion"}[etree.QName(m).localname] for m in marks)
    for region in regions:
        assert region.find(f".//{{{text_ns}}}changed-info", None) is not None or len(region[0])
    text = pdf_text(tmp_path / "addendum-2.pdf")
    assert "What changed" in text and "1. " + english(new["issues"][0]["title"]) in text
    # LibreOffice shows the changes: the deleted word stays in the text, where it was.
    assert straight("urged him to raise, directly raise and publicly, the issue") in text


def marked_elements(html_path: Path) -> list[tuple[str, str, str]]:
    """The ins and del elements of the addendum's HTML: (tag, title, words)."""
    root = lxml_html.fromstring(html_path.read_bytes())
    return [(element.tag, element.get("title"), " ".join(element.text_content().split()))
            for element in root.iter("ins", "del")]


def test_the_pdf_tags_each_marked_change_with_what_a_screen_reader_says(addendum) -> None:
    folder, _, _, _ = addendum
    for language, (inserted, deleted) in {"en": ("inserted", "deleted"), "fr": ("inséré", "supprimé")}.items():
        suffix = "" if language == "en" else ".fr"
        marks = marked_elements(folder / f"addendum-2{suffix}.html")
        # The French fact only gains words: its changes are insertions.
        assert {title for _, title, _ in marks} == ({inserted, deleted} if language == "en" else {inserted})
        reader = PdfReader(folder / f"addendum-2{suffix}.pdf")
        spoken = [str(element["/ActualText"]) for element in structure_elements(reader) if "/ActualText" in element]
        assert spoken == [f"{title}: {words}" for _, title, words in marks]
        assert all(element["/S"] == "/Span" for element in structure_elements(reader) if "/ActualText" in element)


def structure_elements(reader: PdfReader) -> list:
    found, todo = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while todo:
        element = todo.pop(0).get_object()
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and kid.get("/Type") == "/StructElem":
                found.append(kid)
                todo.append(kid)
    return found


def test_the_pdf_shows_the_struck_words_in_their_place_struck_through_and_the_new_ones_underlined(addendum) -> None:
    folder, _, new, _ = addendum
    marks = marked_elements(folder / "addendum-2.html")
    text = pdf_text(folder / "addendum-2.pdf")
    assert straight("urged him to raise, directly raise and publicly, the issue") in text
    assert "struck through" in text and "underlined" in text  # the legend
    # Each marked word is drawn in its colour with a line through (del) or under (ins) it.
    colours = {"ins": (0x0b / 255, 0x5a / 255, 0x20 / 255), "del": (0x9c / 255, 0x1c / 255, 0x1c / 255)}
    seen = set()
    for page in extract_pages(folder / "addendum-2.pdf"):
        lines = [item for item in page if isinstance(item, LTCurve)]
        chars = [char for box in page if isinstance(box, LTTextContainer) for line in box for char in line
                 if isinstance(char, LTChar)]
        for tag, colour in colours.items():
            coloured = [char for char in chars if tuple(round(c, 3) for c in (char.graphicstate.ncolor or ())) ==
                        tuple(round(c, 3) for c in colour)]
            if not coloured:
                continue
            seen.add(tag)
            words = "".join(char.get_text() for char in coloured)
            assert words.replace(" ", "") == "".join(w for t, _, w in marks if t == tag).replace(" ", "")
            for char in coloured:
                if char.get_text().strip():
                    below = char.y0 - 1 if tag == "ins" else (char.y0 + char.y1) / 2 - 3
                    assert any(line.x0 <= char.x0 + 0.5 and line.x1 >= char.x1 - 0.5 and
                               below - 3 <= line.y0 <= char.y1 for line in lines), (tag, char.get_text())
    assert seen == set(colours)


def test_pdfua_and_openxml_audit_find_nothing_in_the_addenda(addendum, tmp_path) -> None:
    folder, _, _, _ = addendum
    assert_clean(pdfua_reports([folder / "addendum-2.pdf", folder / "addendum-2.fr.pdf"]))
    for name in ("addendum-2.docx", "addendum-2.fr.docx"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    status, reports = audit(tmp_path)
    assert status == 0 and all(report["error_count"] == 0 for report in reports.values()), reports


# git:REV, and the checks.

def git(folder: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin", "HOME": str(folder)})


def test_since_git_rev_reads_the_brief_s_own_file_at_that_revision(tmp_path) -> None:
    require_tool("git")
    repo = tmp_path / "repo"
    (repo / "briefs").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "README").write_text("first commit, without the brief\n")
    git(repo, "add", "README")
    git(repo, "commit", "-qm", "first")
    v1, v2, old, new = versions(tmp_path)
    brief = repo / "briefs" / "brief.yaml"
    brief.write_text(v1.read_text(encoding="utf-8"), encoding="utf-8")
    git(repo, "add", "briefs/brief.yaml")
    git(repo, "commit", "-qm", "version 1")
    brief.write_text(v2.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_briefgen("build", str(brief), "--since", "git:HEAD", "-o", str(out), "--format", "html")
    assert result.returncode == 0, result.stderr
    html = (out / BRIEF_ID / "addendum-2.html").read_text(encoding="utf-8")
    text = normalise(lxml_html.fromstring(html).text_content())
    assert [(kind, change) for kind, change, _ in listed_changes(text, new)] == [
        (k, c) for k, c, _ in expected_changes(old, new)]
    # Each way git:REV can fail says what to give instead.
    result = run_briefgen("build", str(brief), "--since", "git:nosuchrev", "-o", str(out))
    assert (result.returncode, result.stderr.strip()) == (2, (
        f"--since git:nosuchrev: the repository at {repo.resolve()} has no revision 'nosuchrev'; give a commit, a "
        "branch or a tag (git log --oneline lists the commits)"))
    result = run_briefgen("build", str(brief), "--since", "git:HEAD~1", "-o", str(out))
    assert (result.returncode, result.stderr.strip()) == (2, (
        "--since git:HEAD~1: briefs/brief.yaml is not in revision 'HEAD~1'; give a revision that has it "
        "(git log --oneline -- briefs/brief.yaml lists them)"))
    outside = tmp_path / "outside" / "brief.yaml"
    outside.parent.mkdir()
    outside.write_text(v2.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_briefgen("build", str(outside), "--since", "git:HEAD", "-o", str(out))
    assert (result.returncode, result.stderr.strip()) == (2, (
        f"--since git:HEAD: {outside} is not in a git repository; give the earlier brief as a file "
        "(--since old.yaml)"))


def small_versions(folder: Path, old_changes=None, new_changes=None) -> tuple[Path, Path]:
    old, new = minimal_brief(), minimal_brief()
    (old_changes or (lambda data: None))(old)
    (new_changes or (lambda data: None))(new)
    return write_brief(folder, old, "old.yaml"), write_brief(folder, new, "new.yaml")


def test_a_version_that_goes_backwards_is_an_error_at_the_brief_s_version(tmp_path) -> None:
    old, new = small_versions(tmp_path, lambda data: data.update(version=3),
                              lambda data: data.update(version=2, title="Minimal brief, again"))
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(tmp_path / "out"))
    line = line_starting(new, "version:")
    assert (result.returncode, result.stderr.strip()) == (2, (
        f"{new}:{line}:10: version: version 2 is not after version 3 of the earlier brief ({old}); give this brief "
        "a later version (version: 4)"))
    assert not (tmp_path / "out").exists()


def test_an_earlier_brief_of_another_id_is_an_error_at_its_id(tmp_path) -> None:
    old, new = small_versions(tmp_path, lambda data: data.update(id="another-brief"), lambda data: data.update(
        version=2))
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(tmp_path / "out"))
    assert (result.returncode, result.stderr.strip()) == (2, (
        f"{old}:{line_starting(old, 'id:')}:5: id: this is the brief 'another-brief', not 'minimal'; --since takes "
        "an earlier version of the same brief"))


def test_an_addendum_without_a_number_asks_for_one(tmp_path) -> None:
    old, new = small_versions(tmp_path, None, lambda data: data.update(title="Changed"))
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(tmp_path / "out"))
    assert (result.returncode, result.stderr.strip()) == (2, (
        f"{new}: the addendum needs a number: give the brief its version (version: 2) or pass --addendum 2"))
    result = run_briefgen("build", str(new), "--since", str(old), "--addendum", "4", "-o", str(tmp_path / "out"),
                          "--format", "html")
    assert result.returncode == 0, result.stderr
    text = normalise(lxml_html.fromstring((tmp_path / "out" / "minimal" / "addendum-4.html").read_bytes())
                     .text_content())
    assert "Addendum 4" in text and "Title changed." in text
    result = run_briefgen("build", str(new), "--addendum", "4", "-o", str(tmp_path / "out"))
    assert (result.returncode, result.stderr.strip()) == (2, (
        "--addendum 4: an addendum is made against an earlier version of the brief; give it with --since "
        "OLD_BRIEF (a file, or git:REV)"))


def test_an_earlier_version_with_the_same_content_makes_no_addendum(tmp_path) -> None:
    old, new = small_versions(tmp_path, lambda data: data.update(version=1),
                              lambda data: data.update(version=2, date="2026-01-20"))
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(tmp_path / "out"), "--format", "html")
    assert result.returncode == 0, result.stderr
    assert f"no addendum: nothing changed since {old}" in result.stdout
    assert sorted(path.name for path in (tmp_path / "out" / "minimal").glob("*.html")) == [
        "briefing-pack.html", "delegation-pack.html", "leave-behind.html"]


def test_a_fact_removed_and_a_point_added_are_whole_paragraphs_tracked_in_word(tmp_path) -> None:
    def before(data):
        data["issues"][0]["facts"].append({"text": "A second fact, later withdrawn.", "sources": ["report"]})
        data["version"] = 1

    def after(data):
        data["issues"][0]["points_to_make"] = ["A point to make."]
        data["version"] = 2

    old, new = small_versions(tmp_path, before, after)
    out = tmp_path / "out"
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(out), "--format", "docx")
    assert result.returncode == 0, result.stderr
    paragraphs = docx_paragraphs(out / "minimal" / "addendum-2.docx")
    texts = [paragraph_text(p) for p in paragraphs]
    removed = paragraphs[texts.index("A second fact, later withdrawn.", texts.index("1. First issue"))]
    added = paragraphs[texts.index("A point to make.", texts.index("1. First issue"))]
    assert removed.find("w:pPr/w:rPr/w:del", NS) is not None and removed.findall(".//w:t", NS) == []
    assert added.find("w:pPr/w:rPr/w:ins", NS) is not None and added.findall(".//w:delText", NS) == []
    assert {"Fact removed: A second fact, later withdrawn.", "Point to make added: A point to make."} <= set(texts)
    # Accepted, the note is the new pack's: the removed fact's paragraph goes with its mark.
    accepted = [p for p in paragraphs if p.find("w:pPr/w:rPr/w:del", NS) is None]
    assert note_texts(accepted, "1. First issue", accept=True) == note_texts(
        docx_paragraphs(out / "minimal" / "briefing-pack.docx"), "1. First issue")


def test_a_change_the_audience_may_not_see_is_no_change_for_it() -> None:
    from briefgen.model.brief import Brief
    from briefgen.view.changes import brief_changes, has_changes

    old = Brief.model_validate(minimal_brief())
    data = minimal_brief()
    data["issues"][0]["internal_notes"] = "Not for the public."
    new = Brief.model_validate(data)
    assert not has_changes(brief_changes(old, new, "public", "en"))
    assert not has_changes(brief_changes(old, new, "delegation", "en"))
    changes = brief_changes(old, new, "officials", "en")
    assert [(issue["id"], issue["parts"]) for issue in changes["issues"]] == [("first-issue", ["internal_notes"])]
    assert "Not for the public." in changes["issues"][0]["note"]["internal_notes"]


def test_the_earlier_version_is_an_input_of_the_build(tmp_path) -> None:
    old, new = small_versions(tmp_path, lambda data: data.update(version=1),
                              lambda data: data.update(version=2, title="Minimal brief, retitled"))
    out = tmp_path / "out"
    build = ("build", str(new), "--since", str(old), "-o", str(out), "--format", "html")
    assert run_briefgen(*build).returncode == 0
    again = run_briefgen(*build)
    assert again.returncode == 0 and again.stdout.startswith("up to date:")
    data = yaml.safe_load(old.read_text(encoding="utf-8"))
    data["subtitle"] = "A subtitle since dropped"
    write_brief(tmp_path, data, old.name)
    changed = run_briefgen(*build)
    assert changed.returncode == 0 and f"wrote {out / 'minimal' / 'addendum-2.html'}" in changed.stdout
    text = normalise(lxml_html.fromstring((out / "minimal" / "addendum-2.html").read_bytes()).text_content())
    assert "Title changed." in text and "Subtitle changed." in text


def test_programme_items_are_matched_by_day_and_time_and_an_added_note_is_reissued_all_inserted() -> None:
    from briefgen.model.brief import Brief
    from briefgen.view.changes import brief_changes
    from briefgen.view.markdown import render_block
    from briefgen.view.worddiff import accepted

    old_data, new_data = minimal_brief(), minimal_brief()
    old_data["visit"]["programme"] = [{"date": "2026-01-13", "time": "10:00", "event": "Arrival"},
                                      {"date": "2026-01-14", "event": "Departure"}]
    new_data["visit"]["programme"] = [{"date": "2026-01-13", "time": "10:00", "event": "Arrival in the capital"},
                                      {"date": "2026-01-13", "time": "15:00", "event": "Meeting"}]
    new_data["issues"].append({"id": "second-issue", "title": "Second issue", "summary": "New *concern*."})
    changes = brief_changes(Brief.model_validate(old_data), Brief.model_validate(new_data), "officials", "en")
    assert [(item["change"], str(item["text"]["event"])) for item in changes["programme"]] == [
        ("changed", "Arrival in the capital"), ("added", "Meeting"), ("removed", "Departure")]
    assert changes["programme"][0]["was"]["event"] == "Arrival"
    (added,) = [issue for issue in changes["issues"] if issue["id"] == "second-issue"]
    assert (added["change"], added["number"]) == ("added", 2)
    summary = str(added["note"]["summary"])
    # Every word inserted, the Markdown's markup kept: accepted, it is the summary as the pack prints it.
    assert re.sub(r"<[^>]*>", "", re.sub(r"<ins\b[^>]*>.*?</ins>", "", summary)).strip() == ""
    assert accepted(summary) == render_block("New *concern*.", "en")
    assert changes["other"] == []  # the visit's programme is listed item by item, not as the visit


WORDS = ["the", "Prime", "Minister", "raised", "it", "directly", "with", "Xi", "Jinping", "today", ",", "."]


def html_of(paragraphs: list[list[str]]) -> str:
    return "".join(f"<p>{' '.join(words)}</p>\n" for words in paragraphs if words)


def words_of(html: str) -> list[str]:
    return lxml_html.fromstring(f"<div>{html}</div>").text_content().split()


def rejected(marked: str) -> str:
    return re.sub(r"</?del\b[^>]*>", "", re.sub(r"<ins\b[^>]*>.*?</ins>", "", marked, flags=re.S))


def test_a_marked_text_accepted_is_the_new_text_and_rejected_has_the_old_words() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")
    from briefgen.view.worddiff import Marks, accepted, diff_html

    paragraphs = strategies.lists(strategies.lists(strategies.sampled_from(WORDS), max_size=8), max_size=3)

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(paragraphs, paragraphs)
    def check(old, new):
        marked = diff_html(html_of(old), html_of(new), Marks("2026-01-12T00:00:00Z"))
        assert words_of(accepted(marked)) == words_of(html_of(new))
        assert words_of(rejected(marked)) == words_of(html_of(old))
        # Every mark stands inside a paragraph: the HTML stays in the subset's shape.
        root = lxml_html.fromstring(f"<div>{marked}</div>")
        assert all(mark.getparent().tag == "p" for mark in root.iter("ins", "del"))
        # Inline text (a fact), its first words in emphasis.
        before, after = (" ".join(f"<em>{word}</em>" if index < 2 else word for index, word in enumerate(words))
                         for words in (sum(old, []), sum(new, [])))
        marked = diff_html(before, after, Marks("2026-01-12T00:00:00Z"), inline=True)
        assert words_of(accepted(marked)) == words_of(after) and words_of(rejected(marked)) == words_of(before)

    check()


def test_a_person_changed_and_one_removed_are_marked_in_the_reissued_note(tmp_path) -> None:
    def before(data):
        data["issues"][0]["people"] = [{"name": "Jimmy Lai", "native_name": "黎智英", "status": "detained since 2020"},
                                       {"name": "Huseyin Celil", "status": "imprisoned"}]
        data["version"] = 1

    def after(data):
        data["issues"][0]["people"] = [{"name": "Jimmy Lai", "native_name": "黎智英",
                                        "status": "detained since December 2020"}]
        data["version"] = 2

    old, new = small_versions(tmp_path, before, after)
    out = tmp_path / "out"
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(out), "--format", "docx,html")
    assert result.returncode == 0, result.stderr
    html = (out / "minimal" / "addendum-2.html").read_text(encoding="utf-8")
    text = normalise(lxml_html.fromstring(html).text_content())
    assert "Person changed: Jimmy Lai" in text and "Person removed: Huseyin Celil" in text
    accepted_note = note_texts(docx_paragraphs(out / "minimal" / "addendum-2.docx"), "1. First issue", accept=True)
    # The person who went leaves a paragraph whose mark is deleted too: accepted, it is gone.
    accepted_note = [line for line in accepted_note if line]
    with zipfile.ZipFile(out / "minimal" / "addendum-2.docx") as package:
        document = etree.fromstring(package.read("word/document.xml"))
    gone = [p for p in document.iter(f"{{{W}}}p") if p.find("w:pPr/w:rPr/w:del", NS) is not None]
    assert [paragraph_text(p, accept=False) for p in gone] == ["Huseyin Celil: imprisoned"]
    assert "Jimmy Lai (黎智英): detained since December 2020" in accepted_note


def test_a_brief_changed_only_in_french_says_so_in_the_english_addendum(tmp_path) -> None:
    def bilingual(title):
        def change(data):
            data.update(languages=["en", "fr"], version=len(title))
            data["issues"][0]["title"] = {"en": "First issue", "fr": title}
        return change

    old, new = small_versions(tmp_path, bilingual("Première"), bilingual("Premier enjeu"))
    out = tmp_path / "out"
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(out), "--format", "html", "--lang", "all")
    assert result.returncode == 0, result.stderr
    english_text = normalise(lxml_html.fromstring((out / "minimal" / "addendum-13.html").read_bytes()).text_content())
    french_text = normalise(lxml_html.fromstring((out / "minimal" / "addendum-13.fr.html").read_bytes())
                            .text_content())
    assert "Nothing this document shows changed in this language." in english_text
    assert "Modification : Titre." not in french_text and "Note modifiée : Titre." in french_text


def test_a_text_of_the_note_that_went_is_listed_as_removed_and_left_out_of_the_reissued_note(tmp_path) -> None:
    def before(data):
        data["version"] = 1
        data["issues"][0].update(summary="A summary.", recommendation="Raise it.")

    def after(data):
        data["version"] = 2
        data["issues"][0].update(summary="A new summary.")

    old, new = small_versions(tmp_path, before, after)
    out = tmp_path / "out"
    result = run_briefgen("build", str(new), "--since", str(old), "-o", str(out), "--format", "docx")
    assert result.returncode == 0, result.stderr
    accepted = note_texts(docx_paragraphs(out / "minimal" / "addendum-2.docx"), "1. First issue", accept=True)
    assert accepted == note_texts(docx_paragraphs(out / "minimal" / "briefing-pack.docx"), "1. First issue")
    texts = [paragraph_text(p) for p in docx_paragraphs(out / "minimal" / "addendum-2.docx")]
    assert "Note changed: Summary, Recommendation (removed)." in texts
