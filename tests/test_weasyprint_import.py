"""What ``briefgen.render.weasyprint_import`` assumes of how WeasyPrint imports itself, one test per
assumption (failing with the message of ``test_weasyprint_internals.assumption``); and that its
import gives the same libraries and the same PDFs as ``import weasyprint``, and falls back to it.

Each check runs in a fresh interpreter: the test process imported WeasyPrint the plain way.
"""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import weasyprint
from test_weasyprint_internals import assumption

FFI_SOURCE = Path(weasyprint.__file__).parent / "text" / "ffi.py"
#: A script's preamble: count the library searches made outside briefgen's import.
COUNTING = """
import ctypes.util, json, sys
searched = []
search = ctypes.util.find_library
ctypes.util.find_library = lambda name: searched.append(name) or search(name)
"""
#: A script's end: what it imported, as JSON on its last line.
REPORT = """
import weasyprint.text.ffi as ffi_module
libraries = sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line
                    and "python3" not in line and "site-packages" not in line})
print(json.dumps({"searched": searched, "ffi": type(ffi_module.ffi).__module__, "libraries": libraries}))
"""


def run(script: str, **environment: str) -> dict:
    """The report of ``script`` run in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", COUNTING + script + REPORT], capture_output=True, text=True,
                            env={**os.environ, **environment}, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def test_weasyprint_makes_its_one_ffi_in_weasyprint_text_ffi_and_declares_all_with_one_cdef() -> None:
    sources = sorted(Path(weasyprint.__file__).parent.rglob("*.py"))
    with assumption("only weasyprint.text.ffi uses cffi, calling cffi.FFI() once without arguments and its "
                    "cdef once with one string", "import_weasyprint's stand-in ffi, which takes that one cdef"):
        users = [path.relative_to(FFI_SOURCE.parent.parent) for path in sources
                 if "cffi" in path.read_text(encoding="utf-8")]
        assert [str(path) for path in users] == ["text/ffi.py"]
        tree = ast.parse(FFI_SOURCE.read_text(encoding="utf-8"))
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
        makers = [call for call in calls if call.func.attr == "FFI"]
        declarations = [call for call in calls if call.func.attr == "cdef"]
        assert [(len(call.args), len(call.keywords)) for call in makers] == [(0, 0)]
        assert len(declarations) == 1 and not declarations[0].keywords
        assert [type(argument.value) for argument in declarations[0].args] == [str]


def test_weasyprint_uses_only_methods_of_ffi_that_the_compiled_ffi_has() -> None:
    import _cffi_backend

    used = set()
    for path in Path(weasyprint.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ffi":
                used.add(node.attr)
    with assumption("every attribute WeasyPrint takes of its ffi but cdef is one of cffi's out-of-line FFI",
                    "import_weasyprint, which gives WeasyPrint the out-of-line ffi"):
        assert used - {"cdef"} <= set(dir(_cffi_backend.FFI)), sorted(used - set(dir(_cffi_backend.FFI)))


def test_briefgens_import_searches_for_no_library_and_loads_the_libraries_the_plain_import_loads(tmp_path) -> None:
    with assumption("WeasyPrint lists, for each library it opens, a file name that the system's loader opens",
                    "import_weasyprint, which answers no library search while it imports WeasyPrint"):
        plain = run("import weasyprint\n", XDG_CACHE_HOME=str(tmp_path))
        briefgens = run("from briefgen.render.weasyprint_import import import_weasyprint\nimport_weasyprint()\n",
                        XDG_CACHE_HOME=str(tmp_path))
        assert plain["searched"], "the plain import searches (else there is nothing to spare)"
        assert briefgens["searched"] == []
        assert briefgens["libraries"] == plain["libraries"]
        assert (plain["ffi"], briefgens["ffi"]) == ("cffi.api", "_cffi_backend")


PDF_SCRIPT = """
{first}
from briefgen.render.pdf import layout_pdf, pdf_bytes
from briefgen.render.resources import Confinement
from pathlib import Path
html = Path(sys.argv[1]).read_text(encoding="utf-8")
data = pdf_bytes(layout_pdf(html, Confinement(Path(sys.argv[2]), [Path(sys.argv[2])])))
Path(sys.argv[3]).write_bytes(data)
"""


def test_the_compiled_declarations_give_the_same_pdf_byte_for_byte(tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text("""<!DOCTYPE html><html lang="en"><head><title>Same</title><style>
@page { size: A6; margin: 12mm; @bottom-center { content: "Page " counter(page) } }
h1 { font-family: serif } .zh { font-family: sans-serif }
</style></head><body><h1>Briefing “note”</h1><p>Text with <a href="https://example.org">a link</a>,
<em>emphasis</em> and <span class="zh" lang="zh-Hans">人权</span>.</p>
<table><tr><th>Ask</th><td>Raise the case</td></tr></table></body></html>""", encoding="utf-8")
    outputs = {}
    for name, first in (("plain", "import weasyprint"), ("briefgen", "")):
        outputs[name] = tmp_path / f"{name}.pdf"
        subprocess.run([sys.executable, "-c", "import sys\n" + PDF_SCRIPT.format(first=first), str(html),
                        str(tmp_path), str(outputs[name])], check=True, env={**os.environ,
                                                                             "XDG_CACHE_HOME": str(tmp_path)})
    assert outputs["briefgen"].read_bytes() == outputs["plain"].read_bytes()
    assert outputs["plain"].read_bytes().startswith(b"%PDF-")


def test_the_compiled_declarations_are_kept_private_and_read_back(tmp_path: Path) -> None:
    script = "from briefgen.render.weasyprint_import import import_weasyprint\nimport_weasyprint()\n"
    assert run(script, XDG_CACHE_HOME=str(tmp_path))["ffi"] == "_cffi_backend"
    folder = tmp_path / "briefgen" / "cffi"
    [kept] = folder.iterdir()
    assert kept.name.startswith("declarations-") and kept.suffix == ".py"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    written = kept.stat().st_mtime_ns
    assert run(script, XDG_CACHE_HOME=str(tmp_path))["ffi"] == "_cffi_backend"
    assert kept.stat().st_mtime_ns == written and list(folder.iterdir()) == [kept]


def test_a_cache_folder_others_may_write_in_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "briefgen").mkdir()
    (tmp_path / "briefgen").chmod(0o777)
    script = "from briefgen.render.weasyprint_import import import_weasyprint\nimport_weasyprint()\n"
    assert run(script, XDG_CACHE_HOME=str(tmp_path))["ffi"] == "_cffi_backend"  # compiled in memory
    assert not list((tmp_path / "briefgen" / "cffi").glob("declarations-*"))


def test_a_library_the_loader_does_not_open_by_its_listed_names_is_searched_for_as_weasyprint_does(
        tmp_path: Path) -> None:
    # Pango opened by none of its names, as on a system that has it only where a search finds it.
    script = """
from briefgen.render import weasyprint_import
compiled = weasyprint_import.compiled_ffi
class Refusing:
    def __init__(self, ffi): self.ffi = ffi
    def dlopen(self, name, *flags):
        if "pango-1.0" in name: raise OSError(name)
        return self.ffi.dlopen(name, *flags)
    def __getattr__(self, name): return getattr(self.ffi, name)
weasyprint_import.compiled_ffi = lambda *arguments: Refusing(compiled(*arguments))
weasyprint_import.import_weasyprint()
"""
    result = subprocess.run([sys.executable, "-c", COUNTING + script + REPORT], capture_output=True, text=True,
                            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)}, check=True)
    report = json.loads(result.stdout)  # one line: WeasyPrint's message of the failed attempt is not shown
    assert report["searched"] and report["ffi"] == "cffi.api"
    assert any("pango-1.0" in library for library in report["libraries"])
