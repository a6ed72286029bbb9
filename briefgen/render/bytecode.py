"""Compiled templates, kept in memory for every template environment of a process and on disk
for the next process, in this user's private cache folder (:mod:`briefgen.render.cache`).

Compiling the default theme's templates costs more than rendering them. Each language has an
environment of its own (its translations are installed in it), but they are made with the
same options, so a template compiled in one is the same code in another, and in the next
command. Jinja keys each entry by the template's file and checks it against the template's
source, so an edited template is compiled again. The folder on disk is named after
everything else the code depends on (Jinja's and Python's versions, the environment's class
and options), and it is used only if it belongs to this user and nobody else may write in it:
what is in it is code that runs.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from briefgen.render.cache import private_cache_folder


class SharedBytecode(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in a folder of this user's, with a copy in memory."""

    def __init__(self, folder: Path | None):
        self.memory: dict[str, bytes] = {}
        self.on_disk = folder is not None
        super().__init__(str(folder) if folder is not None else None)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Give ``bucket`` the code compiled earlier for its template, if any."""
        if (code := self.memory.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)
        elif self.on_disk:
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the code just compiled for ``bucket``'s template."""
        self.memory[bucket.key] = bucket.bytecode_to_string()
        if self.on_disk:
            super().dump_bytecode(bucket)


def cache_folder(environment_class: type, options: dict[str, Any]) -> Path | None:
    """This user's folder for the code that ``environment_class`` compiles with ``options``, made
    if need be; None where there is none to be had safely (see :func:`private_cache_folder`) and
    then the code is kept in memory only."""
    key = repr((jinja2.__version__, sys.version, environment_class.__module__, environment_class.__qualname__,
                sorted(getattr(environment_class, "intercepted_binops", ())), sorted(options.items())))
    return private_cache_folder(f"templates-{hashlib.sha256(key.encode()).hexdigest()[:16]}")
