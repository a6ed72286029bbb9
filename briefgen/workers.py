"""Worker processes for the slow, single-core work: laying out PDFs side by side.

``briefgen build`` lays out its documents and ``briefgen letters`` its batches of letters in
:class:`Workers`: forked children (so that they start with WeasyPrint imported), each with a
pipe of its own to take jobs and one to give results, and nothing else shared with the
parent or with each other. So that a command can always stop and clean up after itself:

- Ctrl-C is the parent's: the workers ignore it, the parent stops them;
- stopping them is ``SIGKILL`` and waiting for each: no lock a worker held can keep the
  parent waiting (as one held by a worker killed inside ``multiprocessing.Pool`` can), and
  once :meth:`Workers.stop` returns no worker writes anything more;
- a worker dies with its parent (Linux's ``PR_SET_PDEATHSIG``), so a parent killed with
  ``SIGKILL`` leaves no worker behind;
- a worker that dies in a job fails the command with a message, never a hang.

Where the system cannot fork, the jobs run in the parent, one after another.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

from briefgen.errors import BuildError, RemoteTraceback

_PR_SET_PDEATHSIG = 1
#: The workers of this process that are not stopped yet.
_RUNNING: list[Workers] = []


def cores() -> int:
    """The processor cores this process may run on (a container's or ``taskset``'s share, not the
    machine's), at least one."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can be forked here (they then start with what the parent imported)."""
    return hasattr(os, "fork")


class _Worker:
    """One forked child: its pid, its pipes, and the job it is doing."""

    def __init__(self, pid: int, jobs: Connection, results: Connection):
        self.pid = pid
        self.jobs = jobs
        self.results = results
        self.job: int | None = None
        self.done = 0


class Workers:
    """``count`` worker processes, started at once; use as a context manager, which stops them.

    ``initializer`` runs in each worker as it starts (e.g. an import). With ``one_job_each``,
    a worker ends after one job and a new one takes the next: the system then frees a long
    document's memory at once.
    """

    def __init__(self, count: int, initializer: Callable[[], None] | None = None, *, one_job_each: bool = False):
        self.initializer = initializer
        self.one_job_each = one_job_each
        self.workers: list[_Worker] = []
        # Known before any is forked, so that Ctrl-C at any moment stops them (see stop_all).
        _RUNNING.append(self)
        try:
            for _ in range(count):
                self.workers.append(self._start())
        except BaseException:
            self.stop()
            raise

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exception) -> None:
        self.stop()

    def _start(self) -> _Worker:
        parent = os.getpid()
        job_reader, job_writer = Pipe(duplex=False)
        result_reader, result_writer = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                job_writer.close()
                result_reader.close()
                for worker in self.workers:
                    worker.jobs.close()
                    worker.results.close()
                _become_worker(parent)
                if self.initializer:
                    self.initializer()
                code = _serve(job_reader, result_writer, self.one_job_each)
            finally:
                os._exit(code)
        job_reader.close()
        result_writer.close()
        return _Worker(pid, job_writer, result_reader)

    def run(self, function: Callable[[Any], Any], jobs: Iterable[Any], *, ordered: bool = True) -> Iterator[Any]:
        """``function`` of each job, in the workers, in the jobs' order or, with
        ``ordered=False``, as they finish. An exception of a job is raised here, in the parent."""
        pending = list(enumerate(jobs))
        pending.reverse()
        finished: dict[int, Any] = {}
        next_to_give = 0
        total = len(pending)
        while next_to_give < total:
            for worker in self.workers:
                if worker.job is None and pending:
                    index, job = pending.pop()
                    worker.jobs.send_bytes(pickle.dumps((function, job), pickle.HIGHEST_PROTOCOL))
                    worker.job = index
            busy = {worker.results: worker for worker in self.workers if worker.job is not None}
            for connection in wait(list(busy)):
                worker = busy[connection]
                finished[worker.job] = self._result(worker)
                worker.job = None
                if self.one_job_each:
                    self._replace(worker)
            if ordered:
                while next_to_give in finished:
                    yield finished.pop(next_to_give)
                    next_to_give += 1
            else:
                for index in sorted(finished):
                    yield finished.pop(index)
                    next_to_give += 1

    def _result(self, worker: _Worker) -> Any:
        try:
            outcome, value, remote = pickle.loads(worker.results.recv_bytes())
        except (EOFError, OSError):
            _, status = os.waitpid(worker.pid, 0)
            worker.pid = 0
            how = (f"was killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                   else f"ended with exit status {os.WEXITSTATUS(status)}")
            raise BuildError(f"a worker process {how} while it was laying out; nothing was written. "
                             "If the machine is short of memory, run again with fewer at a time "
                             "(letters: --jobs 1)") from None
        if outcome == "error":
            raise value from RemoteTraceback(remote)
        return value

    def _replace(self, worker: _Worker) -> None:
        position = self.workers.index(worker)
        _reap(worker)
        self.workers[position] = self._start()

    def stop(self) -> None:
        """Kill every worker and wait for it; afterwards no worker runs or writes."""
        for worker in self.workers:
            if worker.pid:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for worker in self.workers:
            _reap(worker)
        self.workers = []
        with contextlib.suppress(ValueError):
            _RUNNING.remove(self)


class Pending:
    """``function(job)`` running in a forked child while this process goes on; :meth:`result`
    waits for it. Made by :func:`in_child`."""

    def __init__(self, function: Callable[[Any], Any], job: Any):
        self._workers = Workers(1, one_job_each=True)
        worker = self._workers.workers[0]
        try:
            worker.jobs.send_bytes(pickle.dumps((function, job), pickle.HIGHEST_PROTOCOL))
        except BaseException:
            self._workers.stop()
            raise
        worker.job = 0

    def result(self) -> Any:
        """The job's result, or its exception raised here; the child is stopped either way."""
        try:
            return self._workers._result(self._workers.workers[0])
        finally:
            self._workers.stop()


class Conversation(Pending):
    """``function(job, channel)`` running in a forked child, which exchanges messages with this
    process on the way: :meth:`send` and :meth:`receive` here, ``channel.send`` and
    ``channel.recv`` there (a :class:`~multiprocessing.connection.Connection`); :meth:`result`
    waits for what the function returns. Made by :func:`in_child_talking`."""

    def __init__(self, function: Callable[[Any, Connection], Any], job: Any):
        self._channel, child_channel = Pipe()
        _CHILD_CHANNEL[:] = [child_channel, self._channel]
        try:
            super().__init__(_talk, (function, job))
        finally:
            _CHILD_CHANNEL.clear()
            child_channel.close()

    def send(self, message: Any) -> None:
        """Give the child ``message``; if the child has ended, raise what :meth:`result` raises."""
        try:
            self._channel.send(message)
        except OSError:
            self.result()
            raise

    def receive(self) -> Any:
        """The child's next message; if the child ended first, what :meth:`result` gives: the
        child's exception raised here, or its return value."""
        try:
            return self._channel.recv()
        except (EOFError, OSError):
            return self.result()

    def result(self) -> Any:
        """The function's return value, or its exception raised here; the child is stopped either way."""
        try:
            return super().result()
        finally:
            self._channel.close()

    def stop(self) -> None:
        """Stop the child now, whatever it is doing."""
        self._workers.stop()
        self._channel.close()


#: The child's end and this process's end of the channel of the :class:`Conversation` being
#: started, for :func:`_talk` in the child.
_CHILD_CHANNEL: list[Connection] = []


def _talk(job: tuple[Callable[[Any, Connection], Any], Any]) -> Any:
    function, real_job = job
    channel, parents_end = _CHILD_CHANNEL
    parents_end.close()  # so that the child's channel ends when the parent's does
    return function(real_job, channel)


def in_child_talking(function: Callable[[Any, Connection], Any], job: Any) -> Conversation | None:
    """:func:`in_child` for a ``function(job, channel)`` that talks with this process while it
    runs (see :class:`Conversation`); None where the system cannot fork."""
    return Conversation(function, job) if can_fork() else None


def in_child(function: Callable[[Any], Any], job: Any) -> Pending | None:
    """``function(job)`` started in a child forked now, or None where the system cannot fork
    (the caller then calls it itself). The child is a worker as :class:`Workers` makes them:
    Ctrl-C and cleaning up are the parent's."""
    return Pending(function, job) if can_fork() else None


def stop_all() -> None:
    """Stop every worker of this process: the command line's last word after Ctrl-C or a failure,
    wherever they came (even before a ``with`` took the workers)."""
    for workers in list(_RUNNING):
        workers.stop()


def _reap(worker: _Worker) -> None:
    for connection in (worker.jobs, worker.results):
        connection.close()
    if worker.pid:
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass
        worker.pid = 0


def _become_worker(parent: int) -> None:
    """Leave Ctrl-C to the parent, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _serve(jobs: Connection, results: Connection, one_job: bool) -> int:
    """A worker's life: do each job it is given until the parent closes its pipe."""
    while True:
        try:
            function, job = pickle.loads(jobs.recv_bytes())
        except EOFError:
            return 0
        try:
            reply = ("ok", function(job), "")
        except BaseException as error:  # a job's failure is the parent's to report
            reply = ("error", error, "".join(traceback.format_exception(error)))
        try:
            data = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an exception that does not pickle is reported as the bug it is
            data = pickle.dumps(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} "
                                                       f"(and it could not be passed on: {error})"), reply[2]))
        results.send_bytes(data)
        if one_job:
            return 0


@contextlib.contextmanager
def worker_pool(count: int, initializer: Callable[[], None] | None = None, *,
                one_job_each: bool = False) -> Iterator[Workers | None]:
    """:class:`Workers`, or None when one process would do (the caller then works alone)."""
    if count <= 1 or not can_fork():
        yield None
        return
    with Workers(count, initializer, one_job_each=one_job_each) as workers:
        yield workers


@contextlib.contextmanager
def stopped_on_failure(workers: Workers | None) -> Iterator[None]:
    """Stop ``workers`` as soon as the block fails, before whatever encloses it cleans up
    (the staging folder they write into)."""
    try:
        yield
    except BaseException:
        if workers is not None:
            workers.stop()
        raise


def run_jobs(workers: Workers | None, function: Callable[[Any], Any], jobs: Iterable[Any], *,
             ordered: bool = True) -> Iterator[Any]:
    """``function`` of each job, in ``workers`` when there are some, in this process otherwise."""
    if workers is None:
        return map(function, jobs)
    return workers.run(function, jobs, ordered=ordered)
