"""Reading the HTML: child elements, classes, white space, and the errors for HTML outside the subset."""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html

from briefgen.errors import BuildError
from briefgen.render.subset import HTML_SUBSET

# Not \s: a no-break space must survive, as it does in a browser.
WHITESPACE = re.compile(r"[ \t\n\r\f]+")


def elements(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Child elements of ``el``, skipping comments and processing instructions."""
    return (child for child in el if isinstance(child.tag, str))


def classes(el: lxml.html.HtmlElement) -> list[str]:
    """The classes of ``el``, in order."""
    return el.get("class", "").split()


def collapse(text: str) -> str:
    """``text`` with each run of white space one space, and none at either end."""
    return WHITESPACE.sub(" ", text).strip(" ")


def reject(template_name: str, el: lxml.html.HtmlElement, parent: lxml.html.HtmlElement) -> BuildError:
    """The error for ``el``, which is outside the subset or misplaced in ``parent``."""
    where = f"{template_name}: <{el.tag}> on HTML line {el.sourceline}"
    if el.tag not in HTML_SUBSET:
        return BuildError(f"{where} is not in briefgen's HTML subset")
    return BuildError(f"{where} is not allowed inside <{parent.tag}>")


def require_blank(template_name: str, text: str | None, parent: lxml.html.HtmlElement, line: int | None) -> None:
    """Raise a BuildError unless ``text``, directly inside ``parent`` on HTML ``line``, is white space."""
    if text and text.strip():
        raise BuildError(
            f"{template_name}: text {collapse(text)[:40]!r} on HTML line {line} "
            f"is not allowed directly inside <{parent.tag}>"
        )
