"""The SMTP connection settings: STARTTLS (MAIL_USE_TLS), implicit TLS (MAIL_USE_SSL) and login."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from interviews.mail.models import OutboxStatus
from interviews.mail.worker import deliver_due
from tests.conftest import free_port
from tests.mail.conftest import WORKER, RefusingHandler

USER, PASSWORD = "outbox@labor.example.org", "app-password-123"


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by this process's default SSL context."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


logins: list[bytes] = []


def _authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    if ok:
        logins.append(auth_data.login)
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[Any]:
    started: list[Controller] = []

    def start(*, implicit: bool) -> tuple[int, RefusingHandler]:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*map(str, certificate))
        handler, port = RefusingHandler({}), free_port()
        options: dict[str, Any] = {"authenticator": _authenticator, "auth_required": True}
        if implicit:
            # aiosmtpd does not count implicit TLS as TLS for AUTH; the connection is encrypted all the same.
            # (AUTH is then offered but not required: the test checks the login happened.)
            options.update(ssl_context=context, auth_require_tls=False, auth_required=False)
        else:
            options.update(tls_context=context, require_starttls=True)
        controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="127.0.0.1", **options)
        controller.start()
        started.append(controller)
        return port, handler

    yield start
    for controller in started:
        controller.stop()


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtps"])
def test_delivers_over_tls_after_logging_in(mail_app, tls_server, make_message, implicit):
    port, handler = tls_server(implicit=implicit)
    mail_app.config.update(
        MAIL_PORT=port, MAIL_USE_TLS=not implicit, MAIL_USE_SSL=implicit, MAIL_USERNAME=USER, MAIL_PASSWORD=PASSWORD
    )
    message = make_message()
    logins.clear()
    report = deliver_due(actor=WORKER)
    assert report.sent == 1, report.errors
    assert logins == [USER.encode()]
    assert message.message_id.encode() in handler.received[0]


def test_a_wrong_password_keeps_the_message_with_the_servers_answer(mail_app, tls_server, make_message):
    port, handler = tls_server(implicit=False)
    mail_app.config.update(MAIL_PORT=port, MAIL_USE_TLS=True, MAIL_USERNAME=USER, MAIL_PASSWORD="wrong")
    message = make_message()
    report = deliver_due(actor=WORKER)
    assert report.retrying == 1 and handler.received == []
    assert message.status is OutboxStatus.pending and "535" in message.last_error


def test_without_starttls_a_server_that_requires_it_refuses(mail_app, tls_server, make_message):
    port, handler = tls_server(implicit=False)
    mail_app.config.update(MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME=USER, MAIL_PASSWORD=PASSWORD)
    message = make_message()
    assert deliver_due(actor=WORKER).retrying == 1 and handler.received == []
    assert message.status is OutboxStatus.pending and message.last_error
