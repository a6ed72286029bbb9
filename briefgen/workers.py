"""Worker processes for the slow, single-core work: laying out PDFs side by side."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import signal


def worker_context() -> multiprocessing.context.BaseContext:
    """Fork where the system has it: workers then start with WeasyPrint already imported
    (about a second each otherwise)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def ignore_interrupts() -> None:
    """A worker's initializer: Ctrl-C is the parent's to handle, which stops the workers and reports once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
