"""Who the audit trail names for each write to the outbox: the worker that gave up, the staff who retried."""

from __future__ import annotations

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import free_port

STAFF = "Denise Okafor <denise.okafor@labor.example.org>"


def who_did(action: str, message: OutboxMessage) -> list[tuple[ActorKind, int | None, str]]:
    """The actor of each `action` event on `message`, oldest first."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.entity_type == "OutboxMessage")
        .where(AuditEvent.entity_id == message.id)
        .order_by(AuditEvent.id)
    )
    return [(e.actor_kind, e.actor_id, e.actor_label) for e in events]


def test_the_worker_gives_up_as_the_system_and_staff_retry_as_themselves(  # type: ignore[no-untyped-def]
    mail_app, client, auth, make_user, make_message, runner
):
    mail_app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=1)  # nothing listens there
    message = make_message()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1, result.output
    db.session.refresh(message)
    assert message.status is OutboxStatus.failed

    staff = make_user("staff", name="Denise Okafor", email="denise.okafor@labor.example.org")
    auth.login(staff)
    assert client.post(f"/outbox/{message.id}/retry").status_code == 302

    expected = {
        "mail.failed": [(ActorKind.system, None, "system (outbox worker)")],
        "mail.retry": [(ActorKind.user, staff.id, STAFF)],
    }
    assert {action: who_did(action, message) for action in expected} == expected


def test_a_retry_later_is_not_an_audit_event(mail_app, make_message, runner):  # type: ignore[no-untyped-def]
    mail_app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=3)
    message = make_message()
    assert runner.invoke(args=["outbox", "send"]).exit_code == 1
    db.session.refresh(message)
    assert message.status is OutboxStatus.pending and message.attempts == 1
    assert who_did("mail.failed", message) == []
