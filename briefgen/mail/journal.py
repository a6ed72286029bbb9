"""The send journal: what became of each draft, kept so that nobody is sent a letter twice.

``send-journal.jsonl`` in the drafts folder holds one JSON line per event: a draft about to be
sent (``sending``, forced to disk before the DATA command), then its outcome (``accepted``,
``refused`` or ``deferred``). Each entry names the draft's Message-ID, its file, the brief and
document it is a letter of, and the address it went to, so that a later version of the
letter (the same person, a new Message-ID) is recognised too.

A journal that lost entries would send those letters again, silently, so a lost entry must be
noticed. Two things make sure it is:

- **A hash chain.** Each entry carries ``chain``: the SHA-256 of the chain of the entry before
  it and of the entry itself. An entry edited, removed or moved breaks the chain from there on.
- **A seal**, ``.briefgen-send-seal``: the number of entries and the chain of the last one,
  rewritten in place after each entry (written only after the entry is on disk). A journal
  that is emptied, cut short, replaced or deleted no longer matches its seal. The seal has two
  slots of 128 bytes, each with a checksum, written in turn: a crash while one is written
  leaves the other whole, one entry behind, which is a state the journal may be in (a crash
  between an entry and its seal); the seal catches up when the journal is next opened.

A last line without its newline was torn by a crash in the middle of an append; it is
ignored (the action it was about to record had not happened yet) and cut off when the journal
is next opened for writing. Every other problem is a :class:`~briefgen.errors.JournalError`
saying what to do, and nothing is sent. What cannot be noticed from inside the folder is the
journal and the seal deleted together (or the whole folder): that looks like a folder never
sent from, and is the one way, given in the messages, to start afresh on purpose.

The journal and the seal are opened with ``O_NOFOLLOW`` (a symbolic link is refused), and
:func:`create_in_folder` is the one place where a file is created in the drafts folder.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import JournalError, JournalLockedError, JournalWriteError
from briefgen.write.files import brief_folder_lock, lock_held, sync_folder

JOURNAL_NAME = "send-journal.jsonl"
SEAL_NAME = ".briefgen-send-seal"
STATUSES = ("sending", "accepted", "refused", "deferred")
#: The keys of an entry; every value is text.
ENTRY_KEYS = ("message_id", "file", "brief", "document", "to", "status", "reply", "at", "chain")
_GENESIS = hashlib.sha256(b"briefgen send journal 1").hexdigest()
_SLOT = 128


@dataclass(frozen=True)
class _Seal:
    count: int
    chain: str


def create_in_folder(folder: Path, name: str) -> int:
    """Create the file ``name`` in the drafts folder ``folder``; return a descriptor open for
    reading and writing. Raises :class:`FileExistsError` when there is one (a link included).

    Every file ``briefgen send`` creates is created here, so that one lock of the folder
    can cover them all.
    """
    with brief_folder_lock(folder):
        descriptor = os.open(folder / name, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    sync_folder(folder)
    return descriptor


class Journal:
    """The journal of a drafts folder, checked against its seal; :meth:`open` to append to it."""

    def __init__(self, folder: Path, entries: list[dict], descriptor: int | None = None,
                 seal_descriptor: int | None = None):
        self.folder = folder
        self.path = folder / JOURNAL_NAME
        self.entries = entries
        self._descriptor = descriptor
        self._seal_descriptor = seal_descriptor

    @classmethod
    def read(cls, folder: Path) -> Journal:
        """The journal as it is, for reading only; an empty one when the folder has none."""
        descriptors = [_open(folder / name, os.O_RDONLY) for name in (JOURNAL_NAME, SEAL_NAME)]
        try:
            data = _read_all(descriptors[0]) if descriptors[0] is not None else None
            seal = _read_seal(folder, descriptors[1]) if descriptors[1] is not None else None
            return cls(folder, _checked(folder, data, seal)[0])
        finally:
            for descriptor in descriptors:
                if descriptor is not None:
                    os.close(descriptor)

    @classmethod
    def open(cls, folder: Path) -> Journal:
        """The journal, locked for this process, checked, and repaired after a crash (a torn
        last line cut off, the seal brought up to date); created with its seal if there is none.

        Raises :class:`~briefgen.errors.JournalError` and :class:`~briefgen.errors.JournalLockedError`.
        """
        path, seal_path = folder / JOURNAL_NAME, folder / SEAL_NAME
        descriptor = _open(path, os.O_RDWR | os.O_APPEND)
        seal_descriptor = None
        try:
            if descriptor is None:
                # Checked before anything is created, so that a deleted journal stays noticed.
                _checked(folder, None, _existing_seal(folder))
                descriptor = _create(folder, JOURNAL_NAME) or _open(path, os.O_RDWR | os.O_APPEND)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise JournalLockedError(f"{folder}: another briefgen send is delivering these drafts") from None
            data = _read_all(descriptor)
            seal_descriptor = _open(seal_path, os.O_RDWR)
            if seal_descriptor is None:
                _checked(folder, data, None)
                seal_descriptor = _create(folder, SEAL_NAME) or _open(seal_path, os.O_RDWR)
            entries, complete = _checked(folder, data, _read_seal(folder, seal_descriptor))
            journal = cls(folder, entries, descriptor, seal_descriptor)
            try:
                if complete < len(data):
                    os.ftruncate(descriptor, complete)
                    os.fsync(descriptor)
                journal._seal()
            except OSError as error:
                raise JournalError(f"{path}: cannot repair the journal after a crash ({error.strerror}); "
                                   "free some space, then run briefgen send again") from None
            return journal
        except BaseException:
            for open_descriptor in (descriptor, seal_descriptor):
                if open_descriptor is not None:
                    os.close(open_descriptor)
            raise

    def record(self, *, message_id: str, file: str, brief: str, document: str, to: str, status: str,
               reply: str = "") -> None:
        """Append an entry and wait until it and the seal are on disk.

        Raises :class:`JournalWriteError` when the disk (or anything else) refuses it.
        """
        entry = {"message_id": message_id, "file": file, "brief": brief, "document": document, "to": to,
                 "status": status, "reply": reply, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        chain = _chain(self.entries[-1]["chain"] if self.entries else _GENESIS, entry)
        line = (json.dumps({**entry, "chain": chain}, ensure_ascii=False) + "\n").encode()
        try:
            written = 0
            while written < len(line):
                written += os.write(self._descriptor, line[written:])
            os.fsync(self._descriptor)
        except OSError as error:
            raise JournalWriteError(f"cannot write the journal {self.path}: {error.strerror}", recorded=False) \
                from None
        self.entries.append({**entry, "chain": chain})
        try:
            self._seal()
        except OSError as error:
            raise JournalWriteError(f"cannot write the seal of the journal {self.folder / SEAL_NAME}: "
                                    f"{error.strerror}", recorded=True) from None

    def _seal(self) -> None:
        count = len(self.entries)
        text = f"briefgen-seal 1 {count:012d} {self.entries[-1]['chain'] if self.entries else _GENESIS}"
        text += f" {hashlib.sha256(text.encode()).hexdigest()[:16]}"
        os.pwrite(self._seal_descriptor, (text.ljust(_SLOT - 1) + "\n").encode(), (count % 2) * _SLOT)
        os.fsync(self._seal_descriptor)

    def close(self) -> None:
        """Release the journal for the next run."""
        for descriptor in (self._descriptor, self._seal_descriptor):
            if descriptor is not None:
                os.close(descriptor)
        self._descriptor = self._seal_descriptor = None


def _chain(previous: str, entry: dict) -> str:
    fields = json.dumps({key: entry[key] for key in ENTRY_KEYS if key != "chain"}, sort_keys=True,
                        ensure_ascii=False)
    return hashlib.sha256(f"{previous}\n{fields}".encode()).hexdigest()


def _start_afresh(folder: Path) -> str:
    return (f"restore it from a backup; only to start afresh, knowing that anyone already sent the letter may "
            f"be sent it again, move {JOURNAL_NAME} and {SEAL_NAME} out of {folder}")


def _checked(folder: Path, data: bytes | None, seal: _Seal | None) -> tuple[list[dict], int]:
    """The entries of the journal ``data`` (None: no journal) and the length of its complete
    lines, checked against ``seal`` (None: no seal); raises :class:`JournalError`."""
    path = folder / JOURNAL_NAME
    if data is None:
        if seal is not None and seal.count:
            raise JournalError(f"{path}: the journal is missing, but {SEAL_NAME} says it recorded {seal.count} "
                               f"entries, so letters have been sent from this folder; {_start_afresh(folder)}")
        return [], 0
    complete = data.rfind(b"\n") + 1
    entries: list[dict] = []
    previous = _GENESIS
    for number, line in enumerate(data[:complete].split(b"\n")[:-1], start=1):
        entry, reason = _entry(line)
        if entry is None or entry["chain"] != _chain(previous, entry):
            reason = reason or "the entry is not the one first written there"
            raise JournalError(f"{path}:{number}: the journal is damaged ({reason}), so briefgen cannot tell who "
                               f"was sent the letter; {_start_afresh(folder)}")
        entries.append(entry)
        previous = entry["chain"]
    if seal is None:
        if entries:
            raise JournalError(f"{path}: the seal {SEAL_NAME} beside the journal is missing, so briefgen cannot "
                               f"tell whether the journal is whole; {_start_afresh(folder)}")
        return entries, complete
    if len(entries) < seal.count:
        raise JournalError(f"{path}: the journal has {len(entries)} entries, but {SEAL_NAME} says it had "
                           f"{seal.count}: it was emptied or cut short; {_start_afresh(folder)}")
    sealed = entries[seal.count - 1]["chain"] if seal.count else _GENESIS
    # One entry more than the seal: a crash came between the entry and its seal.
    if len(entries) > seal.count + 1 or sealed != seal.chain:
        raise JournalError(f"{path}: the journal does not end where {SEAL_NAME} says it did (it has {len(entries)} "
                           f"entries, the seal {seal.count}): it was edited or replaced; {_start_afresh(folder)}")
    return entries, complete


def _entry(line: bytes) -> tuple[dict | None, str]:
    """The entry of one journal line, or None and why it is not one."""
    try:
        entry = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, "the line is not an entry in JSON"
    if not isinstance(entry, dict):
        return None, "the line is not an entry in JSON"
    missing = [key for key in ENTRY_KEYS if not isinstance(entry.get(key), str)]
    if missing:
        return None, f"the entry has no {', '.join(missing)}"
    if entry["status"] not in STATUSES:
        return None, f"the status '{entry['status']}' is none of {', '.join(STATUSES)}"
    return entry, ""


def _read_seal(folder: Path, descriptor: int) -> _Seal:
    """The seal in its newer whole slot; ``0`` entries for a seal never written."""
    data = _read_all(descriptor)
    seals = []
    for start in range(0, len(data), _SLOT):
        fields = data[start:start + _SLOT].decode("ascii", "replace").split()
        if (len(fields) == 5 and fields[:2] == ["briefgen-seal", "1"] and fields[2].isdigit()
                and fields[4] == hashlib.sha256(" ".join(fields[:4]).encode()).hexdigest()[:16]):
            seals.append(_Seal(int(fields[2]), fields[3]))
    if not seals:
        if data:
            raise JournalError(f"{folder / SEAL_NAME}: the seal of the journal is damaged, so briefgen cannot tell "
                               f"whether the journal is whole; {_start_afresh(folder)}")
        return _Seal(0, _GENESIS)
    return max(seals, key=lambda seal: seal.count)


def _existing_seal(folder: Path) -> _Seal | None:
    descriptor = _open(folder / SEAL_NAME, os.O_RDONLY)
    if descriptor is None:
        return None
    try:
        return _read_seal(folder, descriptor)
    finally:
        os.close(descriptor)


def in_use(folder: Path) -> bool:
    """Whether a ``briefgen send`` is delivering the drafts of ``folder`` now (it holds the journal)."""
    return lock_held(folder / JOURNAL_NAME)


def _open(path: Path, flags: int) -> int | None:
    """A descriptor of the regular file at ``path``, never through a link; None when there is none."""
    try:
        descriptor = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _not_a_file(path, error) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _not_a_file(path, None)
    return descriptor


def _create(folder: Path, name: str) -> int | None:
    """A new file ``name`` in ``folder``; None when another process made it first."""
    try:
        return create_in_folder(folder, name)
    except FileExistsError:
        return None
    except OSError as error:
        raise JournalError(f"{folder / name}: cannot create the journal ({error.strerror}); briefgen send keeps "
                           "it in the drafts folder, which must be writable") from None


def _not_a_file(path: Path, error: OSError | None) -> JournalError:
    if error is not None and error.errno == errno.ELOOP:
        return JournalError(f"{path}: is a symbolic link; briefgen send writes its journal only into a file of the "
                            "drafts folder itself: put the file there in place of the link")
    if error is None or error.errno == errno.EISDIR:
        return JournalError(f"{path}: is not a file; move it out of the drafts folder")
    return JournalError(f"{path}: cannot open it: {error.strerror}")


def _read_all(descriptor: int) -> bytes:
    chunks = []
    offset = 0
    while chunk := os.pread(descriptor, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)
