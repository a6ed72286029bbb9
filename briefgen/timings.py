"""How long each stage of a command takes, printed on stderr when asked for.

``briefgen build --timings``, or ``BRIEFGEN_TIMINGS=1`` for any command, prints a table
after the command: the process's start-up (the interpreter and the imports, until the
command line is read), then each stage in the order it ran. A document laid out in a
worker reports its own stages (HTML, layout, PDF, .docx), which the parent prints under
the document's name: they are that worker's time, spent side by side with the others',
so they add up to more than the wall time of the stage that ran them. A build that makes PDFs
loads the brief and renders its HTML in a child process while it imports WeasyPrint: the
import's row says it ran side by side with the stages above it.

Off, a stage costs one test of a flag.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

_on = os.environ.get("BRIEFGEN_TIMINGS") == "1"
#: (stage, seconds), in the order the stages ended.
_recorded: list[tuple[str, float]] = []
#: When the command line began to be read: the end of the start-up.
_started: float | None = None


def turn_on() -> None:
    """Record and print the timings of this command."""
    global _on
    _on = True


def enabled() -> bool:
    """Whether timings are recorded."""
    return _on


def command_started() -> None:
    """Mark the end of the start-up: the command line is being read."""
    global _started
    _started = time.perf_counter()


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as the stage ``name``."""
    if not _on:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        _recorded.append((name, time.perf_counter() - start))


def mark() -> int:
    """Where the stages recorded from now on start (see :func:`since`)."""
    return len(_recorded)


def since(start: int) -> list[tuple[str, float]]:
    """The stages recorded since ``start``, taken out of this process's record (a worker sends
    them to its parent, which records them under the document's name with :func:`add`)."""
    taken = _recorded[start:]
    del _recorded[start:]
    return taken


def add(prefix: str | None, stages: list[tuple[str, float]]) -> None:
    """Record ``stages`` of another process (or of a part), each named ``prefix: stage``, or as
    named when ``prefix`` is None."""
    if _on:
        _recorded.extend((name if prefix is None else f"{prefix}: {name}", seconds) for name, seconds in stages)


def _start_up() -> float | None:
    """Seconds from the process's start to :func:`command_started`, from Linux's /proc (None elsewhere)."""
    try:
        fields = open("/proc/self/stat", encoding="ascii").read().rpartition(")")[2].split()
        uptime = float(open("/proc/uptime", encoding="ascii").read().split()[0])
    except OSError:
        return None
    # Field 22 of stat (the 20th after the command's name) is the start, in clock ticks since boot.
    started_at = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return uptime - started_at - (time.perf_counter() - _started) if _started is not None else None


def report() -> str:
    """The table of what was recorded, one stage a line, seconds to the millisecond."""
    rows = []
    start_up = _start_up()
    if start_up is not None:
        rows.append(("start-up: interpreter and imports", max(start_up, 0.0)))
    rows += _recorded
    if _started is not None:
        rows.append(("total from the command line", time.perf_counter() - _started))
    width = max((len(name) for name, _ in rows), default=0)
    return "\n".join(["timings (seconds):", *(f"  {name:<{width}}  {seconds:7.3f}" for name, seconds in rows)])
