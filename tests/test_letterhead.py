"""The default letter on letterhead, signed, with its copies listed: in both formats and both
languages, read back from the PDF (pdftotext) and the .docx (python-docx); under 100 KB with a
typical logo; the letterhead part of the layout every mail-merged letter shares; and the
letter on as few pages as its text needs, no page holding only its closing, its signer, its
note or its contact, in the PDF and in LibreOffice's layout of the .docx.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from PIL import Image as PILImage

from conftest import FIXTURES, PEOPLE, SAMPLE, normalise, require_tool, run_briefgen, write_brief, write_recipients
from pagination import body_lines, page_lines
from test_images import ALTS, IMAGES_BRIEF, figures, image_objects, images_brief, media, pictures
from test_pdfua import assert_clean, pdfua_reports

LOGO = FIXTURES / "letterhead" / "logo.png"
#: The letterhead, and what follows the closing, as each language prints them (one line each).
LETTERHEAD = {"en": ["A Coalition", "123 Main Street", "Ottawa, Ontario K1A 0A1",
                     "Tel. +1 613-555-0100 · https://coalition.example"],
              "fr": ["A Coalition", "123 Main Street", "Ottawa, Ontario K1A 0A1",
                     "Tél. +1 613-555-0100 · https://coalition.example"]}
SIGNED = {"en": ["Sincerely,", "Sam Signer", "Executive Director", "A Coalition",
                 "cc: The Honourable Foreign Minister", "Leader of the Opposition", "Signed by 1 organization:"],
          "fr": ["Veuillez agréer nos salutations distinguées,", "Sam Signer", "Directrice générale", "A Coalition",
                 "c.c. : The Honourable Foreign Minister", "Leader of the Opposition", "Signée par 1 organisation :"]}
#: The Word style of each of those lines.
LETTERHEAD_STYLES = ["Letterhead Organization", "Letterhead", "Letterhead", "Letterhead Last"]
SIGNED_STYLES = ["Closing", "Signer Name", "Signer", "Signer", "Cc", "Signed By"]


def suffix(language: str) -> str:
    """What an output file's name has for ``language`` before its extension: nothing for English."""
    return "" if language == "en" else f".{language}"


