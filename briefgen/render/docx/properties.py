"""The document properties: ``docProps/core.xml`` from the HTML's ``<head>`` alone, ``docProps/app.xml`` from briefgen.

``<title>`` gives the title and ``<meta name>`` the author, subject, keywords, description
and dates; nothing of the reference document's properties, nor of python-docx's
defaults, is kept. ``docProps/app.xml`` names briefgen and its version as the application,
and nothing else: no counts of pages or words that would be wrong, no template or company.
"""

from __future__ import annotations

import re
from datetime import datetime, UTC

import docx.document
import lxml.html

from briefgen import __version__
from briefgen.errors import BuildError
from briefgen.render.docx import pythondocx
from briefgen.render.docx.elements import collapse, elements, reject

_META_PROPERTIES = {"author": "author", "subject": "subject", "keywords": "keywords", "description": "comments"}
_META_DATES = {"dcterms.created": "created", "dcterms.modified": "modified"}
# WeasyPrint reads it for the PDF; Word has no counterpart.
_META_IGNORED = frozenset({"generator"})
_META_PAGE_LABEL = "briefgen:page-label"

_APP_PARTNAME = "/docProps/app.xml"
_APP_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
_APP_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
_APP_NAMESPACE = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_RELEASE = re.compile(r"(\d+)(?:\.(\d+))?")


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


def app_version(version: str) -> str | None:
    """``version`` as Word writes its AppVersion, "XX.YYYY": "0.1.0" gives "00.0001".

    Office reads AppVersion as one to four digits, a dot and one to four digits: the major
    and minor release and nothing more. None when ``version`` does not begin with a release
    number that fits.
    """
    match = _RELEASE.match(version)
    if match is None or any(len(number) > 4 for number in match.groups(default="0")):
        return None
    major, minor = match.groups(default="0")
    return f"{int(major):02d}.{int(minor):04d}"


def app_properties(version: str | None) -> bytes:
    """The ``docProps/app.xml`` of a document briefgen ``version`` writes (no AppVersion for None)."""
    appversion = app_version(version) if version is not None else None
    elements = "<Application>briefgen</Application>" + (
        f"<AppVersion>{appversion}</AppVersion>" if appversion else "")
    return (f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<Properties xmlns="{_APP_NAMESPACE}">{elements}</Properties>').encode()


def write_app_properties(document: docx.document.Document, version: str | None = __version__) -> None:
    """Make the document's ``docProps/app.xml`` :func:`app_properties`, instead of the reference document's."""
    pythondocx.replace_package_part(document, _APP_PARTNAME, _APP_CONTENT_TYPE, _APP_RELTYPE, app_properties(version))


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
