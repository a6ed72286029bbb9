"""Word's pagination from the document's own stylesheet: the CSS break rules, as Word says them.

The PDF breaks pages where its CSS allows; Word breaks where its paragraph properties
allow. The stylesheets in the HTML's ``<head>`` are matched against the document (with
cssselect2, WeasyPrint's own selector engine) for the break properties alone, and each
element's computed values become Word's:

* ``break-after: avoid`` → "keep with next" on the element's last paragraph;
* ``break-before: avoid`` → "keep with next" on the paragraph before the element;
* ``break-inside: avoid`` → "keep lines together" on each of its paragraphs and "keep with
  next" on all but the last (on a table row: "don't split the row");
* ``break-before: page`` → a page break before its first paragraph.

``orphans`` and ``widows`` have Word's widow control as their counterpart, which the
reference document turns on for every paragraph: it holds two lines at both ends, as
``orphans: 2; widows: 2`` do. The legacy ``page-break-*`` properties count as their
``break-*`` aliases.

One spacing rule is read here too, because Word has no element that could carry it: the
bottom margin of a list or a table, which in CSS collapses with the top margin of what
follows; Word gives it to the next paragraph as its space before (see ``Writer.block``).
So are a list's ``columns`` (a count) and ``column-gap``, which Word can only give a section
of its own (see :mod:`briefgen.render.docx.sections`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cssselect2
import lxml.html
import tinycss2

from briefgen.render.docx.pages import points

_PROPERTIES = {
    "break-before": "before", "break-after": "after", "break-inside": "inside",
    "page-break-before": "before", "page-break-after": "after", "page-break-inside": "inside",
}
_MARGINS = {"margin-bottom": 0, "margin": 2}  # the index of the bottom margin in each one's values
_MARGINED = frozenset({"ul", "ol", "table"})
# What each value means here: avoid, page or nothing (auto and what Word cannot say).
_VALUES = {"avoid": "avoid", "avoid-page": "avoid", "page": "page", "always": "page", "left": "page",
           "right": "page", "recto": "page", "verso": "page"}


@dataclass(frozen=True)
class Breaks:
    """The computed break properties of one element: "avoid", "page" or None (auto) each.

    ``margin_below`` is the bottom margin of a list or a table, as (value, unit): ``em`` or
    points (other units converted), None for none.
    """

    before: str | None = None
    after: str | None = None
    inside: str | None = None
    margin_below: tuple[float, str] | None = None
    #: The column count of a list set in columns, and the gap between them as (value, unit).
    columns: int | None = None
    column_gap: tuple[float, str] | None = None

    def margin_points(self, font_size: float) -> float:
        """``margin_below`` in points, for an element whose font size is ``font_size`` points."""
        if self.margin_below is None:
            return 0.0
        value, unit = self.margin_below
        return value * font_size if unit == "em" else value


NO_BREAKS = Breaks()


def computed_breaks(root: lxml.html.HtmlElement, stylesheets: list[str]) -> dict[lxml.html.HtmlElement, Breaks]:
    """The elements of ``root`` whose break properties are not all auto, with them, under ``stylesheets``.

    Declarations cascade as in CSS: by ``!important``, then specificity, then order. The
    break properties are not inherited, so an element's are its own rules' alone.
    """
    matcher = _matcher(tuple(stylesheets))
    found: dict[lxml.html.HtmlElement, Breaks] = {}
    for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
        matches = matcher.match(wrapper)
        if not matches:
            continue
        values: dict[str, tuple[tuple, object]] = {}
        for specificity, _, _, (order, declarations) in matches:
            for name, value, important in declarations:
                rank = (important, specificity, order)
                if name not in values or rank >= values[name][0]:
                    values[name] = (rank, value)
        margin = values.pop("margin_below", (None, None))[1]
        listed = wrapper.etree_element.tag in ("ul", "ol")
        columns = values.pop("columns", (None, None))[1]
        gap = values.pop("column_gap", (None, None))[1]
        breaks = Breaks(**{name: _VALUES.get(value) for name, (_, value) in values.items()},
                        margin_below=margin if wrapper.etree_element.tag in _MARGINED and margin else None,
                        columns=columns if listed and columns and columns > 1 else None,
                        column_gap=gap if listed else None)
        if breaks != NO_BREAKS:
            found[wrapper.etree_element] = breaks
    return found


@functools.lru_cache(maxsize=8)
def _matcher(stylesheets: tuple[str, ...]) -> cssselect2.Matcher:
    """The selectors of ``stylesheets`` that set a break or a bottom margin: read once for every
    document on the same stylesheets (the letters of a mail merge)."""
    matcher = cssselect2.Matcher()
    order = 0
    for css in stylesheets:
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue  # @page and @media rules hold no break property of an element
            declarations = _declarations(rule.content)
            if not declarations:
                continue
            try:
                selectors = cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                continue  # WeasyPrint ignores a rule it cannot parse; so does Word's reading of it
            for selector in selectors:
                if selector.pseudo_element is None:
                    order += 1
                    matcher.add_selector(selector, (order, declarations))
    return matcher


def _declarations(content: list | None) -> list[tuple[str, object, bool]]:
    """(property, value, important) of each declaration read here: the breaks as ``before``/``after``/``inside``
    with their keyword, and the bottom margin as ``margin_below`` with its (value, unit)."""
    found = []
    for item in tinycss2.parse_blocks_contents(content or [], skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            continue
        tokens = [token for token in item.value if token.type not in ("whitespace", "comment")]
        if item.lower_name in _PROPERTIES and len(tokens) == 1 and tokens[0].type == "ident":
            found.append((_PROPERTIES[item.lower_name], tokens[0].lower_value, item.important))
        elif item.lower_name in ("columns", "column-count"):
            counts = [token for token in tokens if token.type == "number" and token.is_integer]
            found.append(("columns", counts[0].int_value if counts else None, item.important))
        elif item.lower_name == "column-gap" and len(tokens) == 1:
            found.append(("column_gap", _length(tokens[0]), item.important))
        elif item.lower_name in _MARGINS and 1 <= len(tokens) <= 4:
            index = _MARGINS[item.lower_name] if len(tokens) > 2 else 0  # margin: a b → a at the bottom
            found.append(("margin_below", _length(tokens[index]), item.important))
    return found


def _length(token) -> tuple[float, str] | None:
    if token.type == "dimension" and token.lower_unit == "em":
        return token.value, "em"
    length = points(token)
    return (length, "pt") if length else None  # 0, auto, percentages: nothing Word's space before could carry
