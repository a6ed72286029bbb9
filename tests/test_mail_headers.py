"""The headers of the drafts: what a recipient or the brief says goes in as plain text, never as
another address or another header, and long names are folded so that a real server takes them.
"""

from __future__ import annotations

import datetime as dt
import email
import smtplib
from email import policy
from pathlib import Path

import pytest

from briefgen.errors import UnsafeDraftError
from briefgen.mail.drafts import DraftContent, build_draft
from briefgen.mail.headers import DRAFT_HEADERS, decoded
from briefgen.prepare.letters import Sender
from conftest import (LETTER_BRIEF, PEOPLE, Mailbox, minimal_brief, run_briefgen, send, write_brief,
                      write_recipients)

ENCODED = ("contains =?…?=, which mail programs read as an encoded word (RFC 2047) and show as other text; write the "
           "text itself")


def position(path: Path, key: str, occurrence: int = 1) -> tuple[int, int]:
    """The line and column of the value of the ``occurrence``-th ``key:`` in the file."""
    found = [(number, text.index(f"{key}:") + len(key) + 3)
             for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if text.strip().startswith(f"{key}:")]
    return found[occurrence - 1]


def test_texts_of_the_brief_that_go_into_headers_are_refused_with_their_place(tmp_path: Path) -> None:
    data = minimal_brief()
    data["prepared_by"]["organization"] = "A\x1bCoalition"
    data["letter"] = {"to": {"name": "The Right Honourable Test Principal"},
                      "subject": "=?utf-8?q?Our_concerns=0D=0ABcc:_evil@evil.example?=",
                      "salutation": "Dear Prime Minister,", "opening": "We write.", "signed_by": ["group"],
                      "contact": {"name": "=?utf-8?b?PGF0dGFja2VyQGV2aWwuZXhhbXBsZT4=?=",
                                  "email": "casey@coalition.example"}}
    brief = write_brief(tmp_path, data)
    recipients = write_recipients(tmp_path, PEOPLE[:1])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    (org_line, org_column), (subject_line, subject_column) = position(brief, "organization"), position(brief, "subject")
    name_line, name_column = position(brief, "name", 4)  # principal, signatory, addressee, contact
    assert result.stderr == (
        f"{brief}:{org_line}:{org_column}: prepared_by.organization: contains the control character U+001B; "
        "remove it\n"
        f"{brief}:{subject_line}:{subject_column}: letter.subject: {ENCODED}\n"
        f"{brief}:{name_line}:{name_column}: letter.contact.name: {ENCODED}\n")
    assert not (tmp_path / "out").exists()


def test_each_language_of_a_header_text_is_checked(tmp_path: Path) -> None:
    brief_text = LETTER_BRIEF.read_text(encoding="utf-8").replace(
        "fr: Les droits de la personne pendant votre visite", 'fr: "Les droits\\Lpendant votre visite"')
    brief = tmp_path / "brief.yaml"
    brief.write_text(brief_text, encoding="utf-8")
    recipients = write_recipients(tmp_path, PEOPLE[:1])
    result = run_briefgen("letters", str(brief), "--recipients", str(recipients), "-o", str(tmp_path / "out"))
    line = next(number for number, text in enumerate(brief_text.splitlines(), start=1) if "\\L" in text)
    column = brief_text.splitlines()[line - 1].index('"Les droits') + 1
    assert (result.returncode, result.stderr) == (
        2, f"{brief}:{line}:{column}: letter.subject.fr: must be on one line; remove the line break (U+2028) in it\n")


LONG_NAMES = {"long@example.org": "A" * 1000, "spaces@example.org": " ".join(["Word"] * 200),
              "accents@example.org": "Cléo " + "é" * 995, "comma@example.org": "Arbour, Ann (MP)"}


def test_long_names_are_folded_and_a_real_server_takes_their_drafts(tmp_path: Path, smtp_server) -> None:
    people = [{**PEOPLE[0], "name": name, "email": address} for address, name in LONG_NAMES.items()]
    recipients = write_recipients(tmp_path, people)
    result = run_briefgen("letters", str(LETTER_BRIEF), "--recipients", str(recipients), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "letter-test" / "letters"
    mailbox = Mailbox()
    sent = send(folder, smtp_server(mailbox))
    assert (sent.returncode, sent.stderr) == (0, "")
    assert mailbox.delivered_to().keys() == LONG_NAMES.keys()
    for _, (address,), data in mailbox.messages:
        head = data.partition(b"\r\n\r\n")[0]
        assert max(len(line) for line in head.split(b"\r\n")) <= 78
        message = email.message_from_bytes(data, policy=policy.default)
        assert list(message.keys()) == list(DRAFT_HEADERS)
        assert [mailbox.addr_spec for mailbox in message["To"].addresses] == [address]
        raw_to = dict(message.raw_items())["To"]
        shown = decoded(raw_to)
        name = LONG_NAMES[address]
        assert shown in (f"{name} <{address}>", f'"{name}" <{address}>')


def test_a_real_server_refuses_a_header_line_over_998_characters(smtp_server) -> None:
    # What the email package wrote for a name of 1,000 letters, and why it had to be folded.
    port = smtp_server(Mailbox())
    with smtplib.SMTP("127.0.0.1", port) as connection:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            connection.sendmail("casey@coalition.example", ["ann@example.org"],
                                b"To: " + b"A" * 1000 + b" <ann@example.org>\r\nSubject: x\r\n\r\nHello\r\n")
    assert refused.value.smtp_code == 500


SENDER = Sender("Casey Contact", "casey@coalition.example", "A Coalition")


def draft(name: str, subject: str = "Our concerns") -> bytes:
    return build_draft(sender=SENDER, recipient_name=name, recipient_email="victim@example.org",
                       content=DraftContent("en", subject, "Dear,", "We write.", (), "Sincerely,"), pdf=b"%PDF-1.7",
                       attachment_name="letter.pdf", message_id="<0123@coalition.example>",
                       date=dt.datetime(2026, 1, 12, tzinfo=dt.UTC))


@pytest.mark.parametrize("name", ["=?utf-8?b?PGF0dGFja2VyQGV2aWwuZXhhbXBsZT4=?=",
                                  "=?utf-8?q?Bob=0D=0ABcc:_evil@evil.example?=", "Ann\x00Arbour\x1b"])
def test_a_name_that_reaches_the_draft_unchecked_is_still_only_a_name(name: str) -> None:
    message = email.message_from_bytes(draft(name), policy=policy.default)
    assert list(message.keys()) == list(DRAFT_HEADERS)
    assert [mailbox.addr_spec for mailbox in message["To"].addresses] == ["victim@example.org"]
    assert message["To"].addresses[0].display_name == name


def test_a_draft_that_would_not_read_back_as_written_is_not_written() -> None:
    with pytest.raises(UnsafeDraftError) as raised:
        draft("Ann Arbour", subject="Our\x85concerns")
    assert str(raised.value) == (
        "the e-mail draft to victim@example.org was not written: its Subject header reads as 'Our concerns', not as "
        "'Our\\x85concerns'; check the recipient's name, the letter's subject and its contact's name for text that "
        "mail programs read otherwise")
