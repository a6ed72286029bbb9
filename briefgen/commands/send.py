"""``briefgen send``: deliver the e-mail drafts of ``briefgen letters`` over SMTP, each at most once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefgen.mail.send import SendReport, SmtpOptions, send_drafts


def send(drafts_dir: Path, options: SmtpOptions, *, dry_run: bool = False,
         progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Send the drafts in ``drafts_dir`` that its journal does not record as accepted or refused.

    With ``dry_run`` nothing is sent: the report's ``left`` lists what would be.
    ``progress(done, total)`` is called after each draft the server answered. Raises
    :class:`~briefgen.errors.DraftsError` and :class:`~briefgen.errors.JournalLockedError`.
    """
    return send_drafts(Path(drafts_dir), options, dry_run=dry_run, progress=progress)
