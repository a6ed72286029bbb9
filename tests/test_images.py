"""Images in briefs ({src, alt}): the pack's cover logo, a counterpart's photo above the bio, the
letter's letterhead logo and signature. Each is read only from the brief's folder and must say
what it shows: every other case is a located error, from ``validate`` as from ``build``. In the
PDF each image is a tagged figure with its alt text, in Word a picture with its description;
an image used twice is embedded once; a photo goes only where the bios go (officials).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import FIXTURES, require_tool, run_briefgen, write_brief
from test_pdfua import assert_clean, pdfua_reports

IMAGES_BRIEF = FIXTURES / "letterhead" / "brief.yaml"
IMAGE_FILES = ("logo.png", "photo.jpg", "signature.png")
#: (logo, photo, signature): each image's alt text, typeset, in each language.
ALTS = {"en": ("Logo of A Coalition", "Photo of Test Counterpart", "Signature of Sam Signer"),
        "fr": ("Logo d’A Coalition", "Photo de Test Counterpart", "Signature de Sam Signer")}


def images_brief(folder: Path, **changes) -> Path:
    """The images' test brief, and its images, copied into ``folder``; each of ``changes`` (a
    dotted key path, ``counterparts.0`` for an item) replaced by its value, or removed if None."""
    for name in IMAGE_FILES:
        shutil.copy(FIXTURES / "letterhead" / name, folder / name)
    data = yaml.safe_load(IMAGES_BRIEF.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        parent = data
        for key in parents:
            parent = parent[int(key)] if key.isdigit() else parent[key]
        if value is None:
            del parent[last]
        else:
            parent[last] = value
    return write_brief(folder, data)


def image_objects(pdf: Path) -> set[int]:
    """The object numbers of the images the pages of ``pdf`` draw (inside forms too)."""
    found: set[int] = set()

    def visit(resources) -> None:
        for reference in (resources or {}).get("/XObject", {}).values():
            xobject = reference.get_object()
            if xobject["/Subtype"] == "/Image":
                found.add(reference.idnum)
            elif xobject["/Subtype"] == "/Form":
                visit(xobject.get("/Resources"))

    for page in PdfReader(pdf).pages:
        visit(page.get("/Resources"))
    return found


def figures(pdf: Path) -> list[str | None]:
    """The alt text of each /Figure element of the structure tree of ``pdf``, in reading order."""
    found: list[str | None] = []

    def visit(element) -> None:
        element = element.get_object()
        if isinstance(element, list):
            for kid in element:
                visit(kid)
            return
        if not hasattr(element, "get") or "/S" not in element and "/K" not in element:
            return
        if element.get("/S") == "/Figure":
            found.append(str(element["/Alt"]) if "/Alt" in element else None)
        if "/K" in element:
            visit(element["/K"])

    visit(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def pictures(path: Path) -> list[tuple[str, str]]:
    """(alt text, media part) of every picture in the body of the .docx at ``path``."""
    document = docx.Document(str(path))
    found = []
    for inline in document.element.body.iter(qn("wp:inline")):
        blip = inline.find(".//" + qn("a:blip"))
        part = document.part.related_parts[blip.get(qn("r:embed"))]
        found.append((inline.find(qn("wp:docPr")).get("descr"), str(part.partname)))
    return found


def media(path: Path) -> list[str]:
    """The media parts (the images' files) of the .docx at ``path``, by name."""
    with zipfile.ZipFile(path) as archive:
        return sorted(name for name in archive.namelist() if name.startswith("word/media/"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The images' test brief built in both languages, PDF and .docx."""
    folder = tmp_path_factory.mktemp("images")
    brief = images_brief(folder)
    result = run_briefgen("build", str(brief), "-o", str(folder / "out"), "--lang", "all", "--format", "pdf,docx")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letterhead-test"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_image_is_a_figure_with_its_alt_text_in_the_pdf_and_a_described_picture_in_word(
        built, language) -> None:
    suffix = "" if language == "en" else ".fr"
    pdf, word = built / f"briefing-pack{suffix}.pdf", built / f"briefing-pack{suffix}.docx"
    logo, photo, signature = ALTS[language]
    # The cover's logo, the photo above the bio, and the annexed letter's letterhead and signature.
    assert figures(pdf) == [logo, photo, logo, signature]
    assert [alt for alt, _ in pictures(word)] == [logo, photo, logo, signature]


def test_an_image_used_twice_is_embedded_once_in_the_pdf_and_in_the_docx(built) -> None:
    # The pack's cover logo and its annexed letter's letterhead logo are the same file.
    assert len(image_objects(built / "briefing-pack.pdf")) == 3
    word = built / "briefing-pack.docx"
    assert media(word) == ["word/media/image1.png", "word/media/image2.jpg", "word/media/image3.png"]
    parts = [part for _, part in pictures(word)]
    assert parts[0] == parts[2] and len(set(parts)) == 3
    logo = (FIXTURES / "letterhead" / "logo.png").read_bytes()
    with zipfile.ZipFile(word) as archive:
        assert archive.read("word/media/image1.png") == logo


def test_a_counterparts_photo_appears_only_where_the_bios_do(built) -> None:
    # The delegation pack names the counterparts but gives no bio: no photo either.
    for suffix in ("", ".fr"):
        for document in ("delegation-pack", "leave-behind", "letter"):
            pdf, word = built / f"{document}{suffix}.pdf", built / f"{document}{suffix}.docx"
            assert not any("Photo" in (alt or "") for alt in figures(pdf)), pdf
            assert not any(part.endswith(".jpg") for part in media(word)), word
    from briefgen.prepare.brief import load_brief
    from briefgen.view.context import build_context

    brief = load_brief(IMAGES_BRIEF).brief
    assert "photo" in build_context(brief, "briefing-pack")["brief"]["visit"]["counterparts"][0]
    assert "photo" not in build_context(brief, "delegation-pack")["brief"]["visit"]["counterparts"][0]


def test_pdfua_finds_no_error_in_documents_with_images(built) -> None:
    require_tool("pdfua")
    assert_clean(pdfua_reports(sorted(built.glob("*.pdf"))))


@pytest.mark.parametrize(("change", "make", "message"), [
    ({"prepared_by.logo.src": "../outside/logo.png"}, None,
     "11:10: prepared_by.logo.src: '../outside/logo.png' leads outside the brief's folder ({folder}); briefgen "
     "reads images only from there: copy the image into it and give its name"),
    ({"prepared_by.logo.src": "{outside}/logo.png"}, None,
     "11:10: prepared_by.logo.src: '{outside}/logo.png' leads outside the brief's folder ({folder}); briefgen "
     "reads images only from there: copy the image into it and give its name"),
    ({"prepared_by.logo.src": "link.png"}, "link",
     "11:10: prepared_by.logo.src: 'link.png' is a link to {outside}/logo.png, outside the brief's folder "
     "({folder}); briefgen reads images only from there: copy the image itself into it"),
    ({"visit.counterparts.0.photo.src": "missing.jpg"}, None,
     "29:12: visit.counterparts[0].photo.src: 'missing.jpg': no such file in the brief's folder ({folder}); "
     "check the name, or copy the image there"),
    ({"letter.signer.signature.src": "notes.png"}, "text",
     "98:12: letter.signer.signature.src: 'notes.png' is not a PNG, JPEG or GIF image; save it as one of these"),
    ({"letter.signer.signature.src": "cut.png"}, "truncated",
     "98:12: letter.signer.signature.src: 'cut.png' is a damaged PNG file (image file is truncated); open it in an "
     "image editor and save it again"),
    ({"letter.letterhead.logo.src": "https://coalition.example/logo.png"}, None,
     "69:12: letter.letterhead.logo.src: 'https://coalition.example/logo.png' is a web address; briefgen reads "
     "images only from the brief's folder ({folder}): save the image there and give its file name"),
    ({"letter.letterhead.logo.alt": None}, None,
     "68:5: letter.letterhead.logo.alt: an image needs alt text: add alt: with what it shows, e.g. alt: Logo of "
     "the organisation (screen readers read it in the PDF and in Word)"),
    ({"prepared_by.logo.alt": ""}, None, "12:10: prepared_by.logo.alt: must not be empty"),
], ids=["dot-dot", "absolute", "link-out", "missing", "not-an-image", "truncated", "web", "no-alt", "empty-alt"])
def test_each_bad_image_is_a_located_error_saying_what_to_do_from_validate_and_build(
        tmp_path, change, make, message) -> None:
    folder, outside = tmp_path / "brief", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    shutil.copy(FIXTURES / "letterhead" / "logo.png", outside / "logo.png")
    if make == "link":
        os.symlink(outside / "logo.png", folder / "link.png")
    elif make == "text":
        (folder / "notes.png").write_text("not an image\n", encoding="utf-8")
    elif make == "truncated":
        (folder / "cut.png").write_bytes((FIXTURES / "letterhead" / "logo.png").read_bytes()[:20_000])
    change = {key: value.format(outside=outside) if isinstance(value, str) else value
              for key, value in change.items()}
    brief = images_brief(folder, **change)
    expected = f"{brief}:" + message.format(folder=folder.resolve(), outside=outside.resolve())
    for command in (["validate", str(brief)], ["build", str(brief), "-o", str(tmp_path / "out")]):
        result = run_briefgen(*command)
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == [expected]
    assert not (tmp_path / "out").exists()


def test_an_image_in_a_folder_inside_the_briefs_and_a_link_inside_it_are_fine(tmp_path) -> None:
    brief = images_brief(tmp_path, **{"prepared_by.logo.src": "images/logo.png",
                                      "letter.letterhead.logo.src": "same-logo.png"})
    (tmp_path / "images").mkdir()
    shutil.move(tmp_path / "logo.png", tmp_path / "images" / "logo.png")
    os.symlink("images/logo.png", tmp_path / "same-logo.png")
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf,docx")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    built = tmp_path / "out" / "letterhead-test"
    assert figures(built / "briefing-pack.pdf") == [*ALTS["en"][:2], *ALTS["en"][::2]]
    # Word keeps one copy of a picture's bytes; WeasyPrint keeps one per address, so the PDF holds the
    # logo twice here, under its two names.
    assert len(media(built / "briefing-pack.docx")) == 3
