"""``briefgen send``: deliver the e-mail drafts of ``briefgen letters`` over SMTP, each person at most once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefgen.mail.send import SendReport, SmtpOptions, send_drafts


def send(drafts_dir: Path, options: SmtpOptions, *, dry_run: bool = False,
         progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Send the drafts that ``briefgen letters`` wrote in ``drafts_dir`` to everyone its journal
    does not record as having the letter (or, with ``options.resend_changed``, this version of it).

    With ``dry_run`` nothing is sent: the report's ``left`` lists what would be.
    ``progress(done, total)`` is called after each draft the server answered. Raises
    :class:`~briefgen.errors.DraftsError`, :class:`~briefgen.errors.JournalError` and
    :class:`~briefgen.errors.JournalLockedError`, before anything is sent.
    """
    return send_drafts(Path(drafts_dir), options, dry_run=dry_run, progress=progress)