def lines(pdf: Path) -> list[str]:
    """Every line of ``pdf``, in order, spaces normalised (no-break ones too)."""
    return [normalise(line.replace("\u202f", " ").replace("\u00a0", " "))
            for page in page_lines(pdf) for line in page]


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style, text) of each paragraph of the .docx at ``path`` with text; a line break is a new line."""
    found = []
    for paragraph in docx.Document(str(path)).paragraphs:
        text = normalise(paragraph.text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u200b", "")
                         .replace("\n", " | "))
        if text:
            found.append((paragraph.style.name, text))
    return found


def libreoffice(docx_files: list[Path], out: Path) -> list[Path]:
    """The PDFs LibreOffice lays ``docx_files`` out as, in ``out``."""
    soffice = require_tool("soffice")
    subprocess.run([soffice, f"-env:UserInstallation=file://{out / 'profile'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, docx_files)], check=True, capture_output=True, timeout=300)
    return [out / f"{path.stem}.pdf" for path in docx_files]


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    """The images' test brief's letter, in both languages, PDF and .docx."""
    folder = tmp_path_factory.mktemp("letterhead")
    brief = images_brief(folder, documents=["letter"])
    result = run_briefgen("build", str(brief), "-o", str(folder / "out"), "--lang", "all", "--format", "pdf,docx")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "letterhead-test"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_letter_opens_on_letterhead_and_closes_signed_with_its_copies_in_both_formats(
        letters, language) -> None:
    pdf = lines(letters / f"letter{suffix(language)}.pdf")
    assert pdf[:5] == [*LETTERHEAD[language], "The Right Honourable Test Principal"]
    start = pdf.index(SIGNED[language][0])
    assert pdf[start:start + len(SIGNED[language])] == SIGNED[language]
    word = paragraphs(letters / f"letter{suffix(language)}.docx")
    # The first paragraph holds the logo alone.
    assert word[:5] == [*zip(LETTERHEAD_STYLES, LETTERHEAD[language]),
                        ("Addressee", "The Right Honourable Test Principal")]
    start = word.index(("Closing", SIGNED[language][0]))
    cc = f"{SIGNED[language][4]} | {SIGNED[language][5]}"
    assert word[start:start + 6] == [*zip(SIGNED_STYLES, [*SIGNED[language][:4], cc, SIGNED[language][6]])]
    # French typography: a narrow no-break space before the colon of "c.c. :".
    raw = [paragraph.text for paragraph in docx.Document(str(letters / f"letter{suffix(language)}.docx")).paragraphs]
    assert any(text.startswith({"en": "cc: ", "fr": "c.c.\u202f: "}[language]) for text in raw)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_letters_logo_and_signature_carry_their_alt_text_in_both_formats(letters, language) -> None:
    logo, _, signature = ALTS[language]
    assert figures(letters / f"letter{suffix(language)}.pdf") == [logo, signature]
    word = letters / f"letter{suffix(language)}.docx"
    assert [alt for alt, _ in pictures(word)] == [logo, signature]
    first = docx.Document(str(word)).paragraphs[0]
    assert first.style.name == "Letterhead Logo" and first.text == ""


def test_a_letter_with_a_typical_logo_stays_under_100_kb_in_both_formats(letters) -> None:
    with PILImage.open(LOGO) as logo:
        assert (logo.format, logo.size) == ("PNG", (600, 200))
    assert LOGO.stat().st_size > 30_000  # anti-aliased, with transparency, as a logo is
    for language in ("en", "fr"):
        for extension in ("pdf", "docx"):
            path = letters / f"letter{suffix(language)}.{extension}"
            assert path.stat().st_size < 100_000, (path.name, path.stat().st_size)


def test_every_mail_merged_letter_is_composed_on_the_letterhead_and_carries_the_logo(tmp_path) -> None:
    brief = images_brief(tmp_path)
    # The same parts in every letter (a title, a constituency, two address lines): each is composed.
    people = [PEOPLE[0], {**PEOPLE[0], "name": "Bea Bell", "email": "bea@example.org"}, PEOPLE[1]]
    result = run_briefgen("letters", str(brief), "--recipients", str(write_recipients(tmp_path, people)),
                          "-o", str(tmp_path / "out"), "--docx")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    folder = tmp_path / "out" / "letterhead-test" / "letters"
    for person, slug in zip(people, ("ann-arbour", "bea-bell", "cleo-cote")):
        language = person["language"]
        pdf = folder / f"{slug}.pdf"
        text = lines(pdf)
        assert text[:5] == [*LETTERHEAD[language], person["name"]]
        assert figures(pdf) == [ALTS[language][0], ALTS[language][2]]
        assert len(image_objects(pdf)) == 2
        assert [alt for alt, _ in pictures(folder / f"{slug}.docx")] == [ALTS[language][0], ALTS[language][2]]
        assert media(folder / f"{slug}.docx") == ["word/media/image1.png", "word/media/image2.png"]
    require_tool("pdfua")
    assert_clean(pdfua_reports(sorted(folder.glob("*.pdf"))))


# -- One page when it fits --------------------------------------------------------------

def ending(letter: dict, language: str, signer: bool) -> list[str]:
    """The lines after the asks of the sample's letter in ``language``: closing, signer, note, contact."""
    names = {"en": "Signed by 3 organizations:", "fr": "Signée par 3 organisations :"}
    signer_lines = ["Sam Signer", "Executive Director", "A Coalition"] if signer else []
    return [normalise(line) for line in (letter["closing"][language], *signer_lines, names[language])]


