"""`briefgen send` against a real SMTP server (aiosmtpd) on 127.0.0.1: every draft delivered
exactly once, across a dropped connection and a rerun, refusals for good and for now, a slow
server, STARTTLS with a self-signed certificate, and a login.
"""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import json
import socket
import ssl
import subprocess
import sys
from collections import Counter
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from briefgen.mail.journal import JOURNAL_NAME, SEAL_NAME
from briefgen.mail.send import SmtpOptions
from conftest import Mailbox, free_port, send, write_drafts

RECIPIENTS = [("Ann Arbour", "ann@example.org"), ("Bob Roe", "bob@example.org"), ("Cleo Côté", "cleo@example.org"),
              ("Dev Das", "dev@example.org"), ("Eve Ng", "eve@example.org")]


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    """A folder with one draft per person of RECIPIENTS, each with a small PDF attached, and
    the outbox that lists them."""
    folder = tmp_path / "letters"
    write_drafts(folder, RECIPIENTS)
    return folder


def journal(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()]


def test_every_draft_is_delivered_once_with_its_attachment_and_a_rerun_sends_nothing(drafts, smtp_server) -> None:
    mailbox = Mailbox()
    port = smtp_server(mailbox)
    result = send(drafts, port)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "5 drafts: 5 sent now, 0 sent before, 0 refused, 0 left to send\n"
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)
    for sender, addresses, data in mailbox.messages:
        message = email.message_from_bytes(data, policy=policy.default)
        assert sender == "casey@coalition.example"
        assert addresses == [message["To"].addresses[0].addr_spec]
        (attachment,) = message.iter_attachments()
        assert attachment.get_content().decode().endswith(message["To"].addresses[0].display_name)
        assert message["Date"].datetime.date() != dt.date(2026, 1, 12)  # the time of sending, not drafting
    assert [entry["status"] for entry in journal(drafts)] == ["sending", "accepted"] * 5
    again = send(drafts, port)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "5 drafts: 0 sent now, 5 sent before, 0 refused, 0 left to send\n"
    assert len(mailbox.messages) == 5


def test_a_dropped_connection_then_a_rerun_delivers_each_recipient_exactly_once(drafts, smtp_server) -> None:
    mailbox = Mailbox(drop_at_mail=3)
    port = smtp_server(mailbox)
    first = send(drafts, port)
    assert first.returncode == 1
    assert first.stdout == "5 drafts: 2 sent now, 0 sent before, 0 refused, 3 left to send\n"
    assert first.stderr.startswith("stopped: the connection failed before cleo.eml (cleo@example.org) was sent: ")
    mailbox.drop_at_mail = None
    second = send(drafts, port)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "5 drafts: 3 sent now, 2 sent before, 0 refused, 0 left to send\n"
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)
    assert set(mailbox.delivered_to().values()) == {1}


def test_a_refused_recipient_is_reported_and_the_others_are_delivered(drafts, smtp_server) -> None:
    mailbox = Mailbox(refuse=frozenset({"bob@example.org"}))
    port = smtp_server(mailbox)
    result = send(drafts, port)
    assert result.returncode == 1
    assert result.stderr == "refused: bob.eml (bob@example.org): 550 5.1.1 no such mailbox here\n"
    assert result.stdout == "5 drafts: 4 sent now, 0 sent before, 1 refused, 0 left to send\n"
    assert set(mailbox.delivered_to()) == {address for _, address in RECIPIENTS} - {"bob@example.org"}
    rerun = send(drafts, port)
    assert rerun.returncode == 1
    assert rerun.stderr == result.stderr
    assert rerun.stdout == "5 drafts: 0 sent now, 4 sent before, 1 refused, 0 left to send\n"
    assert len(mailbox.messages) == 4


def test_a_message_whose_acceptance_was_lost_is_not_sent_again_unless_asked(drafts, smtp_server) -> None:
    mailbox = Mailbox(drop_after_data=2)
    port = smtp_server(mailbox)
    first = send(drafts, port)
    assert first.returncode == 1
    assert first.stderr.splitlines()[0] == (
        "uncertain: bob.eml (bob@example.org): the connection dropped before the server confirmed it, so it "
        "may have been delivered; check, then send again with --resend-uncertain")
    assert first.stdout == "5 drafts: 1 sent now, 0 sent before, 0 refused, 3 left to send, 1 uncertain\n"
    second = send(drafts, port)
    assert second.stdout == "5 drafts: 3 sent now, 1 sent before, 0 refused, 0 left to send, 1 uncertain\n"
    assert mailbox.delivered_to()["bob@example.org"] == 1
    third = send(drafts, port, "--resend-uncertain")
    assert third.returncode == 0, third.stderr
    assert third.stdout == "5 drafts: 1 sent now, 4 sent before, 0 refused, 0 left to send\n"


