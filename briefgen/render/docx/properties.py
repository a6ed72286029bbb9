"""The document properties (``docProps/core.xml``), from the HTML's ``<head>`` alone.

``<title>`` gives the title and ``<meta name>`` the author, subject, keywords, description
and dates; nothing of the reference document's properties, nor of python-docx's
defaults, is kept. ``docProps/app.xml`` is the reference document's.
"""

from __future__ import annotations

from datetime import datetime, UTC

import docx.document
import lxml.html

from briefgen.errors import BuildError
from briefgen.render.docx import pythondocx
from briefgen.render.docx.elements import collapse, elements, reject

_META_PROPERTIES = {"author": "author", "subject": "subject", "keywords": "keywords", "description": "comments"}
_META_DATES = {"dcterms.created": "created", "dcterms.modified": "modified"}
# WeasyPrint reads it for the PDF; Word has no counterpart.
_META_IGNORED = frozenset({"generator"})
_META_PAGE_LABEL = "briefgen:page-label"


def clear(document: docx.document.Document) -> None:
    """Empty the core properties, which python-docx can set but not remove one by one."""
    del pythondocx.element(document.core_properties)[:]


def read_head(document: docx.document.Document, head: lxml.html.HtmlElement, template_name: str) -> str | None:
    """Set the core properties from ``head``; return the page label its ``briefgen:page-label`` meta gives, if any.

    The page label words the page number of the footer, ``{page}`` and ``{pages}`` standing
    for the page and the page count.
    """
    page_label = None
    props = document.core_properties
    for el in elements(head):
        if el.tag == "title":
            props.title = _core_value(el.text_content())
        elif el.tag == "meta":
            page_label = _meta(document, el, template_name) or page_label
        elif el.tag not in ("link", "style"):
            raise reject(template_name, el, head)
    return page_label


def finish(document: docx.document.Document) -> None:
    """Complete the core properties once the head is read: revision 1, last modified by the author, as created."""
    props = document.core_properties
    props.revision = 1
    if props.author:
        props.last_modified_by = props.author
    if props.modified is None and props.created is not None:
        props.modified = props.created


def _meta(document: docx.document.Document, el: lxml.html.HtmlElement, template_name: str) -> str | None:
    """Apply one ``<meta>``; return its content if it is the page label."""
    name = el.get("name")
    if name is None and el.get("charset") is not None or name in _META_IGNORED:
        return None
    content = el.get("content", "")
    described = f'<meta name="{name}">' if name is not None else "<meta>"
    where = f"{template_name}: {described} on HTML line {el.sourceline}"
    if name in _META_PROPERTIES:
        setattr(document.core_properties, _META_PROPERTIES[name], _core_value(content))
    elif name in _META_DATES:
        try:
            moment = datetime.fromisoformat(content.strip())
        except ValueError as exc:
            raise BuildError(f"{where}: {content!r} is not an ISO 8601 date") from exc
        # python-docx writes the value as UTC without converting it.
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        setattr(document.core_properties, _META_DATES[name], moment)
    elif name == _META_PAGE_LABEL:
        if "{page}" not in content:
            raise BuildError(f"{where}: {content!r} has no {{page}} for the page number")
        return content
    else:
        raise BuildError(f"{where} is not in briefgen's HTML subset")
    return None


def _core_value(text: str) -> str:
    # python-docx refuses core properties longer than 255 characters; metadata is not worth failing a build.
    text = collapse(text)
    return text if len(text) <= 255 else text[:254] + "…"