def sample_letter(folder: Path, *, letterhead: bool) -> Path:
    """The sample brief's letter alone, with (if ``letterhead``) a letterhead, a signer and a cc
    line; the facts of the sample are left as they are."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["documents"] = ["letter"]
    if letterhead:
        fixture = yaml.safe_load(IMAGES_BRIEF.read_text(encoding="utf-8"))["letter"]
        for name in ("logo.png", "signature.png"):
            shutil.copy(FIXTURES / "letterhead" / name, folder / name)
        data["letter"] |= {"letterhead": fixture["letterhead"], "signer": {**fixture["signer"],
                                                                           "title": "Executive Director"},
                           "cc": fixture["cc"]}
    return write_brief(folder, data)


@pytest.fixture(scope="module")
def sample_letters(tmp_path_factory) -> dict[tuple[bool, str], tuple[Path, Path]]:
    """(letterhead?, language) -> (the PDF, LibreOffice's layout of the .docx) of the sample's letter."""
    laid_out = {}
    for letterhead in (False, True):
        folder = tmp_path_factory.mktemp("sample-letter")
        brief = sample_letter(folder, letterhead=letterhead)
        result = run_briefgen("build", str(brief), "-o", str(folder / "out"), "--lang", "all",
                              "--format", "pdf,docx")
        assert result.returncode == 0, result.stderr
        built = folder / "out" / "carney-china-2026"
        languages = ("en", "fr")
        word = libreoffice([built / f"letter{suffix(language)}.docx" for language in languages], folder / "lo")
        for language, lo in zip(languages, word):
            laid_out[letterhead, language] = (built / f"letter{suffix(language)}.pdf", lo)
    return laid_out


@pytest.mark.parametrize("letterhead", [False, True], ids=["plain", "letterhead"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_samples_letter_takes_the_pages_its_text_needs_and_its_last_starts_with_an_ask(
        sample_letters, letterhead, language) -> None:
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    closing = ending(sample["letter"], language, letterhead)
    for pdf in sample_letters[letterhead, language]:
        pages = body_lines(pdf)
        # The text is more than a page: two pages, the second starting with an ask, never with
        # the closing, the signer, the signatories, their note or the contact.
        assert len(pages) == 2, pdf
        assert re.match(r"\d\. ", pages[1][0]), (pdf, pages[1][:2])
        text = [normalise(line.replace("\u202f", " ").replace("\u00a0", " ")) for line in pages[1]]
        assert [line for line in text if line in closing] == closing, pdf
        if letterhead:
            assert lines(pdf)[:2] == ["A Coalition", "123 Main Street"], pdf


#: Body paragraphs of two lines each, that bring the letter's end to each place around the foot of
#: its first page: on one tighter page (5), the asks and the ending carried over together (6–11), a
#: paragraph of the body carried over with them (12).
BODY_LENGTHS = (5, 6, 8, 11, 12)
PARAGRAPH = ("We ask you to raise these concerns with your counterpart, directly and in public, during every "
             "meeting of the visit, and to report back to Parliament on what was said in reply.")


@pytest.mark.parametrize("paragraphs", BODY_LENGTHS)
def test_no_page_of_the_letter_holds_only_its_closing_signer_or_contact_whatever_its_length(
        tmp_path, paragraphs) -> None:
    """In the PDF. LibreOffice 7.4 does not keep Word's chains of "keep with next" paragraphs together
    once they have space after them (a plain python-docx document whose Normal style has 6pt after
    and eleven chained paragraphs across a page's foot shows it), so the .docx is checked on the
    sample's letter above, not swept."""
    brief = images_brief(tmp_path, documents=["letter"])
    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    data["letter"]["body"] = "\n\n".join([PARAGRAPH] * paragraphs)
    brief = write_brief(tmp_path, data)
    result = run_briefgen("build", str(brief), "-o", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    pages = body_lines(tmp_path / "out" / "letterhead-test" / "letter.pdf")
    assert len(pages) == (1 if paragraphs == 5 else 2)
    ending_lines = [*SIGNED["en"], "A Coalition", "Contact: Casey Contact, casey@coalition.example"]
    for page in pages[1:]:
        assert page[0] not in ending_lines, page[:2]
        assert page[0] != "We urge you to:" or page[1].startswith("1. "), page[:2]
