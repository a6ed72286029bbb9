"""Limits on one render of a template: how long it may run, and how much it may make and use.

A theme can come from anyone, and Jinja has loops: without limits, a template could keep
``briefgen build`` busy for ever or fill the memory, and ``briefgen serve`` would stop
following the edits. One render (compiling the template and running it) may:

- run for at most :data:`TIME_LIMIT_SECONDS`;
- render at most :data:`MAX_CHARACTERS` characters of HTML, and make no single text or
  list longer than that, nor a number of more than :data:`MAX_DIGITS` digits: ``"x" *
  10**9``, a ``replace`` or a ``join`` that would is refused before it is made;
- grow the process by at most :data:`MAX_MEMORY_BYTES`, looked at every :data:`POLL_SECONDS`
  (where the system says how much memory a process uses: Linux's ``/proc``).

A 200-issue briefing pack, the largest document the benchmarks make, renders about 560,000
characters of HTML in under a second: the limits are far above any real document and
are reached only by a loop that runs too many times or a text that grows without bound.

**How a render is stopped.** Sizes are checked where the values are made: in the
sandbox's intercepted operators, its calls, and the ``replace`` and ``join`` filters.
Time and memory cannot be checked there, since a loop over a list of the context calls
nothing that Jinja's sandbox sees. They are watched from outside, by one watchdog thread per
process (started when a render begins, gone when none is left), which raises
:class:`~briefgen.errors.RenderInterrupted` in the rendering thread through
``PyThreadState_SetAsyncExc``. That works in whichever thread renders: the main thread of
``build`` and ``letters`` (and of their worker processes) and the watcher thread of
``serve``, where a signal such as ``SIGALRM`` would reach only the main thread. The
exception arrives between two bytecodes of the rendering thread, so one step of C code
finishes first: stopping a single step that would make gigabytes is what the size checks
are for. A step they do not know (``center(10**9)``) is made, then stopped by the memory
limit; one that cannot be made at all fails for want of memory, and is reported so.

**Races.** The watchdog raises at most once per render, and only while the render is
registered; the render unregisters under the same lock when it ends and cancels an
exception raised but not yet delivered. Wherever the exception arrives (in the template,
in Jinja, or while the render unregisters) it becomes the same
:class:`~briefgen.errors.TemplateLimitError`; being a ``BaseException``, it is not
swallowed by an ``except Exception`` on the way. An interrupted render may leave Jinja's
template cache half updated, so :mod:`briefgen.render.html` starts a new environment after one.

The limits are module constants read at each render. Tests lower them in-process through
the library API (``monkeypatch.setattr(limits, "TIME_LIMIT_SECONDS", 0.5)``) rather than
through an environment variable: the limits are no setting of briefgen's, and nothing
outside the code can lift them.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from briefgen.errors import RenderInterrupted, TemplateLimitError

#: Longest one template may render; a 200-issue briefing pack takes under a second.
TIME_LIMIT_SECONDS = 20.0
#: Most characters of HTML one render may make, and of any one text (or items of a list) in it;
#: a 200-issue briefing pack has about 560,000, and WeasyPrint would lay 20 million out for hours.
MAX_CHARACTERS = 20_000_000
#: Most digits of a number: Python itself prints no longer integer (sys.get_int_max_str_digits).
MAX_DIGITS = 4_300
#: Most memory one render may add to the process; a 200-issue pack needs well under 100 MB.
MAX_MEMORY_BYTES = 1 << 30
#: How often the watchdog looks at the renders it watches. Each look takes the interpreter's lock
#: from the render for a moment: four times a second costs nothing measurable, and a text growing
#: at a gigabyte a second is stopped within a quarter of a gigabyte over the limit.
POLL_SECONDS = 0.25

_LOOP = "look for a loop that runs too many times"
_GROWTH = "look for a text, a list or a number that grows without bound"


def _check(size: int, limit: int, made: str, unit: str) -> None:
    if size > limit:
        raise TemplateLimitError(f"makes {made} of {size:,} {unit}, more than the {limit:,} a template may make: "
                                 f"{_GROWTH}")


def _check_text(size: int, kind: str = "text") -> None:
    _check(size, MAX_CHARACTERS, f"a {kind}", "characters" if kind == "text" else "items")


def _digits(number: int) -> int:
    return int(abs(number).bit_length() * math.log10(2)) + 1


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left operator right`` when its result would be over a limit."""
    if isinstance(left, int) and isinstance(right, int):
        if operator == "*":
            digits = _digits(left) + _digits(right)
        elif right > 0 and abs(left) > 1:
            digits = int(right * math.log10(abs(left))) + 1
        else:
            return
        _check(digits, MAX_DIGITS, "a number", "digits")
    elif operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                _check_text(len(sequence) * count, "text" if isinstance(sequence, str) else "list")


def _check_replace(text: str, old: str, new: str, count: Any = None) -> None:
    occurrences = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    _check_text(len(text) + occurrences * (len(new) - len(old)))


def _check_join(separator: str, items: list) -> None:
    _check_text(sum(len(str(item)) for item in items) + len(separator) * max(len(items) - 1, 0))


def _limited_replace(replace: Callable) -> Callable:
    @functools.wraps(replace)  # keeps Jinja's pass_eval_context mark
    def limited(eval_ctx, value, old, new, count=None):
        _check_replace(str(value), str(old), str(new), count)
        return replace(eval_ctx, value, old, new, count)

    return limited


