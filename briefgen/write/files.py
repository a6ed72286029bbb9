"""Write finished files into the output folder: all of them, or none.

Every file is first written in full to a staging folder beside the output; only when
all are written are they renamed into place (a rename within one file system cannot
leave half a file). A failure before that, a full disk or Ctrl-C, leaves the earlier
outputs exactly as they were and removes the staging folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class Staging:
    """A staging folder in ``output_dir``, removed when the ``with`` block ends.

    Files go in with :meth:`write` (or straight into :attr:`path`, from worker processes)
    and into place with :meth:`commit`. Leaving the block with an exception discards them,
    and the output folder too if the staging made it and it is empty.
    """

    def __init__(self, output_dir: Path, prefix: str = ".briefgen-"):
        self.output_dir = output_dir
        self._created = not output_dir.exists()
        output_dir.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(dir=output_dir, prefix=prefix))

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if kind is not None and self._created:
            try:
                self.output_dir.rmdir()
            except OSError:
                pass  # something was moved into it before the failure: it stays

    def write(self, relative: Path | str, data: bytes, *, sync: bool = True) -> None:
        """Write ``data`` at ``relative`` in the staging folder; with ``sync``, wait until it is on disk."""
        staged = self.path / relative
        staged.parent.mkdir(parents=True, exist_ok=True)
        with staged.open("wb") as stream:
            stream.write(data)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())

    def commit(self, target: Path, relatives: list[Path] | None = None) -> list[Path]:
        """Move the staged files (``relatives``, default all of them by name) to the same
        places under ``target``; return where they went."""
        if relatives is None:
            relatives = sorted(path.relative_to(self.path) for path in self.path.rglob("*") if path.is_file())
        written = []
        for relative in relatives:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path / relative, destination)
            written.append(destination)
        return written


def write_all(output_dir: Path, files: list[tuple[Path, bytes]]) -> list[Path]:
    """Write each ``(relative path, data)`` under ``output_dir``; return the paths written."""
    with Staging(output_dir) as staging:
        for relative, data in files:
            staging.write(relative, data)
        return staging.commit(output_dir, [relative for relative, _ in files])
