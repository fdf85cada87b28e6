"""Putting e-mails in the outbox, and the staff's actions on it. Nothing here sends: the worker does."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.errors import HeaderParseError, InvalidHeaderDefect
from email.headerregistry import Address
from email.utils import getaddresses
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select

from interviews.audit.services import record
from interviews.auth.models import User
from interviews.database import distinct_values
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.pagination import counted_up_to
from interviews.sections import Figures, figures, read_figures
from interviews.types import utcnow

# Characters that must never reach a header: line breaks (header injection) and other controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
CALENDAR_METHODS = ("REQUEST", "CANCEL", "PUBLISH", "REPLY", "ADD", "REFRESH", "COUNTER", "DECLINECOUNTER")


class OutboxError(Exception):
    """A staff action that does not apply to this message (retrying one that is not failed)."""


def one_line(text: str) -> str:
    """Text safe for a header: control characters become spaces, runs of white space one space.

    "=?" is broken up too: the email package decodes RFC 2047 encoded words found in the text it is
    given, and on Python before 3.11.10 (CVE-2024-6923) writes a decoded line break out as is, so
    "=?utf-8?q?x=0D=0ABcc:...?=" would become a real header.
    """
    return " ".join(_CONTROL.sub(" ", text).split()).replace("=?", "= ?")


_LOCAL_PART_FORBIDDEN = re.compile(r"[\s<>(),;:\\\"\[\]@]")


def parse_mailbox(raw: str) -> Address:
    """One mailbox ("addr" or "Name <addr>") as an Address; ValueError if `raw` is not exactly one.

    Internationalised addresses (what email-validator accepts) are kept: a non-ASCII domain is
    written in its IDNA (xn--) form; a non-ASCII local part needs SMTPUTF8, which the worker asks for.
    """
    cleaned = one_line(raw)
    parsed = [(name, addr) for name, addr in getaddresses([cleaned]) if addr]
    if len(parsed) != 1:
        raise ValueError(f"not one e-mail address: {cleaned!r}")
    name, addr = parsed[0]
    username, at, domain = addr.rpartition("@")
    if not at or not username or "." not in domain or " " in addr:
        raise ValueError(f"not a valid e-mail address: {addr!r}")
    try:
        domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
        if username.isascii():
            address = Address(display_name=one_line(name), addr_spec=f"{username}@{domain}")
        elif _LOCAL_PART_FORBIDDEN.search(username):
            raise ValueError(username)
        else:
            address = Address(display_name=one_line(name), username=username, domain=domain)
    except (ValueError, HeaderParseError, InvalidHeaderDefect, IndexError, UnicodeError) as error:
        raise ValueError(f"not a valid e-mail address: {addr!r}") from error
    if not address.username or not address.domain:
        raise ValueError(f"not a valid e-mail address: {addr!r}")
    return address


def normalize_recipient(raw: str) -> str:
    """One recipient checked and rewritten safely ("Name <addr>", name quoted if need be)."""
    address = parse_mailbox(raw)
    return str(address)


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
    race_id: int | None = None,
) -> OutboxMessage:
    """Add an e-mail to the outbox in the caller's transaction (the caller commits).

    `to` holds one recipient per item ("addr" or "Name <addr>"); a malformed one raises ValueError
    rather than being sent somewhere unexpected. `ics` with `ics_method` ("REQUEST" or "CANCEL") makes
    it a calendar invitation: the e-mail gets the inline text/calendar part and the invite.ics
    attachment. `dedupe_key` makes a message that must go once only (a reminder): a second row with
    the same key violates a constraint. `html` may be a fragment; without it, one is made from `text`.
    `race_id` files the message under a race on the outbox page; by default it is the entity's own
    `race_id` (an interview's), when it has one.
    """
    recipients: list[str] = []
    seen: set[str] = set()
    for raw in to:
        if raw and raw.strip():
            recipient = normalize_recipient(raw)
            address = getaddresses([recipient])[0][1].lower()
            if address not in seen:  # one copy per mailbox, even if listed twice (a candidate who is on the panel)
                seen.add(address)
                recipients.append(recipient)
    if not recipients:
        raise ValueError("an e-mail needs at least one recipient")
    method = ics_method.strip().upper() if ics_method else None
    if method is not None and method not in CALENDAR_METHODS:
        raise ValueError(f"unknown calendar method {ics_method!r}")
    if method is not None and not ics:
        raise ValueError("a calendar method was given without the .ics")
    now = utcnow()
    message = OutboxMessage(
        message_id=new_message_id(),
        dedupe_key=dedupe_key,
        kind=kind[:50],
        to_addresses=", ".join(recipients),
        # Header injection is impossible by construction: line breaks never reach a header.
        subject=one_line(subject)[:300],
        text_body=text,
        html_body=html or "",
        ics=ics,
        ics_method=method,
        entity_type=type(entity).__name__ if entity is not None else "",
        entity_id=getattr(entity, "id", None),
        race_id=race_id if race_id is not None else _race_id_of(entity),
        status=OutboxStatus.pending,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        last_error="",
    )
    db.session.add(message)
    return message


def _race_id_of(entity: Any | None) -> int | None:
    value = getattr(entity, "race_id", None)
    return value if isinstance(value, int) else None


def get_message_or_404(message_id: int) -> OutboxMessage:
    return db.get_or_404(OutboxMessage, message_id)


def counts(where: Sequence[ColumnElement[bool]] = ()) -> dict[str, int]:
    """Messages per tab: pending (including those a worker holds right now), sent, failed; `where` narrows them."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).where(*where).group_by(OutboxMessage.status)
    ).all()
    by_status = {status: n for status, n in rows}
    return {
        "pending": by_status.get(OutboxStatus.pending, 0) + by_status.get(OutboxStatus.sending, 0),
        "sent": by_status.get(OutboxStatus.sent, 0),
        "failed": by_status.get(OutboxStatus.failed, 0),
    }


