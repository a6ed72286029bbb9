"""Worker processes for the slow, single-core work: laying out PDFs side by side.

``briefgen build`` lays out its documents and ``briefgen letters`` its batches of letters
in the same kind of pool: forked where the system can (so that workers start with
WeasyPrint imported), Ctrl-C left to the parent, and every worker stopped and waited for
when the pool is left, whether the work finished or failed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.context
import signal
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import Pool
from typing import Any


def worker_context() -> multiprocessing.context.BaseContext:
    """Fork where the system has it: workers then start with WeasyPrint already imported
    (about a second each otherwise)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def ignore_interrupts() -> None:
    """A worker's initializer: Ctrl-C is the parent's to handle, which stops the workers and reports once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def worker_pool(workers: int, initializer: Callable[[], None] = ignore_interrupts,
                maxtasksperchild: int | None = None) -> Iterator[Pool | None]:
    """``workers`` processes, or None when one would do (the caller then works alone).

    ``initializer`` must leave Ctrl-C to the parent, as :func:`ignore_interrupts` does.
    Leaving the context terminates the workers and waits for them.
    """
    if workers <= 1:
        yield None
        return
    pool = worker_context().Pool(workers, initializer=initializer, maxtasksperchild=maxtasksperchild)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def run_jobs(pool: Pool | None, function: Callable[[Any], Any], jobs: Iterable[Any], *,
             ordered: bool = True) -> Iterator[Any]:
    """``function`` of each job, in ``pool`` when there is one, in this process otherwise;
    in the jobs' order, or with ``ordered=False`` as they finish."""
    if pool is None:
        return map(function, jobs)
    if ordered:
        return iter(pool.map(function, jobs, chunksize=1))
    return pool.imap_unordered(function, jobs)
