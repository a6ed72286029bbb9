"""A value that crosses to another process pickled on its own, unpickled there only when asked for.

A build's brief is loaded and checked in a child process while the parent imports WeasyPrint;
the parent then lays out the documents from their HTML and a few facts of the brief
(:class:`~briefgen.model.facts.BriefFacts`). The brief's typed model comes back to it as a
:class:`Shipped`: unpickling the model imports pydantic and the model's modules, a tenth of a
second on the parent's path to its first page, which only an error to locate or the API's
result needs.
"""

from __future__ import annotations

import pickle
from typing import Generic, TypeVar

T = TypeVar("T")


class Shipped(Generic[T]):
    """``value``, pickled on its own when this is pickled, and unpickled in the process that
    receives it only when :meth:`get` first asks for it."""

    def __init__(self, value: T):
        self._value: T | None = value
        self._pickled: bytes | None = None

    def __getstate__(self) -> bytes:
        return self._pickled if self._pickled is not None else pickle.dumps(self._value, pickle.HIGHEST_PROTOCOL)

    def __setstate__(self, pickled: bytes) -> None:
        self._value, self._pickled = None, pickled

    def get(self) -> T:
        """The value, unpickled the first time it is asked for in a process that received it."""
        if self._pickled is not None:
            self._value, self._pickled = pickle.loads(self._pickled), None
        return self._value  # type: ignore[return-value]
