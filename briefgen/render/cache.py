"""briefgen's private cache folder of this user, where code compiled in one command is kept for
the next: the templates (:mod:`briefgen.render.bytecode`) and WeasyPrint's C declarations
(:mod:`briefgen.render.weasyprint_import`). A module of its own, so that importing WeasyPrint
does not import the template engine.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_cache_folder(name: str) -> Path | None:
    """The folder ``name`` in briefgen's cache folder of this user (``$XDG_CACHE_HOME/briefgen``,
    else ``~/.cache/briefgen``), made if need be; None where there is none to be had safely: no
    home, or it or briefgen's folder belongs to another user or may be written by others. What is
    kept in it is code that runs."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "briefgen" / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        statuses = [folder.stat(), folder.parent.stat()]
    except OSError:
        return None
    if any(status.st_uid != os.getuid() or status.st_mode & 0o022 for status in statuses):
        return None
    return folder
