"""Render a document's Jinja template to briefgen's semantic HTML subset.

Templates are looked up on an ordered search path: a user folder given with
``--templates`` first, then the default theme. A template reads only real files inside
those folders: the loader (``include``, ``import``, ``extends``), ``stylesheet()`` and the
theme's ``reference.docx`` are all looked up by one function, which asks the one rule of
:func:`briefgen.render.resources.confined`. Templates run in Jinja's immutable sandbox
(a theme from elsewhere cannot reach Python internals or change the context) within the
time and size limits of :mod:`briefgen.render.limits`; autoescaping is on and undefined
names are errors; a template error is reported with the template's name and line.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from lxml import html as lxml_html
from markupsafe import Markup

from briefgen.errors import BuildError, TemplateAccessError, TemplateError, TemplateLimitError
from briefgen.render.bytecode import SharedBytecode, cache_folder
from briefgen.render.languages import tag_languages
from briefgen.render.limits import LimitedEnvironment, render_limited
from briefgen.render.resources import (confined, default_theme_dir, find_theme_file,  # noqa: F401
                                      template_search_path, theme_file)
from briefgen.render.subset import HTML_SUBSET
from briefgen.text import primary_language, script_language
from briefgen.view.dates import date_range, day_heading, long_date
from briefgen.view.markdown import render_block, render_inline
from briefgen.view.translations import translations
from briefgen.view.typography import CJK_LANGUAGES, breakable_address, cjk_html, format_count, unbreakable

#: What names the default theme's file in a template of the user's: ``default/letter.html.j2``.
DEFAULT_PREFIX = "default/"


class ThemeLoader(jinja2.BaseLoader):
    """Jinja's loader for ``include``, ``import`` and ``extends``: templates by name on the
    search path, read only from real files inside its folders (see :func:`~briefgen.render.resources.theme_file`)."""

    def __init__(self, search_path: list[Path]):
        self.search_path = search_path
        #: The template name each file read was asked for, to name a template in an error.
        self.names: dict[str, str] = {}

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        """The source of ``template``, the file it is read from, and whether that file is unchanged.

        ``default/NAME`` is the default theme's ``NAME``, whatever the user's folder holds, so a
        theme's template can extend the default one it replaces.
        """
        path = self._path(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        mtime = path.stat().st_mtime
        source = path.read_text(encoding="utf-8")
        self.names.setdefault(str(path), template)
        self._refuse_itself(environment, template, path, source)

        def uptodate() -> bool:
            # As Jinja's own loader: the file read again when it changes (the preview follows edits).
            try:
                return path.stat().st_mtime == mtime
            except OSError:
                return False

        return source, str(path), uptodate

    def _path(self, template: str) -> Path | None:
        if template.startswith(DEFAULT_PREFIX):
            return theme_file(template.removeprefix(DEFAULT_PREFIX), self.search_path[-1:], f"template {template!r}")
        return theme_file(template, self.search_path, f"template {template!r}")

    def _refuse_itself(self, environment: jinja2.Environment, template: str, path: Path, source: str) -> None:
        """A template that extends, includes or imports its own file would recurse until Python's stack ends."""
        try:
            referenced = set(jinja2.meta.find_referenced_templates(environment.parse(source)))
        except jinja2.TemplateSyntaxError:
            return  # reported, with its line, when the template is compiled
        for name in referenced - {None}:
            try:
                used = self._path(name)
            except TemplateAccessError:
                continue  # refused with its line when the template asks for it
            if used == path:
                raise TemplateError(
                    f"{path} uses itself ({name!r}), which would never end; to build on the default "
                    f"theme's {name}, write {{% extends \"{DEFAULT_PREFIX}{name}\" %}}")


#: How every template environment is made: the compiled code depends on it (see bytecode.py).
_OPTIONS = {"extensions": ("jinja2.ext.i18n",), "autoescape": True, "trim_blocks": True, "lstrip_blocks": True,
            "keep_trailing_newline": True}


@functools.cache
def _bytecode() -> SharedBytecode:
    return SharedBytecode(cache_folder(LimitedEnvironment, {**_OPTIONS, "undefined": "StrictUndefined"}))


