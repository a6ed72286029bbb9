"""Deliver the drafts of ``briefgen letters`` over SMTP: each person at most once, each outcome journalled.

What goes where comes from the outbox that ``letters`` wrote (:mod:`briefgen.mail.outbox`):
only the drafts it lists are sent, each with the envelope it records (MAIL FROM the sender,
RCPT TO the recipient's address), never one read from a draft's headers; a draft whose
Message-ID, addresses or headers are not the ones ``letters`` wrote is refused.

Every event is appended to the journal (:mod:`briefgen.mail.journal`) and forced to disk
before sending goes on: ``sending`` before the DATA command, then the outcome. So a run
stopped by a crash, a dropped connection, a full disk or a temporary (``4xx``) refusal can
simply be run again: it sends only what the server has not accepted or refused for good
(``5xx``, at RCPT or after DATA); a run given a ``limit`` sends that many and leaves the rest
to the next. The journal also knows who has had an earlier version of
the letter: once a typo is fixed and the letters are written again, their new drafts are
skipped (with ``resend_changed``, sent too).

One window cannot be closed by any client: the server has the whole message but the
connection drops (or the reply does not come in time) before it confirms. Such a draft is
reported as uncertain, and sent again only when asked (``resend_uncertain``), because it may
already have been delivered.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import smtplib
import ssl
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Literal

from briefgen.errors import DraftsError, JournalWriteError
from briefgen.mail.headers import header_problem
from briefgen.mail.journal import Journal
from briefgen.mail.outbox import OUTBOX_NAME, Outbox, read_outbox

PASSWORD_VARIABLE = "BRIEFGEN_SMTP_PASSWORD"
Security = Literal["none", "starttls", "ssl"]
#: What to do about a draft that may have been delivered.
_CHECK = "check, then send again with --resend-uncertain"
_UNCERTAIN = f"the connection dropped before the server confirmed it, so it may have been delivered; {_CHECK}"


@dataclass(frozen=True)
class SmtpOptions:
    """How to reach the SMTP server and what to send again; shared by the command line and the API.

    ``timeout`` is how long to wait for the answer to a command, ``data_timeout`` for the one
    after the message (RFC 5321 4.5.3.2: 5 and 10 minutes).
    """

    host: str
    port: int
    security: Security = "none"
    user: str | None = None
    password: str | None = None
    cafile: Path | None = None
    per_minute: float | None = None
    timeout: float = 300.0
    data_timeout: float = 600.0
    resend_uncertain: bool = False
    resend_changed: bool = False
    #: Send at most this many messages in a run (providers cap a day at 500 or 2,000); None for all.
    limit: int | None = None


@dataclass(frozen=True)
class Draft:
    """One ``.eml`` draft, the envelope it is sent with, and the Message-ID it must have."""

    path: Path
    message_id: str
    sender: str
    recipient: str

    def __str__(self) -> str:
        return f"{self.path.name} ({self.recipient})"


@dataclass
class SendReport:
    """What a run of :func:`send_drafts` did, draft by draft; ``refused``, ``deferred``,
    ``uncertain`` and ``skipped`` with the server's reply or the reason. ``left`` is what is
    still to send, the ``deferred`` drafts among them."""

    total: int
    sent: list[Draft] = field(default_factory=list)
    sent_before: list[Draft] = field(default_factory=list)
    refused: list[tuple[Draft, str]] = field(default_factory=list)
    deferred: list[tuple[Draft, str]] = field(default_factory=list)
    uncertain: list[tuple[Draft, str]] = field(default_factory=list)
    skipped: list[tuple[Draft, str]] = field(default_factory=list)
    left: list[Draft] = field(default_factory=list)
    stopped: str | None = None
    #: The drafts the limit held back for another run (they are in ``left`` too), and the limit.
    held: list[Draft] = field(default_factory=list)
    limit: int | None = None

    @property
    def delivered_all(self) -> bool:
        """Whether every recipient now has the letter (this version, or an earlier one skipped)."""
        return len(self.sent) + len(self.sent_before) + len(self.skipped) == self.total

    @property
    def done_within_limit(self) -> bool:
        """Whether everyone has the letter but those the limit held back for another run."""
        return len(self.sent) + len(self.sent_before) + len(self.skipped) + len(self.held) == self.total

    def limit_note(self) -> str | None:
        """What the limit held back, and how to go on; None when it held back nothing."""
        if not self.held:
            return None
        messages = f"{self.limit} message{'s' if self.limit != 1 else ''}"
        return (f"stopped at the limit of {messages}: {len(self.sent)} sent now, {len(self.left)} left to send; "
                "run briefgen send again to go on")

    def summary(self) -> list[str]:
        """What went wrong or was skipped, one line each, then the counts."""
        lines = [f"refused: {draft}: {reply}" for draft, reply in self.refused]
        lines += [f"deferred: {draft}: {reply}; it is left to send: run briefgen send again later"
                  for draft, reply in self.deferred]
        lines += [f"uncertain: {draft}: {reason}" for draft, reason in self.uncertain]
        lines += [f"skipped: {draft}: {reason}" for draft, reason in self.skipped]
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        counts = (f"{self.total} drafts: {len(self.sent)} sent now, {len(self.sent_before)} sent before, "
                  f"{len(self.refused)} refused, {len(self.left)} left to send")
        counts += f", {len(self.uncertain)} uncertain" if self.uncertain else ""
        counts += f", {len(self.skipped)} skipped" if self.skipped else ""
        return lines + [counts]


def find_drafts(folder: Path) -> tuple[Outbox, list[Draft]]:
    """The outbox of ``folder`` and its drafts, in its order, each checked against it.

    Raises :class:`DraftsError` for a folder without an outbox, listing every draft that is
    missing or is not the one ``briefgen letters`` wrote.
    """
    outbox = read_outbox(folder) if folder.is_dir() else None
    if outbox is None or not outbox.entries:
        raise DraftsError(f"{folder}: no drafts of briefgen letters here (it lists them in {OUTBOX_NAME}); write "
                          "the drafts with briefgen letters")
    drafts = [Draft(folder / entry.draft, entry.message_id, entry.sender, entry.recipient) for entry in outbox.entries]
    problems = [problem for draft in drafts if (problem := _read_draft(draft)[1])]
    if problems:
        raise DraftsError("\n".join(problems))
    return outbox, drafts


def _read_draft(draft: Draft) -> tuple[bytes, str | None]:
    """The bytes of ``draft``, and what makes it unfit to send, if anything."""
    redo = "write the letters again with briefgen letters"
    try:
        descriptor = os.open(draft.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return b"", f"{draft.path}: missing; briefgen letters wrote it for {draft.recipient}: {redo}"
    except OSError as error:
        reason = "it is a symbolic link, not a draft" if error.errno == errno.ELOOP else error.strerror
        return b"", f"{draft.path}: cannot send it ({reason}); {redo}"
    with open(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return b"", f"{draft.path}: not a file; {redo}"
        data = stream.read()
    problem = header_problem(data, message_id=draft.message_id, sender=draft.sender, recipient=draft.recipient)
    if problem:
        return data, f"{draft.path}: not the draft briefgen letters wrote for {draft.recipient}: {problem}; {redo}"
    return data, None


def send_drafts(folder: Path, options: SmtpOptions, *, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Send the drafts of ``folder`` to everyone the journal does not record as having the letter.

    With ``dry_run`` nothing is sent (and nothing written): the report's ``left`` lists what
    would be. ``progress(done, total)`` is called after each draft the server answered.
    Raises :class:`DraftsError`, :class:`~briefgen.errors.JournalError` and
    :class:`~briefgen.errors.JournalLockedError` before anything is sent.
    """
    outbox, drafts = find_drafts(folder)
    journal = Journal.read(folder) if dry_run else Journal.open(folder)
    try:
        report = _plan(drafts, journal.entries, outbox, options)
        if options.limit is not None and len(report.left) > options.limit:
            report.left, report.held = report.left[:options.limit], report.left[options.limit:]
            report.limit = options.limit
        if not dry_run and report.left:
            _deliver(report, _Recorder(journal, outbox), options, progress)
        report.left += report.held
        return report
    finally:
        journal.close()


