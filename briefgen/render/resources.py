"""Which files a document may read: only those inside the brief's and the templates' folders.

Both writers ask the same :class:`Confinement`: WeasyPrint's fetcher for the PDF and the
.docx writer for its images. Nothing is ever fetched from the network. Each refused
reference is kept for a warning, and each file read for the incremental build's manifest.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname


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
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                self.read.append(str(path))
                return path
        self.refused.append(url)
        return None

    def warnings(self) -> list[str]:
        """One warning message per refused reference."""
        return [f"warning: not read: {url} (outside the brief's and the templates' folders)" for url in self.refused]
