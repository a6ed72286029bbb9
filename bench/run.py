"""Benchmarks of briefgen, whole process, as a user runs it.

Usage: python bench/run.py [--quick] [--json]

Scenarios:
- sample_build_s: `briefgen build` of the sample brief, all documents, PDF and .docx,
  median of 5 runs (3 with --quick), each into a fresh output folder.
- peak_rss_mb: the largest peak resident memory of any run (of the child processes).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "carney-china-2026.yaml"


def timed_run(arguments: list[str]) -> float:
    """Seconds one child process takes; fails loudly if it fails."""
    start = time.perf_counter()
    subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def sample_build_seconds(repeats: int) -> float:
    """Median seconds of a whole-process build of the sample into a fresh folder."""
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            times.append(timed_run([sys.executable, "-m", "briefgen", "build", str(SAMPLE), "-o", out,
                                    "--format", "pdf,docx"]))
    return statistics.median(times)


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    import os
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    """Run the scenarios and print a table, or one JSON object with --json."""
    parser = argparse.ArgumentParser(description="briefgen benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args()
    results = {
        "machine": machine(),
        "sample_build_s": round(sample_build_seconds(3 if options.quick else 5), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }
    if options.json:
        print(json.dumps(results))
        return
    print(f"machine: {results['machine']}")
    print("| figure | value |\n|---|---|")
    print(f"| `briefgen build` of the sample, 4 documents × PDF + .docx (median) | {results['sample_build_s']} s |")
    print(f"| peak memory of any run | {results['peak_rss_mb']} MB |")


if __name__ == "__main__":
    main()
