"""Shared fixtures: paths of the repository, the sample brief, and tool availability.

A test that needs an outside tool (pdftotext, soffice) skips with a reason when the tool
is missing, except under CI=true, where the Makefile must have installed it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "carney-china-2026.yaml"
FIXTURES = ROOT / "tests" / "fixtures"
#: A minimal bilingual brief with a letter and a contact e-mail address: what letters need.
LETTER_BRIEF = FIXTURES / "letter-brief.yaml"
#: Recipients as a spreadsheet gives them: one in French, one with no language, two of one name.
PEOPLE = [
    {"name": "Ann Arbour", "title": "Member of Parliament", "email": "ann@example.org", "salutation": "Dear Ms Arbour,",
     "language": "en", "constituency": "Ottawa Centre", "address": "House of Commons|Ottawa, Ontario K1A 0A6"},
    {"name": "Cleo Côté", "title": "Députée", "email": "cleo@example.org", "salutation": "Madame la Députée,",
     "language": "fr", "constituency": "Gatineau", "address": "Chambre des communes|Ottawa (Ontario) K1A 0A6"},
    {"name": "Dev Das", "title": "Member of Parliament", "email": "dev@example.org", "salutation": "Dear Mr Das,",
     "language": "", "constituency": "Brampton North", "address": ""},
    {"name": "Eve Ng", "title": "", "email": "eve@example.org", "salutation": "", "language": "en",
     "constituency": "", "address": "80 Wellington Street"},
    {"name": "Ann Arbour", "title": "Senator", "email": "ann.arbour@sen.example.org", "salutation": "Dear Senator,",
     "language": "fr", "constituency": "", "address": ""},
]


def require_tool(name: str) -> str:
    """The path of command ``name``; skips the test when missing, fails under CI."""
    # A tool of the test extras (pdfua) is a script beside the interpreter, which `make test`
    # runs without putting its folder on PATH.
    path = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:
        message = f"{name} is not installed (make test installs it through apt-get or the test extras)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def normalise(text: str) -> str:
    """Text compared word for word: one space between words, straight quotes, no soft hyphens,
    and a hyphenated word broken at the end of a line joined again."""
    text = re.sub(r"\s+", " ", text.translate(QUOTES).replace("\u00ad", "")).strip()
    return re.sub(r"(?<=\w)- (?=\w)", "-", text)


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text of a PDF (or of one page of it) as poppler's pdftotext extracts it, normalised."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run([require_tool("pdftotext"), "-layout", *pages, str(path), "-"],
                            capture_output=True, text=True, check=True)
    return normalise(result.stdout)


def pdf_pages(path: Path) -> int:
    """The page count pdfinfo reports."""
    info = subprocess.run([require_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


def docx_xml(path: Path) -> str:
    """Every XML part of a .docx, concatenated: what Word would read."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in sorted(archive.namelist())
                         if name.endswith(".xml"))


def docx_text(path: Path) -> str:
    """The text of the body paragraphs and table cells of a .docx, normalised."""
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return normalise(" ".join(paragraphs + cells))


def run_briefgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a child process."""
    return subprocess.run([sys.executable, "-m", "briefgen", *args], capture_output=True, text=True,
                          check=False, cwd=cwd)


def write_brief(folder: Path, data: dict, name: str = "brief.yaml") -> Path:
    """Write ``data`` as a brief file in ``folder`` and return its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def line_starting(path: Path, start: str) -> int:
    """The number of the first line of the file at ``path`` that starts with ``start``."""
    return next(number for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith(start))


def minimal_brief() -> dict:
    """A fresh copy of the minimal valid brief, to change in a test."""
    return yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))