def make_environment(search_path: list[Path]) -> jinja2.Environment:
    """A Jinja environment over ``search_path`` with briefgen's filters and globals."""
    env = LimitedEnvironment(loader=ThemeLoader(search_path), bytecode_cache=_bytecode(),
                             undefined=jinja2.StrictUndefined, **_OPTIONS)
    env.filters["markdown"] = render_block
    env.filters["inline"] = render_inline
    env.filters["script_lang"] = script_language
    env.filters["phone"] = unbreakable
    env.filters["address"] = breakable_address
    env.filters["css_page_counter"] = css_page_counter
    env.globals["stylesheet"] = lambda name: _stylesheet(name, search_path)
    return env


def css_page_counter(label: str) -> Markup:
    """``Page {page} of {pages}`` as the CSS ``content`` of a page-margin box."""
    parts = []
    for text, field_name, _, _ in string.Formatter().parse(label):
        if text:
            parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
        if field_name:
            parts.append(f"counter({'pages' if field_name == 'pages' else 'page'})")
    return Markup(" ".join(parts))


def _stylesheet(name: str, search_path: list[Path]) -> Markup:
    css = find_theme_file(name, search_path, f"stylesheet({name!r})").read_text(encoding="utf-8")
    return Markup(css.replace("</", "<\\/"))


def add_locale(env: jinja2.Environment, language: str) -> None:
    """The fixed words of the templates (gettext), and the filters that write dates, numbers
    and Markdown, for ``language``."""
    env.install_gettext_translations(translations(language), newstyle=True)
    env.filters["markdown"] = lambda text: render_block(text, language)
    env.filters["inline"] = lambda text: render_inline(text, language)
    env.filters["count"] = lambda number: format_count(number, language)
    env.filters["date"] = lambda value: long_date(value, language) if value else ""
    env.filters["daterange"] = lambda start, end: date_range(start, end, language)
    env.filters["weekday"] = lambda value: day_heading(value, language)


@functools.lru_cache(maxsize=16)
def template_environment(search_path: tuple[Path, ...], language: str) -> jinja2.Environment:
    """The environment for ``search_path`` in ``language``, made once per process: it keeps the
    compiled templates, which cost more to compile than to render (and reloads a changed one)."""
    env = make_environment(list(search_path))
    add_locale(env, language)
    return env


def render_html(template_name: str, context: dict[str, Any], search_path: list[Path]) -> str:
    """Render ``template_name`` with ``context``, tag its runs of other scripts with their
    language (:mod:`briefgen.render.languages`) and check the result stays in the HTML subset.

    Raises :class:`TemplateError` for a template that fails, reads outside the template
    folders or goes past a limit, and :class:`BuildError` for HTML outside the subset.
    """
    env = template_environment(tuple(search_path), context["language"])
    try:
        html = render_limited(env, template_name, context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"{error.name or template_name}:{error.lineno}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        folders = search_path[-1:] if str(error.name).startswith(DEFAULT_PREFIX) else search_path
        raise TemplateError(f"template {error.name} not found in {', '.join(str(f) for f in folders)}") from None
    except (jinja2.TemplateError, TemplateError, TypeError, ValueError, LookupError, AttributeError,
            ArithmeticError, RecursionError) as error:
        if isinstance(error, TemplateLimitError):
            # The render may have been stopped anywhere, Jinja's caches included: start afresh.
            template_environment.cache_clear()
        raise TemplateError(f"{_template_location(error, template_name, env.loader)}: {error}") from None
    html = tag_languages(html, context.get("script_languages"))
    check_subset(html, template_name)
    if primary_language(context["language"]) in CJK_LANGUAGES:
        html = cjk_html(html)
    return html


def _template_location(error: BaseException, template_name: str, loader: ThemeLoader) -> str:
    """``name:line`` of the innermost template frame of ``error``'s traceback, else ``template_name``."""
    location = template_name
    trace = error.__traceback__
    while trace is not None:
        name = loader.names.get(trace.tb_frame.f_code.co_filename)
        if name is not None:
            location = f"{name}:{trace.tb_lineno}"
        trace = trace.tb_next
    return location


def check_subset(html: str, template_name: str) -> None:
    """Raise :class:`BuildError` naming the first element outside :data:`HTML_SUBSET`."""
    root = lxml_html.document_fromstring(html)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag not in HTML_SUBSET:
            raise BuildError(f"{template_name}: <{element.tag}> on HTML line {element.sourceline} "
                             "is not in briefgen's HTML subset")

