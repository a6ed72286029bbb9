"""Write a command's files into its output folder: all of them or none, even when it is killed.

A command writes its new files in full into a staging folder beside the output (in the
folder given with ``-o``, so on the same file system). Then the folder's new state is made
there: the new files, and a hard link to every file of the current folder that stays (the
user's own files, the outputs of other languages, the letters folder inside a brief's).
One ``rename(2)`` with ``RENAME_EXCHANGE`` swaps the two folders: a reader finds the old
folder or the new one, never a mix, and a process killed at any moment leaves one of
them whole. What is left in the staging place (the old folder after the swap, or a staging
folder never swapped) is removed by the command or, if it was killed, by the next one that
writes in the same ``-o`` folder: a staging folder belongs to the process that holds the
lock of its lock file, so a folder no process holds is left over.

Two commands that write into the same brief's folder (``build`` and ``letters``) make their
swap one after the other, under a lock of that folder. Ctrl-C during a swap takes effect
once the swap is done. Where the file system cannot swap folders (``RENAME_EXCHANGE`` is
Linux's, on local file systems), the new files are renamed into place one by one, each of
them whole.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from briefgen.errors import BriefgenError, OutputError, UsageError

STAGING_PREFIX = ".briefgen-staging-"
#: The staging folders of this process that are not removed yet.
_UNFINISHED: list[Staging] = []
LOCK_SUFFIX = ".lock"
#: How long a command waits for another one to finish swapping the same folder.
LOCK_WAIT_SECONDS = 120
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


def output_error(error: OSError, where: Path | str) -> BriefgenError:
    """The message for ``error``, met while writing into the folder ``where`` (as the user named
    it): what happened and what to do."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"{where}: no space left on the disk; nothing was written: free some space, or "
                           "write elsewhere with -o")
    if error.errno == errno.EROFS:
        return OutputError(f"{where}: the file system is read-only; nothing was written: write elsewhere with -o")
    if error.errno in (errno.EACCES, errno.EPERM):
        return OutputError(f"{where}: permission denied; nothing was written: write into a folder of yours "
                           "with -o")
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return UsageError(f"{where}: a file is in the way of the output folder; nothing was written: "
                          "choose another folder with -o")
    if error.errno == errno.EFBIG:
        return OutputError(f"{where}: the file is too large for this file system (or for this process's "
                           "limit); nothing was written")
    return OutputError(f"{where}: cannot write ({error.strerror}); nothing was written")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an :class:`OSError` met while writing at ``path`` into its message (:func:`output_error`)."""
    try:
        yield
    except OSError as error:
        raise output_error(error, path) from None


class Staging:
    """A staging folder in ``output_dir`` for the new state of one folder under it.

    Files go in with :meth:`write` (or straight into :attr:`path`, from worker processes),
    and :meth:`switch` makes the staging folder that folder. Leaving the ``with`` block
    removes what is left of the staging folder (the new files, if the block failed).
    """

    def __init__(self, output_dir: Path, name: str):
        self.output_dir = output_dir
        self.written: list[Path] = []
        self.path = output_dir / f"{STAGING_PREFIX}{name}-{secrets.token_hex(6)}"
        self._lock: int | None = None
        self._created_output_dir = not output_dir.exists()
        # Known before anything is made, so that Ctrl-C at any moment leaves nothing (see discard_unfinished).
        _UNFINISHED.append(self)
        with writing(output_dir):
            output_dir.mkdir(parents=True, exist_ok=True)
            remove_leftovers(output_dir)
            self._lock = _locked_new_file(self.path.with_name(self.path.name + LOCK_SUFFIX))
            self.path.mkdir()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.discard(failed=kind is not None)

    def discard(self, *, failed: bool = True) -> None:
        """Remove the staging folder and its lock file (after a failure, the output folder too if
        the staging made it and it is still empty); safe to call more than once."""
        shutil.rmtree(self.path, ignore_errors=True)
        for leftover in (self.path.with_name(self.path.name + LOCK_SUFFIX),
                         self.path.with_name(f".{self.path.name}.new")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        if failed and self._created_output_dir:
            with contextlib.suppress(OSError):
                self.output_dir.rmdir()
        with contextlib.suppress(ValueError):
            _UNFINISHED.remove(self)

    def write(self, relative: Path | str, data: bytes, *, sync: bool = True) -> None:
        """Write ``data`` at ``relative`` in the staging folder; with ``sync``, wait until it is on disk."""
        staged = self.path / relative
        with writing(self.output_dir):
            staged.parent.mkdir(parents=True, exist_ok=True)
            with staged.open("wb") as stream:
                stream.write(data)
                if sync:
                    stream.flush()
                    os.fsync(stream.fileno())
        self.written.append(Path(relative))

    def switch(self, target: Path, keep: Callable[[Path], bool] = lambda _relative: True) -> list[Path]:
        """Make the staged files, with every file of ``target`` that ``keep(relative path)``
        keeps and the staging does not replace, the content of ``target``, in one swap.

        Returns where the staged files went: those written with :meth:`write` first, in
        their order, then the others by name. The files' data must be on disk already
        (:meth:`write` with ``sync``, or ``os.sync()``).
        """
        staged = self.written + sorted(set(_files(self.path)) - set(self.written))
        with writing(target), _folder_lock(self.output_dir, target), _interrupts_deferred():
            if target.exists() and not target.is_dir():
                raise UsageError(f"{target}: a file is in the way of the output folder; nothing was written: "
                                 "move it away or choose another folder with -o")
            if target.exists():
                _carry_over(target, self.path, set(staged), keep)
                self.path.chmod(stat.S_IMODE(target.stat().st_mode))
                _sync_folders(self.path)
                if not _exchange(self.path, target):
                    return _replace_one_by_one(self.path, target, staged, keep)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                self.path.chmod(0o777 & ~_umask())
                _sync_folders(self.path)
                os.rename(self.path, target)
            sync_folder(target.parent)
            sync_folder(self.output_dir)
        return [target / relative for relative in staged]


def remove_leftovers(output_dir: Path) -> list[Path]:
    """Remove the staging folders in ``output_dir`` that no process holds (their command was
    killed); return them."""
    removed = []
    for draft in output_dir.glob(f".{STAGING_PREFIX}*.new"):
        if not lock_held(draft):
            draft.unlink(missing_ok=True)
    for lock_path in sorted(output_dir.glob(f"{STAGING_PREFIX}*{LOCK_SUFFIX}")):
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue  # its command is still running
        folder = lock_path.with_name(lock_path.name.removesuffix(LOCK_SUFFIX))
        shutil.rmtree(folder, ignore_errors=True)
        lock_path.unlink(missing_ok=True)
        os.close(descriptor)
        removed.append(folder)
    for folder in output_dir.glob(f"{STAGING_PREFIX}*"):
        # A staging folder is made after its lock file and removed before it: one without is left over.
        if folder.is_dir() and not folder.with_name(folder.name + LOCK_SUFFIX).exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def lock_held(path: Path) -> bool:
    """Whether a process holds an exclusive lock (``flock``) of the file at ``path``; False when
    there is no such file (a link is not followed)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)


