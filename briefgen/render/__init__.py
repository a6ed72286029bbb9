"""Rendering: Jinja templates to semantic HTML, then HTML to PDF (WeasyPrint) and to .docx."""

import ctypes.util

#: The PDF variants briefgen offers: accessible PDF/UA first (the default), then PDF/A for
#: archiving. Kept here, away from WeasyPrint, so that the command line's help stays fast.
PDF_VARIANTS = ("pdf/ua-1", "pdf/ua-2", "pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u",
                "pdf/a-4u", "pdf/a-2a", "pdf/a-3a")


def subsetting_warning() -> str | None:
    """A warning to show when HarfBuzz's subsetter is missing (WeasyPrint is then about 4x slower).

    Looked up through the system's library index rather than by importing WeasyPrint,
    which takes most of a second.
    """
    if ctypes.util.find_library("harfbuzz-subset"):
        return None
    return ("warning: libharfbuzz-subset is not installed, so fonts are subset about 4 times more slowly; "
            "install libharfbuzz-subset0 (Debian/Ubuntu) or your system's HarfBuzz subset library")