def test_dry_run_lists_what_would_be_sent_and_sends_and_writes_nothing(drafts, smtp_server) -> None:
    mailbox = Mailbox(drop_at_mail=2)
    port = smtp_server(mailbox)
    assert send(drafts, port).returncode == 1  # Ann's letter went
    journal_before = (drafts / JOURNAL_NAME).read_bytes()
    result = send(drafts, port, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"would send {address.partition('@')[0]}.eml to {address}"
                                          for _, address in RECIPIENTS[1:]] + [
        "5 drafts: 0 sent now, 1 sent before, 0 refused, 4 left to send"]
    assert len(mailbox.messages) == 1
    assert (drafts / JOURNAL_NAME).read_bytes() == journal_before
    fresh = drafts.parent / "fresh"
    write_drafts(fresh, RECIPIENTS)
    assert send(fresh, port, "--dry-run").returncode == 0
    assert not (fresh / JOURNAL_NAME).exists() and not (fresh / SEAL_NAME).exists()


def test_rate_spaces_the_messages(tmp_path: Path, smtp_server) -> None:
    drafts = tmp_path / "letters"
    write_drafts(drafts, RECIPIENTS[:2])
    port = smtp_server(Mailbox())
    started = dt.datetime.now()
    result = send(drafts, port, "--rate", "120")
    assert result.returncode == 0, result.stderr
    assert (dt.datetime.now() - started).total_seconds() >= 0.5


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key, and the key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "briefgen test server")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path, smtp_server):
    """A server that requires STARTTLS with a self-signed certificate and takes the login tester/secret."""
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"tester", b"secret")
        return AuthResult(success=ok, handled=False)

    mailbox = Mailbox()
    port = smtp_server(mailbox, tls_context=context, require_starttls=True, authenticator=authenticate)
    return mailbox, port, cert


def test_starttls_with_a_self_signed_certificate_needs_its_cafile(drafts, tls_server) -> None:
    mailbox, port, cert = tls_server
    refused = send(drafts, port, "--starttls")
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"stopped: cannot verify the certificate of 127.0.0.1:{port}: self-signed "
                                     "certificate; if your own authority signed it, give its certificate with "
                                     "--cafile\n")
    assert mailbox.messages == []
    trusted = send(drafts, port, "--starttls", "--cafile", str(cert))
    assert trusted.returncode == 0, trusted.stderr
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)


def test_implicit_tls_with_ssl(drafts, smtp_server, tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    port = smtp_server(mailbox, ssl_context=context)
    result = send(drafts, port, "--ssl", "--cafile", str(cert))
    assert result.returncode == 0, result.stderr
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)


def test_login_over_starttls_takes_the_password_from_the_environment(drafts, tls_server) -> None:
    mailbox, port, cert = tls_server
    missing = send(drafts, port, "--starttls", "--cafile", str(cert), "--user", "tester",
                   env={"BRIEFGEN_SMTP_PASSWORD": ""})
    assert missing.returncode == 2
    assert missing.stderr == "--user tester needs the password in the environment variable BRIEFGEN_SMTP_PASSWORD\n"
    wrong = send(drafts, port, "--starttls", "--cafile", str(cert), "--user", "tester",
                 env={"BRIEFGEN_SMTP_PASSWORD": "guess"})
    assert wrong.returncode == 1
    assert wrong.stderr.startswith(f"stopped: 127.0.0.1:{port} refused the login of tester: 535 ")
    right = send(drafts, port, "--starttls", "--cafile", str(cert), "--user", "tester",
                 env={"BRIEFGEN_SMTP_PASSWORD": "secret"})
    assert right.returncode == 0, right.stderr
    assert len(mailbox.messages) == 5


