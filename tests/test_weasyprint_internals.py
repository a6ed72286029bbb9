"""What ``briefgen.render.weasyprint_internals`` assumes of WeasyPrint's and pydyf's non-public
names, one test per assumption, each failing with a message that says which assumption broke
and what in briefgen relies on it: the place to look first after an upgrade of either.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pydyf
import pytest
import weasyprint
from lxml import html as lxml_html
import weasyprint.document as weasyprint_document
from weasyprint import draw as weasyprint_draw
from weasyprint.formatting_structure import boxes
from weasyprint.layout import LayoutContext
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import stream as weasyprint_stream
from weasyprint.pdf import tags as weasyprint_tags

from briefgen.render import weasyprint_internals
from briefgen.render.pdf import layout_pdf, layout_tree
from briefgen.render.resources import Confinement
from briefgen.render.weasyprint_internals import LETTER_PDF

VERSIONS = f"WeasyPrint {weasyprint.__version__}, pydyf {pydyf.__version__}"
WEASYPRINT_SOURCES = sorted(Path(weasyprint.__file__).parent.rglob("*.py"))
#: A page with what the composer meets in a letter: a block in a stacking context of its own
#: (a part on the parts' pages) marked per recipient, a hidden paragraph (a held part), passages
#: in other languages, a generated box, a link and a named destination; and a second page.
HTML = """<!DOCTYPE html><html lang="en"><head><title>Assumptions</title><style>
@page { size: A5; margin: 20mm }
.block { position: relative; z-index: 0; width: 200px; height: 50px; border: 2px solid; padding: 3px; margin: 7px }
.note::before { content: "Note: " }
</style></head><body>
<div class="block" data-per-recipient="part"><p>Inside</p></div>
<p style="visibility: hidden">Hidden</p>
<p class="note">Outside <span lang="fr">bonjour</span></p>
<div><p lang="zh">习近平</p></div>
<p id="anchor"><a href="https://example.org">link</a></p>
<p style="break-before: page">Second page</p>
</body></html>"""

#: Pages with what the header cells and the pagination artifacts meet: margin boxes at the top
#: (a running element) and the bottom (page numbers), and a table whose header cells have no
#: scope: a head row, a body row led by a header cell, and a body row of header cells only.
PAGINATED = """<!DOCTYPE html><html lang="en"><head><title>Pages</title><style>
@page { size: A6; margin: 20mm; @top-right { content: element(header) } @bottom-right {
  content: "Page " counter(page) " of " counter(pages) } }
.running { position: running(header) }
</style></head><body>
<div class="running"><p>MARKING</p></div>
<table><thead><tr><th>Head A</th><th>Head B</th></tr></thead>
<tbody><tr><th>Row 1</th><td>Cell 1</td></tr><tr><th>Both A</th><th>Both B</th></tr></tbody></table>
<p style="break-before: page">Second page</p>
</body></html>"""
#: The scope each header cell of PAGINATED takes from its place.
IMPLIED_SCOPES = {"Head A": "col", "Head B": "col", "Row 1": "row", "Both A": "col", "Both B": "col"}


@contextmanager
def assumption(what: str, relied_on_by: str):
    """Fail, whatever goes wrong inside, with a message naming the assumption and its user."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 (any failure of an assumption gets its message)
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        raise pytest.fail.Exception(f"{VERSIONS}: assumption broken: {what} ({detail}); {relied_on_by} relies on it",
                                    pytrace=False) from None


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> weasyprint.Document:
    folder = tmp_path_factory.mktemp("internals")
    return layout_pdf(HTML, Confinement(folder, [folder]))


class Stop(Exception):
    """Raised by a finisher to stop ``write_pdf``."""


def unwritten_pdf(document: weasyprint.Document) -> pydyf.PDF:
    """The ``pydyf.PDF`` of ``document``, as the composer gets it: not written."""
    generated = []

    def finisher(_document, pdf):
        generated.append(pdf)
        raise Stop

    with pytest.raises(Stop):
        document.write_pdf(finisher=finisher, **LETTER_PDF)
    return generated[0]


@pytest.fixture(scope="module")
def pdf(laid_out) -> pydyf.PDF:
    """The ``pydyf.PDF`` of the page, as the composer gets it: not written."""
    return unwritten_pdf(laid_out)


@pytest.fixture(scope="module")
def paginated(tmp_path_factory) -> weasyprint.Document:
    folder = tmp_path_factory.mktemp("paginated")
    return layout_pdf(PAGINATED, Confinement(folder, [folder]))


@pytest.fixture(scope="module")
def paginated_pdf(paginated) -> pydyf.PDF:
    """The ``pydyf.PDF`` of PAGINATED, tagged, as WeasyPrint writes it."""
    return unwritten_pdf(paginated)


def resolve(pdf: pydyf.PDF, reference: bytes):
    return pdf.objects[int(reference.split()[0])]


