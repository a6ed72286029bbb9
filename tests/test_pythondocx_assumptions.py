"""What briefgen/render/docx/pythondocx.py assumes of python-docx beyond its documented interface.

One test per assumption: each checks that the name is there and behaves as the module
relies on, and its message says which assumption broke, so that a python-docx release
that changes one is found by name rather than by a failing build. The module is imported
by each test, after its names are checked, so that a name python-docx dropped fails its
own test with its own message rather than the import of every test.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import Path

import docx
import docx.document
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches
from lxml import etree

REFERENCE = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"


def broken(what: str, purpose: str) -> str:
    """The message of a failed assumption."""
    return f"python-docx no longer has {what}: briefgen/render/docx/pythondocx.py relies on it for {purpose}"


def attribute(module_name: str, name: str, purpose: str):
    """``module_name.name``, failing with the assumption's message when python-docx lacks it."""
    module = importlib.import_module(module_name)
    assert hasattr(module, name), broken(f"{module_name}.{name}", purpose)
    return getattr(module, name)


def module():
    """briefgen/render/docx/pythondocx.py."""
    return importlib.import_module("briefgen.render.docx.pythondocx")


def raises(call, error_module: str, error_name: str, purpose: str) -> None:
    """Check that ``call()`` raises ``error_module.error_name``."""
    error = attribute(error_module, error_name, purpose)
    try:
        call()
    except error:
        return
    pytest.fail(broken(f"{error_module}.{error_name} as the error it raises", purpose))


@pytest.fixture
def document() -> docx.document.Document:
    return docx.Document(str(REFERENCE))


@pytest.fixture
def png(tmp_path: Path) -> Path:
    from test_docx_writer import tiny_png

    return tiny_png(tmp_path / "a.png")


@pytest.mark.parametrize(
    ("module_name", "name", "proxy", "purpose"),
    [
        ("docx.table", "_Cell", lambda d: d.add_table(1, 1).cell(0, 0), "pythondocx.Cell, the cells tables nest in"),
        ("docx.section", "_Header", lambda d: d.sections[0].header, "pythondocx.Header, the running header"),
        ("docx.section", "_Footer", lambda d: d.sections[0].footer, "pythondocx.Footer, the running footer"),
    ],
)
def test_documented_proxies_of_private_classes(document, module_name, name, proxy, purpose):
    cls = attribute(module_name, name, purpose)
    assert type(proxy(document)) is cls, broken(f"{module_name}.{name} as the class of its proxies", purpose)


@pytest.mark.parametrize(
    ("kind", "proxy", "tag"),
    [
        ("Paragraph", lambda d: d.add_paragraph(), "w:p"),
        ("Table", lambda d: d.add_table(1, 1), "w:tbl"),
        ("_Row", lambda d: d.add_table(1, 1).rows[0], "w:tr"),
        ("_Cell", lambda d: d.add_table(1, 1).cell(0, 0), "w:tc"),
        ("_Header", lambda d: d.sections[0].header, "w:hdr"),
        ("_Footer", lambda d: d.sections[0].footer, "w:ftr"),
        ("CoreProperties", lambda d: d.core_properties, "cp:coreProperties"),
    ],
)
def test_proxies_keep_their_element_in_element(document, kind, proxy, tag):
    what, purpose = f"{kind}._element as its {tag}", "pythondocx.element, the XML the writer edits"
    instance = proxy(document)
    assert hasattr(instance, "_element"), broken(what, purpose)
    assert module().element(instance).tag == qn(tag), broken(what, purpose)


def test_style_factory_makes_the_proxy_of_a_style_element(document):
    purpose = "pythondocx.style, the styles that the writer finds in its own index of styles.xml"
    attribute("docx.styles.style", "StyleFactory", purpose)
    style = module().style(document.styles["Heading 1"].element)
    assert (style.type, style.style_id, style.name) == (WD_STYLE_TYPE.PARAGRAPH, "Heading1", "Heading 1"), broken(
        "StyleFactory(element) returning the proxy of the style's type", purpose
    )


