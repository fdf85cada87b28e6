"""Delivering the outbox over SMTP: one pass of `deliver_due`, safe to run in several processes at once.

How a message is never sent twice: a worker first *claims* due messages in a short transaction
(status 'sending', its own claim token, a lease in claimed_until) and commits; only then does it talk
to the SMTP server, outside any transaction; each result is written back only if the claim is still
its own. On PostgreSQL the claim reads with FOR UPDATE SKIP LOCKED, so workers take disjoint rows
without waiting; on SQLite each claim is a conditional UPDATE (still due?) whose row count says
whether this worker won, inside a BEGIN IMMEDIATE transaction (interviews/database.py). A worker that
dies mid-pass leaves 'sending' rows whose lease runs out; the next pass takes them again. A worker
stops using its claims well before the lease ends, so a slow worker and a new one never overlap.

The one window left is a crash between the SMTP server accepting a message and the row being marked
sent: the message then goes again after the lease, with the same Message-ID, which receiving systems
and mail clients use to drop the duplicate.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import MessageError
from email.policy import SMTPUTF8
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from interviews.audit.actors import System
from interviews.audit.services import record
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.mail.compose import (
    POLICY,
    UnsendableMessage,
    build_email,
    check_settings,
    email_bytes,
    envelope_sender,
)
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.types import utcnow

log = logging.getLogger(__name__)

BATCH_SIZE = 25
LEASE_SECONDS = 600
DEFAULT_TIMEOUT = 30.0
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


class MailSettingsError(Exception):
    """The mail settings cannot work: the pass stops before claiming anything (no message is failed for it)."""


@dataclass
class DeliveryReport:
    """What one pass did. `due` is how many were due when it began (for "12/340 sent")."""

    configured: bool = True
    due: int = 0
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again after the back-off
    failed: int = 0  # gave up: the last attempt, or a permanent refusal
    released: int = 0  # claimed but put back untried (asked to stop, or the server was down)
    lost_claims: int = 0  # our lease ran out before we recorded the result (should not happen)
    errors: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.sent + self.retrying + self.failed

    @property
    def ok(self) -> bool:
        return self.retrying == 0 and self.failed == 0 and self.lost_claims == 0

    def summary(self) -> str:
        if not self.configured:
            return (
                f"No SMTP server is configured (MAIL_SERVER): nothing was sent. {self.due} message(s) wait "
                "in the outbox; staff can read each one, and follow its links, on the Outbox page."
            )
        parts = [f"{self.sent}/{self.due} sent"]
        if self.retrying:
            parts.append(f"{self.retrying} to retry later")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.released:
            parts.append(f"{self.released} left for the next pass")
        return ", ".join(parts)


@dataclass
class _Outgoing:
    """What the worker needs of a claimed row, read before the claim commits (no open transaction while sending)."""

    id: int
    attempts: int
    recipients: list[str]
    data: bytes = b""
    smtputf8: bool = False
    problem: str = ""  # the row cannot become an e-mail: fail it without trying


class _ServerUnavailable(Exception):
    """Connecting, TLS or login failed: no message can go this pass."""


class _Refused(Exception):
    """The server answered this message with a refusal; `permanent` (5xx) means retrying cannot help."""

    def __init__(self, text: str, *, permanent: bool) -> None:
        super().__init__(text)
        self.permanent = permanent


class _Mailer:
    """One SMTP connection per pass, opened on first use and reopened once if the server drops it."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["MAIL_SERVER"], int(self.config.get("MAIL_PORT") or 25)
        timeout = float(self.config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT)
        smtp: smtplib.SMTP | None = None
        try:
            if self.config.get("MAIL_USE_SSL"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
            if self.config.get("MAIL_USE_TLS") and not self.config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if self.config.get("MAIL_USERNAME"):
                smtp.login(self.config["MAIL_USERNAME"], self.config.get("MAIL_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as error:
            if smtp is not None:  # connected, but TLS or login failed: do not leave the socket open
                smtp.close()
            raise _ServerUnavailable(f"cannot use the SMTP server {host}:{port}: {_describe(error)}") from error
        return smtp

    def send(self, sender: str, outgoing: _Outgoing) -> dict[str, tuple[int, bytes]]:
        options = ["SMTPUTF8"] if outgoing.smtputf8 else []
        for attempt in (1, 2):
            if self.smtp is None:
                self.smtp = self._connect()
            try:
                return self.smtp.sendmail(sender, outgoing.recipients, outgoing.data, mail_options=options)
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                text = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in error.recipients.items())
                if codes and all(code >= 500 for code in codes):
                    raise _Refused(f"every recipient was refused: {text}", permanent=True) from error
                raise _Refused(f"the recipients were refused for now: {text}", permanent=False) from error
            except smtplib.SMTPNotSupportedError as error:
                raise _Refused(f"the server does not accept this message: {error}", permanent=True) from error
            except smtplib.SMTPResponseException as error:
                if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
                    raise _Refused(f"the server refused the message: {_describe(error)}", permanent=True) from error
                raise
            except (smtplib.SMTPServerDisconnected, OSError):
                # The connection went away (idle timeout, server restart): reopen once for this message.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at an hour."""
    config = current_app.config
    base = int(config.get("MAIL_RETRY_BASE_SECONDS") or RETRY_BASE_SECONDS)
    cap = int(config.get("MAIL_RETRY_MAX_SECONDS") or RETRY_MAX_SECONDS)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now),
        # A worker that crashed mid-pass: its lease has run out.
        and_(OutboxMessage.status == OutboxStatus.sending, OutboxMessage.claimed_until < now),
    )