def _plan(drafts: list[Draft], entries: list[dict], outbox: Outbox, options: SmtpOptions) -> SendReport:
    """Sort ``drafts`` by what the journal ``entries`` say of them and of their recipients."""
    latest = {entry["message_id"]: entry for entry in entries}
    earlier: dict[str, list[dict]] = {}
    for entry in latest.values():
        if (entry["brief"], entry["document"]) == (outbox.brief, outbox.document):
            earlier.setdefault(entry["to"].lower(), []).append(entry)
    report = SendReport(total=len(drafts))
    for draft in drafts:
        status = latest.get(draft.message_id, {}).get("status")
        others = [entry for entry in earlier.get(draft.recipient.lower(), [])
                  if entry["message_id"] != draft.message_id]
        delivered = [entry for entry in others if entry["status"] == "accepted"]
        if status == "accepted":
            report.sent_before.append(draft)
        elif status == "refused":
            report.refused.append((draft, latest[draft.message_id]["reply"]))
        elif status == "sending" and not options.resend_uncertain:
            report.uncertain.append((draft, "an earlier run stopped before the server confirmed it, so it may have "
                                            f"been delivered; {_CHECK}"))
        elif delivered and not options.resend_changed:
            at = delivered[-1]["at"][:16].replace("T", " ")
            report.skipped.append((draft, f"an earlier version of the letter was delivered on {at} UTC; "
                                          "--resend-changed sends this one too"))
        elif (any(entry["status"] == "sending" for entry in others) and not delivered
              and not (options.resend_uncertain or options.resend_changed)):
            report.uncertain.append((draft, "the server did not confirm an earlier version of the letter, so it "
                                            f"may have been delivered; {_CHECK}"))
        else:
            report.left.append(draft)
    return report