def test_runs_made_with_lxml_get_python_docx_classes(document, png):
    purpose = "pythondocx.run, pictures and TOC page numbers in runs the writer makes with lxml"
    pythondocx = module()
    paragraph = document.add_paragraph()
    run = pythondocx.run(etree.SubElement(pythondocx.element(paragraph), qn("w:r")), paragraph)
    run.text = "\t7"
    run.add_picture(str(png), width=Inches(1))
    assert [etree.QName(child).localname for child in pythondocx.element(run)] == ["tab", "t", "drawing"], broken(
        "its element classes on the elements etree.SubElement makes in its trees", purpose
    )


def test_inline_shape_keeps_its_wp_inline_in_inline(document, png):
    purpose = "pythondocx.describe_picture, the alt text of images"
    shape = document.add_paragraph().add_run().add_picture(str(png))
    assert hasattr(shape, "_inline"), broken("InlineShape._inline", purpose)
    module().describe_picture(shape, "A flag")
    description = shape._inline.find(qn("wp:docPr")).get("descr")
    assert description == "A flag", broken("wp:docPr in InlineShape._inline", purpose)


def test_document_part_has_the_numbering_part(document):
    purpose = "pythondocx.numbering_element, where every list that restarts at 1 adds its w:num"
    assert hasattr(document.part, "numbering_part"), broken("DocumentPart.numbering_part", purpose)
    assert module().numbering_element(document).tag == qn("w:numbering"), broken("NumberingPart.element", purpose)


def test_parts_relate_to_external_urls(document):
    purpose = "pythondocx.relate_hyperlink, the targets of external links"
    rid = module().relate_hyperlink(document.add_paragraph(), "https://example.org/")
    rel = document.part.rels[rid]
    assert (rel.is_external, rel.target_ref) == (True, "https://example.org/"), broken(
        "Part.relate_to(url, RT.HYPERLINK, is_external=True)", purpose
    )


def test_footnotes_part_can_be_replaced(document):
    purpose = "pythondocx.replace_footnotes_part, a footnotes part of the HTML's footnotes alone"
    attribute("docx.opc.packuri", "PackURI", purpose)
    attribute("docx.parts.story", "StoryPart", purpose)
    pythondocx = module()
    for notes in ("", '<w:footnote w:id="1"/>'):
        pythondocx.replace_footnotes_part(document, parse_xml(f"<w:footnotes {nsdecls('w')}>{notes}</w:footnotes>"))
    stream = io.BytesIO()
    pythondocx.save(document, stream)
    with zipfile.ZipFile(stream) as package:
        relationships = package.read("word/_rels/document.xml.rels").decode()
        assert relationships.count("relationships/footnotes") == 1, broken("DocumentPart.drop_rel(rid)", purpose)
        assert b'w:id="1"' in package.read("word/footnotes.xml"), broken(
            "StoryPart(partname, content_type, element, package)", purpose
        )
        assert "wordprocessingml.footnotes+xml" in package.read("[Content_Types].xml").decode(), broken(
            "CONTENT_TYPE.WML_FOOTNOTES", purpose
        )


def test_document_part_saves_the_package(document):
    purpose = "pythondocx.save, whose zip docx_bytes writes again reproducibly"
    stream = io.BytesIO()
    module().save(document, stream)
    with zipfile.ZipFile(stream) as package:
        assert "word/document.xml" in package.namelist(), broken("DocumentPart.save(stream)", purpose)


def test_document_is_made_of_its_element_and_part(document):
    purpose = "pythondocx.as_document, the document whose save writes the same bytes every time"

    class Subclass(docx.document.Document):
        pass

    again = module().as_document(document, Subclass)
    assert (type(again), again.element, again.part) == (Subclass, document.element, document.part), broken(
        "Document(element, part)", purpose
    )


def test_block_item_container_adds_paragraphs_through_a_hook(document):
    purpose = "pythondocx.Body, which adds a paragraph before the section properties in constant time"
    attribute("docx.blkcntnr", "BlockItemContainer", purpose)
    pythondocx = module()
    body = pythondocx.Body(document)
    paragraph = body.add_paragraph()
    assert pythondocx.element(paragraph).getnext().tag == qn("w:sectPr"), broken(
        "BlockItemContainer.add_paragraph calling self._add_paragraph()", purpose
    )
    assert pythondocx.element(body.paragraphs[-1]) is pythondocx.element(paragraph), broken(
        "BlockItemContainer(element, parent) keeping element in _element", purpose
    )


