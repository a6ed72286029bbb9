"""`briefgen send` sends only the drafts that `briefgen letters` recorded in the outbox, each to the
address recorded there: a draft whose headers say otherwise, or that was changed, is refused
before anything is sent.
"""

from __future__ import annotations

import json
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest

from briefgen.errors import DraftsError
from briefgen.mail.outbox import OUTBOX_NAME
from briefgen.mail.send import SmtpOptions, send_drafts
from conftest import Mailbox, send, write_drafts

RECIPIENTS = [("Ann Arbour", "ann@example.org"), ("Bob Roe", "bob@example.org"), ("Cleo Côté", "cleo@example.org")]
REDO = "write the letters again with briefgen letters"


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    folder = tmp_path / "letters"
    write_drafts(folder, RECIPIENTS)
    return folder


def outbox(folder: Path) -> dict:
    return json.loads((folder / OUTBOX_NAME).read_text(encoding="utf-8"))


def test_a_name_that_redirected_the_letter_in_its_to_header_no_longer_can(tmp_path: Path, smtp_server) -> None:
    # The To header of the draft: what the email package wrote for the name
    # =?utf-8?b?PGF0dGFja2VyQGV2aWwuZXhhbXBsZT4=?= (an encoded <attacker@evil.example>).
    folder = tmp_path / "letters"
    write_drafts(folder, [("Victim", "victim@example.org")])
    written = EmailMessage(policy=policy.SMTP)
    written["To"] = Address("=?utf-8?b?PGF0dGFja2VyQGV2aWwuZXhhbXBsZT4=?=", addr_spec="victim@example.org")
    to_line = written.as_bytes().partition(b"\r\n")[0]
    assert to_line == b"To: <attacker@evil.example> <victim@example.org>"
    draft = folder / "victim.eml"
    draft.write_bytes(draft.read_bytes().replace(b"To: Victim <victim@example.org>", to_line))
    mailbox = Mailbox()
    result = send(folder, smtp_server(mailbox))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{folder / 'victim.eml'}: not the draft briefgen letters wrote for victim@example.org: "
                             "its To header is addressed to attacker@evil.example, not to victim@example.org; "
                             f"{REDO}\n")
    assert mailbox.messages == [] and mailbox.rcpt_attempts == []


def test_every_draft_that_is_not_the_one_letters_wrote_is_refused_at_once(drafts, smtp_server, tmp_path) -> None:
    ann, bob, cleo = (drafts / name for name in ("ann.eml", "bob.eml", "cleo.eml"))
    ann.write_bytes(ann.read_bytes().replace(b"\r\nSubject:", b"\r\nBcc: evil@evil.example\r\nSubject:"))
    bob.write_bytes(bob.read_bytes().replace(b"Message-ID: <", b"Message-ID: <edited-"))
    cleo.unlink()
    cleo.symlink_to(tmp_path / "elsewhere.eml")
    (drafts / "extra.eml").write_bytes(ann.read_bytes())
    mailbox = Mailbox()
    result = send(drafts, smtp_server(mailbox))
    bob_id = outbox(drafts)["entries"][1]["message_id"]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"{ann}: not the draft briefgen letters wrote for ann@example.org: its headers are From, Reply-To, To, Bcc, "
        "Subject, Date, Message-ID, MIME-Version, Content-Type, Content-Language, not From, Reply-To, To, Subject, "
        f"Date, Message-ID, MIME-Version, Content-Type, Content-Language; {REDO}\n"
        f"{bob}: not the draft briefgen letters wrote for bob@example.org: its Message-ID is "
        f"{bob_id.replace('<', '<edited-')}, not {bob_id}; {REDO}\n"
        f"{cleo}: cannot send it (it is a symbolic link, not a draft); {REDO}\n")
    assert mailbox.rcpt_attempts == []
    cleo.unlink()
    missing = send(drafts, smtp_server(mailbox))
    assert missing.stderr.splitlines()[-1] == (f"{cleo}: missing; briefgen letters wrote it for cleo@example.org: "
                                               f"{REDO}")


