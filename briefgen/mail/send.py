"""Deliver e-mail drafts over SMTP, each at most once, with a journal in the drafts folder.

Every outcome is appended to the journal (``send-journal.jsonl``) and forced to disk before
the next message goes, so a run stopped by a crash, a dropped connection or a temporary
(``4xx``) refusal can simply be run again: it sends only the drafts the server has not
accepted, and never again one it accepted or refused for good (``5xx``).

One window cannot be closed by any client: the server has the whole message but the
connection drops before it confirms. Such a draft is journalled as *sending* before its
content goes out, reported as uncertain, and sent again only when asked
(``resend_uncertain``), because it may already have been delivered.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Literal

from briefgen.errors import DraftsError, JournalLockedError

JOURNAL_NAME = "send-journal.jsonl"
PASSWORD_VARIABLE = "BRIEFGEN_SMTP_PASSWORD"
Security = Literal["none", "starttls", "ssl"]


@dataclass(frozen=True)
class SmtpOptions:
    """How to reach the SMTP server; shared by the command line and the API."""

    host: str
    port: int
    security: Security = "none"
    user: str | None = None
    password: str | None = None
    cafile: Path | None = None
    per_minute: float | None = None
    timeout: float = 60.0
    resend_uncertain: bool = False


@dataclass(frozen=True)
class Draft:
    """One ``.eml`` draft and the envelope it is sent with."""

    path: Path
    message_id: str
    sender: str
    recipient: str

    def __str__(self) -> str:
        return f"{self.path.name} ({self.recipient})"


@dataclass
class SendReport:
    """What a run of :func:`send_drafts` did, draft by draft."""

    total: int
    sent: list[Draft] = field(default_factory=list)
    sent_before: list[Draft] = field(default_factory=list)
    refused: list[tuple[Draft, str]] = field(default_factory=list)
    uncertain: list[Draft] = field(default_factory=list)
    left: list[Draft] = field(default_factory=list)
    stopped: str | None = None

    @property
    def delivered_all(self) -> bool:
        """Whether every draft has now been accepted by the server."""
        return len(self.sent) + len(self.sent_before) == self.total

    def summary(self) -> list[str]:
        """What went wrong, one line each, then the counts."""
        lines = [f"refused: {draft}: {reply}" for draft, reply in self.refused]
        lines += [f"uncertain: {draft}: the connection dropped before the server confirmed it, so it may have "
                  "been delivered; check, then send again with --resend-uncertain" for draft in self.uncertain]
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        counts = (f"{self.total} drafts: {len(self.sent)} sent now, {len(self.sent_before)} sent before, "
                  f"{len(self.refused)} refused, {len(self.left)} left to send")
        return lines + [counts + (f", {len(self.uncertain)} uncertain" if self.uncertain else "")]


def find_drafts(folder: Path) -> list[Draft]:
    """The ``.eml`` drafts in ``folder``, by file name, with their envelopes.

    Raises :class:`DraftsError` for a folder without drafts or a draft that cannot be sent.
    """
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    if not paths:
        raise DraftsError(f"{folder}: no .eml drafts here; write them with briefgen letters")
    drafts: list[Draft] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in paths:
        with path.open("rb") as stream:
            headers = BytesHeaderParser(policy=policy.default).parse(stream)
        message_id, sender, recipient = (headers.get("Message-ID"), parseaddr(str(headers.get("From", "")))[1],
                                         parseaddr(str(headers.get("To", "")))[1])
        missing = [name for name, value in (("Message-ID", message_id), ("From", sender), ("To", recipient))
                   if not value]
        if missing:
            problems.append(f"{path}: no {' or '.join(missing)} header; only drafts from briefgen letters can be sent")
        elif str(message_id) in seen:
            problems.append(f"{path}: same Message-ID as {seen[str(message_id)].name}; remove one of them")
        else:
            seen[str(message_id)] = path
            drafts.append(Draft(path, str(message_id), sender, recipient))
    if problems:
        raise DraftsError("\n".join(problems))
    return drafts


class Journal:
    """The outcome of each draft, appended one JSON line at a time and forced to disk."""

    def __init__(self, folder: Path):
        self.path = folder / JOURNAL_NAME
        is_new = not self.path.exists()
        self._stream = self.path.open("a", encoding="utf-8")
        if is_new:
            _fsync_folder(folder)
        try:
            fcntl.flock(self._stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._stream.close()
            raise JournalLockedError(f"{folder}: another briefgen send is delivering these drafts") from None
        if self.path.stat().st_size and not self.path.read_bytes().endswith(b"\n"):
            # A crash tore the last line; the next entry must not be glued to it.
            self._stream.write("\n")

    def outcomes(self) -> dict[str, dict]:
        """The last entry journalled for each Message-ID."""
        entries: dict[str, dict] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a crash: the entry before it stands
            entries[entry["message_id"]] = entry
        return entries

    def record(self, draft: Draft, status: str, reply: str = "") -> None:
        """Append the outcome of ``draft`` and wait until it is on disk."""
        entry = {"message_id": draft.message_id, "file": draft.path.name, "to": draft.recipient, "status": status,
                 "reply": reply, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        self._stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def close(self) -> None:
        """Release the journal for the next run."""
        self._stream.close()


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def send_drafts(folder: Path, options: SmtpOptions, *, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Send the drafts of ``folder`` that the journal does not record as accepted or refused.

    With ``dry_run`` nothing is sent: the report's ``left`` lists what would be.
    ``progress(done, total)`` is called after each draft the server answered.
    """
    drafts = find_drafts(folder)
    journal = Journal(folder)
    try:
        report = SendReport(total=len(drafts))
        outcomes = journal.outcomes()
        for draft in drafts:
            entry = outcomes.get(draft.message_id, {})
            if entry.get("status") == "accepted":
                report.sent_before.append(draft)
            elif entry.get("status") == "refused":
                report.refused.append((draft, entry["reply"]))
            elif entry.get("status") == "sending" and not options.resend_uncertain:
                report.uncertain.append(draft)
            else:
                report.left.append(draft)
        if not dry_run and report.left:
            _deliver(report, journal, options, progress)
        return report
    finally:
        journal.close()