def test_table_elements_are_made_by_ct_tbl(document):
    purpose = "pythondocx.Body.add_table, which adds a table before the section properties"
    assert hasattr(attribute("docx.oxml.table", "CT_Tbl", purpose), "new_tbl"), broken("CT_Tbl.new_tbl", purpose)
    pythondocx = module()
    tbl = pythondocx.element(pythondocx.Body(document).add_table(0, 3, Inches(6)))
    assert (tbl.getnext().tag, len(tbl.find(qn("w:tblGrid")))) == (qn("w:sectPr"), 3), broken(
        "CT_Tbl.new_tbl(rows, cols, width)", purpose
    )


def test_block_item_container_add_table_adds_no_paragraph_in_a_cell(document):
    purpose = "pythondocx.add_table, a table in a cell without the empty paragraph _Cell.add_table adds after it"
    pythondocx = module()
    cell = document.add_table(1, 1).cell(0, 0)
    pythondocx.add_table(cell, 2, cell.width)
    assert [etree.QName(child).localname for child in pythondocx.element(cell)][-2:] == ["p", "tbl"], broken(
        "BlockItemContainer.add_table(container, rows, cols, width)", purpose
    )


def test_document_raises_package_not_found(tmp_path: Path):
    (tmp_path / "not.docx").write_text("not a zip")
    raises(lambda: docx.Document(str(tmp_path / "not.docx")), "docx.opc.exceptions", "PackageNotFoundError",
           "pythondocx.PackageNotFoundError, the error for a reference document that is no Word document")


def test_add_picture_raises_unrecognized_image(document, tmp_path: Path):
    (tmp_path / "not.png").write_text("not an image")
    run = document.add_paragraph().add_run()
    raises(lambda: run.add_picture(str(tmp_path / "not.png")), "docx.image.exceptions", "UnrecognizedImageError",
           "pythondocx.UnrecognizedImageError, the error for an image Word cannot embed")


def saved(document: docx.document.Document) -> zipfile.ZipFile:
    """The package of ``document`` as python-docx zips it."""
    stream = io.BytesIO()
    module().save(document, stream)
    return zipfile.ZipFile(stream)


THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"


@pytest.mark.parametrize(("reltype", "partname", "where"), [
    (THUMBNAIL, "docProps/thumbnail.jpeg", "_rels/.rels"),
    (CUSTOM_XML, "customXml/item1.xml", "word/_rels/document.xml.rels"),
])
def test_parts_left_unrelated_are_not_saved(reltype, partname, where):
    purpose = "pythondocx.drop_parts, the reference document's parts that a document must not keep"
    document = docx.Document()  # python-docx's default template has both parts
    assert partname in saved(document).namelist()
    module().drop_parts(document, reltype)
    with saved(document) as package:
        assert partname not in package.namelist(), broken(
            "OpcPackage.rels and Part.rels as dicts of rId to a relationship with reltype, the parts saved "
            "being those reached through them", purpose)
        assert reltype not in package.read(where).decode(), broken("Relationships as a dict", purpose)
        assert f'PartName="/{partname}"' not in package.read("[Content_Types].xml").decode(), broken(
            "[Content_Types].xml listing the parts saved", purpose)


def test_package_parts_can_be_replaced(document):
    purpose = "pythondocx.replace_package_part, a docProps/app.xml of briefgen's own"
    attribute("docx.opc.part", "Part", purpose)
    reltype = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
    content_type = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
    for application in (b"first", b"second"):
        module().replace_package_part(document, "/docProps/app.xml", content_type, reltype,
                                      b"<Properties><Application>" + application + b"</Application></Properties>")
    with saved(document) as package:
        assert package.read("docProps/app.xml") == b"<Properties><Application>second</Application></Properties>", (
            broken("Part(partname, content_type, blob, package) saving its blob", purpose))
        assert package.read("_rels/.rels").decode().count(reltype) == 1, broken("OpcPackage.relate_to", purpose)
        assert (f'<Override PartName="/docProps/app.xml" ContentType="{content_type}"/>'
                in package.read("[Content_Types].xml").decode()), broken("Part.content_type", purpose)
