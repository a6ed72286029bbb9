"""Rendering: Jinja templates to semantic HTML, then HTML to PDF (WeasyPrint) and to .docx."""

import contextlib
import ctypes
import ctypes.util

#: The PDF variants briefgen offers: accessible PDF/UA first (the default), then PDF/A for
#: archiving. Kept here, away from WeasyPrint, so that the command line's help stays fast.
PDF_VARIANTS = ("pdf/ua-1", "pdf/ua-2", "pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u",
                "pdf/a-4u", "pdf/a-2a", "pdf/a-3a")
#: HarfBuzz's subsetter by the file names the system's loader opens: Linux, macOS, Windows.
_HARFBUZZ_SUBSET = ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll")


def subsetting_warning() -> str | None:
    """A warning to show when HarfBuzz's subsetter is missing (WeasyPrint is then about 4x slower).

    Looked for as the system's loader finds it, by its file names, then through the system's
    library index; not by importing WeasyPrint, which takes a few tenths of a second.
    """
    for name in _HARFBUZZ_SUBSET:
        with contextlib.suppress(OSError):
            ctypes.CDLL(name)
            return None
    if ctypes.util.find_library("harfbuzz-subset"):
        return None
    return ("warning: libharfbuzz-subset is not installed, so fonts are subset about 4 times more slowly; "
            "install libharfbuzz-subset0 (Debian/Ubuntu) or your system's HarfBuzz subset library")
