"""Fixtures for the outbox: an SMTP server that can refuse, and quick message factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.mail.services import enqueue
from tests.conftest import free_port

# Who the tests' delivery passes run as, as `flask outbox send` and `work` do.
WORKER = System("outbox worker")

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test Labor Council//Endorsements//EN\r\nMETHOD:REQUEST\r\n"
    b"BEGIN:VEVENT\r\nUID:interview-7@labor.example.org\r\nSEQUENCE:0\r\nDTSTAMP:20261128T120000Z\r\n"
    b"DTSTART:20261201T150000Z\r\nDTEND:20261201T160000Z\r\n"
    b"SUMMARY:Endorsement interview: Candidate A \xe2\x80\x94 a long summary that is folded at seventy-five\r\n"
    b" octets by the library\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def mail_app(app: Flask, mail_settings: dict[str, Any]) -> Flask:
    """The test app, delivering to the test SMTP server."""
    app.config.update(mail_settings)
    return app


@pytest.fixture
def make_message(app: Flask) -> Callable[..., Any]:
    counter = iter(range(1, 100_000))

    def make(**fields: Any):  # type: ignore[no-untyped-def]
        n = next(counter)
        message = enqueue(
            to=fields.pop("to", [f"Scheduler {n} <scheduler{n}@campaign.example.com>"]),
            subject=fields.pop("subject", f"Invitation to interview {n}"),
            text=fields.pop("text", f"Hello,\n\nChoose a time: http://interviews.example.org/c/token-{n}\n"),
            html=fields.pop("html", ""),
            kind=fields.pop("kind", "test"),
            **fields,
        )
        db.session.commit()
        return message

    return make


class RefusingHandler:
    """An SMTP server's handler that refuses some recipients with the given reply, and keeps the rest."""

    def __init__(self, refuse: dict[str, str]) -> None:
        self.refuse = refuse
        self.received: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def refusing_smtp() -> Iterator[Callable[..., tuple[int, RefusingHandler]]]:
    from aiosmtpd.controller import Controller

    controllers = []

    def start(refuse: dict[str, str], **options: Any) -> tuple[int, RefusingHandler]:
        handler = RefusingHandler(refuse)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return port, handler

    yield start
    for controller in controllers:
        controller.stop()
