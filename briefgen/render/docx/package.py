"""The .docx package: its parts as Word 2013 and later write them, its zip written reproducibly,
and a document whose ``save`` writes that zip."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import IO

import docx.document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from briefgen import __version__
from briefgen.render.docx import properties, pythondocx, schema

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CONTENT_TYPES = "[Content_Types].xml"

_WORD_URI = "http://schemas.microsoft.com/office/word"
#: Word 2013 and later; Word opens a document of a lower mode in Compatibility Mode.
COMPATIBILITY_MODE = "15"
THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def modernise(document: docx.document.Document, version: str | None = __version__) -> None:
    """Make ``document``'s package as Word 2013 and later write it, whatever the reference document was.

    Its settings ask for compatibility mode 15; ``docProps/app.xml`` names briefgen at
    ``version`` (see :func:`~briefgen.render.docx.properties.app_properties`); and it has no
    thumbnail and no ``word/stylesWithEffects.xml``, with their relationships and content types.
    """
    set_compatibility_mode(document.settings.element)
    # Word 2010's second copy of styles.xml, which Word 2013 and later no longer write: the
    # reference document's copy lacks every style briefgen adds, and Word repairs the file.
    pythondocx.drop_parts(document, STYLES_WITH_EFFECTS)
    # A picture of the reference document's first page, not of this document's.
    pythondocx.drop_parts(document, THUMBNAIL)
    properties.write_app_properties(document, version)


def set_compatibility_mode(settings: etree._Element) -> None:
    """Set the compatibility mode of ``settings`` (a w:settings) to :data:`COMPATIBILITY_MODE`."""
    compat = schema.get_or_insert(settings, "w:compat")
    for setting in compat.findall(qn("w:compatSetting")):
        if (setting.get(qn("w:name")), setting.get(qn("w:uri"))) == ("compatibilityMode", _WORD_URI):
            setting.set(qn("w:val"), COMPATIBILITY_MODE)
            return
    compat.append(OxmlElement("w:compatSetting", {
        qn("w:name"): "compatibilityMode", qn("w:uri"): _WORD_URI, qn("w:val"): COMPATIBILITY_MODE}))


def docx_bytes(document: docx.document.Document) -> bytes:
    """The .docx package of ``document``, as bytes that depend on its content alone.

    python-docx stamps each zip member with the time of saving; here every member is
    dated 1980-01-01 and compressed alike, in name order with ``[Content_Types].xml`` first.
    """
    saved = io.BytesIO()
    pythondocx.save(document, saved)  # not document.save, which calls back here for a ReproducibleDocument
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as target:
        for name in sorted(source.namelist(), key=lambda name: (name != _CONTENT_TYPES, name)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # else it records the operating system of the build
            target.writestr(info, source.read(name))
    return out.getvalue()


class ReproducibleDocument(docx.document.Document):
    """A Word document whose :meth:`save` writes the same bytes for the same content."""

    def save(self, path_or_stream: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write :func:`docx_bytes` to a file path or a binary stream."""
        data = docx_bytes(self)
        if isinstance(path_or_stream, (str, os.PathLike)):
            Path(path_or_stream).write_bytes(data)
        else:
            path_or_stream.write(data)


def reproducible(document: docx.document.Document) -> ReproducibleDocument:
    """``document`` as a :class:`ReproducibleDocument`."""
    return pythondocx.as_document(document, ReproducibleDocument)
