"""How briefgen imports WeasyPrint: in a few tenths of a second less than ``import weasyprint``.

Importing WeasyPrint is the largest fixed cost of a build that makes a PDF, and every worker
process then pays a little more before its first page. Two steps of it do work that briefgen
can spare, without changing anything WeasyPrint lays out or writes (the tests compare the
PDFs byte for byte, and the libraries loaded):

- **The library search.** At import, WeasyPrint opens GObject, Pango, HarfBuzz, fontconfig and
  PangoFT2, trying for each a list of names (``libgobject-2.0-0``, ``gobject-2.0-0``,
  ``gobject-2.0``, ``libgobject-2.0.so.0``…). cffi hands every name the system's loader does not
  open to ``ctypes.util.find_library``, which on Linux runs ``ldconfig``, then ``gcc`` and ``ld``
  for a name it does not find: some twenty searches, half of the import. Each list also holds
  the library's file name on Linux, macOS and Windows, which the loader opens itself (through
  LD_LIBRARY_PATH and the system's folders). So while this thread imports WeasyPrint the search
  finds nothing, and the loader goes on to the next name. Should a library then fail to load,
  WeasyPrint is imported again with the search, and says what is missing as it always has.
- **The C declarations.** ``weasyprint.text.ffi`` declares the C functions and types it calls
  to cffi in its "in-line" mode: cffi parses the declarations with pycparser at every import,
  and parses again, in each process, each C type that WeasyPrint's code names the first time
  it names it (in each worker, before its first page), and each ``ffi.new`` goes through a
  Python layer of cffi's. cffi's "out-of-line" mode takes the same declarations compiled once
  (``FFI.emit_python_code``, which needs no C compiler) into a module whose types are already
  built, and gives an ``ffi`` of the same methods, each in C. That module is kept in this user's
  cache folder (:func:`~briefgen.render.cache.private_cache_folder`), named after the
  declarations and cffi's and Python's versions; and while ``weasyprint.text.ffi`` runs, the
  ``ffi`` it makes is one that takes its declarations from there. The module ends with the
  compiled ``ffi`` as its own, which the rest of WeasyPrint imports from it.

This module relies on what WeasyPrint does at import, not on its names but for
``weasyprint.text.ffi``; ``tests/test_weasyprint_import.py`` states each assumption.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import hashlib
import importlib.abc
import importlib.machinery
import io
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

#: The module of WeasyPrint's that declares its C functions to cffi.
FFI_MODULE = "weasyprint.text.ffi"


def import_weasyprint() -> None:
    """Import WeasyPrint, without the library searches and the parsing of C declarations that
    it does not need (see the module's docstring); nothing when it is imported already."""
    if "weasyprint" in sys.modules:
        return
    search, importer = ctypes.util.find_library, threading.get_ident()
    ctypes.util.find_library = lambda name: None if threading.get_ident() == importer else search(name)
    finder = _CompiledDeclarations()
    sys.meta_path.insert(0, finder)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # WeasyPrint's message of a library not found
            import weasyprint  # noqa: F401
        return
    except OSError:
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search
        sys.meta_path.remove(finder)
    import weasyprint  # noqa: F401,F811


class _CompiledDeclarations(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``weasyprint.text.ffi`` as Python would, and runs it with its declarations compiled."""

    def __init__(self) -> None:
        self.loader: importlib.machinery.SourceFileLoader | None = None

    def find_spec(self, name: str, path: Any,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        """The module's own spec, with this loader, for ``weasyprint.text.ffi``; None for any other."""
        if name != FFI_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        """The default module."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Run the module's code with a stand-in for the ``ffi`` it makes, then give it the compiled one."""
        import cffi

        code = self.loader.get_code(module.__name__)
        in_line = cffi.FFI
        stand_in = _StandIn(in_line)

        def first_ffi(*args: Any, **options: Any) -> Any:
            if args or options or stand_in.taken:
                return in_line(*args, **options)
            stand_in.taken = True
            return stand_in

        cffi.FFI = first_ffi
        try:
            exec(code, module.__dict__)  # noqa: S102 (WeasyPrint's own module, as its loader runs it)
        except _NotCompiled:
            cffi.FFI = in_line
            exec(code, module.__dict__)  # noqa: S102
            return
        finally:
            cffi.FFI = in_line
        module.ffi = stand_in.compiled


class _NotCompiled(Exception):
    """The module declared what the stand-in does not take: it is run with cffi's own ``FFI``."""


class _StandIn:
    """The ``ffi`` of ``weasyprint.text.ffi`` while it runs: its one ``cdef`` loads the compiled
    declarations; anything else is the compiled ``ffi``'s."""

    def __init__(self, in_line: type) -> None:
        self.in_line = in_line
        self.taken = False
        self.compiled: Any = None

    def cdef(self, source: str, *args: Any, **options: Any) -> None:
        """Take the declarations ``source``, compiled (once per user and version)."""
        if args or options or self.compiled is not None:
            raise _NotCompiled
        self.compiled = compiled_ffi(source, self.in_line)

    def __getattr__(self, name: str) -> Any:
        if self.compiled is None:
            raise _NotCompiled
        return getattr(self.compiled, name)


def compiled_ffi(source: str, in_line: type | None = None) -> Any:
    """cffi's out-of-line ``ffi`` of the C declarations ``source``: compiled from them into this
    user's cache folder the first time (by ``in_line``, cffi's ``FFI``), loaded from there after."""
    import _cffi_backend
    import cffi

    from briefgen.render.cache import private_cache_folder

    key = hashlib.sha256("\0".join((source, cffi.__version__, _cffi_backend.__version__, sys.version)).encode())
    name = f"declarations-{key.hexdigest()[:24]}.py"
    folder = private_cache_folder("cffi")
    path = folder / name if folder else None
    try:
        code = path.read_text(encoding="utf-8") if path else None
    except OSError:
        code = None
    if code is None:
        code = _compiled(source, in_line or cffi.FFI)
        if path:
            with contextlib.suppress(OSError):
                _write_atomically(path, code)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(path or name), "exec"), namespace)  # noqa: S102 (code cffi wrote, in this user's folder)
    return namespace["ffi"]


def _compiled(source: str, in_line: type) -> str:
    """The Python module that ``in_line``, cffi's ``FFI``, writes for ``source`` in its out-of-line ABI mode."""
    builder = in_line()
    builder.set_source("_briefgen_weasyprint_declarations", None)
    builder.cdef(source)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "declarations.py"
        with contextlib.redirect_stdout(io.StringIO()):  # cffi says "generating …"
            builder.emit_python_code(str(target))
        return target.read_text(encoding="utf-8")


def _write_atomically(path: Path, text: str) -> None:
    """``text`` as the file ``path``, which another process sees whole or not at all."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
