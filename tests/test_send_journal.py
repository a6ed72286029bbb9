"""The send journal: nobody is sent the letter twice, not after a typo is fixed and the letters
written again, not after the journal is emptied, cut short, edited or deleted, not through a
symbolic link, and not when the disk fills up while an outcome is being recorded.
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

import briefgen
from briefgen.mail.journal import JOURNAL_NAME, SEAL_NAME, Journal
from conftest import LETTER_BRIEF, PEOPLE, Mailbox, send, write_brief, write_drafts, write_recipients

RECIPIENTS = [("Ann Arbour", "ann@example.org"), ("Bob Roe", "bob@example.org"), ("Cleo Côté", "cleo@example.org"),
              ("Dev Das", "dev@example.org"), ("Eve Ng", "eve@example.org")]


@pytest.fixture
def unsent(tmp_path: Path, smtp_server) -> tuple[Path, Mailbox, int]:
    """A drafts folder of five drafts never sent, and a server: (folder, server, port)."""
    folder = tmp_path / "letters"
    write_drafts(folder, RECIPIENTS)
    mailbox = Mailbox()
    return folder, mailbox, smtp_server(mailbox)


@pytest.fixture
def sent(unsent) -> tuple[Path, Mailbox, int]:
    """The folder of ``unsent`` with its five drafts all delivered (ten journal entries)."""
    folder, _, port = unsent
    assert send(folder, port).returncode == 0
    return unsent


def start_afresh(folder: Path) -> str:
    return (f"restore it from a backup; only to start afresh, knowing that anyone already sent the letter may be sent "
            f"it again, move send-journal.jsonl and .briefgen-send-seal out of {folder}\n")


def lines_of(folder: Path) -> list[bytes]:
    return (folder / JOURNAL_NAME).read_bytes().splitlines(keepends=True)


def test_a_letter_written_again_is_not_sent_to_those_who_had_the_earlier_version(tmp_path: Path,
                                                                                   smtp_server) -> None:
    # The testers' case was 100 recipients, 50 sent; 40 and 20 take half the time and go the same way.
    people = [{**PEOPLE[0], "name": f"Member {number:03d}", "email": f"m{number:03d}@example.org"}
              for number in range(40)]
    recipients = write_recipients(tmp_path, people)
    options = briefgen.LetterOptions(output_dir=tmp_path / "out")
    folder = briefgen.letters(LETTER_BRIEF, recipients, options).folder
    mailbox = Mailbox(drop_at_mail=21)
    port = smtp_server(mailbox)
    assert send(folder, port).stdout == "40 drafts: 20 sent now, 0 sent before, 0 refused, 20 left to send\n"

    fixed = yaml.safe_load(LETTER_BRIEF.read_text(encoding="utf-8"))
    fixed["letter"]["body"]["en"] = fixed["letter"]["body"]["en"].replace("worsened", "worsened greatly")
    briefgen.letters(write_brief(tmp_path, fixed), recipients, options)
    delivered_at = {json.loads(line)["to"]: json.loads(line)["at"][:16].replace("T", " ")
                    for line in lines_of(folder) if json.loads(line)["status"] == "accepted"}
    second = send(folder, port)
    assert second.returncode == 0
    assert second.stderr.splitlines() == [
        f"skipped: member-{number:03d}.eml (m{number:03d}@example.org): an earlier version of the letter was "
        f"delivered on {delivered_at[f'm{number:03d}@example.org']} UTC; --resend-changed sends this one too"
        for number in range(20)]
    assert second.stdout == "40 drafts: 20 sent now, 0 sent before, 0 refused, 0 left to send, 20 skipped\n"
    assert mailbox.delivered_to() == Counter(person["email"] for person in people)
    assert send(folder, port).stdout == "40 drafts: 0 sent now, 20 sent before, 0 refused, 0 left to send, 20 skipped\n"

    again = send(folder, port, "--resend-changed")
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout == "40 drafts: 20 sent now, 20 sent before, 0 refused, 0 left to send\n"
    assert set(mailbox.delivered_to().values()) == {1, 2}
    assert {address for address, count in mailbox.delivered_to().items() if count == 2} == {
        f"m{number:03d}@example.org" for number in range(20)}


def test_an_earlier_version_left_uncertain_keeps_the_new_one_from_going(tmp_path: Path, smtp_server) -> None:
    folder = tmp_path / "letters"
    write_drafts(folder, RECIPIENTS[:2])
    mailbox = Mailbox(drop_after_data=1)
    port = smtp_server(mailbox)
    assert send(folder, port).returncode == 1
    write_drafts(folder, RECIPIENTS[:2], subject="Our concerns, corrected")
    result = send(folder, port)
    assert result.stderr.splitlines()[0] == (
        "uncertain: ann.eml (ann@example.org): the server did not confirm an earlier version of the letter, so it "
        "may have been delivered; check, then send again with --resend-uncertain")
    assert result.stdout == "2 drafts: 1 sent now, 0 sent before, 0 refused, 0 left to send, 1 uncertain\n"
    assert mailbox.delivered_to() == Counter({"ann@example.org": 1, "bob@example.org": 1})


def test_a_deleted_journal_is_an_error_and_nothing_is_sent(sent) -> None:
    folder, mailbox, port = sent
    (folder / JOURNAL_NAME).unlink()
    for options in ((), ("--dry-run",)):
        result = send(folder, port, *options)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (f"{folder / JOURNAL_NAME}: the journal is missing, but .briefgen-send-seal says it "
                                 "recorded 10 entries, so letters have been sent from this folder; "
                                 + start_afresh(folder))
    assert not (folder / JOURNAL_NAME).exists()
    assert len(mailbox.messages) == 5


@pytest.mark.parametrize(("keep", "count"), [(0, 0), (8, 8), (9, 9)], ids=["emptied", "cut-short", "one-line-less"])
def test_an_emptied_or_shortened_journal_is_an_error(sent, keep: int, count: int) -> None:
    folder, mailbox, port = sent
    (folder / JOURNAL_NAME).write_bytes(b"".join(lines_of(folder)[:keep]))
    result = send(folder, port)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{folder / JOURNAL_NAME}: the journal has {count} entries, but .briefgen-send-seal "
                             f"says it had 10: it was emptied or cut short; " + start_afresh(folder))
    assert len(mailbox.messages) == 5


@pytest.mark.parametrize(("line", "text", "reason"), [
    (4, None, "the entry is not the one first written there"),
    (2, b"not json at all\n", "the line is not an entry in JSON"),
    (3, b'["a", "list"]\n', "the line is not an entry in JSON"),
    (1, b'{"message_id": "<x@example.org>", "status": "accepted"}\n',
     "the entry has no file, brief, document, to, reply, at, chain"),
    (5, None, "the status 'sent' is none of sending, accepted, refused, deferred"),
], ids=["edited", "not-json", "not-a-mapping", "missing-keys", "unknown-status"])
def test_an_edited_or_damaged_journal_is_an_error_naming_the_line(sent, line: int, text: bytes | None,
                                                                  reason: str) -> None:
    folder, mailbox, port = sent
    lines = lines_of(folder)
    if text is None:
        entry = json.loads(lines[line - 1])
        entry["status"] = "sent" if "status" in reason else "refused"
        text = (json.dumps(entry) + "\n").encode()
    lines[line - 1] = text
    (folder / JOURNAL_NAME).write_bytes(b"".join(lines))
    result = send(folder, port)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{folder / JOURNAL_NAME}:{line}: the journal is damaged ({reason}), so briefgen cannot "
                             "tell who was sent the letter; " + start_afresh(folder))
    assert len(mailbox.messages) == 5


def test_a_journal_replaced_by_another_is_an_error(sent, tmp_path: Path, smtp_server) -> None:
    folder, mailbox, port = sent
    other = tmp_path / "other"
    write_drafts(other, RECIPIENTS, brief="another-brief")
    assert send(other, smtp_server(Mailbox())).returncode == 0
    (folder / JOURNAL_NAME).write_bytes((other / JOURNAL_NAME).read_bytes())
    result = send(folder, port)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{folder / JOURNAL_NAME}: the journal does not end where .briefgen-send-seal says it "
                             "did (it has 10 entries, the seal 10): it was edited or replaced; " + start_afresh(folder))


def test_a_missing_or_damaged_seal_is_an_error(sent) -> None:
    folder, mailbox, port = sent
    seal = (folder / SEAL_NAME).read_bytes()
    (folder / SEAL_NAME).unlink()
    missing = send(folder, port)
    assert (missing.returncode, missing.stderr) == (2, (
        f"{folder / JOURNAL_NAME}: the seal .briefgen-send-seal beside the journal is missing, so briefgen cannot "
        "tell whether the journal is whole; " + start_afresh(folder)))
    (folder / SEAL_NAME).write_bytes(seal.replace(b"briefgen-seal 1", b"briefgen-seal 2"))
    damaged = send(folder, port)
    assert (damaged.returncode, damaged.stderr) == (2, (
        f"{folder / SEAL_NAME}: the seal of the journal is damaged, so briefgen cannot tell whether the journal is "
        "whole; " + start_afresh(folder)))
    assert len(mailbox.messages) == 5


def test_the_journal_and_the_seal_moved_away_together_start_afresh_as_the_messages_say(sent) -> None:
    folder, mailbox, port = sent
    (folder / JOURNAL_NAME).unlink()
    (folder / SEAL_NAME).unlink()
    result = send(folder, port)
    assert (result.returncode, result.stdout) == (0, "5 drafts: 5 sent now, 0 sent before, 0 refused, 0 left to send\n")
    assert set(mailbox.delivered_to().values()) == {2}


def test_a_crash_between_an_entry_and_its_seal_loses_nothing(sent) -> None:
    folder, mailbox, port = sent
    seal = (folder / SEAL_NAME).read_bytes()
    journal = Journal.open(folder)
    journal.record(message_id="<x@coalition.example>", file="x.eml", brief="brief", document="letter",
                   to="x@example.org", status="sending")
    journal.close()
    # The seal as it was before that entry: its newer slot never written.
    (folder / SEAL_NAME).write_bytes(seal)
    assert len(Journal.read(folder).entries) == 11
    result = send(folder, port)
    assert (result.returncode, result.stderr) == (0, "")
    assert len(Journal.read(folder).entries) == 11
    assert (folder / SEAL_NAME).read_bytes() != seal


@pytest.mark.parametrize("name", [JOURNAL_NAME, SEAL_NAME])
def test_a_journal_or_seal_that_is_a_symbolic_link_is_refused_and_its_target_left_alone(sent, tmp_path: Path,
                                                                                        name: str) -> None:
    folder, mailbox, port = sent
    target = tmp_path / "elsewhere"
    os.replace(folder / name, target)
    before = target.read_bytes()
    (folder / name).symlink_to(target)
    result = send(folder, port)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{folder / name}: is a symbolic link; briefgen send writes its journal only into a file "
                             "of the drafts folder itself: put the file there in place of the link\n")
    assert target.read_bytes() == before


def test_a_link_planted_before_the_first_run_is_refused_and_nothing_is_created(unsent, tmp_path: Path) -> None:
    folder, mailbox, port = unsent
    (folder / JOURNAL_NAME).symlink_to(tmp_path / "planted")
    result = send(folder, port)
    assert (result.returncode, result.stderr) == (2, (
        f"{folder / JOURNAL_NAME}: is a symbolic link; briefgen send writes its journal only into a file of the "
        "drafts folder itself: put the file there in place of the link\n"))
    assert not (tmp_path / "planted").exists() and mailbox.messages == []


def test_a_journal_that_is_a_folder_is_refused(unsent) -> None:
    folder, _, port = unsent
    (folder / JOURNAL_NAME).mkdir()
    result = send(folder, port)
    assert (result.returncode, result.stderr) == (2, f"{folder / JOURNAL_NAME}: is not a file; move it out of the "
                                                     "drafts folder\n")


def test_a_second_send_of_the_same_drafts_at_the_same_time_is_refused(sent) -> None:
    folder, mailbox, port = sent
    with (folder / JOURNAL_NAME).open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = send(folder, port)
    assert (result.returncode, result.stderr) == (1, f"{folder}: another briefgen send is delivering these drafts\n")


def send_with_file_size_limit(folder: Path, port: int, limit: int) -> subprocess.CompletedProcess:
    """``briefgen send`` in a process that may write no file past ``limit`` bytes: a full disk
    for the journal (SIGXFSZ ignored, so writes fail with EFBIG as they would with ENOSPC)."""
    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "briefgen", "send", str(folder), "--smtp", f"127.0.0.1:{port}"],
                          capture_output=True, text=True, check=False, preexec_fn=limit_file_size)


@pytest.fixture
def entry_sizes(tmp_path: Path, smtp_server) -> list[int]:
    """The size of each journal entry of sending the five drafts: the same in every folder."""
    folder = tmp_path / "reference"
    write_drafts(folder, RECIPIENTS)
    assert send(folder, smtp_server(Mailbox())).returncode == 0
    return [len(line) for line in lines_of(folder)]


def test_a_full_disk_after_a_message_was_accepted_stops_at_once_and_leaves_it_uncertain(unsent,
                                                                                        entry_sizes) -> None:
    folder, mailbox, port = unsent
    # Room for Ann's two entries and Bob's "sending", not for Bob's "accepted".
    result = send_with_file_size_limit(folder, port, sum(entry_sizes[:3]) + 40)
    assert result.returncode == 1
    assert result.stderr == (
        "uncertain: bob.eml (bob@example.org): the journal could not record what the server answered (250 2.0.0 "
        "accepted), so it is left uncertain; check, then send again with --resend-uncertain\n"
        f"stopped: cannot write the journal {folder / JOURNAL_NAME}: File too large; sending stopped so that no "
        "outcome goes unrecorded: free some space, then run briefgen send again\n")
    assert result.stdout == "5 drafts: 1 sent now, 0 sent before, 0 refused, 3 left to send, 1 uncertain\n"
    assert mailbox.delivered_to() == Counter({"ann@example.org": 1, "bob@example.org": 1})
    rerun = send(folder, port)
    assert rerun.stdout == "5 drafts: 3 sent now, 1 sent before, 0 refused, 0 left to send, 1 uncertain\n"
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)


def test_a_full_disk_before_a_message_goes_stops_with_it_left_to_send(unsent, entry_sizes) -> None:
    folder, mailbox, port = unsent
    # Room for Ann's two entries, not for Bob's "sending": Bob's message never goes.
    result = send_with_file_size_limit(folder, port, sum(entry_sizes[:2]) + 40)
    assert result.returncode == 1
    assert result.stderr == (
        f"stopped: cannot write the journal {folder / JOURNAL_NAME}: File too large; sending stopped so that no "
        "outcome goes unrecorded: free some space, then run briefgen send again\n")
    assert result.stdout == "5 drafts: 1 sent now, 0 sent before, 0 refused, 4 left to send\n"
    assert (folder / JOURNAL_NAME).stat().st_size == sum(entry_sizes[:2]) + 40  # Bob's entry torn
    rerun = send(folder, port)
    assert (rerun.returncode, rerun.stdout) == (0, "5 drafts: 4 sent now, 1 sent before, 0 refused, 0 left to send\n")
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)