# The dashboard says "more than" past this many sent messages: the outbox keeps every message for
# years, and counting them all on each visit would grow with them.
DASHBOARD_SENT_COUNTED = 1000


@dataclass(frozen=True)
class DashboardCounts:
    pending: int  # including those a worker holds right now
    failed: int
    sent: int  # up to DASHBOARD_SENT_COUNTED
    more_sent: bool  # there are more sent than that


@figures("dashboard")
def dashboard_figures() -> Figures:
    """The staff dashboard's figures of the outbox (`read_figures("dashboard")`), built once per process."""

    def of(*statuses: OutboxStatus) -> Select[Any]:
        return select(OutboxMessage.id).where(OutboxMessage.status.in_(statuses))

    def counted(rows: Select[Any]) -> ScalarSelect[int]:
        return select(func.count()).select_from(rows.subquery()).scalar_subquery()

    return Figures(
        (
            counted(of(OutboxStatus.pending, OutboxStatus.sending)).label("outbox_pending"),
            counted(of(OutboxStatus.failed)).label("outbox_failed"),
            counted_up_to(of(OutboxStatus.sent), DASHBOARD_SENT_COUNTED).label("outbox_sent"),
        )
    )


def dashboard_counts() -> DashboardCounts:
    """What waits, what failed (both counted exactly: few) and what was sent, counted up to a limit,
    read with the dashboard's other figures; every count is an index range."""
    row = read_figures("dashboard")
    pending, failed, sent = row.outbox_pending, row.outbox_failed, row.outbox_sent
    return DashboardCounts(pending, failed, min(sent, DASHBOARD_SENT_COUNTED), sent > DASHBOARD_SENT_COUNTED)


def kinds() -> list[str]:
    """Every kind of message the outbox holds, for its filter."""
    return distinct_values(OutboxMessage.kind)  # through its index: the outbox keeps years of mail


def retry(message: OutboxMessage, *, actor: User) -> OutboxMessage:
    """Give a failed message a fresh set of attempts, due now. Its Message-ID stays the same."""
    if message.status is not OutboxStatus.failed:
        raise OutboxError("Only a failed message can be retried; this one is " + message.status.label.lower() + ".")
    changes = {
        "status": [message.status.value, OutboxStatus.pending.value],
        "attempts": [message.attempts, 0],
    }
    message.status = OutboxStatus.pending
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    message.claim_token = None
    record(
        "mail.retry",
        message,
        changes=changes,
        summary=f"Retry of “{message.subject}” to {message.to_addresses}"[:500],
        actor=actor,
    )
    return message