def count_due(now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(_due(now or utcnow()))) or 0


def _prepare(row: OutboxMessage) -> _Outgoing:
    outgoing = _Outgoing(id=row.id, attempts=row.attempts, recipients=row.recipient_addresses)
    try:
        mail = build_email(row)
        outgoing.smtputf8 = any(not address.isascii() for address in outgoing.recipients)
        outgoing.data = email_bytes(mail, policy=SMTPUTF8 if outgoing.smtputf8 else POLICY)
    except (UnsendableMessage, MessageError, ValueError, TypeError) as error:
        outgoing.problem = f"cannot be sent as written: {error}"
    return outgoing


def _claim(now: datetime, size: int, token: str, lease: timedelta) -> list[_Outgoing]:
    """Take up to `size` due messages for this pass, in one short committed transaction."""
    query = select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    query = query.limit(size)
    claim = {"status": OutboxStatus.sending, "claimed_until": now + lease, "claim_token": token}
    if db.session.get_bind().dialect.name == "postgresql":
        # The rows come locked (others skip them), so one UPDATE claims them all.
        rows = db.session.scalars(query.with_for_update(skip_locked=True)).all()
        if rows:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([row.id for row in rows]))
                .values(**claim)
                .execution_options(synchronize_session=False)
            )
    else:
        # SQLite: each claim is a conditional UPDATE (still due?); its row count says whether we won.
        rows = [
            row
            for row in db.session.scalars(query).all()
            if rows_changed(
                db.session,
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, _due(now))
                .values(**claim)
                .execution_options(synchronize_session=False),
            )
            == 1
        ]
    claimed = [_prepare(row) for row in rows]
    db.session.commit()
    return claimed


def _write_result(outgoing: _Outgoing, token: str, **values: object) -> bool:
    """Write the result, only if the claim is still ours (the caller commits). Returns False when it was lost."""
    changed = rows_changed(
        db.session,
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outgoing.id,
            OutboxMessage.claim_token == token,
            OutboxMessage.status == OutboxStatus.sending,
        )
        .values(claimed_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False),
    )
    return changed == 1


def _record_failure(
    outgoing: _Outgoing,
    token: str,
    at: datetime,
    error: str,
    *,
    permanent: bool,
    report: DeliveryReport,
    actor: System,
) -> None:
    attempts = outgoing.attempts + 1
    max_attempts = int(current_app.config.get("MAIL_MAX_ATTEMPTS") or 8)
    gave_up = permanent or attempts >= max_attempts
    if gave_up:
        error = f"{error} (gave up after {attempts} attempt{'s' if attempts != 1 else ''})"
    kept = _write_result(
        outgoing,
        token,
        status=OutboxStatus.failed if gave_up else OutboxStatus.pending,
        attempts=attempts,
        last_error=error[:2000],
        last_attempt_at=at,
        next_attempt_at=at + backoff(attempts),
    )
    if kept and gave_up:
        # Giving up is a decision staff answer (with Retry, also audited); a retry later is routine.
        record(
            "mail.failed",
            entity_type="OutboxMessage",
            entity_id=outgoing.id,
            changes={
                "status": [OutboxStatus.sending, OutboxStatus.failed],
                "attempts": attempts,
                "error": error[:2000],
            },
            summary=f"Gave up delivering message {outgoing.id} to {', '.join(outgoing.recipients)}",
            actor=actor,
        )
    db.session.commit()
    if not kept:
        report.lost_claims += 1
    elif gave_up:
        report.failed += 1
    else:
        report.retrying += 1
    report.errors.append(f"message {outgoing.id}: {error}")
    log.warning("outbox message %s not delivered: %s", outgoing.id, error)


