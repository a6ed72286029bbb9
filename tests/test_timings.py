"""The stage timer: ``build --timings`` and ``BRIEFGEN_TIMINGS=1`` print how long each stage
took, in the parent and in the workers, after the command's own output; off, nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import LETTER_BRIEF, run_briefgen

ROW = re.compile(r"^  (.+?)\s+(\d+\.\d{3})$")


def rows(stderr: str) -> dict[str, float]:
    """The stages of a timings table and their seconds."""
    table = stderr[stderr.index("timings (seconds):\n"):].splitlines()[1:]
    return {match[1]: float(match[2]) for match in map(ROW.match, table) if match}


def test_build_timings_list_every_stage_and_each_documents_own(tmp_path: Path) -> None:
    result = run_briefgen("build", str(LETTER_BRIEF), "-o", str(tmp_path), "--format", "pdf,docx", "--jobs", "2",
                          "--timings")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("timings (seconds):\n")
    stages = rows(result.stderr)
    # The HTML of every document is made in one process (the one that loads the brief), before the workers
    # lay them out.
    assert [stage for stage in stages if stage.endswith(": HTML")] == [
        f"{document}: HTML" for document in ("briefing-pack", "delegation-pack", "leave-behind", "letter")]
    assert [stage for stage in stages if not stage.endswith(": HTML")][:7] == [
        "start-up: interpreter and imports", "look for an unchanged build", "load and validate the brief",
        "compare with the last build", "glyph check", "import WeasyPrint and python-docx, side by side with the above",
        "render 4 documents (2 processes)"]
    for document in ("briefing-pack", "delegation-pack", "leave-behind", "letter"):
        assert {f"{document}: layout", f"{document}: PDF", f"{document}: .docx"} <= set(stages)
    assert list(stages)[-2:] == ["write the files", "total from the command line"]
    assert 0 < stages["start-up: interpreter and imports"] < stages["total from the command line"] + 10
    # The documents' stages ran inside the render stage, in the workers.
    assert stages["letter: layout"] <= stages["render 4 documents (2 processes)"]


def test_the_environment_variable_times_any_command_and_without_it_nothing_is_printed(tmp_path: Path) -> None:
    timed = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(LETTER_BRIEF)], capture_output=True,
                           text=True, env={**os.environ, "BRIEFGEN_TIMINGS": "1"})
    assert timed.returncode == 0, timed.stderr
    assert list(rows(timed.stderr)) == ["start-up: interpreter and imports", "total from the command line"]
    quiet = run_briefgen("validate", str(LETTER_BRIEF))
    assert "timings" not in quiet.stderr
