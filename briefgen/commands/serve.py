"""``briefgen serve``: preview a brief's documents in the browser while it is being written.

The server listens on 127.0.0.1 only. It renders the HTML of every document (the same HTML
``briefgen build --format html`` writes; no PDF layout, so a rebuild takes a fraction of a
second) and renders it again whenever something changes in the brief's folder or in a
template folder (watched with watchfiles). Each page it serves carries a small script that
polls ``/__build`` and reloads the page when the build it shows is no longer the latest.
A brief that becomes invalid, or a template that fails, never stops the server: every page
then shows the located problems, and comes back once they are fixed.

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
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import click
import watchfiles
from lxml import html as lxml_html

from briefgen.commands.build import BuildOptions, render
from briefgen.errors import BriefgenError, UsageError
from briefgen.model.registry import document
from briefgen.render.document import RenderedFile
from briefgen.render.html import template_search_path

HOST = "127.0.0.1"
#: The path the reload script polls; it answers the token of the latest build.
BUILD_PATH = "/__build"
POLL_MILLISECONDS = 250
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
  function poll() {
    fetch("%s", {cache: "no-store"})
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


def render_pages(brief_path: Path, templates: Path | None = None, language: str | None = None) -> list[RenderedFile]:
    """The HTML of every document of the brief at ``brief_path`` in ``language`` (default: the
    brief's first), named as ``briefgen build --format html`` names its files, in memory.

    Raises the errors of :func:`briefgen.commands.build.render`.
    """
    options = BuildOptions(formats=("html",), templates=templates, languages=(language,) if language else None)
    return render(brief_path, options).files


@dataclass(frozen=True)
class Site:
    """One build as the server shows it: the documents by file name, or the problems that
    stopped it, and the token that the reload script compares with the latest build's."""

    token: str
    brief_path: Path
    documents: dict[str, RenderedFile]
    problems: tuple[str, ...] = ()

    def page(self, path: str) -> tuple[int, str]:
        """The status and the HTML (reload script included) answering a request for ``path``."""
        if self.problems:
            lines = "\n".join(f"<samp>{html.escape(line)}</samp>" for line in self.problems)
            return 200, self._own_page(f"Problems in {self.brief_path}", (
                f"<h1>briefgen cannot render {html.escape(str(self.brief_path))}</h1>\n"
                "<p>Fix these problems and save: this page reloads by itself.</p>\n"
                f"<pre>{lines}</pre>"))
        if path == "/":
            return 200, self._own_page(str(self.brief_path), (
                f"<h1>{html.escape(str(self.brief_path))}</h1>\n<ul>\n"
                + "".join(f'<li><a href="/{html.escape(name)}">{html.escape(_title(file))}</a>: '
                          f"{file.document_id} ({document(file.document_id).audience})</li>\n"
                          for name, file in self.documents.items())
                + "</ul>"))
        file = self.documents.get(path.removeprefix("/"))
        if file is None:
            return 404, self._own_page("Not found", (
                f"<h1>No document at {html.escape(path)}</h1>\n"
                '<p>See <a href="/">the documents of the brief</a>.</p>'))
        return 200, self._with_reload_script(file.data.decode())

    def _own_page(self, title: str, body: str) -> str:
        return self._with_reload_script(
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")

    def _with_reload_script(self, page: str) -> str:
        script = _RELOAD_SCRIPT % (json.dumps(self.token), BUILD_PATH, POLL_MILLISECONDS, POLL_MILLISECONDS)
        before, body_end, after = page.rpartition("</body>")
        return f"{before}{script}{body_end}{after}" if body_end else page + script


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
        path = urlsplit(self.path).path
        if path == BUILD_PATH:
            self._send(200, site.token, "text/plain")
        else:
            self._send(*site.page(path), "text/html")

    def _send(self, status: int, text: str, content_type: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
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
        try:
            documents = {file.relative_path.name: file
                         for file in render_pages(self.brief_path, self.templates, self.language)}
        except BriefgenError as error:
            problems = tuple(str(error).splitlines())
        except Exception:  # a bug in briefgen must not end the preview either
            problems = tuple(traceback.format_exc().splitlines())
        if self.site and (documents, problems) == (self.site.documents, self.site.problems):
            return
        self._builds += 1
        # Replacing the whole Site in one assignment lets request threads read it without a lock.
        self.site = Site(f"{self._run}.{self._builds}", self.brief_path, documents, problems)
        if problems:
            click.echo("\n".join(problems), err=True)
        else:
            count = len(documents)
            click.echo(f"rendered {count} document{'s' if count != 1 else ''} "
                       f"in {time.monotonic() - started:.2f} s")

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