def _release(items: list[_Outgoing], token: str) -> int:
    """Put claimed but untried messages back, due as they were."""
    if not items:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([i.id for i in items]), OutboxMessage.claim_token == token)
        .values(status=OutboxStatus.pending, claimed_until=None, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return len(items)


def _deliver_one(
    mailer: _Mailer,
    sender: str,
    outgoing: _Outgoing,
    token: str,
    clock: Callable[[], datetime],
    report: DeliveryReport,
    down: str,
    actor: System,
) -> str:
    """Send one claimed message and record the result. Returns why the server is unusable, if it is."""
    if outgoing.problem:
        _record_failure(outgoing, token, clock(), outgoing.problem, permanent=True, report=report, actor=actor)
        return down
    if down:
        # Nothing can go this pass: the rest of the batch gets the same error and back-off.
        _record_failure(outgoing, token, clock(), down, permanent=False, report=report, actor=actor)
        return down
    try:
        refused = mailer.send(sender, outgoing)
    except _ServerUnavailable as error:
        _record_failure(outgoing, token, clock(), str(error), permanent=False, report=report, actor=actor)
        return str(error)
    except _Refused as error:
        _record_failure(outgoing, token, clock(), str(error), permanent=error.permanent, report=report, actor=actor)
        return down
    except (OSError, smtplib.SMTPException) as error:
        _record_failure(outgoing, token, clock(), _describe(error), permanent=False, report=report, actor=actor)
        return down
    at = clock()
    note = ""
    if refused:  # some recipients refused, the others accepted it: it is sent, with a note
        note = "sent, but refused for: " + "; ".join(
            f"{rcpt} ({code} {_text(msg)})" for rcpt, (code, msg) in refused.items()
        )
    kept = _write_result(outgoing, token, status=OutboxStatus.sent, sent_at=at, last_attempt_at=at, last_error=note)
    db.session.commit()
    if kept:
        report.sent += 1
    else:
        report.lost_claims += 1
        log.error("outbox message %s was sent after its claim ran out", outgoing.id)
    return down


def deliver_due(
    *,
    actor: System,
    limit: int | None = None,
    now: datetime | None = None,
    progress: Callable[[DeliveryReport], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """One pass: deliver the messages due now (at most `limit`), record each result, return a report.

    `actor` is the job running the pass (the audit trail names it on the messages it gave up on);
    `now` fixes the clock (tests); `progress` is called after each message; `stop` is asked between
    messages (a worker told to shut down puts its remaining claims back and returns).
    """
    config = current_app.config
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    report = DeliveryReport(configured=bool(config.get("MAIL_SERVER")))
    report.due = count_due(clock())
    db.session.commit()  # no transaction stays open while we talk to the SMTP server
    if limit is not None:
        report.due = min(report.due, limit)
    if not report.configured:
        return report

    token = uuid.uuid4().hex
    lease_seconds = int(config.get("MAIL_CLAIM_SECONDS") or LEASE_SECONDS)
    timeout = float(config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT)
    # Stop using a claim while a full send (two tries) still fits well inside its lease.
    safety = min(3 * timeout + 5, lease_seconds / 2)
    try:
        check_settings()
    except UnsendableMessage as error:
        raise MailSettingsError(
            f"The sender settings are wrong (MAIL_DEFAULT_SENDER, ORGANIZER_EMAIL): {error}. Nothing was sent."
        ) from error
    sender = envelope_sender()
    mailer = _Mailer(config)
    try:
        while limit is None or report.processed < limit:
            if stop is not None and stop():
                break
            size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - report.processed)
            claimed_at = time.monotonic()
            batch = _claim(clock(), size, token, timedelta(seconds=lease_seconds))
            if not batch:
                break
            down = ""  # why the server could not be used, once it could not
            for index, outgoing in enumerate(batch):
                if (stop is not None and stop()) or time.monotonic() - claimed_at > lease_seconds - safety:
                    report.released += _release(batch[index:], token)
                    break
                down = _deliver_one(mailer, sender, outgoing, token, clock, report, down, actor)
                if progress is not None:
                    progress(report)
            if down:
                break
    finally:
        mailer.close()
        db.session.rollback()
    return report
