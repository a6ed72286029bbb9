"""Rendering: Jinja templates to semantic HTML, then HTML to PDF (WeasyPrint) and to .docx."""