def _deliver(report: SendReport, journal: Journal, options: SmtpOptions,
             progress: Callable[[int, int], None] | None) -> None:
    """Send ``report.left`` over one connection, moving each draft to its outcome."""
    queue, report.left = report.left, []
    try:
        connection = _connect(options)
    except _Stop as stop:
        report.left, report.stopped = queue, str(stop)
        return
    interval = 60.0 / options.per_minute if options.per_minute else 0.0
    next_at = time.monotonic()
    try:
        for position, draft in enumerate(queue):
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at = time.monotonic() + interval
            try:
                outcome, reply = _send_one(connection, journal, draft)
            except _Stop as stop:
                report.stopped = str(stop)
                (report.uncertain if stop.uncertain else report.left).append(draft)
                report.left += queue[position + 1:]
                return
            if outcome == "accepted":
                report.sent.append(draft)
            elif outcome == "refused":
                report.refused.append((draft, reply))
            else:
                report.left.append(draft)
            if progress:
                progress(position + 1, len(queue))
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the connection is gone already; nothing is lost by not saying goodbye


class _Stop(Exception):
    """Sending cannot go on; ``uncertain`` when the server may have taken the current message."""

    def __init__(self, message: str, *, uncertain: bool = False):
        super().__init__(message)
        self.uncertain = uncertain


def _connect(options: SmtpOptions) -> smtplib.SMTP:
    """An open, greeted (and with ``user``, logged-in) connection; raises :class:`_Stop`."""
    where = f"{options.host}:{options.port}"
    context = ssl.create_default_context(cafile=str(options.cafile) if options.cafile else None)
    try:
        if options.security == "ssl":
            connection = smtplib.SMTP_SSL(options.host, options.port, timeout=options.timeout, context=context)
        else:
            connection = smtplib.SMTP(options.host, options.port, timeout=options.timeout)
        connection.ehlo()
        if options.security == "starttls":
            connection.starttls(context=context)
            connection.ehlo()
        if options.user:
            connection.login(options.user, options.password or "")
    except ssl.SSLCertVerificationError as error:
        raise _Stop(f"cannot verify the certificate of {where}: {error.verify_message}; if your own "
                    "authority signed it, give its certificate with --cafile") from None
    except smtplib.SMTPAuthenticationError as error:
        raise _Stop(f"{where} refused the login of {options.user}: {_reply(error.smtp_code, error.smtp_error)}") \
            from None
    except smtplib.SMTPNotSupportedError as error:
        raise _Stop(f"{where}: {error}") from None
    except smtplib.SMTPResponseException as error:
        raise _Stop(f"{where} answered {_reply(error.smtp_code, error.smtp_error)}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise _Stop(f"cannot connect to {where}: {getattr(error, 'strerror', None) or error}") from None
    return connection


def _send_one(connection: smtplib.SMTP, journal: Journal, draft: Draft) -> tuple[str, str]:
    """Send ``draft``; return ``("accepted" | "refused" | "deferred", server reply)``.

    The journal records *sending* just before the content goes and the outcome as soon as
    the server answers. Raises :class:`_Stop` when the connection fails or the server
    will take nothing more.
    """
    try:
        for command, argument, expected in (("MAIL", f"FROM:<{draft.sender}>", 250),
                                            ("RCPT", f"TO:<{draft.recipient}>", 250), ("DATA", "", 354)):
            code, text = connection.docmd(command, argument)
            if code == expected or (command == "RCPT" and code == 251):
                continue
            reply = _reply(code, text)
            if code == 421 or command == "MAIL":
                raise _Stop(f"the server would not take the message of {draft}: {reply}")
            connection.rset()
            return ("refused" if code >= 500 else "deferred"), reply
    except (smtplib.SMTPException, OSError) as error:
        raise _Stop(f"the connection failed before {draft} was sent: {error}") from None
    journal.record(draft, "sending")
    try:
        connection.send(_dot_stuffed(_with_date(draft.path.read_bytes())))
        code, text = connection.getreply()
    except (smtplib.SMTPException, OSError) as error:
        raise _Stop(f"the connection failed while {draft} was being sent: {error}", uncertain=True) from None
    reply = _reply(code, text)
    outcome = "accepted" if code == 250 else "refused" if code >= 500 else "deferred"
    journal.record(draft, outcome, reply)
    return outcome, reply


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}".replace("\n", " ")


def _with_date(message: bytes) -> bytes:
    """``message`` with its ``Date`` set to now: the drafts may have been written days ago."""
    head, separator, body = message.partition(b"\r\n\r\n")
    now = format_datetime(dt.datetime.now(dt.UTC).replace(microsecond=0)).encode()
    return re.sub(rb"(?m)^Date: [^\r\n]*", b"Date: " + now, head, count=1) + separator + body


def _dot_stuffed(message: bytes) -> bytes:
    """The DATA payload: lines starting with a dot doubled, ended by CRLF.CRLF (RFC 5321 4.5.2)."""
    payload = re.sub(rb"(?m)^\.", b"..", message)
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    return payload + b".\r\n"