class _Recorder:
    """Journals the events of the drafts of one outbox."""

    def __init__(self, journal: Journal, outbox: Outbox):
        self.journal, self.outbox = journal, outbox

    def __call__(self, draft: Draft, status: str, reply: str = "", *, before: str | None) -> None:
        """Journal ``status``; raises :class:`_Stop` when that fails, with the draft left as the
        journal now says (``before``, the outcome it had, when the entry is not on disk)."""
        try:
            self.journal.record(message_id=draft.message_id, file=draft.path.name, brief=self.outbox.brief,
                                document=self.outbox.document, to=draft.recipient, status=status, reply=reply)
        except JournalWriteError as error:
            outcome = status if error.recorded else before
            if outcome == "sending" and status == "sending":
                outcome, reply = "uncertain", ("it was not sent, but the journal says it was about to be, so it is "
                                               "left uncertain; send it with --resend-uncertain")
            elif outcome == "sending":
                outcome, reply = "uncertain", (f"the journal could not record what the server answered ({reply}), "
                                               f"so it is left uncertain; {_CHECK}")
            raise _Stop(f"{error}; sending stopped so that no outcome goes unrecorded: free some space, then run "
                        "briefgen send again", outcome=outcome, detail=reply) from None


class _Stop(Exception):
    """Sending cannot go on; the current draft has the ``outcome`` given (None: left to send)."""

    def __init__(self, message: str, *, outcome: str | None = None, detail: str = ""):
        super().__init__(message)
        self.outcome, self.detail = outcome, detail


def _place(report: SendReport, draft: Draft, outcome: str | None, detail: str) -> None:
    """Put ``draft`` in the list of the report for ``outcome`` (None: left to send)."""
    if outcome == "accepted":
        report.sent.append(draft)
    elif outcome == "refused":
        report.refused.append((draft, detail))
    elif outcome == "uncertain":
        report.uncertain.append((draft, detail))
    else:
        if outcome == "deferred":
            report.deferred.append((draft, detail))
        report.left.append(draft)


