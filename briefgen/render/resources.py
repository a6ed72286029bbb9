"""Which files a document may read: only real files inside the folders it is allowed.

One rule, :func:`confined`, decides every read a document can make: the Jinja loader
(``include``, ``import``, ``extends``), ``stylesheet()`` and the theme's ``reference.docx``
(through :func:`find_theme_file`, inside the template folders), and
the images and stylesheets that WeasyPrint and the .docx writer fetch (through
:class:`Confinement`, inside the brief's and the templates' folders). The path is resolved
first, every symbolic link followed, and only then checked: ``..``, an absolute path, or a
link to a file or a folder elsewhere all lead outside and are refused, while a template
folder that is itself a link, or a link to another file of the template folders, is fine.
Nothing is ever fetched from the network. Each refused reference is kept for a warning,
and each file read for the incremental build's manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from briefgen.errors import TemplateAccessError, TemplateError


_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def default_theme_dir() -> Path:
    """The default theme: inside the package when installed from a wheel, else the repository's."""
    shipped = _PACKAGE_DIR / "templates"
    return shipped if shipped.is_dir() else _PACKAGE_DIR.parent / "templates"


def template_search_path(user_dir: Path | None = None) -> list[Path]:
    """The folders searched for a template file, most specific first."""
    return ([user_dir] if user_dir else []) + [default_theme_dir()]


def confined(path: Path, roots: Sequence[Path]) -> Path | None:
    """The real path of ``path`` (every link followed) if it lies inside one of ``roots``, else None.

    ``roots`` are real paths themselves (resolved). Nothing outside them is opened, and
    the answer does not depend on whether the path exists.
    """
    real = path.resolve()
    return real if any(real.is_relative_to(root) for root in roots) else None


def theme_file(name: str, search_path: list[Path], what: str | None = None) -> Path | None:
    """The real path of the first file called ``name`` on ``search_path``, or None if there is none.

    Raises :class:`TemplateAccessError`, naming the access as ``what`` (default ``name``),
    when ``name`` leads outside the folders from one it is looked up in before it is found:
    an absolute path, ``..``, or a link to a file or a folder elsewhere.
    """
    roots = [folder.resolve() for folder in search_path]
    for folder in search_path:
        path = confined(folder / name, roots)
        if path is None:
            raise TemplateAccessError(what or name, roots)
        if path.is_file():
            return path
    return None


def find_theme_file(name: str, search_path: list[Path], what: str | None = None) -> Path:
    """The real path of the first file called ``name`` on ``search_path``.

    Raises :class:`TemplateError` if there is none, and the errors of :func:`theme_file`.
    """
    path = theme_file(name, search_path, what)
    if path is None:
        raise TemplateError(f"{name}: not found in {', '.join(str(f) for f in search_path)}")
    return path


class Confinement:
    """Resolves references against ``base_dir`` and allows only local files under ``roots``."""

    def __init__(self, base_dir: Path, roots: list[Path]):
        self.base_url = base_dir.resolve().as_uri() + "/"
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []
        self.read: list[str] = []

    def local_path(self, reference: str) -> Path | None:
        """The file ``reference`` (a URL or a path relative to ``base_dir``) names, if allowed; else None."""
        url = urljoin(self.base_url, reference)
        if urlsplit(url).scheme == "file":
            from urllib.request import url2pathname  # its module is a tenth of start-up: only a file needs it

            path = confined(Path(url2pathname(urlsplit(url).path)), self.roots)
            if path is not None:
                self.read.append(str(path))
                return path
        self.refused.append(url)
        return None

    def warnings(self) -> list[str]:
        """One warning message per refused reference."""
        return [f"warning: not read: {url} (outside the brief's and the templates' folders)" for url in self.refused]