def structure_elements(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    return [item for item in pdf.objects if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/StructElem"]


def all_boxes(box) -> list:
    found = [box]
    for child in getattr(box, "children", ()):
        found += all_boxes(child)
    return found


def box_of(laid_out: weasyprint.Document, tag: str):
    return next(box for box in all_boxes(laid_out.pages[0]._page_box) if box.element_tag == tag)


def texts_of(box) -> list[str]:
    """The text of each text box under ``box``."""
    return [item.text for item in all_boxes(box) if isinstance(item, boxes.TextBox)]


def content(pdf: pydyf.PDF, page_index: int) -> list:
    return resolve(pdf, resolve(pdf, pdf.page_references[page_index])["Contents"]).stream


def mcid_of(pdf: pydyf.PDF, text_element: pydyf.Dictionary) -> int:
    """The marked-content number of the text of an element (a P whose one kid holds it)."""
    return resolve(pdf, text_element["K"][0])["K"][0]


def self_assignments(function) -> set[str]:
    """The attributes ``function`` (a method) assigns on ``self``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name) and node.value.id == "self"}


# The tag builder that install() wraps.

def test_build_box_tree_is_a_generator_of_box_parent_pdf_page_number_nums_annotations_tags() -> None:
    with assumption("weasyprint.pdf.tags._build_box_tree(box, parent, pdf, page_number, nums, annotations, tags) "
                    "exists and yields structure elements", "install()'s tag wrapper (/Lang, per-recipient marks)"):
        original = inspect.unwrap(weasyprint_tags._build_box_tree)
        assert inspect.isgeneratorfunction(original)
        assert list(inspect.signature(original).parameters) == [
            "box", "parent", "pdf", "page_number", "nums", "annotations", "tags"]


def test_build_box_tree_calls_itself_through_its_module_name(pdf) -> None:
    with assumption("_build_box_tree recurses through the module's global name, so the wrapper sees nested boxes",
                    "install()'s tag wrapper (/Lang of an element inside another)"):
        assert "_build_box_tree" in inspect.unwrap(weasyprint_tags._build_box_tree).__code__.co_names
        nested = next(element for element in structure_elements(pdf) if "Lang" in element and element["S"] == "/P")
        assert nested["Lang"].string == "zh" and resolve(pdf, nested["P"])["S"] == "/Div"


def test_build_box_tree_yields_the_structure_element_of_the_box_it_is_given(pdf) -> None:
    with assumption("_build_box_tree(box, ...) yields the structure element made for that box's element",
                    "install()'s per-recipient mark and compose(), which finds each part's element by it"):
        (marked,) = [element for element in structure_elements(pdf) if hasattr(element, "briefgen_slot")]
        assert marked.briefgen_slot == "part" and marked["S"] == "/Div"
        assert resolve(pdf, marked["K"][0])["S"] == "/P"


def test_an_absolute_placeholder_holds_its_box_as__box() -> None:
    with assumption("weasyprint.layout.absolute.AbsolutePlaceholder(box)._box is the box",
                    "install()'s tag wrapper, for the element of an absolutely positioned box"):
        box = object()
        assert AbsolutePlaceholder(box)._box is box


def test_a_box_has_its_element_and_an_element_tag_that_differs_for_generated_boxes(laid_out) -> None:
    with assumption("a box has .element (its etree element) and .element_tag, equal to the element's tag only for "
                    "its principal box ('p::before' for a generated one), and a parent box has .children",
                    "install()'s tag wrapper and compose(), which finds the parts' boxes by their element"):
        block = box_of(laid_out, "div")
        assert block.element.tag == "div" and block.element.get("data-per-recipient") == "part"
        generated = box_of(laid_out, "p::before")
        assert generated.element.tag == "p" and generated.element_tag != generated.element.tag
        assert any(child.element_tag == "p" for child in block.children)


def test_a_pydyf_dictionary_takes_python_attributes(pdf) -> None:
    with assumption("a pydyf.Dictionary has a __dict__, and structure elements are in pdf.objects",
                    "install()'s per-recipient mark (briefgen_slot) and compose(), which looks for it"):
        element = pydyf.Dictionary()
        element.briefgen_slot = "part"
        assert any(hasattr(item, "briefgen_slot") for item in pdf.objects)


# Header cells: the /Scope install()'s tag wrapper gives each TH.

def test_a_table_box_is_a_wrapper_of_a_table_of_row_groups_of_rows_of_cells(paginated) -> None:
    with assumption("the box _build_box_tree is given for a <table> is a wrapper (.is_table_wrapper, "
                    ".get_wrapped_table()) whose table's children are row groups (element_tag 'thead', 'tbody') of "
                    "rows ('tr') of cells ('th', 'td') that have their element", "install()'s tag wrapper, which "
                    "gives each th without scope the one its place in the table implies (_imply_header_scopes)"):
        wrapper = box_of(paginated, "table")
        assert wrapper.is_table_wrapper
        groups = wrapper.get_wrapped_table().children
        assert [group.element_tag for group in groups] == ["thead", "tbody"]
        rows = [row for group in groups for row in group.children]
        assert [row.element_tag for row in rows] == ["tr"] * 3
        assert [[cell.element_tag for cell in row.children] for row in rows] == [["th", "th"], ["th", "td"],
                                                                                 ["th", "th"]]
        assert all(cell.element.tag == cell.element_tag for row in rows for cell in row.children)


def test_the_tag_builder_reads_the_scope_of_the_th_elements_after_building_the_tables_cells(paginated_pdf) -> None:
    with assumption("_build_box_tree reads each th's scope (row if 'row', else column) from cell.element.attrib "
                    "once the table's cells are built, to write the TDs' /Headers, and gives each TH and TD an "
                    "'A' dictionary with /O /Table", "install()'s tag wrapper, which sets the implied scope on the "
                    "element before the table is built and gives each TH the /Scope its TDs' /Headers follow"):
        source = inspect.getsource(inspect.unwrap(weasyprint_tags._build_box_tree))
        assert "cell.element.attrib.get('scope') == 'row'" in source
        assert source.index("# Build tree for box children.") < source.index("cell.element.attrib.get('scope')")
        # The cells' elements are made in the document's order.
        cells = [element for element in structure_elements(paginated_pdf) if element["S"] in ("/TH", "/TD")]
        assert cells and all(element["A"]["O"] == "/Table" for element in cells)
        headers = dict(zip((element["ID"].string for element in cells if element["S"] == "/TH"), IMPLIED_SCOPES))
        assert [element["A"]["Scope"] for element in cells if element["S"] == "/TH"] == [
            "/Row" if scope == "row" else "/Column" for scope in IMPLIED_SCOPES.values()]
        # WeasyPrint heads a data cell with every column header of its column, wherever it is.
        (data,) = [element for element in cells if element["S"] == "/TD"]
        assert sorted(headers[key.string] for key in data["A"]["Headers"]) == ["Both B", "Head B", "Row 1"]


# Running headers and footers: what margin boxes show, drawn as pagination artifacts.

def test_page_paint_draws_the_page_box_through_weasyprint_documents_name_draw_page() -> None:
    with assumption("weasyprint.Page.paint calls draw_page(page_box, stream) through the name weasyprint.document "
                    "imports it as (weasyprint.draw.draw_page)", "install()'s wrapper of draw_page, which notes "
                    "the boxes of the margin boxes before the page is drawn"):
        assert "draw_page" in weasyprint.Page.paint.__code__.co_names
        assert inspect.unwrap(weasyprint_document.draw_page) is weasyprint_draw.draw_page
        assert list(inspect.signature(weasyprint_draw.draw_page).parameters) == ["page", "stream"]


def test_the_margin_boxes_are_children_of_the_page_box_named_by_their_at_rule(paginated) -> None:
    with assumption("a page box's margin boxes are among its children, MarginBox instances whose at_keyword is their "
                    "at-rule ('@top-right'); what they show is in their descendants (.children); boxes take "
                    "Python attributes", "install()'s wrapper of draw_page (_note_pagination), which notes each "
                    "box of a margin box as on its side of the page"):
        first, second = (page._page_box for page in paginated.pages)
        margins = {box.at_keyword: box for box in first.children if isinstance(box, boxes.MarginBox)}
        assert {"@top-right", "@bottom-right"} <= set(margins)
        assert "MARKING" in texts_of(margins["@top-right"]) and "Page 1 of 2" in texts_of(margins["@bottom-right"])
        assert all("__slots__" not in vars(kind) for kind in type(margins["@top-right"]).__mro__)
        assert any(isinstance(box, boxes.MarginBox) for box in second.children)


def test_marked_content_is_drawn_by_stream_marked_of_each_text_and_replaced_box_only() -> None:
    with assumption("weasyprint.pdf.stream.Stream.marked(box, tag) is a context manager, the one drawer of marked "
                    "content with an MCID, which it records in stream._tags (None for an untagged PDF); the drawing "
                    "calls it with the text box or replaced box drawn", "install()'s Stream.marked, which draws "
                    "instead a pagination artifact, with no MCID, for a box noted as in a margin box"):
        marked = inspect.unwrap(weasyprint_stream.Stream.marked)
        assert inspect.isgeneratorfunction(marked)
        assert list(inspect.signature(marked).parameters) == ["self", "box", "tag"]
        assert "self._tags[box] = {'tag': tag, 'mcid': mcid}" in inspect.getsource(marked)
        begins = [(path.name, line.strip()) for path in WEASYPRINT_SOURCES
                  for line in path.read_text(encoding="utf-8").splitlines() if "begin_marked_content(" in line]
        assert begins == [("stream.py", "super().begin_marked_content(tag, property_list)"),
                          ("stream.py", "super().begin_marked_content('Artifact')")]
        calls = {match for path in WEASYPRINT_SOURCES for match in re.findall(
            r"\.marked\((\w+), '(\w+)'\)", path.read_text(encoding="utf-8"))}
        assert calls == {("child", "Span"), ("box", "Figure"), ("block", "Figure")}


def test_stream_marked_appends_its_property_list_before_it_yields_and_a_text_box_holds_its_text(tmp_path) -> None:
    with assumption("Stream.marked appends the property list of the marked content it begins (a pydyf.Dictionary "
                    "with the MCID) to stream.stream, the last dictionary there when it yields, and the TextBox it "
                    "is given has the text it draws as .text", "install()'s Stream.marked, which gives the marked "
                    "content of a Tibetan or Devanagari text box its text as /ActualText"):
        source = inspect.getsource(inspect.unwrap(weasyprint_stream.Stream.marked))
        assert source.index("property_list = pydyf.Dictionary({'MCID': mcid})") < source.index(
            "super().begin_marked_content(tag, property_list)") < source.index("yield")
        page = '<html lang="en"><body><p>Tibet is <span lang="bo">བོད་ཀྱི</span> and <span>गंगा</span>.</p></body></html>'
        document = layout_pdf(page, Confinement(tmp_path, [tmp_path]))
        items = content(unwritten_pdf(document), 0)
        actual = [item["ActualText"].string for item in items if isinstance(item, pydyf.Dictionary)
                  and "ActualText" in item and "MCID" in item]
        shaped = [text for text in texts_of(document.pages[0]._page_box) if not text.isascii()]
        assert actual == shaped == ["བོད་ཀྱི", "गंगा"]


def test_the_tag_builder_links_nothing_of_a_margin_box_into_the_tree(paginated_pdf) -> None:
    with assumption("_build_box_tree builds the elements of a MarginBox only to take its marked content out of "
                    "the page's tags, and links none of them into the structure tree (add_tags asserts that no tag "
                    "is left)", "install()'s tag wrapper, which makes nothing of a margin box, whose boxes are "
                    "drawn as artifacts and have no tags"):
        source = inspect.getsource(inspect.unwrap(weasyprint_tags._build_box_tree))
        branch = source[source.index("elif isinstance(box, boxes.MarginBox):"):source.index("elif tag in ('TD'")]
        assert "tuple(_build_box_tree(" in branch and "yield" not in branch and "return" in branch
        assert "assert not tags" in inspect.getsource(weasyprint_tags.add_tags)
        # Written tagged (add_tags' assertion held): the one paragraph in the tree is the second page's,
        # not the running header's, and what the margin boxes show is drawn as artifacts.
        paragraphs = [element for element in structure_elements(paginated_pdf) if element["S"] == "/P"]
        assert [element["Pg"] for element in paragraphs] == [paginated_pdf.page_references[1]]
        for page_index in range(2):
            items = content(paginated_pdf, page_index)
            artifacts = [items[index + 1] for index, item in enumerate(items)
                         if item == "/Artifact" and isinstance(items[index + 1], pydyf.Dictionary)]
            assert sorted(artifact["Subtype"] for artifact in artifacts) == ["/Footer", "/Header"], page_index
            assert all(artifact["Type"] == "/Pagination" and "MCID" not in artifact for artifact in artifacts)


# The footnote lookups and page references that install() makes constant-time.

def test_layout_context_assigns_its_footnotes_and_has_no_class_attribute_of_that_name() -> None:
    with assumption("weasyprint.layout.LayoutContext assigns self.footnotes (a list) and the class itself has no "
                    "'footnotes' but the property install() puts there", "install()'s constant-time footnote lookups"):
        assert "footnotes" in self_assignments(LayoutContext.__init__)
        assert "__slots__" not in vars(LayoutContext)
        found = inspect.getattr_static(LayoutContext, "footnotes", None)
        assert found is None or found.fget is weasyprint_internals._footnotes


def test_weasyprint_only_assigns_appends_removes_copies_and_tests_its_footnotes() -> None:
    with assumption("WeasyPrint only assigns, appends to, removes from, copies, tests the truth of and tests "
                    "membership in LayoutContext.footnotes, or passes it to build_formatting_structure (which appends)",
                    "install()'s _FootnoteList, which keeps its counts through these alone"):
        uses = []
        for path in WEASYPRINT_SOURCES:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == "footnotes":
                    parent = parents[node]
                    if isinstance(node.ctx, ast.Store):
                        uses.append("assign")
                    elif isinstance(parent, ast.Attribute) and parent.attr in ("append", "remove", "copy"):
                        uses.append(parent.attr)
                    elif isinstance(parent, ast.Compare) and node in parent.comparators and all(
                            isinstance(operator, (ast.In, ast.NotIn)) for operator in parent.ops):
                        uses.append("in")
                    elif isinstance(parent, ast.If) and parent.test is node:
                        uses.append("truth")
                    elif (isinstance(parent, ast.Call) and node in parent.args
                          and getattr(parent.func, "id", None) == "build_formatting_structure"):
                        uses.append("built")
                    else:
                        uses.append(f"{path.name}:{node.lineno}: {ast.unparse(parent)}")
        assert uses and set(uses) <= {"assign", "append", "remove", "copy", "in", "truth", "built"}, uses


def test_page_references_is_a_property_of_the_references_to_the_pages_kids() -> None:
    # A copy of pydyf loaded apart, so that install()'s property cannot stand in for pydyf's.
    spec = importlib.util.spec_from_file_location("pydyf_as_shipped", pydyf.__file__)
    shipped = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shipped)
    with assumption("pydyf.PDF.page_references is a property, the references 'N 0 R' to the objects numbered in "
                    "pdf.pages['Kids'][::3], and a pydyf.PDF has a __dict__",
                    "install()'s cached page references"):
        assert isinstance(inspect.getattr_static(shipped.PDF, "page_references"), property)
        document = shipped.PDF()
        for _ in range(2):
            document.add_page(shipped.Dictionary({"Type": "/Page"}))
        assert document.page_references == tuple(f"{number} 0 R".encode() for number in document.pages["Kids"][::3])
        assert "__slots__" not in vars(shipped.PDF) and isinstance(vars(document), dict)


def test_the_pages_kids_are_only_appended_to_three_items_a_page() -> None:
    with assumption("pdf.pages['Kids'] changes only by pydyf.PDF.add_page, which appends (number, 0, 'R'); "
                    "WeasyPrint only reads it", "install()'s cached page references, rebuilt when Kids grows"):
        document = pydyf.PDF()
        page = pydyf.Dictionary({"Type": "/Page"})
        document.add_page(page)
        assert list(document.pages["Kids"]) == [page.number, 0, "R"]
        writes = [f"{path.name}: {line.strip()}" for path in WEASYPRINT_SOURCES
                  for line in path.read_text(encoding="utf-8").splitlines()
                  if re.search(r"pages\[['\"]Kids['\"]\](?!\[::3\])", line)]
        assert writes == []


# A weasyprint.HTML made from an element tree (html_of_tree).

def test_html_init_sets_base_url_url_fetcher_media_type_wrapper_element_and_etree_element() -> None:
    with assumption("weasyprint.HTML.__init__ sets exactly base_url, url_fetcher, media_type, wrapper_element and "
                    "etree_element, all that render() reads", "html_of_tree(), which sets them on HTML.__new__(HTML)"):
        assert self_assignments(weasyprint.HTML.__init__) == {
            "base_url", "url_fetcher", "media_type", "wrapper_element", "etree_element"}
        assert "__new__" not in vars(weasyprint.HTML)


def test_html_init_wraps_a_tree_without_namespaces_by_from_html_root(tmp_path: Path) -> None:
    with assumption("weasyprint.HTML parses without namespaces and wraps the tree with "
                    "cssselect2.ElementWrapper.from_html_root(tree, content_language=None)",
                    "html_of_tree() (layout_tree), which makes the same wrapper of the tree lxml writes"):
        source = inspect.getsource(weasyprint.HTML.__init__)
        assert "'namespace_html_elements': False" in source
        assert "ElementWrapper.from_html_root(" in source and "content_language=None" in source
        confinement = Confinement(tmp_path, [tmp_path])
        assert (layout_tree(lxml_html.document_fromstring(HTML), confinement).write_pdf(**LETTER_PDF)
                == layout_pdf(HTML, confinement).write_pdf(**LETTER_PDF))


# The composer (compose).

def test_a_page_has_its_page_box_as__page_box(laid_out) -> None:
    with assumption("a weasyprint.Page has ._page_box, the PageBox of its laid-out boxes",
                    "compose(), which finds the parts' boxes on each page"):
        assert isinstance(laid_out.pages[0]._page_box, boxes.PageBox)


def test_a_box_measures_its_border_box_in_css_pixels(laid_out) -> None:
    with assumption("a box has border_width(), border_height(), border_box_x() and border_box_y(), in CSS px from "
                    "the page's top left corner", "compose(), which compares each part's size with the held one's "
                    "and moves its drawing onto it"):
        # The page's margin, the body's (8px) and the block's (7px, collapsed with the body's at the top).
        block, margin = box_of(laid_out, "div"), 20 * 96 / 25.4
        assert (block.border_width(), block.border_height()) == pytest.approx((210, 60))
        assert (block.border_box_x(), block.border_box_y()) == pytest.approx((margin + 8 + 7, margin + 8))


def test_write_pdf_hands_its_finisher_the_pdf_before_writing_it_and_lets_its_exception_through(laid_out) -> None:
    handed = []

    def finisher(document, pdf):
        handed.append((document, pdf))
        raise Stop

    with assumption("Document.write_pdf(finisher=f) calls f(document, pdf) with the pydyf.PDF before writing it, "
                    "and an exception f raises stops write_pdf", "compose() and the layout in two runs "
                    "(weasyprint_runs), which get the PDF that way (generated_pdf)"):
        assert "finisher" in inspect.signature(weasyprint.Document.write_pdf).parameters
        with pytest.raises(Stop):
            laid_out.write_pdf(finisher=finisher, **LETTER_PDF)
        ((document, pdf),) = handed
        assert document is laid_out and isinstance(pdf, pydyf.PDF) and pdf.info.number is None


def test_the_letters_variant_is_written_in_the_letters_pdf_version(laid_out) -> None:
    with assumption(f"write_pdf(pdf_variant={LETTER_PDF['pdf_variant']!r}) writes PDF {LETTER_PDF['pdf_version']}, "
                    "so that giving that version too changes nothing", "compose(), which writes that version in "
                    "each composed letter's header (LETTER_PDF)"):
        alone = laid_out.write_pdf(pdf_variant=LETTER_PDF["pdf_variant"])
        assert alone.startswith(f"%PDF-{LETTER_PDF['pdf_version']}\n".encode())
        assert alone == laid_out.write_pdf(**LETTER_PDF)


def test_the_pdf_objects_are_numbered_by_their_place(pdf) -> None:
    with assumption("pdf.objects[n].number == n, its reference b'n 0 R', and pdf.add_object numbers an object "
                    "len(pdf.objects)", "the composer, which finds objects by their references and numbers its "
                    "object stream after them"):
        assert all(item.number == index for index, item in enumerate(pdf.objects))
        # Object 0 is the head of the free list, never referred to.
        assert all(item.reference == f"{index} 0 R".encode() for index, item in enumerate(pdf.objects) if index)
        stream = pydyf.Stream()
        count = len(pdf.objects)
        pdf.add_object(stream)
        assert stream.number == count
        pdf.objects.pop()


def test_the_information_dictionary_is_not_yet_an_object_when_the_finisher_runs(pdf) -> None:
    with assumption("pdf.info is not among pdf.objects before the PDF is written (pydyf adds it then)",
                    "the composer, which adds it once itself"):
        assert pdf.info.number is None and all(item is not pdf.info for item in pdf.objects)
        assert "Title" in pdf.info


def test_the_structure_tree_root_holds_the_parent_tree_and_the_document_element(pdf) -> None:
    with assumption("pdf.catalog['StructTreeRoot'] refers to a root whose 'ParentTree' refers to a number tree "
                    "('Nums') and whose 'K' holds the /Document element, of which 'K' lists the top elements, each "
                    "with its page in 'Pg'",
                    "the composer, which gives each letter the elements of the letter's pages"):
        root = resolve(pdf, pdf.catalog["StructTreeRoot"])
        assert "Nums" in resolve(pdf, root["ParentTree"])
        document = resolve(pdf, root["K"][0])
        assert document["S"] == "/Document"
        pages = set(pdf.page_references)
        assert all(resolve(pdf, reference)["Pg"] in pages for reference in document["K"])


def test_the_parent_tree_maps_each_page_to_the_elements_of_its_marked_content_then_the_annotations(pdf) -> None:
    with assumption("the parent tree's Nums are, for each page in order, its index and an Array whose item n is the "
                    "element holding marked content n (MCID n) of the page; then a number and an element per "
                    "annotation",
                    "the composer, which takes out the held parts' marked content and numbers the parts' after the "
                    "page's"):
        nums = resolve(pdf, resolve(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"])["Nums"]
        pages = len(pdf.page_references)
        assert nums[:2 * pages:2] == list(range(pages))
        for page_index, marked in zip(nums[:2 * pages:2], nums[1:2 * pages:2]):
            assert isinstance(marked, pydyf.Array)
            for mcid, reference in enumerate(marked):
                element = resolve(pdf, reference)
                assert mcid in element["K"] and element["Pg"] == pdf.page_references[page_index]
        annotations = nums[2 * pages:]
        assert annotations and all(isinstance(key, int) and key >= pages for key in annotations[::2])
        assert all(isinstance(reference, bytes) for reference in annotations[1::2])


def test_a_structure_element_has_its_parent_and_kids_of_marked_content_numbers_and_references(pdf) -> None:
    with assumption("a structure element (Type /StructElem) has 'P' (its parent's reference, in whose 'K' it is) "
                    "and 'K', whose items are marked-content numbers (int) or references (bytes) to elements or /OBJR "
                    "dictionaries",
                    "the composer, which walks a part's subtree and moves it into the held part's place"):
        for element in structure_elements(pdf):
            assert isinstance(element["P"], bytes) and isinstance(element["K"], pydyf.Array)
            assert element.reference in resolve(pdf, element["P"])["K"]
            for kid in element["K"]:
                assert isinstance(kid, int) or resolve(pdf, kid).get("Type") in ("/StructElem", "/OBJR")


def test_a_page_is_drawn_by_one_content_stream_of_whole_operators(pdf) -> None:
    with assumption("a page's 'Contents' is the reference of one stream whose .stream items are whole operators "
                    "(bytes: b'q', b'Q', b'... cm'), marked-content tags (str) and property lists (pydyf.Dictionary)",
                    "the composer, which cuts the parts' drawing out of the parts' pages"):
        page = resolve(pdf, pdf.page_references[0])
        assert isinstance(page["Contents"], bytes)
        items = content(pdf, 0)
        assert all(isinstance(item, (bytes, str, pydyf.Dictionary)) for item in items)
        assert b"q" in items and b"Q" in items
        assert any(item.endswith(b" cm") for item in items if isinstance(item, bytes))


def test_marked_content_is_a_tag_a_property_list_and_bdc_and_is_empty_when_hidden(pdf) -> None:
    with assumption("marked content is drawn as a tag, a property list holding its MCID, b'BDC' ... b'EMC', with "
                    "nothing in between for an element with visibility: hidden",
                    "the composer, which takes the held parts' empty marked content out of the letter's page"):
        items = content(pdf, 0)
        marks = [index for index, item in enumerate(items) if isinstance(item, pydyf.Dictionary) and "MCID" in item]
        assert marks and all(isinstance(items[index - 1], str) and items[index + 1] == b"BDC" for index in marks)
        hidden = next(element for element in structure_elements(pdf) if element["S"] == "/P"
                      and resolve(pdf, element["K"][0]).get("K") == [0])
        assert items[marks[mcid_of(pdf, hidden)] + 1:marks[mcid_of(pdf, hidden)] + 3] == [b"BDC", b"EMC"]


def test_a_stacking_context_is_drawn_as_a_group_of_its_own(pdf) -> None:
    with assumption("the block of a stacking context (position: relative; z-index: 0) is drawn inside a q ... Q "
                    "group that holds its marked content and no other",
                    "the composer, which cuts each part's drawing out of the parts' pages as that group"):
        block = next(element for element in structure_elements(pdf) if hasattr(element, "briefgen_slot"))
        own = mcid_of(pdf, resolve(pdf, block["K"][0]))
        items = content(pdf, 0)
        marks = {item["MCID"]: index for index, item in enumerate(items)
                 if isinstance(item, pydyf.Dictionary) and "MCID" in item}
        groups, opened = [], []
        for index, item in enumerate(items):
            if item == b"q":
                opened.append(index)
            elif item == b"Q":
                groups.append((opened.pop(), index))
        assert any(start < marks[own] < end and not any(start < marks[other] < end for other in marks if other != own)
                   for start, end in groups)


def test_a_page_with_a_link_has_annotations(pdf) -> None:
    with assumption("a page with a link has 'Annots'", "the composer, which leaves a part on such a page to be "
                    "laid out whole"):
        assert "Annots" in resolve(pdf, pdf.page_references[0])
        assert "Annots" not in resolve(pdf, pdf.page_references[1])


def test_named_destinations_are_in_the_catalogs_names_dests(pdf) -> None:
    with assumption("the named destinations of a document's ids are in pdf.catalog['Names']['Dests']",
                    "the composer, which leaves the page groups' markers out of each letter"):
        assert "Dests" in pdf.catalog["Names"]


def test_the_pages_dictionary_and_the_catalogue_are_objects_of_the_pdf(pdf) -> None:
    with assumption("pdf.pages (with 'Kids' and 'Count') and pdf.catalog are numbered objects of the PDF",
                    "the composer, which writes each letter's page tree and catalogue in their place"):
        assert pdf.objects[pdf.pages.number] is pdf.pages and pdf.objects[pdf.catalog.number] is pdf.catalog
        assert pdf.pages["Count"] == len(pdf.pages["Kids"]) // 3 == 2


def test_a_stream_keeps_its_items_in_stream_and_its_dictionary_in_extra() -> None:
    with assumption("a pydyf.Stream keeps its items in .stream and its dictionary in .extra, and .data is the "
                    "dictionary then stream ... endstream", "the composer, which draws each part in a stream of its "
                    "own and finds the references of a stream in its dictionary"):
        stream = pydyf.Stream([b"q", b"Q"], {"Resources": b"4 0 R"})
        assert stream.stream == [b"q", b"Q"] and stream.extra == {"Resources": b"4 0 R"}
        assert stream.data == b"<</Resources 4 0 R/Length 3>>\nstream\nq\nQ\nendstream"


# briefgen's own side of it.

def test_importing_briefgen_changes_nothing_in_weasyprint_and_install_patches_it_once() -> None:
    script = """
import inspect, pydyf, weasyprint.document
from weasyprint.layout import LayoutContext
from weasyprint.pdf import stream, tags
import briefgen.commands.build, briefgen.commands.letters, briefgen.render.letters
import briefgen.render.mailmerge, briefgen.render.pdf
from briefgen.render.weasyprint_internals import install
def patched():
    return (tags._build_box_tree, weasyprint.document.draw_page, stream.Stream.marked)
originals = patched()
def state():
    return (inspect.getattr_static(LayoutContext, "footnotes", None) is not None,
            pydyf.PDF.page_references.fget.__module__)
# Unpatched: WeasyPrint's functions, Stream.marked its context manager of a generator.
print(not hasattr(tags._build_box_tree, "__wrapped__"), not hasattr(weasyprint.document.draw_page, "__wrapped__"),
      inspect.isgeneratorfunction(stream.Stream.marked.__wrapped__), *state())
install()
install()
# Each patched once: a wrapper of WeasyPrint's own function, not of a wrapper.
print([now.__wrapped__ is original for now, original in zip(patched(), originals)], *state())
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == ("True True True False pydyf\n"
                             "[True, True, True] True briefgen.render.weasyprint_internals\n")


# Marked changes (an addendum's ins and del).

MARKED = """<!DOCTYPE html><html lang="en"><head><title>Marks</title><style>
@page { size: A7; margin: 10mm }
</style></head><body>
<p>Kept <ins title="inserted">one two three four five six seven eight nine ten eleven twelve</ins> <del>gone</del></p>
</body></html>"""


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> weasyprint.Document:
    folder = tmp_path_factory.mktemp("marked")
    return layout_pdf(MARKED, Confinement(folder, [folder]))


def test_weasyprint_tags_ins_and_del_as_nonstruct() -> None:
    with assumption("weasyprint.pdf.tags._get_pdf_tag gives 'NonStruct' for ins and del (no structure type of "
                    "their own)", "install()'s tag wrapper, which makes each a /Span with its /ActualText"):
        assert [weasyprint_tags._get_pdf_tag(tag) for tag in ("ins", "del")] == ["NonStruct", "NonStruct"]


def test_an_inline_box_broken_over_lines_is_one_box_a_line_holding_the_text_boxes_of_its_words(marked) -> None:
    with assumption("an inline element broken over lines has one inline box per line, whose text boxes hold "
                    "that line's words", "weasyprint_internals.box_text, the words of a mark's /ActualText"):
        lines = [box for box in all_boxes(marked.pages[0]._page_box) if isinstance(box, boxes.LineBox)]
        marks = [[box for box in all_boxes(line) if box.element_tag == "ins" and not isinstance(box, boxes.TextBox)]
                 for line in lines]
        assert sum(1 for found in marks if found) > 1
        assert all(len(found) <= 1 and all(isinstance(box, boxes.InlineBox) for box in found) for found in marks)
        words = [weasyprint_internals.box_text(box).split() for found in marks for box in found]
        assert sum(words, []) == "one two three four five six seven eight nine ten eleven twelve".split()


def test_each_mark_is_a_span_that_says_its_title_and_the_words_of_its_line(marked) -> None:
    elements = [element for element in structure_elements(unwritten_pdf(marked)) if "ActualText" in element]
    assert all(element["S"] == "/Span" for element in elements)
    spoken = [element["ActualText"].string for element in elements]
    assert spoken[-1] == "deleted: gone" and all(text.startswith("inserted: ") for text in spoken[:-1])
    assert " ".join(text.removeprefix("inserted: ") for text in spoken[:-1]) == (
        "one two three four five six seven eight nine ten eleven twelve")


def test_a_font_reads_its_file_in_init_through_its_modules_name_and_only_the_subset_is_written(tmp_path) -> None:
    import weasyprint.pdf.fonts as weasyprint_fonts

    init = getattr(weasyprint_fonts.Font.__init__, "__wrapped__", weasyprint_fonts.Font.__init__)
    with assumption("Font.__init__ reads the whole font file with get_hb_object_data(self.hb_face), by that "
                    "module's name, and HarfBuzz subsetting replaces file_content with the subset",
                    "the unread font file (weasyprint_internals._file_content)"):
        assert "self.file_content = get_hb_object_data(self.hb_face)" in inspect.getsource(init)
        assert "self.file_content = file_content" in inspect.getsource(weasyprint_fonts.Font._harfbuzz_subset)
    weasyprint_internals.install()
    sizes = []
    read = weasyprint_fonts.get_hb_object_data

    def counted(*args):
        data = read(*args)
        sizes.append(len(data or b""))
        return data

    laid_out = layout_pdf('<html lang="zh"><body><p>习近平 and Latin</p></body></html>',
                          Confinement(tmp_path, [tmp_path]))
    weasyprint_fonts.get_hb_object_data = counted
    try:
        (tmp_path / "fonts.pdf").write_bytes(laid_out.write_pdf())
    finally:
        weasyprint_fonts.get_hb_object_data = read
    assert sizes and max(sizes) < 5_000_000, f"a whole font file was read: {sizes}"
    text = subprocess.run(["pdftotext", str(tmp_path / "fonts.pdf"), "-"], capture_output=True, text=True).stdout
    assert "习近平 and Latin" in text