def write_recipients(folder: Path, people: list[dict], name: str = "recipients.csv") -> Path:
    """Write ``people`` (dicts of the recipient columns) as a CSV recipients file in ``folder``."""
    path = folder / name
    columns = ["name", "title", "email", "salutation", "language", "constituency", "address"]
    rows = [",".join(columns)] + [",".join(f'"{person.get(column, "")}"' for column in columns) for person in people]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The sample brief built once for the whole run, every document in both languages in PDF,
    .docx and HTML: (folder, process). Tests read it and never write into it."""
    out = tmp_path_factory.mktemp("out")
    result = run_briefgen("build", str(SAMPLE), "-o", str(out), "--lang", "all", "--format", "pdf,docx,html")
    assert result.returncode == 0, result.stderr
    return out / "carney-china-2026", result


@pytest.fixture(scope="session")
def long_build(tmp_path_factory) -> Path:
    """The long bilingual test brief (tests/longbrief.py) built once for the whole run, every
    document in both languages in PDF and .docx: its output folder. Tests never write into it."""
    from longbrief import write_long_brief

    root = tmp_path_factory.mktemp("long")
    result = run_briefgen("build", str(write_long_brief(root)), "-o", str(root / "out"), "--lang", "all",
                          "--format", "pdf,docx")
    assert result.returncode == 0, result.stderr
    (folder,) = (root / "out").iterdir()
    return folder


#: The language tags the tests' briefs write texts in.
TEXT_LANGUAGES = {"en", "fr", "zh-Hans", "zh-Hant", "bo", "ug", "hi", "es", "de"}


def in_language(value, language: str):
    """Brief data with every ``{en: ..., fr: ...}`` text resolved to ``language`` (the first it
    has when it lacks that one)."""
    if isinstance(value, dict):
        if value and set(value) <= TEXT_LANGUAGES and all(isinstance(text, str) for text in value.values()):
            return value.get(language, next(iter(value.values())))
        return {key: in_language(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [in_language(item, language) for item in value]
    return value


@pytest.fixture(scope="session")
def sample() -> dict:
    """The sample brief as plain data, in English."""
    return in_language(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")), "en")


class Mailbox:
    """An SMTP handler that keeps what it accepts and misbehaves as asked: it refuses some
    recipients (``refuse``: 550 at RCPT), defers others (``defer``: 451 at RCPT), answers
    the end of DATA with ``data_replies`` (address -> reply), drops the connection at a
    transaction's MAIL or after its DATA, or takes ``delay_rcpt`` / ``delay_data`` seconds
    to answer RCPT or the end of DATA."""

    def __init__(self, refuse: frozenset[str] = frozenset(), drop_at_mail: int | None = None,
                 drop_after_data: int | None = None, *, defer: frozenset[str] = frozenset(),
                 rcpt_replies: dict[str, str] | None = None, data_replies: dict[str, str] | None = None,
                 delay_rcpt: float = 0.0, delay_data: float = 0.0):
        self.refuse = refuse
        self.defer = defer
        self.rcpt_replies = rcpt_replies or {}
        self.data_replies = data_replies or {}
        self.drop_at_mail = drop_at_mail
        self.drop_after_data = drop_after_data
        self.delay_rcpt = delay_rcpt
        self.delay_data = delay_data
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.rcpt_attempts: list[str] = []
        self.transactions = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.transactions += 1
        if self.transactions == self.drop_at_mail:
            server.transport.abort()
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts.append(address)
        await asyncio.sleep(self.delay_rcpt)
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        if address in self.defer:
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay_data)
        reply = next((self.data_replies[address] for address in envelope.rcpt_tos if address in self.data_replies),
                     None)
        if reply:
            return reply
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if self.transactions == self.drop_after_data:
            # The message arrived whole, but the client never hears that it was accepted.
            server.transport.abort()
        return "250 2.0.0 accepted"

    def delivered_to(self) -> Counter:
        return Counter(address for _, addresses, _ in self.messages for address in addresses)


#: The sender of the drafts that :func:`write_drafts` makes.
DRAFT_SENDER = ("Casey Contact", "casey@coalition.example", "A Coalition")


def write_drafts(folder: Path, people: list[tuple[str, str]], *, subject: str = "Our concerns",
                 brief: str = "brief") -> list[str]:
    """Write a draft per ``(name, address)`` of ``people`` into ``folder`` (``<local part>.eml``,
    a small PDF attached) and the outbox that lists them, as ``briefgen letters`` does; return
    the Message-IDs. Another ``subject`` is another version of the letter (new Message-IDs)."""
    from briefgen.mail.drafts import DraftContent, build_draft, message_id
    from briefgen.mail.outbox import OUTBOX_NAME, Outbox, OutboxEntry
    from briefgen.prepare.letters import Sender

    folder.mkdir(parents=True, exist_ok=True)
    sender = Sender(*DRAFT_SENDER)
    content = DraftContent("en", subject, "Dear Member,", "We write *now*.", ("Do one thing.",), "Sincerely,")
    entries = []
    for line, (name, address) in enumerate(people, start=2):
        slug = address.partition("@")[0]
        identifier = message_id(brief, address, f"{subject}\n{name}", "coalition.example")
        (folder / f"{slug}.eml").write_bytes(build_draft(
            sender=sender, recipient_name=name, recipient_email=address, content=content,
            pdf=f"%PDF-1.7 letter to {name}".encode(), attachment_name="letter.pdf", message_id=identifier,
            date=dt.datetime(2026, 1, 12, tzinfo=dt.UTC)))
        entries.append(OutboxEntry(draft=f"{slug}.eml", files=(f"{slug}.eml",), message_id=identifier,
                                   sender=sender.email, recipient=address, name=name, line=line))
    outbox = Outbox(brief, "letter", "recipients.csv", tuple(entries))
    (folder / OUTBOX_NAME).write_bytes(outbox.to_bytes())
    return [entry.message_id for entry in entries]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start an aiosmtpd server on 127.0.0.1 with the given handler; stopped after the test."""
    started = []

    def start(handler: Mailbox, **kwargs) -> int:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()


def send(folder: Path, port: int, *options: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefgen", "send", str(folder), "--smtp", f"127.0.0.1:{port}",
                           *options], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


def processes_naming(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (the trial's own folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
