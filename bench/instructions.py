"""How the work of laying out and writing the briefing pack grows with the issues, counted exactly.

Usage: python bench/instructions.py [--build] [SIZES...]   (default: 25 50 100; valgrind required)

Wall and CPU seconds on a shared machine vary by a third from one minute to the next, too much
to tell linear from slightly more than linear. Instructions executed do not vary: this runs the
briefing pack's layout and PDF (the longest step of a build, in one process, with the
collector settings of a build without workers) of synthetic briefs under
``valgrind --tool=callgrind``, about 50 times slower than normal (some 15 minutes for the
defaults), and prints the instructions of each size and, for each size twice another, the
instructions an issue added against the size before. Cost grows linearly when that marginal
cost stays the same (ratio 1.0); what instructions do not show, the time each one takes as
the document's memory grows, the CPU seconds of ``make bench`` do.

With ``--build``, it counts a whole ``briefgen build`` instead (every document, PDF and .docx,
every worker process; about twice as long). A forked worker would start counting from its
parent's count: callgrind writes the parent's count out and starts it again at every fork,
and the counts of all the pieces are added up.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_synthetic_brief  # noqa: E402

PACK = """
import sys
from pathlib import Path
from briefgen.commands.build import _fewer_collections
from briefgen.prepare.brief import prepare_brief
from briefgen.render.html import render_html, template_search_path
from briefgen.render.pdf import layout_pdf, pdf_bytes
from briefgen.render.resources import Confinement
from briefgen.view.context import build_context

path = Path(sys.argv[1])
brief = prepare_brief(path).brief
search_path = template_search_path(None)
html = render_html("briefing-pack.html.j2", build_context(brief, "briefing-pack", language="en"), search_path)
with _fewer_collections():
    laid_out = layout_pdf(html, Confinement(path.parent, [path.parent, *search_path]))
    pdf_bytes(laid_out)
print(len(laid_out.pages))
"""


def instructions(brief: Path, folder: Path) -> tuple[int, int]:
    """Instructions executed by the pack's layout and PDF of ``brief`` (with Python's start-up
    and imports, the same for every size), and its pages."""
    result = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder / 'callgrind.out'}",
                             sys.executable, "-c", PACK, str(brief)], capture_output=True, text=True, check=True)
    count = int(re.search(r"Collected : (\d+)", result.stderr).group(1))
    return count, int(result.stdout.split()[-1])


def build_instructions(brief: Path, folder: Path) -> tuple[int, int]:
    """Instructions executed by every process of a whole build of ``brief``, and its PDF pages."""
    counts = folder / "counts"
    counts.mkdir()
    result = subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes", "--dump-before=_Fork",
                             "--dump-before=__libc_fork", f"--callgrind-out-file={counts}/callgrind.%p",
                             sys.executable, "-m", "briefgen", "build", str(brief), "-o", str(folder / "out"),
                             "--format", "pdf,docx"], capture_output=True, text=True, check=True)
    count = sum(int(match) for piece in counts.iterdir()
                for match in re.findall(r"^totals: (\d+)", piece.read_text(), re.MULTILINE))
    return count, sum(int(pages) for pages in re.findall(r"\((\d+) pages?\)", result.stdout))


def main() -> None:
    """Count each size and print a table."""
    parser = argparse.ArgumentParser(description="instructions of the briefing pack, by size")
    parser.add_argument("sizes", nargs="*", type=int, default=[25, 50, 100], help="issues (default: 25 50 100)")
    parser.add_argument("--build", action="store_true", help="count a whole build, not only the pack's layout and PDF")
    options = parser.parse_args()
    sizes = sorted(options.sizes)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    count = build_instructions if options.build else instructions
    counted = {}
    for issues in sizes:
        with tempfile.TemporaryDirectory() as folder:
            counted[issues] = count(write_synthetic_brief(Path(folder), issues), Path(folder))
    print("| issues | pages | instructions (billions) |\n|---|---|---|")
    for issues, (instructions_counted, pages) in counted.items():
        print(f"| {issues} | {pages} | {instructions_counted / 1e9:.2f} |")
    for issues in sizes:
        if issues // 2 in counted and issues % 2 == 0:
            print(f"{issues} issues: {counted[issues][0] / counted[issues // 2][0]:.3f} times the instructions "
                  f"of {issues // 2}")
        half, quarter = issues // 2, issues // 4
        if issues % 4 == 0 and half in counted and quarter in counted:
            added = (counted[issues][0] - counted[half][0]) / (issues - half)
            before = (counted[half][0] - counted[quarter][0]) / (half - quarter)
            print(f"{half} -> {issues} issues: {added / 1e6:.0f} M instructions per issue added, "
                  f"{before / 1e6:.0f} M from {quarter} to {half}: ratio {added / before:.3f}")


if __name__ == "__main__":
    main()