def test_a_draft_whose_addresses_differ_from_the_outbox_is_refused(drafts, smtp_server) -> None:
    record = outbox(drafts)
    record["entries"][0]["recipient"] = "other@example.org"
    record["entries"][1]["sender"] = "other@coalition.example"
    (drafts / OUTBOX_NAME).write_text(json.dumps(record), encoding="utf-8")
    result = send(drafts, smtp_server(Mailbox()))
    assert (result.returncode, result.stderr) == (2, (
        f"{drafts / 'ann.eml'}: not the draft briefgen letters wrote for other@example.org: its To header is "
        f"addressed to ann@example.org, not to other@example.org; {REDO}\n"
        f"{drafts / 'bob.eml'}: not the draft briefgen letters wrote for bob@example.org: its From header is "
        f"addressed to casey@coalition.example, not to other@coalition.example; {REDO}\n"))


def test_an_outbox_whose_envelope_would_inject_smtp_commands_is_damaged(drafts, smtp_server) -> None:
    record = outbox(drafts)
    record["entries"][0]["recipient"] = "ann@example.org>\r\nRCPT TO:<evil@evil.example"
    (drafts / OUTBOX_NAME).write_text(json.dumps(record), encoding="utf-8")
    mailbox = Mailbox()
    result = send(drafts, smtp_server(mailbox))
    assert (result.returncode, result.stderr) == (2, (
        f"{drafts / OUTBOX_NAME}: the record of the drafts is damaged; write the letters again with briefgen "
        "letters (the send journal keeps who was sent a letter already)\n"))
    assert mailbox.rcpt_attempts == []


def test_only_the_drafts_of_the_outbox_are_sent(drafts, smtp_server) -> None:
    (drafts / "extra.eml").write_bytes((drafts / "ann.eml").read_bytes().replace(b"ann@", b"extra@"))
    mailbox = Mailbox()
    result = send(drafts, smtp_server(mailbox))
    assert (result.returncode, result.stdout) == (0, "3 drafts: 3 sent now, 0 sent before, 0 refused, 0 left to send\n")
    assert sorted(mailbox.delivered_to()) == ["ann@example.org", "bob@example.org", "cleo@example.org"]


def test_a_folder_of_drafts_without_an_outbox_is_refused(drafts, smtp_server) -> None:
    (drafts / OUTBOX_NAME).unlink()
    with pytest.raises(DraftsError) as raised:
        send_drafts(drafts, SmtpOptions("127.0.0.1", smtp_server(Mailbox())))
    assert str(raised.value) == (f"{drafts}: no drafts of briefgen letters here (it lists them in "
                                 ".briefgen-letters.json); write the drafts with briefgen letters")


def test_a_draft_changed_while_sending_runs_is_not_sent(drafts, smtp_server) -> None:
    mailbox = Mailbox()
    bob = drafts / "bob.eml"

    def change_bob(done: int, total: int) -> None:
        if done == 1:
            bob.write_bytes(bob.read_bytes().replace(b"Message-ID: <", b"Message-ID: <changed-"))

    report = send_drafts(drafts, SmtpOptions("127.0.0.1", smtp_server(mailbox)), progress=change_bob)
    bob_id = outbox(drafts)["entries"][1]["message_id"]
    assert report.stopped == (f"{bob}: not the draft briefgen letters wrote for bob@example.org: its Message-ID is "
                              f"{bob_id.replace('<', '<changed-')}, not {bob_id}; {REDO} (it changed after this run "
                              "began)")
    assert [draft.recipient for draft in report.sent] == ["ann@example.org"]
    assert [draft.recipient for draft in report.left] == ["bob@example.org", "cleo@example.org"]
    assert mailbox.rcpt_attempts == ["ann@example.org"]
