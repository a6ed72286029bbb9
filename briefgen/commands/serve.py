"""``briefgen serve``: preview a brief's documents in the browser while it is being written.

The server listens on 127.0.0.1 only. It renders the HTML of every document (the same HTML
``briefgen build --format html`` writes; no PDF layout, so a rebuild takes a fraction of a
second) and renders it again whenever something changes in the brief's folder or in a
template folder (watched with watchfiles). Each page it serves carries a small script that
polls ``/__build`` and reloads the page when the build it shows is no longer the latest.
A brief that becomes invalid, or a template that fails, never stops the server: every page
then shows the located problems, and comes back once they are fixed.

For each document (``letter.html``, ``letter.fr.html``, as ``build`` names its HTML):

- ``/letter.html`` shows its pages as they print: WeasyPrint lays the document out as
  ``build`` does for the PDF, and :mod:`briefgen.render.preview` draws each page;
- ``/letter.html?flow`` is its HTML, as ``build --format html`` writes it;
- ``/letter.pdf`` is its PDF, the bytes ``build --format pdf`` writes (``application/pdf``),
  or, while the brief has problems (or the document is over its page budget, when ``build``
  writes nothing), ``409`` and the problems in plain text; the pages of a document over
  budget are shown, under the problem.

Laying a document out takes most of a second (the sample's briefing pack), so it is done
only for a document asked for, once per build, and kept with the build. The reload script
says which page it polls for (``/__build?page=/letter.html``): after a rebuild, the documents
whose pages are open are laid out at once, the one polled for last first, so that each page
finds its document laid out, or nearly, when it reloads.

Under load, connections wait in a listen queue of :data:`LISTEN_BACKLOG` rather than being
dropped, and each is served by a thread of its own, which a client holds for at most
:data:`REQUEST_SECONDS` however slowly it sends its request (or reads the answer).
"""

from __future__ import annotations

import errno
import html
import io
import json
import secrets
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
import watchfiles
from lxml import html as lxml_html

from briefgen.commands.build import BuildOptions, render_prepared
from briefgen.errors import BriefgenError, PageBudgetError, UsageError
from briefgen.model.registry import document
from briefgen.prepare.brief import PreparedBrief, prepare_brief
from briefgen.render.document import RenderedFile
from briefgen.render.html import template_search_path
from briefgen.render.resources import Confinement

HOST = "127.0.0.1"
#: The path the reload script polls; it answers the token of the latest build.
BUILD_PATH = "/__build"
POLL_MILLISECONDS = 250
#: A page that has polled within this time is open: its document is laid out as soon as it is rebuilt.
OPEN_SECONDS = 2.0
#: Connections the system holds until the server accepts them: a burst of requests (a browser
#: opening pages in parallel, a test sending 200 at once) waits in it rather than being dropped
#: (the system caps it at net.core.somaxconn).
LISTEN_BACKLOG = 1024
#: Longest a client may hold its connection: on 127.0.0.1 a browser sends its request and reads
#: the page within milliseconds, while one that sends nothing, or a byte at a time, holds a thread.
REQUEST_SECONDS = 5.0

_RELOAD_SCRIPT = """<script>
(function () {
  var shown = %s;
  var build = "%s?page=" + encodeURIComponent(location.pathname + location.search);
  // A page left is no longer open: its document need not be laid out at the next build.
  addEventListener("pagehide", function () { fetch(build + "&closed", {cache: "no-store", keepalive: true}); });
  function poll() {
    fetch(build, {cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (latest) { if (latest !== shown) { location.reload(); } else { setTimeout(poll, %d); } },
            function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, %d);
})();
</script>
"""

_STYLE = ("body { font-family: sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; } "
          "pre { white-space: pre-wrap; background: #fdf0f0; border-left: 4px solid #b00; padding: 1em; }")
#: The paged view: the pages on a grey desk, as a PDF viewer shows them.
_PAGES_STYLE = ("body { background: #7a7a7a; margin: 0; font-family: sans-serif; } "
                "nav.preview { background: #333; color: #eee; padding: 0.5em 1em; font-size: 14px; } "
                "nav.preview a { color: #fff; margin-left: 1em; } "
                "p.problem { background: #fdf0f0; border-left: 4px solid #b00; margin: 1em auto; padding: 0.5em 1em; "
                "max-width: 60em; } "
                ".page { background: #fff; margin: 16px auto; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.5); } "
                ".page svg { display: block; } .page text { white-space: pre; }")