def _locked_new_file(path: Path) -> int:
    """A new lock file at ``path``, locked by this process before it appears under its name (so
    that no :func:`remove_leftovers` takes it for a left-over); its descriptor."""
    draft = path.with_name(f".{path.name.removesuffix(LOCK_SUFFIX)}.new")
    descriptor = os.open(draft, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.rename(draft, path)
    return descriptor


def discard_unfinished() -> None:
    """Remove every staging folder of this process not yet removed: the command line's last
    word after Ctrl-C or a failure, wherever they came (even before a ``with`` took the staging)."""
    for staging in list(_UNFINISHED):
        staging.discard()


@contextlib.contextmanager
def _folder_lock(output_dir: Path, target: Path) -> Iterator[None]:
    """Hold the lock of the top folder of ``target`` under ``output_dir`` (a brief's folder)."""
    path, descriptor = _take_folder_lock(output_dir, target)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(descriptor)


def _take_folder_lock(output_dir: Path, target: Path) -> tuple[Path, int]:
    """Take the lock :func:`_folder_lock` holds: its file and descriptor.

    The lock file is removed when the lock is released; a process that was waiting on the
    file removed finds that its path is gone or another file, and takes the lock again.
    """
    top = target.relative_to(output_dir).parts[0] if target != output_dir else target.name
    path = output_dir / f".briefgen-{top}{LOCK_SUFFIX}"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            if time.monotonic() > deadline:
                raise OutputError(f"{output_dir / top}: another briefgen has been writing here for "
                                  f"{LOCK_WAIT_SECONDS} s; nothing was written: try again when it has "
                                  "finished") from None
            time.sleep(0.02)
            continue
        try:
            if os.stat(path, follow_symlinks=False).st_ino == os.fstat(descriptor).st_ino:
                return path, descriptor
        except FileNotFoundError:
            pass
        os.close(descriptor)


@contextlib.contextmanager
def brief_folder_lock(folder: Path) -> Iterator[None]:
    """Hold, while making files in ``folder``, the lock under which ``build`` and ``letters``
    switch the brief folder it is in, when it is one's (``OUT/<brief id>/letters``): a file
    made while one of them links the folder's files into its staging would be lost."""
    if folder.name != "letters":
        yield
        return
    try:
        path, descriptor = _take_folder_lock(folder.parent.parent, folder)
    except OSError:  # no lock file can be made beside a folder nobody can switch either
        yield
        return
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(descriptor)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C during the block takes effect when it ends (in the main thread; elsewhere, at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _files(folder: Path) -> list[Path]:
    """Every file (and symbolic link) under ``folder``, relative to it."""
    found = []
    for root, folders, names in os.walk(folder):
        base = Path(root).relative_to(folder)
        found += [base / name for name in names]
        found += [base / name for name in folders if os.path.islink(os.path.join(root, name))]
    return found


def _carry_over(current: Path, staging: Path, replaced: set[Path], keep: Callable[[Path], bool]) -> None:
    """Hard-link into ``staging`` each file of ``current`` that stays, at the same place."""
    for root, folders, names in os.walk(current):
        base = Path(root).relative_to(current)
        for name in folders:
            source = Path(root) / name
            if not source.is_symlink():
                (staging / base / name).mkdir(exist_ok=True)
                (staging / base / name).chmod(stat.S_IMODE(source.stat().st_mode))
        for relative in [base / name for name in names] + [base / name for name in folders
                                                           if (Path(root) / name).is_symlink()]:
            if relative in replaced or not keep(relative):
                continue
            source, copy = current / relative, staging / relative
            if source.is_symlink():
                os.symlink(os.readlink(source), copy)
                continue
            try:
                os.link(source, copy, follow_symlinks=False)
            except OSError:
                shutil.copy2(source, copy, follow_symlinks=False)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step; False where the system or file system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    if libc.renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _CANNOT_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(second))


def _replace_one_by_one(staging: Path, target: Path, staged: list[Path], keep: Callable[[Path], bool]) -> list[Path]:
    """Without a swap: each staged file renamed into place (each whole), then the files not kept removed."""
    for relative in staged:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target / relative)
    replaced = set(staged)
    for relative in _files(target):
        if relative not in replaced and not keep(relative):
            (target / relative).unlink()
    sync_folder(target)
    return [target / relative for relative in staged]


def _sync_folders(folder: Path) -> None:
    for root, _folders, _names in os.walk(folder):
        sync_folder(Path(root))


def sync_folder(folder: Path) -> None:
    """Wait until the entries of ``folder`` (files made, renamed or removed in it) are on disk."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
