"""The HTML subset templates may produce, shared by the render check and the Word writer.

The PDF (WeasyPrint) and the .docx (briefgen's writer) both understand exactly these
elements; anything else is a build error naming the template and the element.
"""

from __future__ import annotations

CONTAINERS = frozenset({"body", "section", "div", "article", "header", "footer", "aside", "main", "nav"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
BLOCKS = CONTAINERS | HEADINGS | {"p", "blockquote", "ul", "ol", "table", "hr"}
INLINE = frozenset({"strong", "b", "em", "i", "code", "sup", "sub", "br", "wbr", "span", "a", "img", "ins", "del"})
#: In the subset, but only inside particular parents.
PLACED = frozenset({"html", "head", "title", "meta", "link", "style", "li", "caption", "thead", "tbody", "tr", "th",
                    "td"})
HTML_SUBSET = BLOCKS | INLINE | PLACED
