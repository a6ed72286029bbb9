"""HTML → Word: build the .docx of a brief from the semantic HTML its template renders.

The same HTML becomes the PDF through WeasyPrint; here its small element subset is
mapped onto Word constructs, styled by a reference .docx:

* a CSS class names a Word style (``cover-meta`` → "Cover Meta"), which must exist
  in the reference document; the special classes ``page-break``, ``running-header``,
  ``running-footer``, ``toc``, ``cover`` and ``footnote`` ask for a Word construct
  instead, and the first other class of an element names its style;
* lists get real Word numbering, and every ``<ol>`` restarts at 1;
* links become hyperlinks, heading ids become bookmarks for ``href="#id"`` links;
* text in Chinese, Tibetan or Arabic script (Uyghur) gets runs of its own, with the font
  and language Word needs for that script; Arabic script reads right to left, and so
  does a paragraph written in nothing else;
* table columns share the page width by the length of their text, as a browser's
  automatic table layout shares it;
* ``span.footnote`` becomes a real Word footnote;
* ``nav.toc`` becomes a TOC field, whose cached entries can carry the PDF's page numbers;
* the ``running-header`` / ``running-footer`` containers fill the section's header and
  footer, and the footer ends with "Page N of M" fields; a document that opens with
  ``section.cover``, or whose stylesheet's ``@page :first`` empties a margin box, shows no
  page number on its first page;
* the page's size and margins, the keeps and the spacing after lists and tables come from
  the document's own stylesheet (:mod:`.pages`, :mod:`.breaks`).

The package is as Word 2013 and later write it, whatever the reference document's age:
compatibility mode 15, no thumbnail and no stylesWithEffects part, and a
``docProps/app.xml`` that names briefgen and its version (:func:`.package.modernise`).
The same HTML always gives the same bytes (:func:`docx_bytes`). Anything outside the
subset is a :class:`~briefgen.errors.BuildError`.

The package follows the parts of pandoc's Docx writer: :mod:`.blocks` (the writer and
its block elements), :mod:`.tables`, :mod:`.inline` (runs), :mod:`.scripts`,
:mod:`.styles`, :mod:`.numbering`, :mod:`.context` (what is carried down the tree),
:mod:`.elements` (reading the HTML); the package parts in :mod:`.package` (the zip),
:mod:`.properties` and :mod:`.footnotes`; the schema's order of children in
:mod:`.schema`; and every use of python-docx beyond its documented interface in
:mod:`.pythondocx`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
import docx.document
import lxml.html
from docx.oxml.ns import qn
from lxml import etree

from briefgen.errors import BuildError
from briefgen.render.docx import pythondocx
from briefgen.render.docx.blocks import Writer
from briefgen.render.docx.package import docx_bytes, modernise, reproducible

__all__ = ["docx_bytes", "html_to_docx", "write_docx"]


def html_to_docx(
    html: str, *, reference: Path, template_name: str, page_numbers: dict[str, int] | None = None,
    images: Callable[[str], Path | None] | None = None,
) -> docx.document.Document:
    """Build a Word document from briefgen's HTML subset, styled by the reference .docx.

    ``template_name`` names the template in error messages. ``page_numbers`` maps the
    anchor id of a table-of-contents entry (its ``href="#id"``) to that heading's page
    in the PDF; the entries it knows end with a tab and the number. ``images`` maps an
    ``img src`` to the file to embed, or to None to leave the image out (by default the
    src is a file path). The document's ``save`` writes :func:`docx_bytes`. Raises
    :class:`StyleMissingError` when the HTML needs a style ``reference`` lacks and
    :class:`BuildError` for HTML outside the subset.
    """
    try:
        document = docx.Document(str(reference))
    except (pythondocx.PackageNotFoundError, OSError) as exc:
        raise BuildError(f"{template_name}: cannot open the reference document {reference}: {exc}") from exc
    # Without huge_tree, libxml2 stops reading at the 256th level of nesting and drops the rest unsaid.
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except etree.ParserError as exc:
        raise BuildError(f"{template_name}: the rendered HTML cannot be read: {exc}") from exc
    for error in parser.error_log:
        if error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            raise BuildError(
                f"{template_name}: the rendered HTML nests elements too deep to be read, on HTML line {error.line}"
            )

    body = document.element.find(qn("w:body"))
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    Writer(document, reference=reference, template_name=template_name, page_numbers=page_numbers,
           images=images).write(root)
    modernise(document)
    return reproducible(document)


def write_docx(
    html: str, target: Path, *, reference: Path, template_name: str, page_numbers: dict[str, int] | None = None,
    images: Callable[[str], Path | None] | None = None,
) -> None:
    """Write the .docx for ``html`` to ``target``; see :func:`html_to_docx`."""
    document = html_to_docx(html, reference=reference, template_name=template_name, page_numbers=page_numbers,
                            images=images)
    try:
        target.write_bytes(docx_bytes(document))
    except OSError as exc:
        raise BuildError(f"cannot write {target}: {exc.strerror or exc}") from exc
