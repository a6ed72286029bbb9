"""A long document laid out in two page runs side by side (briefgen.render.weasyprint_runs) is
the document WeasyPrint's single layout makes: every word on the same page and in the same
place (poppler's ``pdftotext -bbox``), the same pages drawn (poppler's ``pdftoppm``), the same
contents page numbers, outline, named destinations, links and structure tree (pypdf), a PDF
qpdf and pdfua find nothing wrong in; documents it cannot cut are laid out as ever; and what it
assumes of WeasyPrint's non-public names, one test per assumption.
"""

from __future__ import annotations

import functools
import inspect
import re
import subprocess
import time
from pathlib import Path

import pydyf
import pytest
import weasyprint
from PIL import Image, ImageChops
from pypdf import PdfReader

from conftest import SAMPLE, require_tool, run_briefgen
from test_mailmerge import words
from test_pdfua import assert_clean, pdfua_reports

from briefgen.render import pdf as briefgen_pdf
from briefgen.render import weasyprint_runs
from briefgen.render.pdf import layout_pdf, pdf_bytes
from briefgen.render.resources import Confinement, template_search_path
from briefgen.render.weasyprint_runs import RunsLayout
from briefgen.workers import in_child_talking

VERSIONS = f"WeasyPrint {weasyprint.__version__}, pydyf {pydyf.__version__}"
VARIANT = "pdf/ua-1"


def first_layout(html: str, fenced: Confinement, **options):
    """``layout_pdf`` as a build's first layout: the test process has laid out others before
    (which a command never forks after, see briefgen.render.pdf._laid_out_here)."""
    briefgen_pdf._laid_out_here = False
    return layout_pdf(html, fenced, **options)


def confinement() -> Confinement:
    return Confinement(SAMPLE.parent, [SAMPLE.parent, *template_search_path(None)])


def long_html(sections: int = 12, *, style: str = "", tail: str = "") -> str:
    """A contents page, then ``sections`` sections of a page or so each, on pages of their own."""
    words_ = " ".join(f"word{number} lorem ipsum dolor sit amet" for number in range(60))
    contents = "".join(f'<li><a href="#s{number}">Section {number}</a></li>' for number in range(sections))
    body = "".join(f'<section style="break-before: page"><h2 id="s{number}">Section {number}</h2>'
                   f"<p>{words_}</p><p>{words_}</p>{tail if number == sections - 1 else ''}</section>"
                   for number in range(sections))
    return (f'<!DOCTYPE html><html lang="en"><head><title>Long</title><style>@page {{ size: A5; margin: 15mm;'
            f' @bottom-right {{ content: "Page " counter(page) " of " counter(pages) }} }}'
            f' nav a::after {{ content: " " target-counter(attr(href), page) }} {style}</style></head>'
            f"<body><nav><ul>{contents}</ul></nav>{body}</body></html>")


def written_pair(html: str, folder: Path) -> tuple[Path, Path, object]:
    """``html`` laid out alone and side by side, both written: (alone, side by side, the layout)."""
    alone, side_by_side = folder / "alone.pdf", folder / "side-by-side.pdf"
    laid_out = first_layout(html, confinement(), side_by_side=VARIANT)
    side_by_side.write_bytes(pdf_bytes(laid_out, variant=VARIANT))
    alone.write_bytes(pdf_bytes(layout_pdf(html, confinement()), variant=VARIANT))
    return alone, side_by_side, laid_out


@pytest.fixture(scope="module", params=["en", "fr"])
def pack(request, sample_build, tmp_path_factory) -> tuple[Path, Path, object]:
    """The sample's briefing pack (English, French) laid out alone and in two runs."""
    name = "briefing-pack.html" if request.param == "en" else "briefing-pack.fr.html"
    html = (sample_build[0] / name).read_text(encoding="utf-8")
    return written_pair(html, tmp_path_factory.mktemp(f"runs-{request.param}"))


def outline(path: Path) -> list:
    reader = PdfReader(path)

    def walk(items):
        return [walk(item) if isinstance(item, list) else (item.title, reader.get_destination_page_number(item))
                for item in items]
    return walk(reader.outline)


def destinations(path: Path) -> dict[str, int]:
    reader = PdfReader(path)
    return {name: reader.get_destination_page_number(value) for name, value in reader.named_destinations.items()}


