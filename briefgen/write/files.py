"""Write finished documents into the output folder: all of them, or none.

Every file is first written in full to a temporary folder beside the output; only when
all are written are they renamed into place (a rename within one file system cannot
leave half a file). A failure before that, a full disk or Ctrl-C, leaves the earlier
outputs exactly as they were and removes the temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_all(output_dir: Path, files: list[tuple[Path, bytes]]) -> list[Path]:
    """Write each ``(relative path, data)`` under ``output_dir``; return the paths written."""
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_dir, prefix=".briefgen-"))
    try:
        for relative, data in files:
            staged = staging / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            with staged.open("wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        written = []
        for relative, _ in files:
            target = output_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)