def _deliver(report: SendReport, record: _Recorder, options: SmtpOptions,
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
                outcome, reply = _send_one(connection, record, draft, options)
            except _Stop as stop:
                report.stopped = str(stop)
                _place(report, draft, stop.outcome, stop.detail)
                report.left += queue[position + 1:]
                return
            _place(report, draft, outcome, reply)
            if progress:
                progress(position + 1, len(queue))
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the connection is gone already; nothing is lost by not saying goodbye


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
        if _timed_out(error):
            raise _Stop(f"{where} did not answer within {options.timeout:g} s; check the server, or give it "
                        "longer with --timeout") from None
        raise _Stop(f"cannot connect to {where}: {getattr(error, 'strerror', None) or error}") from None
    return connection


def _send_one(connection: smtplib.SMTP, record: _Recorder, draft: Draft, options: SmtpOptions) -> tuple[str, str]:
    """Send ``draft``; return ``("accepted" | "refused" | "deferred", server reply)``.

    The journal records *sending* before the DATA command and the outcome as soon as the
    server answers; a refusal at RCPT is journalled too. Raises :class:`_Stop` when the
    connection fails, the server will take nothing more (``421``) or the journal cannot be written.
    """
    data, problem = _read_draft(draft)
    if problem:
        raise _Stop(f"{problem} (it changed after this run began)")
    try:
        code, text = connection.docmd("MAIL", f"FROM:<{draft.sender}>")
        if code != 250:
            raise _Stop(f"the server would not take the message of {draft}: {_reply(code, text)}")
        code, text = connection.docmd("RCPT", f"TO:<{draft.recipient}>")
    except (smtplib.SMTPException, OSError) as error:
        raise _Stop(_failure(error, f"before {draft} was sent", options.timeout, "--timeout")) from None
    if code not in (250, 251):
        return _answered(connection, record, draft, code, text, before=None)
    record(draft, "sending", before=None)
    try:
        code, text = connection.docmd("DATA")
    except (smtplib.SMTPException, OSError) as error:
        # Without the message the server has nothing to deliver: the draft is left to send.
        record(draft, "deferred", "the connection failed before the message was sent", before="sending")
        raise _Stop(_failure(error, f"before {draft} was sent", options.timeout, "--timeout")) from None
    if code != 354:
        return _answered(connection, record, draft, code, text, before="sending")
    try:
        connection.send(_dot_stuffed(_with_date(data)))
        connection.sock.settimeout(options.data_timeout)
        code, text = connection.getreply()
        connection.sock.settimeout(options.timeout)
    except (smtplib.SMTPException, OSError) as error:
        reason = (f"the server did not confirm it within {options.data_timeout:g} s, so it may have been delivered; "
                  f"{_CHECK}" if _timed_out(error) else _UNCERTAIN)
        raise _Stop(_failure(error, f"while {draft} was being sent", options.data_timeout, "--data-timeout"),
                    outcome="uncertain", detail=reason) from None
    return _answered(connection, record, draft, code, text, before="sending", message_sent=True)


def _answered(connection: smtplib.SMTP, record: _Recorder, draft: Draft, code: int, text: bytes, *,
              before: str | None, message_sent: bool = False) -> tuple[str, str]:
    """Journal the server's refusal of RCPT or DATA (``4xx``, ``5xx``), or its answer to the
    message (``message_sent``), and return the outcome; a ``4xx`` at RCPT needs no entry."""
    reply = _reply(code, text)
    outcome = {4: "deferred", 5: "refused"}.get(code // 100) or ("accepted" if message_sent and code // 100 == 2
                                                                  else None)
    unexpected = f"the server answered {reply} to {draft}, which SMTP does not allow" if outcome is None else None
    if unexpected and message_sent:
        raise _Stop(unexpected, outcome="uncertain", detail=_UNCERTAIN)
    outcome = outcome or "deferred"
    if outcome != "deferred" or before:
        record(draft, outcome, reply, before=before)
    if code == 421 or unexpected:
        raise _Stop(unexpected or f"the server would take no more messages: {reply}", outcome=outcome, detail=reply)
    if outcome != "accepted":
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            pass  # the next command says whether the connection is still there
    return outcome, reply


def _timed_out(error: BaseException) -> bool:
    return isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError)


def _failure(error: BaseException, when: str, timeout: float, option: str) -> str:
    if _timed_out(error):
        return f"the server did not answer within {timeout:g} s {when}; give it longer with {option}"
    return f"the connection failed {when}: {error}"


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