def links(path: Path) -> list:
    found = []
    for number, page in enumerate(PdfReader(path).pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            found.append((number, str(annotation.get("/Dest") or annotation["/A"]["/URI"]),
                          [round(float(value), 2) for value in annotation["/Rect"]],
                          annotation.get("/StructParent") is not None))
    return found


def structure(path: Path) -> str:
    """The structure tree with its text, as poppler reads it; the IDs of header cells (made of an
    object number) as their row and column only."""
    tree = subprocess.run([require_tool("pdfinfo"), "-struct-text", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"(?<=[<(])\d+-(?=\d+-\d+[>)])", "", tree)


def header_ids(path: Path) -> tuple[list[str], set[str]]:
    """The /ID of every header cell of the structure tree, and every ID a cell's /Headers names."""
    ids, named = [], set()
    stack = [PdfReader(path).trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        element = stack.pop().get_object()
        if element.get("/S") == "/TH" and "/ID" in element:
            ids.append(str(element["/ID"]))
        if "/A" in element and "/Headers" in element["/A"].get_object():
            named |= {str(value) for value in element["/A"].get_object()["/Headers"]}
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict) and "/S" in kid.get_object():
                stack.append(kid)
    return ids, named


def test_the_sample_pack_is_cut_and_has_every_word_on_the_same_page_in_the_same_place(pack) -> None:
    alone, side_by_side, laid_out = pack
    assert isinstance(laid_out, RunsLayout) and laid_out.others, "the pack was not laid out in two runs"
    found = words(side_by_side)
    assert found == words(alone)
    # The contents give the pages of the issues after the cut, and the footers the right numbers.
    pages = len(laid_out.pages)
    assert any(word == str(pages - 1) for word, page, _ in found if page == 2)
    assert [word for word, _, _ in found].count(str(pages)) >= pages


def test_the_sample_packs_pages_are_drawn_the_same(pack, tmp_path) -> None:
    alone, side_by_side, _ = pack
    for name, path in (("alone", alone), ("runs", side_by_side)):
        subprocess.run([require_tool("pdftoppm"), "-r", "40", "-png", str(path), str(tmp_path / name)], check=True)
    pictures = sorted(tmp_path.glob("alone-*.png"))
    assert len(pictures) == len(PdfReader(alone).pages)
    for picture in pictures:
        other = picture.with_name(picture.name.replace("alone-", "runs-"))
        difference = ImageChops.difference(Image.open(picture).convert("RGB"), Image.open(other).convert("RGB"))
        assert difference.getbbox() is None, f"{picture.name} differs"


def test_the_sample_pack_keeps_its_outline_destinations_links_and_structure(pack) -> None:
    alone, side_by_side, _ = pack
    assert outline(side_by_side) == outline(alone) and outline(alone)
    assert destinations(side_by_side) == destinations(alone) and destinations(alone)
    assert links(side_by_side) == links(alone) and links(alone)
    assert structure(side_by_side) == structure(alone)
    ids, named = header_ids(side_by_side)
    assert ids and len(set(ids)) == len(ids) and named <= set(ids), "a cell names a header cell no longer there"


def test_the_second_runs_fonts_are_subsets_of_their_own_and_qpdf_and_pdfua_find_nothing_wrong(pack) -> None:
    _, side_by_side, _ = pack
    fonts = subprocess.run([require_tool("pdffonts"), str(side_by_side)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    names = [line.split()[0] for line in fonts]
    families = [name.partition("+")[2] for name in names]
    assert len(set(names)) == len(names) and len(set(families)) < len(families), names
    check = subprocess.run([require_tool("qpdf"), "--check", str(side_by_side)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert_clean(pdfua_reports([side_by_side]))


def test_a_pack_built_alone_on_a_spare_core_is_the_one_built_with_one_process(tmp_path) -> None:
    brief = tmp_path / "pack.yaml"
    brief.write_text(SAMPLE.read_text(encoding="utf-8") + "\ndocuments: [briefing-pack]\n", encoding="utf-8")
    for image in SAMPLE.parent.glob("*.png"):
        (tmp_path / image.name).write_bytes(image.read_bytes())
    for name, options in (("two", []), ("one", ["--jobs", "1"])):
        result = run_briefgen("build", str(brief), "-o", str(tmp_path / name), *options)
        assert result.returncode == 0, result.stderr
    two, one = tmp_path / "two" / "carney-china-2026", tmp_path / "one" / "carney-china-2026"
    assert words(two / "briefing-pack.pdf") == words(one / "briefing-pack.pdf")
    assert (two / "briefing-pack.docx").read_bytes() == (one / "briefing-pack.docx").read_bytes()


def test_a_document_whose_pages_depend_on_their_side_is_laid_out_in_one_process(tmp_path) -> None:
    html = long_html(style="@page :left { margin-left: 25mm }")
    alone, side_by_side, laid_out = written_pair(html, tmp_path)
    assert isinstance(laid_out, weasyprint.Document)
    assert words(side_by_side) == words(alone)


def test_a_page_number_shown_after_the_cut_has_this_process_lay_out_the_rest_itself(tmp_path) -> None:
    tail = '<p class="see"><a href="#s1">See section 1</a></p>'
    html = long_html(style=".see a::after { content: ', page ' target-counter(attr(href), page) }", tail=tail)
    alone, side_by_side, laid_out = written_pair(html, tmp_path)
    assert isinstance(laid_out, weasyprint.Document), "the child's run shows a page it cannot know: no cut"
    assert words(side_by_side) == words(alone)
    found = words(alone)
    heading = next(page for (word, page, _), (number, _, _) in zip(found, found[1:])
                   if word == "Section" and number == "1" and page > 1)
    last_page = " ".join(word for word, page, _ in found if page == len(laid_out.pages))
    assert f"See section 1, page {heading}" in last_page


def test_a_long_document_cut_in_two_has_its_contents_and_footers_right(tmp_path) -> None:
    alone, side_by_side, laid_out = written_pair(long_html(), tmp_path)
    assert isinstance(laid_out, RunsLayout)
    assert words(side_by_side) == words(alone)
    assert outline(side_by_side) == outline(alone)


def test_a_short_document_forks_no_child(tmp_path, monkeypatch) -> None:
    started = []
    monkeypatch.setattr(briefgen_pdf, "in_child_talking", lambda *args: started.append(args))
    laid_out = first_layout(long_html(sections=2), confinement(), side_by_side=VARIANT)
    assert isinstance(laid_out, weasyprint.Document) and started == []


def test_a_process_that_has_laid_out_before_forks_no_child(monkeypatch) -> None:
    layout_pdf(long_html(sections=2), confinement())
    started = []
    monkeypatch.setattr(briefgen_pdf, "in_child_talking", lambda *args: started.append(args))
    laid_out = layout_pdf(long_html(), confinement(), side_by_side=VARIANT)
    assert isinstance(laid_out, weasyprint.Document) and started == []


def failing_child(_job, _channel):
    raise RuntimeError("the child broke")


def test_a_child_that_fails_leaves_this_process_to_lay_out_the_document(tmp_path) -> None:
    def talking(_function, job):
        return in_child_talking(failing_child, job)
    html = long_html()
    laid_out = weasyprint_runs.laid_out_in_runs(functools.partial(briefgen_pdf.html_document, html, confinement()),
                                                VARIANT, talking, confinement())
    assert isinstance(laid_out, weasyprint.Document)
    (tmp_path / "alone.pdf").write_bytes(pdf_bytes(layout_pdf(html, confinement()), variant=VARIANT))
    (tmp_path / "fallback.pdf").write_bytes(pdf_bytes(laid_out, variant=VARIANT))
    assert words(tmp_path / "fallback.pdf") == words(tmp_path / "alone.pdf")


def test_an_image_after_the_cut_is_read_through_the_childs_confinement_and_reported_here(tmp_path) -> None:
    image = tmp_path / "seal.png"
    Image.new("RGB", (20, 20), "red").save(image)
    html = long_html(tail=f'<p><img src="{image.name}" alt="Seal"></p><p><img src="../outside.png" alt="x"></p>')
    fenced = Confinement(tmp_path, [tmp_path, *template_search_path(None)])
    laid_out = first_layout(html, fenced, side_by_side=VARIANT)
    assert isinstance(laid_out, RunsLayout)
    pdf_bytes(laid_out, variant=VARIANT)
    assert str(image.resolve()) in fenced.read
    assert any(url.endswith("/outside.png") for url in fenced.refused)


def starts(marker: Path, _page_numbers: dict[str, int]) -> bool:
    """An ``after`` that leaves ``marker`` to say it has started."""
    marker.touch()
    return True


def test_the_childs_after_starts_before_the_parent_takes_its_drawn_pages(tmp_path) -> None:
    # The child makes the .docx while the parent draws its own pages: a child that sent its
    # drawn pages (more than the channel holds) before starting ``after`` would wait for the
    # parent to take them, and ``after`` would not start until then.
    marker = tmp_path / "started"
    html = long_html(sections=100)
    laid_out = first_layout(html, confinement(), side_by_side=VARIANT, after=functools.partial(starts, marker))
    assert isinstance(laid_out, RunsLayout)
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), "the child's after did not start before the parent took the drawn pages"
    (tmp_path / "side-by-side.pdf").write_bytes(pdf_bytes(laid_out, variant=VARIANT))
    assert laid_out.after_result() is True
    assert len(PdfReader(tmp_path / "side-by-side.pdf").pages) == len(laid_out.pages) > 100


# What weasyprint_runs assumes of WeasyPrint's non-public names -------------------------------

@pytest.fixture(scope="module")
def prepared():
    html = briefgen_pdf.html_document(long_html(), confinement())
    context, root_box = weasyprint_runs.prepared(html)
    return html, context, root_box


def test_document_builds_its_layout_context_from_html_fonts_counters_profiles_and_options() -> None:
    parameters = list(inspect.signature(weasyprint.Document._build_layout_context).parameters)
    assert parameters == ["html", "font_config", "counter_style", "color_profiles", "options"], \
        f"{VERSIONS}: Document._build_layout_context takes {parameters}; weasyprint_runs.prepared calls it"


def test_the_box_tree_is_html_then_body_and_a_section_starts_its_page(prepared) -> None:
    _, context, root_box = prepared
    body = root_box.children[0]
    assert body.element_tag == "body" and len(root_box.children) == 1
    index = weasyprint_runs.cut_index(context, root_box)
    assert index is not None and body.children[index].element_tag == "section"


def test_page_rules_hold_selectors_with_side_and_index(prepared) -> None:
    _, context, _ = prepared
    selectors = [selector for sheet, _, _ in context.style_for._sheets for _, found, _ in sheet.page_rules
                 for selector in found]
    assert selectors and all(hasattr(page_type, "side") and hasattr(page_type, "index")
                             for _, _, page_type in selectors), \
        f"{VERSIONS}: style_for._sheets page rules changed; cut_index reads their side and index"


def test_the_page_maker_holds_resume_at_next_page_side_state_and_remake_state_a_page(prepared) -> None:
    html, context, root_box = prepared
    run = weasyprint_runs.first_run(html, context, root_box, weasyprint_runs.cut_index(context, root_box))
    assert run.reached_stop
    for _resume_at, next_page, right_page, page_state, remake_state in context.page_maker:
        assert set(next_page) == {"break", "page"} and isinstance(right_page, bool)
        quote_depth, counters, scopes, groups = page_state
        assert set(remake_state) == {"content_changed", "pages_wanted", "anchors", "content_lookups"}
    assert context.page_maker[-1][0] == run.stop, "a forced break starts the page at {0: {index: None}}"
    assert "page" in context.page_maker[-1][3][1]


def test_the_target_collector_caches_an_anchors_page_counters_by_name() -> None:
    from weasyprint.css.targets import TargetCollector

    parameters = list(inspect.signature(TargetCollector.cache_target_page_counters).parameters)
    assert parameters == ["self", "anchor_name", "page_counter_values", "page_maker_index", "page_maker"], \
        f"{VERSIONS}: cache_target_page_counters takes {parameters}; Run.take_anchors calls it"


def test_weasyprint_makes_margin_boxes_and_remakes_pages_with_these_arguments() -> None:
    from weasyprint.layout import layout_document, make_margin_boxes
    from weasyprint.layout.page import remake_page

    assert list(inspect.signature(make_margin_boxes).parameters) == ["context", "page", "state"]
    assert list(inspect.signature(remake_page).parameters) == ["index", "context", "root_box", "html"]
    source = inspect.getsource(layout_document)
    for step in ("make_all_pages", "page_counter_values['pages'] = [actual_total_pages]", "layout_fixed_boxes",
                 "make_margin_boxes(context, page, state)", "layout_backgrounds(page, context.get_image_from_uri)"):
        assert step in source, f"{VERSIONS}: layout_document no longer does {step!r}; Run mirrors its steps"


def test_the_header_cells_ids_are_made_of_their_tables_object_number() -> None:
    from weasyprint.pdf import tags

    assert "pydyf.String(f'{element.number}-{i}-{j}')" in inspect.getsource(tags), \
        f"{VERSIONS}: header cell IDs changed; merge renumbers them"


def test_a_link_names_its_destination_and_every_page_shares_one_resources_dictionary() -> None:
    from weasyprint.pdf import anchors, generate_pdf

    assert "box.link_annotation['Dest'] = pydyf.String(link_target)" in inspect.getsource(anchors.add_links)
    assert "'Resources': resources.reference" in inspect.getsource(generate_pdf), \
        f"{VERSIONS}: the pages' resources changed; merge gives each page of the child its resources"


def test_the_subset_tag_is_six_letters_before_a_plus() -> None:
    from weasyprint.pdf import fonts

    assert re.search(r"self\.name = b'/' \+ self\.hash\.encode\(\) \+ b'\+'", inspect.getsource(fonts.Font)), \
        f"{VERSIONS}: font names changed; _retag gives the child's subsets tags of their own"