def _limited_join(join: Callable) -> Callable:
    @functools.wraps(join)
    def limited(eval_ctx, value, d="", attribute=None):
        items = list(value)
        if attribute is None:
            _check_join(str(d), items)
        return join(eval_ctx, items, d, attribute)

    return limited


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox that refuses, before making it, a text, a list or a number
    over the limits: through ``*`` and ``**``, the ``replace`` and ``join`` filters, and
    the ``replace`` and ``join`` methods of a text."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.filters["replace"] = _limited_replace(self.filters["replace"])
        self.filters["join"] = _limited_join(self.filters["join"])

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        """``left operator right``, refused when its result would be over a limit."""
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Call ``__obj`` from the template, refusing a text's ``replace`` or ``join`` that would be too long."""
        text = getattr(__obj, "__self__", None)
        if isinstance(text, str) and not kwargs:
            name = getattr(__obj, "__name__", None)
            if name == "replace" and len(args) >= 2:
                _check_replace(text, str(args[0]), str(args[1]), args[2] if len(args) > 2 else None)
            elif name == "join" and len(args) == 1:
                args = (list(args[0]),)
                _check_join(text, args[0])
        return super().call(__context, __obj, *args, **kwargs)


def _memory_in_use() -> int | None:
    """The resident memory of this process in bytes, where the system tells (Linux); else None."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class _Render:
    """One render the watchdog watches: its thread, its deadline, the memory in use when it began,
    and why the watchdog stopped it (None while it has not)."""

    thread_id: int
    deadline: float
    memory_at_start: int | None
    stopped: str | None = None

    def over_limit(self, now: float, memory: int | None) -> str | None:
        """Why the render must stop now, or None."""
        if now > self.deadline:
            return (f"still rendering after {TIME_LIMIT_SECONDS:g} seconds, the most a template may take "
                    f"(a 200-issue briefing pack takes under a second): {_LOOP}")
        if memory is not None and self.memory_at_start is not None \
                and memory - self.memory_at_start > MAX_MEMORY_BYTES:
            return f"used more than {MAX_MEMORY_BYTES >> 20:,} MB of memory, the most a template may use: {_GROWTH}"
        return None


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise ``exception`` in thread ``thread_id`` at its next bytecode; None cancels one not yet raised."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exception) if exception else None)


class _Watchdog:
    """The thread that stops renders past their time or memory limit (see the module's docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._renders: dict[int, _Render] = {}
        self._thread: threading.Thread | None = None

    def watch(self, render: _Render) -> None:
        """Watch ``render``, starting the watchdog's thread when it is not running."""
        with self._lock:
            self._renders[render.thread_id] = render
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="briefgen-render-watchdog", daemon=True)
                self._thread.start()

    def unwatch(self, render: _Render) -> None:
        """Stop watching ``render``, cancelling an interruption raised but not yet delivered."""
        with self._lock:
            if self._renders.get(render.thread_id) is render:
                del self._renders[render.thread_id]
            if render.stopped:
                _raise_in(render.thread_id, None)

    def _run(self) -> None:
        while True:
            time.sleep(POLL_SECONDS)
            with self._lock:
                if not self._renders:
                    # Gone when idle: no thread left running in a process that forks its workers.
                    self._thread = None
                    return
                now, memory = time.monotonic(), _memory_in_use()
                for render in self._renders.values():
                    if render.stopped is None:
                        render.stopped = render.over_limit(now, memory)
                        if render.stopped:
                            _raise_in(render.thread_id, RenderInterrupted)


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    # A forked worker has none of the parent's threads: its watchdog starts afresh, lock included.
    os.register_at_fork(after_in_child=_WATCHDOG.__init__)


def _joined(chunks: Iterator[str]) -> str:
    """The chunks of a template's output joined, stopped at :data:`MAX_CHARACTERS`."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_CHARACTERS:
            # Raised at the template's own line: the generator is paused where the chunk came from.
            chunks.throw(TemplateLimitError(
                f"renders more than {MAX_CHARACTERS:,} characters of HTML, the most a document may have "
                f"(a 200-issue briefing pack has about 560,000): {_LOOP}"))
        parts.append(chunk)
    return "".join(parts)


def render_limited(environment: jinja2.Environment, template_name: str, context: dict[str, Any]) -> str:
    """Compile (when needed) and render ``template_name`` of ``environment`` with ``context``,
    within the limits of this module.

    Raises :class:`~briefgen.errors.TemplateLimitError` for a render past a limit, whose
    traceback leads to the template's line where it stopped, and the errors of the template.
    """
    render = _Render(threading.get_ident(), time.monotonic() + TIME_LIMIT_SECONDS, _memory_in_use())
    try:
        try:
            _WATCHDOG.watch(render)
            return _joined(environment.get_template(template_name).generate(context))
        finally:
            _WATCHDOG.unwatch(render)
    except RenderInterrupted:
        _WATCHDOG.unwatch(render)
        try:
            environment.handle_exception()  # the traceback rewritten: its frames name the template's lines
        except RenderInterrupted as rewritten:
            raise TemplateLimitError(render.stopped).with_traceback(rewritten.__traceback__) from None
    except MemoryError as error:
        raise TemplateLimitError(f"ran out of memory: {_GROWTH}").with_traceback(error.__traceback__) from None
