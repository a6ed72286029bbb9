"""Kill ``briefgen send`` at random moments and count what its recipients receive.

Usage: python tools/send_faults.py [--trials N] [--drafts M] [--seed S]

Each trial copies a folder of M drafts (with the outbox ``briefgen letters`` writes), starts
``briefgen send`` against a real SMTP server (aiosmtpd, on 127.0.0.1, in this process),
kills it with SIGKILL at a random moment from near the end of its start-up (as long as a
dry run takes) to the end of a whole run, then runs it again until nothing is left to send.
A draft the kill left uncertain (journalled as being sent, never confirmed) is then settled
as its message says: the operator checks the server, here its mailbox, and sends it again
with ``--resend-uncertain`` only if it did not arrive. The trial counts, per recipient, the
messages the server took: once is delivered, more is a duplicate, none is lost. A run after
the kill that fails otherwise (a damaged journal, a traceback) is a failure of the trial.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefgen.mail.drafts import DraftContent, build_draft, message_id  # noqa: E402
from briefgen.mail.outbox import OUTBOX_NAME, Outbox, OutboxEntry  # noqa: E402
from briefgen.prepare.letters import Sender  # noqa: E402


class Recorder:
    """An SMTP handler that keeps the recipients of every message it accepts."""

    def __init__(self) -> None:
        self.delivered: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):
        self.delivered.update(envelope.rcpt_tos)
        return "250 2.0.0 accepted"


@dataclass
class Totals:
    """What the trials add up to."""

    trials: int = 0
    recipients: int = 0
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    uncertain_arrived: int = 0
    uncertain_resent: int = 0
    reruns: int = 0
    failures: list[str] = field(default_factory=list)


def write_drafts(folder: Path, count: int) -> list[str]:
    """``count`` drafts and their outbox in ``folder``; return the recipients' addresses."""
    folder.mkdir(parents=True)
    sender = Sender("Casey Contact", "casey@coalition.example", "A Coalition")
    content = DraftContent("en", "Our concerns", "Dear Member,", "We write now.", ("Do one thing.",), "Sincerely,")
    entries = []
    for number in range(count):
        address = f"member{number:03d}@example.org"
        identifier = message_id("faults", address, "v1", "coalition.example")
        (folder / f"member{number:03d}.eml").write_bytes(build_draft(
            sender=sender, recipient_name=f"Member {number:03d}", recipient_email=address, content=content,
            pdf=b"%PDF-1.7 " + b"x" * 20_000, attachment_name="letter.pdf", message_id=identifier,
            date=dt.datetime(2026, 1, 12, tzinfo=dt.UTC)))
        entries.append(OutboxEntry(f"member{number:03d}.eml", (f"member{number:03d}.eml",), identifier,
                                   sender.email, address, f"Member {number:03d}", number + 2))
    (folder / OUTBOX_NAME).write_bytes(Outbox("faults", "letter", "members.csv", tuple(entries)).to_bytes())
    return [entry.recipient for entry in entries]


def send_command(folder: Path, port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "briefgen", "send", str(folder), "--smtp", f"127.0.0.1:{port}", *options]


def run_to_completion(folder: Path, port: int, totals: Totals, recorder: Recorder) -> None:
    """Run ``briefgen send`` until nothing is left to send, then settle what is uncertain."""
    for _ in range(10):
        result = subprocess.run(send_command(folder, port), capture_output=True, text=True, cwd=ROOT)
        totals.reruns += 1
        if result.returncode not in (0, 1) or "Traceback" in result.stderr:
            totals.failures.append(f"{folder}: exit {result.returncode}: {result.stderr.strip()}")
            return
        if " 0 left to send" in result.stdout:
            break
    uncertain = [line.split(" (", 1)[1].split(")", 1)[0] for line in result.stderr.splitlines()
                 if line.startswith("uncertain: ")]
    if uncertain and all(recorder.delivered[address] == 0 for address in uncertain):
        totals.uncertain_resent += len(uncertain)
        subprocess.run(send_command(folder, port, "--resend-uncertain"), capture_output=True, cwd=ROOT, check=False)
    else:
        totals.uncertain_arrived += len(uncertain)


def run(trials: int, drafts: int, seed: int) -> Totals:
    """Run ``trials`` trials of ``drafts`` drafts each; return the totals."""
    rng = random.Random(seed)
    totals = Totals()
    with tempfile.TemporaryDirectory(prefix="send-faults-") as scratch:
        template = Path(scratch) / "template"
        addresses = write_drafts(template, drafts)
        recorder = Recorder()
        port = _free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            timing = Path(scratch) / "timing"
            shutil.copytree(template, timing)
            started = time.monotonic()
            subprocess.run(send_command(timing, port, "--dry-run"), capture_output=True, cwd=ROOT, check=True)
            start_up = time.monotonic() - started
            subprocess.run(send_command(timing, port), capture_output=True, cwd=ROOT, check=True)
            whole_run = time.monotonic() - started - start_up
            for trial in range(trials):
                recorder.delivered.clear()
                folder = Path(scratch) / f"trial-{trial}"
                shutil.copytree(template, folder)
                process = subprocess.Popen(send_command(folder, port), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, cwd=ROOT)
                time.sleep(rng.uniform(0.9 * start_up, whole_run))
                process.send_signal(signal.SIGKILL)
                process.wait()
                run_to_completion(folder, port, totals, recorder)
                totals.trials += 1
                totals.recipients += len(addresses)
                totals.delivered += sum(1 for address in addresses if recorder.delivered[address] >= 1)
                totals.duplicates += sum(max(0, recorder.delivered[address] - 1) for address in addresses)
                totals.lost += sum(1 for address in addresses if recorder.delivered[address] == 0)
                shutil.rmtree(folder)
        finally:
            controller.stop()
    return totals


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--drafts", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    totals = run(arguments.trials, arguments.drafts, arguments.seed)
    print(f"trials: {totals.trials}, recipients: {totals.recipients} ({arguments.drafts} a trial)")
    print(f"delivered: {totals.delivered}, duplicates: {totals.duplicates}, lost: {totals.lost}")
    print(f"left uncertain by a kill: {totals.uncertain_arrived + totals.uncertain_resent} "
          f"({totals.uncertain_arrived} had arrived, {totals.uncertain_resent} had not and were sent with "
          f"--resend-uncertain); runs after the kills: {totals.reruns}")
    for failure in totals.failures:
        print(f"failure: {failure}")
    sys.exit(1 if totals.duplicates or totals.lost or totals.failures else 0)


if __name__ == "__main__":
    main()
