"""Word styles: those of the reference document, found by name and checked by kind.

A CSS class names a Word style (``cover-meta`` → "Cover Meta"), which must exist in the
reference document; the first class of an element that is not special names its style.
The special classes ask for a Word construct instead (a page break, the running header
or footer, the TOC, the cover, a footnote, text that does not break across lines).
Inside a container with a class, a style named after the container's and the element's
("Leave Behind Heading 1") stands for a CSS rule of the container's descendants.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx.document
import lxml.html
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.styles.style import BaseStyle

from briefgen.errors import BuildError, StyleMissingError
from briefgen.render.docx import pythondocx, schema
from briefgen.render.docx.elements import classes
from briefgen.render.docx.scripts import Script

#: Word's single line (ascender plus descender, in font sizes) of the Latin body font, Noto Serif,
#: that reference.docx's line spacings are computed for (tools/make_reference_docx.py), and of
#: the fonts of whole documents in another script.
LATIN_LINE = 1.362
SCRIPT_LINES = {"Noto Serif CJK SC": 1.437, "Noto Serif CJK TC": 1.437, "Noto Naskh Arabic": 1.703}

PARAGRAPH, CHARACTER, TABLE = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE
_SPECIAL_CLASSES = frozenset({"page-break", "running-header", "running-footer", "toc", "cover", "footnote",
                              "nowrap", "tight", "align-right", "align-center"})
_KIND_NAMES = {PARAGRAPH: "paragraph", CHARACTER: "character", TABLE: "table", WD_STYLE_TYPE.LIST: "numbering"}
_STYLE_KINDS = {"paragraph": PARAGRAPH, "character": CHARACTER, "table": TABLE, "numbering": WD_STYLE_TYPE.LIST}
_ON = frozenset({"1", "true", "on"})  # the true values of an on/off attribute (ST_OnOff)

#: Word's single line spacing for the Noto Serif and Noto Sans of the theme: their ascender
#: plus descender, 1.362 em (as tools/make_reference_docx.py has it).
NOTO_LINE = 1.362


class Styles:
    """The styles of one document, indexed by name; errors name ``template_name`` and ``reference``."""

    def __init__(self, document: docx.document.Document, reference: Path, template_name: str):
        self._document = document
        self.reference = reference
        self.template_name = template_name
        # python-docx scans styles.xml on every style lookup and assignment; one pass here indexes it.
        self._styles: dict[str, tuple[object, WD_STYLE_TYPE]] = {}
        self._by_id: dict[str, object] = {}
        defaults: dict[WD_STYLE_TYPE, str] = {}
        for element in document.styles.element.iterchildren(qn("w:style")):
            self._by_id[element.get(qn("w:styleId"))] = element
            kind = _STYLE_KINDS.get(element.get(qn("w:type")), PARAGRAPH)
            if element.get(qn("w:default")) in _ON:
                defaults[kind] = element.get(qn("w:styleId"))  # the last one wins, as in python-docx
            name = element.find(qn("w:name"))
            if name is not None and name.get(qn("w:val")):
                self._styles[name.get(qn("w:val")).lower()] = (element, kind)
        self._implicit = frozenset(defaults.values())
        self._default_paragraph = defaults.get(PARAGRAPH)

    def paragraph_style(self, el: lxml.html.HtmlElement, implied: str | BaseStyle,
                        scope: str | None = None) -> BaseStyle:
        """The paragraph style named by ``el``'s class (in ``scope``), else ``implied`` (a style or a style name)."""
        style = self.class_style(el, PARAGRAPH, scope)
        if style is not None:
            return style
        return self.builtin(implied, PARAGRAPH, el) if isinstance(implied, str) else implied

    def class_style(self, el: lxml.html.HtmlElement, kind: WD_STYLE_TYPE, scope: str | None = None) -> BaseStyle | None:
        """The style named by the first class of ``el`` that is not special (in ``scope``), or None."""
        cls = next((cls for cls in classes(el) if cls not in _SPECIAL_CLASSES), None)
        if cls is None:
            return None
        name = self.scoped(" ".join(word.capitalize() for word in re.split(r"[-_]+", cls) if word), scope)
        return self._style(name, kind, f"<{el.tag}>", f"class '{cls}' in {self.template_name}")

    def scoped(self, name: str, scope: str | None) -> str:
        """The style "``scope`` ``name``" where the reference document has it, else ``name``.

        This is how Word follows a CSS rule for the descendants of a class: the headings and lists
        of ``section.leave-behind`` take "Leave Behind Heading 1" and "Leave Behind List Bullet"
        as ``.leave-behind h2`` and ``.leave-behind li`` style them.
        """
        if scope is not None and f"{scope} {name}".lower() in self._styles:
            return f"{scope} {name}"
        return name

    def builtin(self, name: str, kind: WD_STYLE_TYPE, user: lxml.html.HtmlElement | str) -> BaseStyle:
        """The style ``name``, which ``user`` (an element, or what else needs it) calls for."""
        user = user if isinstance(user, str) else f"<{user.tag}>"
        return self._style(name, kind, user, f"used for {user} in {self.template_name}")

    def style_id(self, style: BaseStyle) -> str | None:
        """The id that applies ``style``; None for the default style of its kind, which applies by itself."""
        style_id = style.style_id
        return None if style_id in self._implicit else style_id

    def turns_on(self, style_id: str | None, tag: str) -> bool:
        """Whether the paragraph style ``style_id`` (None: the default one), or one it is based on, sets ``tag``.

        ``tag`` is an on/off paragraph property such as ``"w:keepNext"``; the nearest style that
        names it decides, as in Word.
        """
        found = self._inherited(style_id, f"{qn('w:pPr')}/{qn(tag)}")
        return found is not None and found.get(qn("w:val"), "true") in _ON

    def font_size(self, style_id: str | None) -> float:
        """The font size in points of text in the style ``style_id`` (None: the default paragraph style)."""
        size = self._inherited(style_id, f"{qn('w:rPr')}/{qn('w:sz')}")
        if size is None:
            size = self._document.styles.element.find("/".join(qn(tag) for tag in (
                "w:docDefaults", "w:rPrDefault", "w:rPr", "w:sz")))
        return int(size.get(qn("w:val"))) / 2 if size is not None else 10.0  # Word's own default

    def line_pitch(self, style_id: str | None) -> float:
        """The distance in points between the lines of Latin text in a paragraph of the style
        ``style_id`` (None: the default one), as the style's line spacing gives it with Noto Serif."""
        path = f"{qn('w:pPr')}/{qn('w:spacing')}[@{qn('w:line')}]"
        spacing = self._inherited(style_id, path)
        if spacing is None:
            spacing = self._document.styles.element.find(
                "/".join(qn(tag) for tag in ("w:docDefaults", "w:pPrDefault")) + "/" + path)
        if spacing is None:
            return NOTO_LINE * self.font_size(style_id)
        line = int(spacing.get(qn("w:line")))
        if spacing.get(qn("w:lineRule"), "auto") == "auto":
            return line / 240 * NOTO_LINE * self.font_size(style_id)
        return line / 20

    def space_before(self, style_id: str | None) -> float:
        """The space before, in points, of a paragraph in the style ``style_id`` (None: the default one)."""
        spacing = self._inherited(style_id, f"{qn('w:pPr')}/{qn('w:spacing')}[@{qn('w:before')}]")
        return int(spacing.get(qn("w:before"))) / 20 if spacing is not None else 0.0

    def _inherited(self, style_id: str | None, path: str):
        """The element at ``path`` in the style ``style_id`` or the nearest style it is based on, or None."""
        seen = set()
        style_id = style_id or self._default_paragraph
        while style_id is not None and style_id not in seen:
            seen.add(style_id)
            element = self._by_id.get(style_id)
            if element is None:
                return None
            found = element.find(path)
            if found is not None:
                return found
            based_on = element.find(qn("w:basedOn"))
            style_id = based_on.get(qn("w:val")) if based_on is not None else None
        return None

    def set_document_language(self, lang: str, script: Script | None = None, html_lang: str | None = None) -> None:
        """Make ``lang`` (as Word names it) the language of text that names none; for a document
        written in ``script`` (Chinese, Uyghur's Arabic), also the font and language Word gives
        text in that script by default (w:rFonts and w:lang w:eastAsia or w:bidi)."""
        path = "/".join(qn(tag) for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"))
        defaults = self._document.styles.element.find(path)
        if defaults is None:
            raise BuildError(
                f"{self.reference} has no default run properties (w:docDefaults); "
                "regenerate it with tools/make_reference_docx.py"
            )
        language = schema.get_or_insert(defaults, "w:lang")
        language.set(qn("w:val"), lang)
        if script is not None:
            font, script_language = script.font_and_language(html_lang)
            schema.get_or_insert(defaults, "w:rFonts").set(qn(f"w:{script.font_slot}"), font)
            language.set(qn(f"w:{script.lang_slot}"), script_language)
            self._scale_line_spacing(LATIN_LINE / SCRIPT_LINES.get(font, LATIN_LINE))

    def _scale_line_spacing(self, factor: float) -> None:
        """Multiply every proportional line spacing (w:lineRule auto) of the styles by ``factor``.

        Word's single line is the font's own (its ascender plus descender), CSS's line-height a
        multiple of the font size: reference.docx's spacings give Noto Serif's lines the PDF's
        height. A document whose every line holds the taller glyphs of another script (Chinese:
        1.437 em, Arabic script: 1.703 em) would stand taller in Word than in its PDF, and run onto
        more pages, without this.
        """
        if abs(factor - 1) < 0.005:
            return
        for spacing in self._document.styles.element.iter(qn("w:spacing")):
            line = spacing.get(qn("w:line"))
            if line is not None and spacing.get(qn("w:lineRule"), "auto") == "auto":
                spacing.set(qn("w:line"), str(round(int(line) * factor)))

    def _style(self, name: str, kind: WD_STYLE_TYPE, user: str, origin: str) -> BaseStyle:
        element, style_kind = self._styles.get(name.lower(), (None, None))
        if element is None:
            raise StyleMissingError(
                f"Word style '{name}' ({origin}) is not defined in {self.reference}; add it to the reference document"
            )
        if style_kind != kind:
            raise StyleMissingError(
                f"Word style '{name}' ({origin}) is a {_KIND_NAMES.get(style_kind, str(style_kind))} style "
                f"in {self.reference}, but {user} needs a {_KIND_NAMES[kind]} style"
            )
        return pythondocx.style(element)