def render_pages(brief_path: Path, templates: Path | None = None,
                 language: str | None = None) -> tuple[PreparedBrief, list[RenderedFile]]:
    """The prepared brief at ``brief_path`` and the HTML of each of its documents in ``language``
    (default: the brief's first), named as ``briefgen build --format html`` names its files, in memory.

    Raises the errors of :func:`~briefgen.prepare.brief.prepare_brief` and
    :func:`~briefgen.commands.build.render_prepared`.
    """
    options = BuildOptions(formats=("html",), templates=templates, languages=(language,) if language else None)
    prepared = prepare_brief(brief_path, options.languages, strict=options.strict)
    return prepared, [file for rendered in render_prepared(prepared, options) for file in rendered.files]


#: One layout at a time: WeasyPrint is not known to be safe in threads side by side (Pango, fontconfig).
_LAYOUT_LOCK = threading.Lock()


@dataclass
class Layout:
    """One document laid out as its PDF is: its pages drawn in HTML and the CSS of their text,
    the page budget it is over, if any, and its PDF when asked for (:meth:`pdf`)."""

    document: object  # the weasyprint.Document, until its PDF is written
    pages: int
    sections: str
    css: str
    over_budget: str | None = None
    _pdf: bytes | None = None

    def pdf(self) -> bytes:
        """The PDF's bytes, written the first time they are asked for: the paged view does
        without them (writing the sample's briefing pack takes 0.45 s of its 1.2 s)."""
        with _LAYOUT_LOCK:
            if self._pdf is None:
                from briefgen.render.pdf import pdf_bytes

                self._pdf, self.document = pdf_bytes(self.document), None
            return self._pdf


