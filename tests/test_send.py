"""`briefgen send` against a real SMTP server (aiosmtpd) on 127.0.0.1: every draft delivered
exactly once, across a dropped connection and a rerun, a refused recipient, STARTTLS with a
self-signed certificate, and a login.
"""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import json
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

from briefgen.mail.drafts import DraftContent, build_draft, message_id
from briefgen.mail.send import JOURNAL_NAME
from briefgen.prepare.letters import Sender
from conftest import Mailbox, free_port, send

RECIPIENTS = [("Ann Arbour", "ann@example.org"), ("Bob Roe", "bob@example.org"), ("Cleo Côté", "cleo@example.org"),
              ("Dev Das", "dev@example.org"), ("Eve Ng", "eve@example.org")]


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    """A folder with one draft per person of RECIPIENTS, each with a small PDF attached."""
    folder = tmp_path / "letters"
    folder.mkdir()
    sender = Sender("Casey Contact", "casey@coalition.example", "A Coalition")
    content = DraftContent("en", "Our concerns", "Dear Member,", "We write *now*.", ("Do one thing.",), "Sincerely,")
    for name, address in RECIPIENTS:
        pdf = f"%PDF-1.7 letter to {name}".encode()
        (folder / f"{address.partition('@')[0]}.eml").write_bytes(build_draft(
            sender=sender, recipient_name=name, recipient_email=address, content=content, pdf=pdf,
            attachment_name="letter.pdf", message_id=message_id("brief", address, name, "coalition.example"),
            date=dt.datetime(2026, 1, 12, tzinfo=dt.UTC)))
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


def test_dry_run_lists_what_would_be_sent_and_sends_nothing(drafts, smtp_server) -> None:
    mailbox = Mailbox()
    port = smtp_server(mailbox)
    (drafts / "ann.eml").unlink()
    result = send(drafts, port, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"would send {address.partition('@')[0]}.eml to {address}"
                                          for _, address in RECIPIENTS[1:]] + [
        "4 drafts: 0 sent now, 0 sent before, 0 refused, 4 left to send"]
    assert mailbox.messages == []


def test_rate_spaces_the_messages(drafts, smtp_server) -> None:
    for path in sorted(drafts.glob("*.eml"))[2:]:
        path.unlink()
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
    assert (nothing.returncode, nothing.stderr) == (2, f"{empty}: no .eml drafts here; write them with briefgen "
                                                       "letters\n")
    bad = subprocess.run([sys.executable, "-m", "briefgen", "send", str(drafts), "--smtp", "localhost"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "give the server as HOST:PORT" in bad.stderr and "Traceback" not in bad.stderr


def test_a_server_that_is_not_there_leaves_every_draft_to_send(drafts) -> None:
    port = free_port()
    result = send(drafts, port)
    assert result.returncode == 1
    assert result.stderr == f"stopped: cannot connect to 127.0.0.1:{port}: Connection refused\n"
    assert result.stdout == "5 drafts: 0 sent now, 0 sent before, 0 refused, 5 left to send\n"


def test_a_journal_line_torn_by_a_crash_loses_nothing_after_it(drafts, smtp_server) -> None:
    mailbox = Mailbox()
    port = smtp_server(mailbox)
    bob = (drafts / "bob.eml").read_bytes()
    (drafts / "bob.eml").unlink()
    assert send(drafts, port).returncode == 0
    with (drafts / JOURNAL_NAME).open("a", encoding="utf-8") as stream:
        stream.write('{"message_id": "<torn')
    (drafts / "bob.eml").write_bytes(bob)
    assert send(drafts, port).stdout == "5 drafts: 1 sent now, 4 sent before, 0 refused, 0 left to send\n"
    assert send(drafts, port).stdout == "5 drafts: 0 sent now, 5 sent before, 0 refused, 0 left to send\n"
    assert mailbox.delivered_to() == Counter(address for _, address in RECIPIENTS)