def test_mistakes_on_the_command_line_are_one_line_and_exit_2(drafts, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there; none of these get that far
    assert send(drafts, port, "--starttls", "--ssl").stderr == "give --starttls or --ssl, not both\n"
    no_tls = send(drafts, port, "--user", "tester", env={"BRIEFGEN_SMTP_PASSWORD": "secret"})
    assert (no_tls.returncode, no_tls.stderr) == (2, "--user sends a password: use it with --starttls or --ssl\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = send(empty, port)
    assert (nothing.returncode, nothing.stderr) == (2, f"{empty}: no drafts of briefgen letters here (it lists "
                                                       "them in .briefgen-letters.json); write the drafts with "
                                                       "briefgen letters\n")
    bad = subprocess.run([sys.executable, "-m", "briefgen", "send", str(drafts), "--smtp", "localhost"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "give the server as HOST:PORT" in bad.stderr and "Traceback" not in bad.stderr


def test_a_server_that_is_not_there_leaves_every_draft_to_send(drafts) -> None:
    port = free_port()
    result = send(drafts, port)
    assert result.returncode == 1
    assert result.stderr == f"stopped: cannot connect to 127.0.0.1:{port}: Connection refused\n"
    assert result.stdout == "5 drafts: 0 sent now, 0 sent before, 0 refused, 5 left to send\n"


def test_a_journal_line_torn_by_a_crash_loses_nothing_and_is_cut_off(drafts, smtp_server) -> None:
    mailbox = Mailbox(drop_at_mail=2)
    port = smtp_server(mailbox)
    assert send(drafts, port).stdout == "5 drafts: 1 sent now, 0 sent before, 0 refused, 4 left to send\n"
    whole = (drafts / JOURNAL_NAME).read_bytes()
    with (drafts / JOURNAL_NAME).open("a", encoding="utf-8") as stream:
        stream.write('{"message_id": "<torn')
    assert send(drafts, port).stdout == "5 drafts: 4 sent now, 1 sent before, 0 refused, 0 left to send\n"
    assert (drafts / JOURNAL_NAME).read_bytes().startswith(whole + b'{"message_id"')
    assert b"<torn" not in (drafts / JOURNAL_NAME).read_bytes()
    assert send(drafts, port).stdout == "5 drafts: 0 sent now, 5 sent before, 0 refused, 0 left to send\n"
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)


def test_a_refusal_at_rcpt_is_journalled_and_never_tried_again(drafts, smtp_server) -> None:
    mailbox = Mailbox(refuse=frozenset({"bob@example.org"}))
    port = smtp_server(mailbox)
    assert send(drafts, port).returncode == 1
    (refusal,) = [entry for entry in journal(drafts) if entry["to"] == "bob@example.org"]
    assert (refusal["status"], refusal["reply"]) == ("refused", "550 5.1.1 no such mailbox here")
    mailbox.refuse = frozenset()
    rerun = send(drafts, port)
    assert rerun.stderr == "refused: bob.eml (bob@example.org): 550 5.1.1 no such mailbox here\n"
    assert mailbox.rcpt_attempts.count("bob@example.org") == 1


def test_a_temporary_refusal_is_printed_with_the_servers_words_and_sent_on_the_next_run(drafts, smtp_server) -> None:
    mailbox = Mailbox(defer=frozenset({"bob@example.org"}), data_replies={"dev@example.org": "452 4.3.1 out of room"})
    port = smtp_server(mailbox)
    first = send(drafts, port)
    assert first.returncode == 1
    assert first.stderr == (
        "deferred: bob.eml (bob@example.org): 451 4.3.0 mailbox busy, try again later; it is left to send: run "
        "briefgen send again later\n"
        "deferred: dev.eml (dev@example.org): 452 4.3.1 out of room; it is left to send: run briefgen send again "
        "later\n")
    assert first.stdout == "5 drafts: 3 sent now, 0 sent before, 0 refused, 2 left to send\n"
    mailbox.defer, mailbox.data_replies = frozenset(), {}
    second = send(drafts, port)
    assert (second.returncode, second.stderr) == (0, "")
    assert second.stdout == "5 drafts: 2 sent now, 3 sent before, 0 refused, 0 left to send\n"
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)


def test_a_refusal_after_the_message_is_journalled_with_the_servers_words(drafts, smtp_server) -> None:
    mailbox = Mailbox(data_replies={"cleo@example.org": "554 5.7.1 message refused as spam"})
    port = smtp_server(mailbox)
    first = send(drafts, port)
    assert first.stderr == "refused: cleo.eml (cleo@example.org): 554 5.7.1 message refused as spam\n"
    assert first.stdout == "5 drafts: 4 sent now, 0 sent before, 1 refused, 0 left to send\n"
    assert [entry["status"] for entry in journal(drafts) if entry["to"] == "cleo@example.org"] == ["sending",
                                                                                                   "refused"]
    mailbox.data_replies = {}
    assert send(drafts, port).stderr == first.stderr
    assert "cleo@example.org" not in mailbox.delivered_to()


def test_421_stops_sending_and_leaves_the_rest_to_send(drafts, smtp_server) -> None:
    mailbox = Mailbox(rcpt_replies={"cleo@example.org": "421 4.3.2 shutting down"})
    port = smtp_server(mailbox)
    result = send(drafts, port)
    assert result.returncode == 1
    assert result.stderr == ("deferred: cleo.eml (cleo@example.org): 421 4.3.2 shutting down; it is left to send: "
                             "run briefgen send again later\n"
                             "stopped: the server would take no more messages: 421 4.3.2 shutting down\n")
    assert result.stdout == "5 drafts: 2 sent now, 0 sent before, 0 refused, 3 left to send\n"
    assert mailbox.rcpt_attempts == ["ann@example.org", "bob@example.org", "cleo@example.org"]


def test_the_timeouts_default_to_those_of_rfc_5321() -> None:
    options = SmtpOptions("smtp.example.org", 587)
    assert (options.timeout, options.data_timeout) == (300.0, 600.0)


def test_a_server_slow_to_confirm_a_message_leaves_it_uncertain_after_the_data_timeout(drafts, smtp_server) -> None:
    mailbox = Mailbox(delay_data=1.0)
    port = smtp_server(mailbox)
    slow = send(drafts, port, "--timeout", "5", "--data-timeout", "0.5")
    assert slow.returncode == 1
    assert slow.stderr == (
        "uncertain: ann.eml (ann@example.org): the server did not confirm it within 0.5 s, so it may have been "
        "delivered; check, then send again with --resend-uncertain\n"
        "stopped: the server did not answer within 0.5 s while ann.eml (ann@example.org) was being sent; give it "
        "longer with --data-timeout\n")
    assert slow.stdout == "5 drafts: 0 sent now, 0 sent before, 0 refused, 4 left to send, 1 uncertain\n"
    # The answer after the message may take longer than the answer to a command.
    patient = send(drafts, port, "--timeout", "0.5", "--data-timeout", "5")
    assert (patient.returncode, patient.stderr) == (1, (
        "uncertain: ann.eml (ann@example.org): an earlier run stopped before the server confirmed it, so it may "
        "have been delivered; check, then send again with --resend-uncertain\n"))
    assert patient.stdout == "5 drafts: 4 sent now, 0 sent before, 0 refused, 0 left to send, 1 uncertain\n"


def test_a_server_slow_to_answer_a_command_stops_sending_after_the_timeout(drafts, smtp_server) -> None:
    mailbox = Mailbox(delay_rcpt=1.0)
    port = smtp_server(mailbox)
    result = send(drafts, port, "--timeout", "0.5")
    assert result.returncode == 1
    assert result.stderr == ("stopped: the server did not answer within 0.5 s before ann.eml (ann@example.org) was "
                             "sent; give it longer with --timeout\n")
    assert result.stdout == "5 drafts: 0 sent now, 0 sent before, 0 refused, 5 left to send\n"
    assert not (drafts / JOURNAL_NAME).read_bytes()


def test_a_server_that_never_greets_is_given_up_after_the_timeout(drafts) -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        result = send(drafts, port, "--timeout", "0.5")
    assert result.returncode == 1
    assert result.stderr == (f"stopped: 127.0.0.1:{port} did not answer within 0.5 s; check the server, or give it "
                             "longer with --timeout\n")
    assert result.stdout == "5 drafts: 0 sent now, 0 sent before, 0 refused, 5 left to send\n"


def test_limit_stops_after_n_messages_and_the_next_run_goes_on_from_the_journal(drafts, smtp_server) -> None:
    mailbox = Mailbox()
    port = smtp_server(mailbox)
    first = send(drafts, port, "--limit", "2")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ("5 drafts: 2 sent now, 0 sent before, 0 refused, 3 left to send\n"
                            "stopped at the limit of 2 messages: 2 sent now, 3 left to send; "
                            "run briefgen send again to go on\n")
    assert first.stderr == ""
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS[:2])
    dry = send(drafts, port, "--limit", "2", "--dry-run")
    assert dry.stdout.splitlines()[:2] == ["would send cleo.eml to cleo@example.org",
                                           "would send dev.eml to dev@example.org"]
    assert dry.stdout.splitlines()[-1] == "would stop at the limit of 2: 1 left for the next run"
    second = send(drafts, port, "--limit", "2")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("5 drafts: 2 sent now, 2 sent before, 0 refused, 1 left to send\n"
                                    "stopped at the limit of 2 messages: 2 sent now, 1 left to send;")
    third = send(drafts, port, "--limit", "2")
    assert third.returncode == 0, third.stderr
    assert third.stdout == "5 drafts: 1 sent now, 4 sent before, 0 refused, 0 left to send\n"
    # Everyone once over the runs, nobody twice; the envelopes the server received.
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)
    assert [(sender, addresses) for sender, addresses, _ in mailbox.messages] == [
        ("casey@coalition.example", [address]) for _, address in RECIPIENTS]
    fourth = send(drafts, port, "--limit", "2")
    assert fourth.stdout == "5 drafts: 0 sent now, 5 sent before, 0 refused, 0 left to send\n"


def test_limit_is_a_count_of_one_or_more(drafts) -> None:
    result = send(drafts, free_port(), "--limit", "0")
    assert result.returncode == 2
    assert "Invalid value for '--limit': 0 is not in the range x>=1." in result.stderr