@dataclass(frozen=True)
class Site:
    """One build as the server shows it: the documents by file name, or the problems that
    stopped it, and the token that the reload script compares with the latest build's.

    Its documents are laid out when first asked for (:meth:`layout`), and kept with it.
    """

    token: str
    brief_path: Path
    documents: dict[str, RenderedFile]
    problems: tuple[str, ...] = ()
    prepared: PreparedBrief | None = None
    templates: Path | None = None
    layouts: dict[str, Layout | tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def layout(self, name: str) -> Layout | tuple[str, ...]:
        """The layout of the document whose HTML is named ``name``, or the problems that stop it."""
        # A layout done is answered at once, never behind another one being done.
        layout = self.layouts.get(name)
        if layout is None:
            with _LAYOUT_LOCK:
                if name not in self.layouts:
                    self.layouts[name] = self._lay_out(self.documents[name])
                layout = self.layouts[name]
        return layout

    def _lay_out(self, file: RenderedFile) -> Layout | tuple[str, ...]:
        from briefgen.render.budgets import check_page_budgets, located
        from briefgen.render.document import layout_document
        from briefgen.render.preview import preview_pages

        prepared = self.prepared
        search_path = template_search_path(self.templates)
        confinement = Confinement(prepared.folder, [prepared.folder, *search_path])
        language = prepared.languages[0]
        try:
            _html, laid_out = layout_document(file.data.decode(), file.document_id, confinement)
            over_budget = None
            try:
                check_page_budgets(prepared.brief.facts, document(file.document_id), language, laid_out)
            except PageBudgetError as error:
                over_budget = str(located(error, prepared.brief, prepared.line_map))
            sections, css = preview_pages(laid_out, confinement)
            return Layout(laid_out, len(laid_out.pages), sections, css, over_budget)
        except BriefgenError as error:
            return tuple(str(error).splitlines())
        except Exception:  # a bug in briefgen must not end the preview either
            return tuple(traceback.format_exc().splitlines())

    def pdf(self, path: str) -> tuple[int, bytes, str]:
        """The status, body and content type answering a request for the PDF at ``path``."""
        name = path.removeprefix("/").removesuffix(".pdf") + ".html"
        if self.problems:
            return 409, "\n".join(self.problems).encode() + b"\n", "text/plain; charset=utf-8"
        if name not in self.documents:
            return 404, f"No document at {path}\n".encode(), "text/plain; charset=utf-8"
        layout = self.layout(name)
        if isinstance(layout, tuple):
            return 409, "\n".join(layout).encode() + b"\n", "text/plain; charset=utf-8"
        if layout.over_budget:  # build writes no PDF then; its pages are still shown, with the problem
            return 409, layout.over_budget.encode() + b"\n", "text/plain; charset=utf-8"
        try:
            return 200, layout.pdf(), "application/pdf"
        except Exception:  # a bug in briefgen must not end the preview either
            return 409, traceback.format_exc().encode(), "text/plain; charset=utf-8"

    def page(self, path: str, flow: bool = False) -> tuple[int, str]:
        """The status and the HTML (reload script included) answering a request for ``path``:
        a document's pages, or with ``flow`` its HTML."""
        if self.problems:
            return 200, self._problems_page(self.problems)
        if path == "/":
            return 200, self._own_page(str(self.brief_path), (
                f"<h1>{html.escape(str(self.brief_path))}</h1>\n<ul>\n"
                + "".join(f'<li><a href="/{html.escape(name)}">{html.escape(_title(file))}</a>: '
                          f"{file.document_id} ({document(file.document_id).audience}); "
                          f'<a href="/{html.escape(name)}?flow">HTML</a>, '
                          f'<a href="/{html.escape(_pdf_name(name))}">PDF</a></li>\n'
                          for name, file in self.documents.items())
                + "</ul>"))
        file = self.documents.get(path.removeprefix("/"))
        if file is None:
            return 404, self._own_page("Not found", (
                f"<h1>No document at {html.escape(path)}</h1>\n"
                '<p>See <a href="/">the documents of the brief</a>.</p>'))
        if flow:
            return 200, self._with_reload_script(file.data.decode())
        layout = self.layout(path.removeprefix("/"))
        if isinstance(layout, tuple):
            return 200, self._problems_page(layout)
        return 200, self._paged(path.removeprefix("/"), file, layout)

    def _problems_page(self, problems: tuple[str, ...]) -> str:
        lines = "\n".join(f"<samp>{html.escape(line)}</samp>" for line in problems)
        return self._own_page(f"Problems in {self.brief_path}", (
            f"<h1>briefgen cannot render {html.escape(str(self.brief_path))}</h1>\n"
            "<p>Fix these problems and save: this page reloads by itself.</p>\n"
            f"<pre>{lines}</pre>"))

    def _paged(self, name: str, file: RenderedFile, layout: Layout) -> str:
        title = html.escape(_title(file))
        pages = f"{layout.pages} page{'s' if layout.pages != 1 else ''}"
        warning = f'<p class="problem">{html.escape(layout.over_budget)}</p>\n' if layout.over_budget else ""
        # The document's language, for the browser's search, hyphenation and screen readers.
        language = html.escape(lxml_html.document_fromstring(file.data).get("lang") or "en")
        return self._with_reload_script(
            f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
            f"<style>{_PAGES_STYLE}\n{layout.css}</style>\n</head>\n<body>\n"
            f'<nav class="preview">{title} ({pages}) <a href="/">Documents</a>'
            f'<a href="/{html.escape(name)}?flow">HTML</a><a href="/{html.escape(_pdf_name(name))}">PDF</a></nav>\n'
            f"{warning}{layout.sections}\n</body>\n</html>\n")

    def _own_page(self, title: str, body: str) -> str:
        return self._with_reload_script(
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")

    def _with_reload_script(self, page: str) -> str:
        script = _RELOAD_SCRIPT % (json.dumps(self.token), BUILD_PATH, POLL_MILLISECONDS, POLL_MILLISECONDS)
        before, body_end, after = page.rpartition("</body>")
        return f"{before}{script}{body_end}{after}" if body_end else page + script


def _pdf_name(html_name: str) -> str:
    return html_name.removesuffix(".html") + ".pdf"


def _title(file: RenderedFile) -> str:
    return lxml_html.document_fromstring(file.data).findtext(".//title") or file.document_id


class _DeadlineReader(io.RawIOBase):
    """A connection's input that fails with :class:`TimeoutError` once ``deadline`` has passed,
    however slowly the bytes come (a timeout on each read alone would let a byte every few seconds through)."""

    def __init__(self, connection, deadline: float):
        self._connection = connection
        self._deadline = deadline

    def readable(self) -> bool:
        """Always: this is an input."""
        return True

    def readinto(self, buffer) -> int:
        """Read into ``buffer`` what has come, waiting at most until the deadline."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no whole request within {REQUEST_SECONDS:g} seconds")
        # The timeout also bounds the writing of the answer, which follows the last read.
        self._connection.settimeout(remaining)
        return self._connection.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer

    def setup(self) -> None:
        """Read the request through a :class:`_DeadlineReader`: a timeout ends the connection
        (``handle_one_request`` closes it on :class:`TimeoutError`)."""
        super().setup()
        self.rfile.close()
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, time.monotonic() + REQUEST_SECONDS))

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        if host not in self.server.hosts:
            # A page of another site that resolves its own name to 127.0.0.1 (DNS rebinding)
            # must not read the documents, which may hold an official pack's internal notes.
            self._send(403, f"briefgen serve answers only for {self.server.url}\n", "text/plain")
            return
        site = self.server.site
        url = urlsplit(self.path)
        if url.path == BUILD_PATH:
            query = parse_qs(url.query, keep_blank_values=True)
            shown = query.get("page", [""])[0]
            if shown.startswith("/") and "?" not in shown:  # a paged view, not a document's HTML (?flow)
                if "closed" in query:
                    self.server.open_pages.pop(shown.removeprefix("/"), None)
                else:
                    self.server.open_pages[shown.removeprefix("/")] = time.monotonic()
            self._send(200, site.token, "text/plain")
        elif url.path.endswith(".pdf"):
            status, body, content_type = site.pdf(url.path)
            self._send_bytes(status, body, content_type)
        else:
            flow = url.query == "flow"
            if not flow:  # open from now on, until its reload script stops polling
                self.server.open_pages[url.path.removeprefix("/")] = time.monotonic()
            self._send(*site.page(url.path, flow=flow), "text/html")

    def _send(self, status: int, text: str, content_type: str) -> None:
        self._send_bytes(status, text.encode(), f"{content_type}; charset=utf-8")

    def _send_bytes(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        """Log nothing: the reload script's polling would fill the terminal."""


class PreviewServer(ThreadingHTTPServer):
    """Serves the documents of a brief on 127.0.0.1 and rebuilds them when their inputs change.

    Use it as a context manager, which closes the socket: ``with PreviewServer(...) as
    server: server.serve()``.
    """

    request_queue_size = LISTEN_BACKLOG

    def __init__(self, brief_path: Path, port: int, templates: Path | None = None,
                 language: str | None = None):
        """Listen on ``port`` of 127.0.0.1 (0 for a free one) and render the documents once.

        Raises :class:`~briefgen.errors.UsageError` when the port cannot be listened on.
        """
        try:
            super().__init__((HOST, port), _Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} is in use: choose another with --port, "
                                 "or --port 0 for a free one") from None
            raise UsageError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None
        self.port = self.server_address[1]
        self.url = f"http://{HOST}:{self.port}/"
        self.hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        self.brief_path = brief_path
        self.templates = templates
        self.language = language
        # Part of every token, so that a page left open across a restart of the server reloads too.
        self._run = secrets.token_hex(4)
        self._builds = 0
        #: When the reload script of each open paged view (by document) last polled.
        self.open_pages: dict[str, float] = {}
        self.site: Site | None = None
        self.rebuild()

    def watched_folders(self) -> list[Path]:
        """The brief's folder and the template folders, without one inside another."""
        folders = {folder.resolve() for folder in [self.brief_path.parent, *template_search_path(self.templates)]}
        return sorted(folder for folder in folders if not any(other in folder.parents for other in folders))

    def rebuild(self) -> None:
        """Render the documents again; when anything shown changed, publish it as a new build.

        A user's mistake (or a bug) becomes the problems every page shows; it never stops the server.
        """
        started = time.monotonic()
        documents: dict[str, RenderedFile] = {}
        problems: tuple[str, ...] = ()
        prepared = None
        try:
            prepared, files = render_pages(self.brief_path, self.templates, self.language)
            documents = {file.relative_path.name: file for file in files}
        except BriefgenError as error:
            problems = tuple(str(error).splitlines())
        except Exception:  # a bug in briefgen must not end the preview either
            problems = tuple(traceback.format_exc().splitlines())
        if self.site and (documents, problems) == (self.site.documents, self.site.problems):
            return
        self._builds += 1
        # Replacing the whole Site in one assignment lets request threads read it without a lock.
        self.site = site = Site(f"{self._run}.{self._builds}", self.brief_path, documents, problems, prepared,
                                self.templates)
        now = time.monotonic()
        open_now = sorted((name for name, polled in dict(self.open_pages).items()
                           if now - polled < OPEN_SECONDS and name in documents),
                          key=lambda name: -self.open_pages[name])
        if open_now and not problems:
            # The open pages ask for these as soon as they see the new build.
            threading.Thread(target=self._lay_out_open, args=(site, open_now), name="briefgen-layout",
                             daemon=True).start()
        if problems:
            click.echo("\n".join(problems), err=True)
        else:
            count = len(documents)
            click.echo(f"rendered {count} document{'s' if count != 1 else ''} "
                       f"in {time.monotonic() - started:.2f} s")

    def _lay_out_open(self, site: Site, names: list[str]) -> None:
        for name in names:
            if self.site is not site:  # saved again meanwhile: the next build's thread takes over
                return
            site.layout(name)

    def serve(self) -> None:
        """Serve until interrupted (Ctrl-C raises :class:`KeyboardInterrupt` out of it),
        rebuilding whenever a file changes in a watched folder."""
        stop = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(stop,), name="briefgen-watch", daemon=True)
        watcher.start()
        try:
            self.serve_forever()
        finally:
            stop.set()
            watcher.join()

    def _watch(self, stop: threading.Event) -> None:
        for _changes in watchfiles.watch(*self.watched_folders(), stop_event=stop):
            self.rebuild()

    def handle_error(self, request, client_address) -> None:
        """Ignore a browser that closed its connection (a page reloading); report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
