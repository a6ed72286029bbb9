"""The .docx package as Word writes it (issue 17, part 4): what Word reads before the text.

Every .docx briefgen writes, the sample brief's in both languages and the letters of a mail
merge, is checked by the openxml-audit validator (its default mode: Office 2019, permissive
policy), and here: compatibility mode 15 (else Word opens it in Compatibility Mode), a
``docProps/app.xml`` that names briefgen at its version and counts nothing, no thumbnail and
no ``stylesWithEffects`` part, every part listed in ``[Content_Types].xml``, every relationship's
target present; and the marking in the colour the PDF draws it.

openxml-audit exits 0 when every file it checks is valid and 1 when one has an error (or the
command was used wrongly); ``-o json`` gives its findings, file by file.
"""

from __future__ import annotations

import json
import posixpath
import re
import runpy
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from conftest import LETTER_BRIEF, PEOPLE, ROOT, require_tool, run_briefgen, write_recipients
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextLine

import briefgen
from briefgen.render.docx import html_to_docx
from briefgen.render.docx.properties import app_version

REFERENCE = ROOT / "templates" / "reference.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ap": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}
WORD_URI = "http://schemas.microsoft.com/office/word"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"

BUILT = [f"{document}{language}.docx" for language in ("", ".fr")
         for document in ("briefing-pack", "delegation-pack", "leave-behind", "letter")]
#: The long test brief's documents: the same, in English and French only.
LONG = list(BUILT)
# The sample's Chinese covers its letter and leave-behind.
BUILT += ["leave-behind.zh-Hans.docx", "letter.zh-Hans.docx"]
#: An English and a French recipient.
RECIPIENTS = PEOPLE[:2]
LETTERS = ["ann-arbour.docx", "cleo-cote.docx"]
MARKINGS = {"briefing-pack.pdf": "UNCLASSIFIED", "briefing-pack.fr.pdf": "NON CLASSIFIÉ"}
CM = 72 / 2.54


@pytest.fixture(scope="module")
def built(sample_build) -> Path:
    """The sample brief's documents in both languages, PDF and .docx: their folder."""
    return sample_build[0]


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    """The letters of RECIPIENTS with --docx: their folder."""
    folder = tmp_path_factory.mktemp("word-package-letters")
    recipients = write_recipients(folder, RECIPIENTS)
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(recipients), "-o", str(folder / "out"),
                          "--docx")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letter-test" / "letters"


