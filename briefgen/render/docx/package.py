"""The .docx package: its zip written reproducibly, and a document whose ``save`` writes that zip."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import IO

import docx.document

from briefgen.render.docx import pythondocx

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CONTENT_TYPES = "[Content_Types].xml"


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
