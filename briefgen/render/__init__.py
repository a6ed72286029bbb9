"""Rendering: Jinja templates to semantic HTML, then HTML to PDF (WeasyPrint) and to .docx."""

#: The PDF variants briefgen offers: accessible PDF/UA first (the default), then PDF/A for
#: archiving. Kept here, away from WeasyPrint, so that the command line's help stays fast.
PDF_VARIANTS = ("pdf/ua-1", "pdf/ua-2", "pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u",
                "pdf/a-4u", "pdf/a-2a", "pdf/a-3a")
