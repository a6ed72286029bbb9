"""Benchmarks of briefgen, whole process, as a user runs it, against the alternatives in the same run.

Usage: python bench/run.py [--quick] [--json]        (or: make bench)

Prints a table, or with --json one JSON object:
- sample_build_s: `briefgen build` of the sample brief, all documents, PDF and .docx, median of 5
  (3 with --quick), each into a fresh output folder;
- letters: {n, ms_per_letter, naive_ms_per_letter, peak_rss_mb} for 343 synthetic recipients
  (PDF + draft), against one separate WeasyPrint render per letter in one process (bench/letters.py);
- scaling: [{issues, pages, seconds, cpu_seconds, round_seconds, round_cpu_seconds}] for synthetic
  briefs of 10, 50, 100 and 200 issues (--quick: 10, 25, 50), in 5 rounds (2 with --quick), the
  sizes taking turns, smallest first then largest first, so that a slow minute of the machine does
  not fall on one size; seconds is the best wall time (noise on a shared machine only adds time),
  cpu_seconds the best user + system CPU time of the build process and its worker processes
  together, and round_* the times of each round;
- doubling: [{issues, ratio, wall_ratio}] for each size twice another. ``ratio`` is the CPU seconds of
  the size over those of half the size, measured next to each other, the median over the rounds:
  how much more work the build did. Other load on the machine disturbs it far less than wall time
  (a process kept waiting uses no CPU), and it does not depend on how the worker processes of the
  documents share the cores (wall time follows the longest document). It is at most 2 when cost
  grows no faster than linearly; the fixed cost of a build keeps a linear cost below 2.
  ``wall_ratio`` is the same ratio of wall seconds;
- noop_rebuild_s: an unchanged rebuild of the sample (median);
- edit_rebuild_s: a rebuild of the sample after a one-word edit of its letter, which lays out
  the letter and the packs that annex it again, not the leave-behind (median);
- one_document: {docx_s, pdf_s}: a build of the sample's letter alone, as .docx only and as PDF
  only, each into a fresh folder (median);
- validate_s: `briefgen validate` of the sample (median);
- pandoc: where pandoc is installed, the seconds pandoc takes to make a .docx, and a PDF through
  WeasyPrint, from the HTML of the sample's briefing pack, beside briefgen's time for the pack as
  PDF + .docx (medians of 5 rounds, 3 with --quick), and ``ratio``: the median over the rounds of
  briefgen's time over pandoc's PDF, run one after the other;
- peak_rss_mb: the largest peak memory of any process measured.
Timings are noisy: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from letters import letters_benchmark  # noqa: E402
from synthetic import write_synthetic_brief  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "carney-china-2026.yaml"
BRIEFGEN = [sys.executable, "-m", "briefgen"]


def children_cpu_seconds() -> float:
    """User + system CPU seconds of every finished child process so far, and of the children they waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(arguments: list[str]) -> tuple[float, float, str]:
    """Wall seconds and CPU seconds (with its own children) one child process takes, and what it
    printed; fails loudly if it fails."""
    cpu_before, start = children_cpu_seconds(), time.perf_counter()
    result = subprocess.run(arguments, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, children_cpu_seconds() - cpu_before, result.stdout


def build_seconds(brief: Path, repeats: int) -> tuple[float, float, int]:
    """Wall seconds and CPU seconds of a whole-process build of ``brief`` into a fresh folder (each the
    median of ``repeats`` runs), and its PDF pages."""
    times, cpu_times, pages = [], [], 0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            seconds, cpu_seconds, output = timed([*BRIEFGEN, "build", str(brief), "-o", out, "--format", "pdf,docx"])
            times.append(seconds)
            cpu_times.append(cpu_seconds)
            pages = sum(int(count) for count in re.findall(r"\((\d+) pages?\)", output))
    return statistics.median(times), statistics.median(cpu_times), pages


def noop_rebuild_seconds(repeats: int) -> float:
    """Median seconds of a build of the sample when nothing changed since the last one."""
    with tempfile.TemporaryDirectory() as out:
        timed([*BRIEFGEN, "build", str(SAMPLE), "-o", out])
        return statistics.median(timed([*BRIEFGEN, "build", str(SAMPLE), "-o", out])[0] for _ in range(repeats))


def edit_rebuild_seconds(repeats: int) -> float:
    """Median seconds of a build of the sample after one word of its letter changed since the last."""
    with tempfile.TemporaryDirectory() as folder:
        brief, out = Path(folder) / SAMPLE.name, Path(folder) / "out"
        text = SAMPLE.read_text(encoding="utf-8")
        assert "your official visit" in text
        brief.write_text(text, encoding="utf-8")
        timed([*BRIEFGEN, "build", str(brief), "-o", str(out)])
        times = []
        for number in range(repeats):
            word = "state" if number % 2 == 0 else "official"
            brief.write_text(text.replace("your official visit", f"your {word} visit", 1), encoding="utf-8")
            times.append(timed([*BRIEFGEN, "build", str(brief), "-o", str(out)])[0])
        return statistics.median(times)


def one_document_seconds(repeats: int) -> dict:
    """Median seconds of a build of the sample's letter alone, as .docx only and as PDF only."""
    with tempfile.TemporaryDirectory() as folder:
        brief = Path(folder) / "letter-only.yaml"
        brief.write_text(SAMPLE.read_text(encoding="utf-8") + "\ndocuments: [letter]\n", encoding="utf-8")
        seconds = {}
        for format_ in ("docx", "pdf"):
            times = []
            for _ in range(repeats):
                with tempfile.TemporaryDirectory() as out:
                    times.append(timed([*BRIEFGEN, "build", str(brief), "-o", out, "--format", format_])[0])
            seconds[f"{format_}_s"] = round(statistics.median(times), 2)
        return seconds


def validate_seconds(repeats: int) -> float:
    """Median seconds of ``briefgen validate`` of the sample."""
    return statistics.median(timed([*BRIEFGEN, "validate", str(SAMPLE)])[0] for _ in range(repeats))


def scaling(sizes: list[int], repeats: int) -> list[dict]:
    """Build wall and CPU time and pages of synthetic briefs of each size, in ``repeats`` rounds.

    Each row has the best time of the rounds (``seconds``, ``cpu_seconds``) and the time of each
    round (``round_seconds``, ``round_cpu_seconds``). The sizes take turns, smallest first in one
    round and largest first in the next: the speed of a shared machine drifts over minutes, so
    each size is measured next to the size half as large, within a minute of it.
    """
    with tempfile.TemporaryDirectory() as folder:
        briefs = {issues: write_synthetic_brief(Path(folder), issues) for issues in sizes}
        runs: dict[int, list[tuple[float, float, int]]] = {issues: [] for issues in sizes}
        for round_number in range(repeats):
            for issues in sizes if round_number % 2 == 0 else reversed(sizes):
                runs[issues].append(build_seconds(briefs[issues], 1))
    return [{"issues": issues, "pages": measured[0][2],
             "seconds": round(min(run[0] for run in measured), 2),
             "cpu_seconds": round(min(run[1] for run in measured), 2),
             "round_seconds": [round(run[0], 2) for run in measured],
             "round_cpu_seconds": [round(run[1], 2) for run in measured]} for issues, measured in runs.items()]


def doubling(rows: list[dict]) -> list[dict]:
    """For each size that is twice another, how many times more CPU time (``ratio``) and wall time
    (``wall_ratio``) its build took: the median over the rounds of the ratio within a round."""
    by_size = {row["issues"]: row for row in rows}

    def ratio(size: int, key: str) -> float:
        return round(statistics.median(
            large / small for large, small in zip(by_size[size][key], by_size[size // 2][key])), 2)

    return [{"issues": size, "ratio": ratio(size, "round_cpu_seconds"), "wall_ratio": ratio(size, "round_seconds")}
            for size in by_size if size % 2 == 0 and size // 2 in by_size]


def paired_ratio(numerators: list[float], denominators: list[float]) -> float:
    """The median over the rounds of one command's time over the other's, measured next to it."""
    return round(statistics.median(top / bottom for top, bottom in zip(numerators, denominators)), 2)


def pandoc_reference(repeats: int) -> dict | None:
    """pandoc's time for a .docx and a PDF (WeasyPrint engine) of the sample pack's HTML, and
    briefgen's for the pack as PDF + .docx, in ``repeats`` rounds (medians; the ratio is
    :func:`paired_ratio` of briefgen's over pandoc's PDF, each round's pair run one after the other)."""
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        return None
    engine = Path(sys.executable).with_name("weasyprint")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        timed([*BRIEFGEN, "build", str(SAMPLE), "-o", str(out), "--format", "html"])
        html = out / "carney-china-2026" / "briefing-pack.html"
        brief = out / "pack-only.yaml"
        brief.write_text(SAMPLE.read_text(encoding="utf-8") + "\ndocuments: [briefing-pack]\n", encoding="utf-8")
        docx, pdf, briefgen = [], [], []
        for number in range(repeats):
            docx.append(timed([pandoc, str(html), "-o", str(out / "pandoc.docx")])[0])
            pdf.append(timed([pandoc, str(html), "-o", str(out / "pandoc.pdf"), f"--pdf-engine={engine}"])[0])
            briefgen.append(timed([*BRIEFGEN, "build", str(brief), "-o", str(out / f"b{number}"),
                                   "--format", "pdf,docx"])[0])
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"version": version, "docx_s": round(statistics.median(docx), 2), "pdf_s": round(statistics.median(pdf), 2),
            "briefgen_pack_pdf_docx_s": round(statistics.median(briefgen), 2), "ratio": paired_ratio(briefgen, pdf)}


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"


def run(quick: bool) -> dict:
    """Every scenario, as one dict."""
    repeats = 3 if quick else 5
    sample_s, _, sample_pages = build_seconds(SAMPLE, repeats)
    results = {
        "machine": machine(),
        "sample_build_s": round(sample_s, 2),
        "sample_pages": sample_pages,
        "noop_rebuild_s": round(noop_rebuild_seconds(repeats), 2),
        "edit_rebuild_s": round(edit_rebuild_seconds(repeats), 2),
        "one_document": one_document_seconds(repeats),
        "validate_s": round(validate_seconds(repeats), 2),
        "letters": letters_benchmark(naive_n=50 if quick else None),
        "scaling": scaling([10, 25, 50], 2) if quick else scaling([10, 50, 100, 200], 5),
        "pandoc": pandoc_reference(repeats),
    }
    results["doubling"] = doubling(results["scaling"])
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results["peak_rss_mb"] = round(max(children_mb, results["letters"].get("peak_rss_mb", 0)), 1)
    return results


def table(results: dict) -> str:
    """The results as the Markdown table the README carries."""
    letters = results["letters"]
    rows = [
        ("`briefgen build` of the sample: 4 documents, PDF + .docx (median)",
         f"{results['sample_build_s']} s ({results['sample_pages']} pages)"),
        ("unchanged rebuild of the sample (median)", f"{results['noop_rebuild_s']} s"),
        ("rebuild of the sample after a one-word edit of the letter (median)", f"{results['edit_rebuild_s']} s"),
        ("the letter alone, .docx only (median)", f"{results['one_document']['docx_s']} s"),
        ("the letter alone, PDF only (median)", f"{results['one_document']['pdf_s']} s"),
        ("`briefgen validate` of the sample (median)", f"{results['validate_s']} s"),
        (f"`briefgen letters`: {letters['n']} letters, PDF + e-mail draft each",
         f"{letters['ms_per_letter']} ms per letter"),
        ("the naive way: one WeasyPrint render per letter, one process",
         f"{letters['naive_ms_per_letter']} ms per letter"),
    ]
    rows += [(f"synthetic brief of {row['issues']} issues, 4 documents, PDF + .docx (best run)",
              f"{row['seconds']} s, {row['cpu_seconds']} s of CPU ({row['pages']} pages)")
             for row in results["scaling"]]
    rows += [(f"{row['issues']} issues against {row['issues'] // 2}: CPU time ratio (wall time ratio)",
              f"{row['ratio']}× ({row['wall_ratio']}×)") for row in results["doubling"]]
    if results["pandoc"]:
        pandoc = results["pandoc"]
        rows += [(f"{pandoc['version']}: the pack's HTML to .docx (median)", f"{pandoc['docx_s']} s"),
                 (f"{pandoc['version']}: the pack's HTML to PDF (WeasyPrint engine, median)", f"{pandoc['pdf_s']} s"),
                 ("briefgen: the pack to PDF + .docx, same rounds (median)",
                  f"{pandoc['briefgen_pack_pdf_docx_s']} s "
                  f"({pandoc['ratio']:.2f}× pandoc's PDF alone, median of the rounds' ratios)")]
    rows.append(("peak memory of any process", f"{results['peak_rss_mb']} MB"))
    return "\n".join(["| figure | value |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)])


def main() -> None:
    """Run the scenarios and print a table, or one JSON object with --json."""
    parser = argparse.ArgumentParser(description="briefgen benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args()
    results = run(options.quick)
    print(json.dumps(results) if options.json else f"Machine: {results['machine']}\n\n{table(results)}")


if __name__ == "__main__":
    main()
