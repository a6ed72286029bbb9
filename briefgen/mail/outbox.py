"""The outbox: what ``briefgen letters`` wrote in a letters folder, and whom each draft is for.

``letters`` writes it (``.briefgen-letters.json``) with the drafts, in the same switch of the
folder. For each recipient it records the files written, the draft's Message-ID and its
envelope: the sender's address and the recipient's address exactly as the recipients file
gives it. ``send`` takes every envelope from here and never from a draft's headers, and a
later ``letters`` removes only the files an earlier run recorded, never a file of the user's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.errors import DraftsError
from briefgen.text import is_email_address

OUTBOX_NAME = ".briefgen-letters.json"
FORMAT = 1


@dataclass(frozen=True)
class OutboxEntry:
    """One recipient's letter: its files, and the envelope and Message-ID of its draft."""

    #: The draft's file name in the letters folder.
    draft: str
    #: Every file written for the recipient (the draft, the PDF, the .docx).
    files: tuple[str, ...]
    message_id: str
    #: The envelope: MAIL FROM and RCPT TO.
    sender: str
    recipient: str
    #: Who, as the recipients file names them, and on which line.
    name: str
    line: int


@dataclass(frozen=True)
class Outbox:
    """The drafts of one brief's letter in a letters folder."""

    brief: str
    document: str
    recipients_file: str
    entries: tuple[OutboxEntry, ...]

    def files(self) -> set[str]:
        """Every file the run wrote, the outbox itself included."""
        return {OUTBOX_NAME, *(name for entry in self.entries for name in entry.files)}

    def to_bytes(self) -> bytes:
        """The outbox as the bytes of its file."""
        data = {"briefgen": __version__, "format": FORMAT, "brief": self.brief, "document": self.document,
                "recipients_file": self.recipients_file,
                "entries": [{**asdict(entry), "files": list(entry.files)} for entry in self.entries]}
        return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()


def read_outbox(folder: Path) -> Outbox | None:
    """The outbox of ``folder``; None when there is none.

    Raises :class:`~briefgen.errors.DraftsError` for an outbox that cannot be read or is
    not one that ``briefgen letters`` wrote.
    """
    path = folder / OUTBOX_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise DraftsError(f"{path}: cannot read the record of the drafts ({_reason(error)}); "
                          "write the letters again with briefgen letters") from None
    try:
        return _outbox(json.loads(text))
    except (ValueError, KeyError, TypeError):
        raise DraftsError(f"{path}: the record of the drafts is damaged; write the letters again with "
                          "briefgen letters (the send journal keeps who was sent a letter already)") from None


def _outbox(data: Any) -> Outbox:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not an outbox of this format")
    entries = []
    for item in data["entries"]:
        files = item["files"]
        if not isinstance(files, list) or not all(isinstance(name, str) and _plain_name(name) for name in files):
            raise ValueError("bad file names")
        entry = OutboxEntry(**{**item, "files": tuple(files)})
        if not all(isinstance(value, str) for value in (entry.draft, entry.message_id, entry.sender, entry.recipient,
                                                        entry.name)) or not isinstance(entry.line, int):
            raise TypeError("bad entry")
        # The addresses go into SMTP commands as they are.
        if not (is_email_address(entry.sender) and is_email_address(entry.recipient) and _plain_name(entry.draft)):
            raise ValueError("bad envelope")
        entries.append(entry)
    return Outbox(str(data["brief"]), str(data["document"]), str(data["recipients_file"]), tuple(entries))


def _plain_name(name: str) -> bool:
    """A file name of the folder itself: the outbox never names a file elsewhere."""
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or "not UTF-8 text"