def audit(folder: Path) -> tuple[int, dict[str, dict]]:
    """openxml-audit's exit status over every .docx in ``folder``, and its report per file name."""
    result = subprocess.run([require_tool("openxml-audit"), "--recursive", "--output", "json", str(folder)],
                            capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, {Path(report["file"]).name: report for report in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def audited(built, letters, long_build) -> dict[str, tuple[int, dict[str, dict]]]:
    """openxml-audit's verdict on the sample's documents ("built"), on the letters ("letters") and on
    the long test brief's documents ("long")."""
    return {"built": audit(built), "letters": audit(letters), "long": audit(long_build)}


@pytest.fixture(scope="module")
def path_of(built, letters):
    """The path of a .docx of BUILT or LETTERS by its name."""
    return lambda name: (letters if name in LETTERS else built) / name


def findings(report: dict) -> list[str]:
    return [f"{error['severity']}: {error['description']} ({error['part_uri']})" for error in report["errors"]]


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


EVERY_DOCX = pytest.mark.parametrize("name", BUILT + LETTERS)


# -- the validator ----------------------------------------------------------------------------


@pytest.mark.parametrize(("folder", "names"), [("built", BUILT), ("letters", LETTERS), ("long", LONG)])
def test_openxml_audit_finds_nothing_in_any_docx(audited, folder, names):
    status, reports = audited[folder]
    assert sorted(reports) == sorted(names)
    assert {name: findings(report) for name, report in reports.items()} == {name: [] for name in names}
    assert {name: (report["error_count"], report["warning_count"]) for name, report in reports.items()} == {
        name: (0, 0) for name in names}
    assert status == 0


def test_openxml_audit_finds_nothing_in_the_reference_document():
    result = subprocess.run([require_tool("openxml-audit"), str(REFERENCE)], capture_output=True, text=True,
                            check=False)
    assert (result.returncode, result.stdout.split()[-2:]) == (0, ["Errors:", "0"]), result.stdout


# -- settings and parts -----------------------------------------------------------------------


@EVERY_DOCX
def test_word_opens_it_in_no_compatibility_mode(path_of, name):
    settings = part(path_of(name), "word/settings.xml")
    compat = settings.find("w:compat", NS)
    assert [(etree.QName(child).localname, child.get(f"{{{W}}}name")) for child in compat] == [
        ("compatSetting", "compatibilityMode"), ("compatSetting", "overrideTableStyleFontSizeAndJustification"),
        ("compatSetting", "enableOpenTypeFeatures"), ("compatSetting", "doNotFlipMirrorIndents")]
    mode = compat[0]
    assert (mode.get(f"{{{W}}}uri"), mode.get(f"{{{W}}}val")) == (WORD_URI, "15")
    for leftover in ("savePreviewPicture", "proofState", "rsids"):
        assert settings.find(f"w:{leftover}", NS) is None, leftover


@EVERY_DOCX
def test_app_properties_name_briefgen_at_its_version_and_count_nothing(path_of, name):
    major, minor = briefgen.__version__.split(".")[:2]
    properties = part(path_of(name), "docProps/app.xml")
    assert properties.tag == f"{{{NS['ap']}}}Properties"
    assert [(etree.QName(child).localname, child.text) for child in properties] == [
        ("Application", "briefgen"), ("AppVersion", f"{int(major):02d}.{int(minor):04d}")]
    assert re.fullmatch(r"\d{1,4}\.\d{1,4}", properties[1].text)


@pytest.mark.parametrize(("version", "expected"), [
    ("0.1.0", "00.0001"), ("1.12", "01.0012"), ("2", "02.0000"), ("10.2.3rc1", "10.0002"), ("2026.1.dev4", "2026.0001"),
    ("12345.0", None), ("1.23456", None), ("dev", None),
])
def test_app_version_is_the_major_and_minor_release_as_word_writes_them(version, expected):
    assert app_version(version) == expected


@EVERY_DOCX
def test_no_thumbnail_and_no_styles_with_effects(path_of, name):
    with zipfile.ZipFile(path_of(name)) as package:
        names = package.namelist()
        every_rels = "".join(package.read(rels).decode() for rels in names if rels.endswith(".rels"))
        content_types = package.read("[Content_Types].xml").decode()
    assert [n for n in names if "thumbnail" in n or "stylesWithEffects" in n or n.startswith("customXml/")] == []
    assert THUMBNAIL not in every_rels and STYLES_WITH_EFFECTS not in every_rels
    assert "stylesWithEffects" not in content_types and "thumbnail" not in content_types


@EVERY_DOCX
def test_every_part_has_a_content_type_and_every_relationship_a_target(path_of, name):
    with zipfile.ZipFile(path_of(name)) as package:
        names = set(package.namelist())
        types = etree.fromstring(package.read("[Content_Types].xml"))
        relationships = {rels: etree.fromstring(package.read(rels)) for rels in names if rels.endswith(".rels")}
    defaults = {d.get("Extension").lower() for d in types.findall("ct:Default", NS)}
    overrides = {o.get("PartName").lstrip("/") for o in types.findall("ct:Override", NS)}
    parts = names - {"[Content_Types].xml"}
    assert sorted(overrides - parts) == []  # no content type of a part that is not there
    assert sorted(p for p in parts if p not in overrides and p.rsplit(".", 1)[-1].lower() not in defaults) == []
    targets = set()
    for rels, root in relationships.items():
        source_folder = posixpath.dirname(posixpath.dirname(rels))  # word/_rels/document.xml.rels -> word
        for rel in root.findall("rel:Relationship", NS):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target")
            targets.add(target.lstrip("/") if target.startswith("/")
                        else posixpath.normpath(posixpath.join(source_folder, target)))
    assert sorted(targets - names) == []  # no dangling relationship
    assert sorted(p for p in parts if not p.endswith(".rels") and p not in targets) == []  # no part left unrelated


def test_a_reference_document_of_an_older_word_is_modernised_too(tmp_path):
    bare = tmp_path / "bare.docx"
    docx.Document().save(str(bare))  # python-docx's template: Word 2010, a thumbnail, stylesWithEffects
    with zipfile.ZipFile(bare) as package:
        assert {"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"} <= set(package.namelist())
    out = tmp_path / "out.docx"
    html_to_docx("<html><body><p>Body</p></body></html>", reference=bare, template_name="t.html.j2").save(out)
    with zipfile.ZipFile(out) as package:
        assert {"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"} & set(package.namelist()) == set()
    mode = part(out, "word/settings.xml").find("w:compat/w:compatSetting[@w:name='compatibilityMode']", NS)
    assert mode.get(f"{{{W}}}val") == "15"
    assert part(out, "docProps/app.xml").findtext("ap:Application", namespaces=NS) == "briefgen"


# -- the marking's colour ---------------------------------------------------------------------


def load_reference_tool() -> SimpleNamespace:
    return SimpleNamespace(**runpy.run_path(str(ROOT / "tools" / "make_reference_docx.py"), run_name="make_reference"))


def style_color(path: Path, name: str) -> str | None:
    """The colour of the style named ``name`` in the styles of the .docx at ``path``."""
    style, = part(path, "word/styles.xml").xpath("w:style[w:name/@w:val = $name]", namespaces=NS, name=name)
    color = style.find("w:rPr/w:color", NS)
    return color.get(f"{{{W}}}val") if color is not None else None


def marking_colors_drawn(pdf: Path, marking: str) -> set[str]:
    """The fill colours (RRGGBB) of the characters of ``marking`` that the PDF draws in the top and
    bottom margins of its pages."""
    colors = set()
    for page in extract_pages(pdf):
        lines = [item for box in page for item in (box if hasattr(box, "__iter__") else [box])
                 if isinstance(item, LTTextLine)]
        for line in lines:
            if line.get_text().strip() != marking or 2.4 * CM < line.y0 and line.y1 < page.height - 2.3 * CM:
                continue
            for char in line:
                if isinstance(char, LTChar) and char.get_text().strip():
                    assert char.ncs.name == "DeviceRGB"
                    colors.add("".join(f"{round(value * 255):02X}" for value in char.graphicstate.ncolor))
    return colors


def test_the_marking_is_drawn_in_the_colour_of_its_word_style(built):
    css_color = load_reference_tool().stylesheet_color(".marking")
    assert style_color(REFERENCE, "Marking") == css_color
    for pdf, marking in MARKINGS.items():
        assert marking_colors_drawn(built / pdf, marking) == {css_color}, pdf
        document = built / pdf.replace(".pdf", ".docx")
        assert style_color(document, "Marking") == css_color
        with zipfile.ZipFile(document) as package:
            stories = [name for name in package.namelist() if re.fullmatch(r"word/(header|footer)\d+\.xml", name)]
        markings = {story: part(document, story).xpath("w:p[w:pPr/w:pStyle/@w:val = 'Marking']", namespaces=NS)
                    for story in stories}
        assert {story[5:11] for story, paragraphs in markings.items() if paragraphs} == {"header", "footer"}
        for paragraphs in markings.values():
            # the footer's page number shares the marking's line, in a character style of its own
            own = ["".join(p.xpath("w:r[not(w:rPr/w:rStyle)]/w:t/text()", namespaces=NS)) for p in paragraphs]
            assert own in ([], [marking])
            # the style's colour, not the run's
            assert [p.xpath(".//w:r/w:rPr/w:color", namespaces=NS) for p in paragraphs] == [[]] * len(paragraphs)


def test_a_stylesheet_rule_without_a_colour_stops_the_reference_tool():
    tool = load_reference_tool()
    with pytest.raises(SystemExit) as stopped:
        tool.stylesheet_color(".no-such-class")
    assert str(stopped.value) == f"{tool.STYLESHEET}: no rule for .no-such-class sets an opaque color"
