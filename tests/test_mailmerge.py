"""Composed letters (``briefgen.render.mailmerge``): each recipient's letter, put together from one
layout of the letter and of every recipient's opening, is the letter laid out alone: the same
words in the same places, the same tagged structure, a valid PDF holding nothing of the others.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from briefgen.prepare.brief import load_brief
from briefgen.render.html import default_theme_dir, render_html
from briefgen.render.mailmerge import Composition, Fallback, combined_html, compose_letters, fallback_notices
from briefgen.render.pdf import layout_pdf, pdf_bytes
from briefgen.render.resources import Confinement
from briefgen.view.context import build_context
from conftest import SAMPLE, require_tool

CONFINEMENT = Confinement(default_theme_dir(), [default_theme_dir()])
#: One salutation for all: that part is laid out once and composed into each of their letters.
SAME_SHAPE = [{"name": f"Member {number}", "title": "Member of Parliament", "constituency": f"Riding {number}",
               "salutation": "Dear Member,", "address": ["House of Commons", "Ottawa, Ontario K1A 0A6"]}
              for number in range(1, 7)]
#: Its name wraps onto a second line: the opening is taller than the one the letter holds.
LONG_NAME = {**SAME_SHAPE[0], "name": "The Honourable Member for a Riding with a Very Long Name Indeed " * 2}
#: Fewer lines in the address block: another shape of opening.
FEWER_LINES = {**SAME_SHAPE[0], "name": "Member 9", "address": []}
RECIPIENTS = [*SAME_SHAPE[:3], LONG_NAME, *SAME_SHAPE[3:], FEWER_LINES]
COMPOSED = [0, 1, 2, 4, 5, 6]


@pytest.fixture(scope="module")
def htmls() -> list[str]:
    """The letter to each of RECIPIENTS, in French."""
    brief = load_brief(SAMPLE).brief
    return [render_html("letter.html.j2", build_context(brief, "letter", recipient, language="fr"),
                        [default_theme_dir()]) for recipient in RECIPIENTS]


@pytest.fixture(scope="module")
def composition(htmls) -> Composition:
    """Those letters composed."""
    return compose_letters(htmls, CONFINEMENT)


@pytest.fixture(scope="module")
def letters(tmp_path_factory, htmls, composition) -> list[tuple[Path, Path]]:
    """(composed PDF or None, PDF of the same letter laid out alone) per recipient."""
    folder = tmp_path_factory.mktemp("mailmerge")
    pairs = []
    for index, (html, letter) in enumerate(zip(htmls, composition.letters)):
        alone = folder / f"alone-{index}.pdf"
        alone.write_bytes(pdf_bytes(layout_pdf(html, CONFINEMENT)))
        path = None
        if letter is not None:
            path = folder / f"composed-{index}.pdf"
            path.write_bytes(letter.pdf)
            assert letter.pages == 2
        pairs.append((path, alone))
    return pairs


def words(path: Path) -> list[tuple[str, int, tuple[float, ...]]]:
    """Each word poppler finds in the PDF, its page and its box (points)."""
    html = subprocess.run([require_tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    found, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if match:
            found.append((match[5], page, tuple(float(value) for value in match.groups()[:4])))
    return found


def structure(path: Path) -> str:
    """The tagged structure tree with its text, as poppler reads it."""
    return subprocess.run([require_tool("pdfinfo"), "-struct-text", str(path)], capture_output=True, text=True,
                          check=True).stdout


def test_the_letters_whose_opening_fits_are_composed_the_others_left_to_be_laid_out_alone(letters,
                                                                                          composition) -> None:
    assert [index for index, (composed, _) in enumerate(letters) if composed is not None] == COMPOSED
    assert composition.fallbacks == [None, None, None, Fallback.SIZE, None, None, None, Fallback.SHAPE]


@pytest.mark.parametrize("index", COMPOSED)
def test_a_composed_letter_has_the_words_of_the_letter_laid_out_alone_in_the_same_places(letters, index) -> None:
    composed, alone = letters[index]
    composed_words, alone_words = words(composed), words(alone)
    assert [(word, page) for word, page, _ in composed_words] == [(word, page) for word, page, _ in alone_words]
    assert RECIPIENTS[index]["name"].split()[-1] in [word for word, _, _ in composed_words]
    for (word, _, box), (_, _, alone_box) in zip(composed_words, alone_words):
        assert box == pytest.approx(alone_box, abs=0.01), word


@pytest.mark.parametrize("index", COMPOSED)
def test_a_composed_letter_is_tagged_as_the_letter_laid_out_alone_in_a_page_group(letters, index) -> None:
    composed, alone = letters[index]
    tree = structure(alone)
    assert tree.startswith("Document\n  Sect\n")
    # Laid out among other documents, a letter is a page group of its own: a Div around what
    # each page holds, and the empty marker of the group's end on the last page.
    in_group = "Document\n" + re.sub(r"(?m)^  (?=\S)", "  Div\n    ", re.sub(r"(?m)^(?=   )", "  ",
                                                                           tree.removeprefix("Document\n")))
    in_group += "    Div\n      Span (inline)\n"
    assert structure(composed) == in_group
    assert f'"{RECIPIENTS[index]["name"]}"' in in_group


def test_a_composed_letter_is_tagged_as_one_of_a_batch_split_per_letter(letters, tmp_path: Path) -> None:
    brief = load_brief(SAMPLE).brief
    html = render_html("letter.html.j2", build_context(brief, "letter", RECIPIENTS[1], language="fr"),
                       [default_theme_dir()])
    grouped = tmp_path / "grouped.pdf"
    grouped.write_bytes(pdf_bytes(layout_pdf(combined_html([html]), CONFINEMENT)))
    assert structure(letters[1][0]) == structure(grouped)


@pytest.mark.parametrize("index", COMPOSED)
def test_a_composed_letter_is_a_valid_pdf_that_holds_only_its_own_objects(letters, index, tmp_path: Path) -> None:
    composed, _ = letters[index]
    qpdf = require_tool("qpdf")
    check = subprocess.run([qpdf, "--check", str(composed)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout
    # qpdf writes out only the objects reachable from the trailer: as many as the letter has,
    # less its object stream and cross-reference stream, which the rewrite does without.
    rewritten = tmp_path / "rewritten.pdf"
    subprocess.run([qpdf, "--object-streams=disable", str(composed), str(rewritten)], check=True)
    assert in_use(composed) - 2 == in_use(rewritten)
    text = subprocess.run([require_tool("pdftotext"), str(composed), "-"], capture_output=True, text=True,
                          check=True).stdout
    others = {recipient["name"] for recipient in RECIPIENTS} - {RECIPIENTS[index]["name"]}
    assert [name for name in others if name in text] == []


def in_use(path: Path) -> int:
    """The objects a PDF's cross-reference table lists as in use."""
    xref = subprocess.run([require_tool("qpdf"), "--show-xref", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return sum(1 for line in xref.splitlines() if "free entry" not in line)


def outline(path: Path) -> list[tuple[str, int, list]]:
    """Each bookmark: its title, the page it opens (from 1) and where on that page."""
    found = json.loads(subprocess.run([require_tool("qpdf"), "--json", "--json-key=outlines", str(path)],
                                      capture_output=True, text=True, check=True).stdout)["outlines"]
    return [(item["title"], item["destpageposfrom1"], item["dest"][1:]) for item in found]


@pytest.mark.parametrize("index", COMPOSED)
def test_a_composed_letter_has_the_bookmarks_of_the_letter_laid_out_alone(letters, index) -> None:
    composed, alone = letters[index]
    assert outline(composed) == outline(alone)
    assert len(outline(composed)) == 1


@pytest.mark.parametrize(("part", "fallbacks"), [
    ('<p data-per-recipient><a href="https://example.org/{name}">{name}</a></p>', [Fallback.ANNOTATED] * 2),
    ('<p data-per-recipient>{name}</p><div data-per-recipient style="height: 1em"></div>', [Fallback.UNCUT] * 2),
    # An inline part that wraps is laid out in two boxes, one per line.
    ('<p>To <span data-per-recipient>{name}, {name}, {name}, {name}, {name}, {name}, {name}, {name}</span></p>',
     [Fallback.HELD_SPLIT] * 2),
    ('<div data-per-recipient><p style="visibility: visible">{name}</p></div>', [Fallback.HELD_DRAWN] * 2),
    ("<p>{name}</p>", [Fallback.NO_PART] * 2),
], ids=["link", "no-text", "held-split", "held-drawn", "no-part"])
def test_compose_letters_says_why_a_letter_cannot_be_composed(part: str, fallbacks: list) -> None:
    letters = [f'<!DOCTYPE html><html lang="en"><head><title>Letter</title></head><body>{part.format(name=name)}'
               "<p>Body.</p></body></html>" for name in ("Ann Arbour", "Bea Bell")]
    composition = compose_letters(letters, CONFINEMENT)
    assert composition.letters == [None, None] and composition.fallbacks == fallbacks


def test_the_notices_name_ten_letters_per_reason_and_count_the_others() -> None:
    letters = [(f"member-{number:03d}", Fallback.SIZE) for number in range(1, 13)]
    letters += [("ann-arbour", None), ("dev-das", Fallback.SHAPE), ("eve-ng", Fallback.NO_PART)]
    assert fallback_notices("letter.html.j2", letters) == [
        "notice: letter.html.j2 marks no data-per-recipient part, so each letter is laid out whole (about ten times "
        "slower); see docs/theme.md",
        "notice: 1 letter laid out whole, about ten times slower: its data-per-recipient part has other elements than "
        "the others' (a title, a constituency or an address line more or fewer): dev-das",
        "notice: 12 letters laid out whole, about ten times slower: their data-per-recipient part is laid out "
        "otherwise than the others' (a name, an address or a paragraph naming a recipient's field that wraps "
        "otherwise): member-001, member-002, member-003, member-004, member-005, member-006, member-007, "
        "member-008, member-009, member-010 and 2 more",
    ]


def test_a_letter_that_differs_outside_its_parts_is_laid_out_whole_and_said_so() -> None:
    # A theme printing the name in a part it does not mark: composing would print the first
    # recipient's name in every letter.
    letters = [f'<!DOCTYPE html><html lang="en"><head><title>Letter</title></head><body>'
               f"<p data-per-recipient>{name}</p><p>Dear {name},</p><p>Body.</p></body></html>"
               for name in ("Ann Arbour", "Bea Bell")]
    composition = compose_letters(letters, CONFINEMENT)
    assert composition.letters[0] is not None and composition.letters[1] is None
    assert composition.fallbacks == [None, Fallback.OUTSIDE]
    assert fallback_notices("letter.html.j2", [("ann-arbour", None), ("bea-bell", Fallback.OUTSIDE)]) == [
        "notice: 1 letter laid out whole, about ten times slower: its letter differs from the others' outside its "
        "data-per-recipient parts (the template prints a recipient's field where it marks no part): bea-bell"]
