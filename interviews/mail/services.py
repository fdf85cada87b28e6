"""Putting e-mails in the outbox. Nothing here sends: the worker does (interviews/mail/worker.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from flask import current_app

from interviews.extensions import db
from interviews.mail.models import OutboxMessage


def new_message_id() -> str:
    """A Message-ID fixed when the row is written, so a retried delivery is the same message."""
    domain = current_app.config["ORGANIZER_EMAIL"].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(
    *,
    to: Iterable[str],
    subject: str,
    text: str,
    html: str = "",
    kind: str,
    ics: bytes | None = None,
    ics_method: str | None = None,
    entity: Any | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Add an e-mail to the outbox in the caller's transaction (the caller commits).

    `ics` with `ics_method` ("REQUEST" or "CANCEL") makes it a calendar invitation: the worker adds
    the inline text/calendar part and the invite.ics attachment. `dedupe_key` makes a message
    that must go once only (a reminder): a second row with the same key violates a constraint.
    """
    recipients = [address.strip() for address in to if address and address.strip()]
    if not recipients:
        raise ValueError("an e-mail needs at least one recipient")
    # Header injection is impossible by construction: line breaks never reach a header.
    subject = " ".join(subject.split())
    message = OutboxMessage(
        message_id=new_message_id(),
        dedupe_key=dedupe_key,
        kind=kind,
        to_addresses=", ".join(recipients),
        subject=subject[:300],
        text_body=text,
        html_body=html,
        ics=ics,
        ics_method=ics_method,
        entity_type=type(entity).__name__ if entity is not None else "",
        entity_id=getattr(entity, "id", None),
    )
    db.session.add(message)
    return message
