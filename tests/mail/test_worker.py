"""Delivery over a real SMTP server: what arrives, retries and back-off, giving up, crashed workers."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

from sqlalchemy import select

from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.mail.worker import backoff, deliver_due
from interviews.types import utcnow
from tests.conftest import free_port
from tests.mail.conftest import ICS, WORKER


def _rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_messages_arrive_with_recipients_subject_bodies_and_links(mail_app, smtp_server, make_message):
    first = make_message(to=["Jordan Ellis <j.ellis@campaign.example.com>", "panel@labor.example.org"])
    second = make_message(
        subject="Rappel : entretien à 15 h — Ünion", html="<p>Bonjour <a href='https://x.example.org/c/ü'>lien</a></p>"
    )

    report = deliver_due(actor=WORKER)

    assert (report.sent, report.retrying, report.failed, report.ok) == (2, 0, 0, True)
    smtp_server.wait_for(2)
    assert sorted(r for _, rcpts in smtp_server.envelopes for r in rcpts) == [
        "j.ellis@campaign.example.com",
        "panel@labor.example.org",
        "scheduler2@campaign.example.com",
    ]
    assert {sender for sender, _ in smtp_server.envelopes} == {"scheduling@labor.example.org"}
    by_id = {m["Message-ID"]: m for m in smtp_server.messages}
    got = by_id[first.message_id]
    assert got["Subject"] == first.subject
    assert got["To"] == "Jordan Ellis <j.ellis@campaign.example.com>, panel@labor.example.org"
    assert "http://interviews.example.org/c/token-1" in got.get_body(("plain",)).get_content()
    assert 'href="http://interviews.example.org/c/token-1"' in got.get_body(("html",)).get_content()
    assert by_id[second.message_id]["Subject"] == "Rappel : entretien à 15 h — Ünion"
    assert "Bonjour" in by_id[second.message_id].get_body(("html",)).get_content()
    for row in _rows():
        assert row.status is OutboxStatus.sent and row.sent_at is not None and row.claim_token is None

    assert deliver_due(actor=WORKER).sent == 0  # a second pass sends nothing again
    assert len(smtp_server.messages) == 2


def test_calendar_invitation_arrives_in_its_form(mail_app, smtp_server, make_message):
    message = make_message(ics=ICS, ics_method="CANCEL", subject="Cancelled: Endorsement interview")
    assert deliver_due(actor=WORKER).sent == 1
    received = smtp_server.wait_for(1)[0]
    assert received["Message-ID"] == message.message_id
    alternative, attachment = list(received.iter_parts())
    calendar = list(alternative.iter_parts())[2]
    assert calendar.get_content_type() == "text/calendar" and calendar.get_param("method") == "CANCEL"
    assert calendar.get_payload(decode=True) == attachment.get_payload(decode=True) == ICS
    assert attachment.get_filename() == "invite.ics"


def test_without_smtp_nothing_is_sent_and_it_says_so(app, make_message):
    make_message()
    report = deliver_due(actor=WORKER)
    assert not report.configured and report.due == 1 and report.sent == 0 and report.ok
    assert "No SMTP server is configured" in report.summary()
    assert _rows()[0].status is OutboxStatus.pending


def test_server_down_keeps_messages_with_the_error_then_all_arrive_once(mail_app, smtp_server, make_message):
    messages = [make_message() for _ in range(3)]
    ids = [m.message_id for m in messages]
    mail_app.config["MAIL_PORT"] = free_port()  # nothing listens there
    now = utcnow()

    report = deliver_due(actor=WORKER, now=now)

    assert (report.sent, report.retrying, report.failed, report.ok) == (0, 3, 0, False)
    for row in _rows():
        assert row.status is OutboxStatus.pending and row.attempts == 1
        assert "cannot use the SMTP server" in row.last_error and "Connection" in row.last_error
        assert row.next_attempt_at == now + timedelta(seconds=30)
        assert row.last_attempt_at == now
    assert deliver_due(actor=WORKER, now=now + timedelta(seconds=29)).processed == 0  # still backing off

    later = now + timedelta(seconds=31)
    report = deliver_due(actor=WORKER, now=later)
    assert report.retrying == 3
    assert {row.next_attempt_at for row in _rows()} == {later + timedelta(seconds=60)}
    assert {row.attempts for row in _rows()} == {2}

    mail_app.config["MAIL_PORT"] = smtp_server.port  # the server is back
    report = deliver_due(actor=WORKER, now=later + timedelta(minutes=2))
    assert report.sent == 3 and report.ok
    smtp_server.wait_for(3)
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(ids)  # same Message-IDs as written
    assert deliver_due(actor=WORKER, now=later + timedelta(hours=5)).sent == 0
    assert len(smtp_server.messages) == 3
    assert all(row.status is OutboxStatus.sent and row.attempts == 2 for row in _rows())


def test_back_off_doubles_and_is_capped_at_an_hour(app):
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 7, 8, 20)] == [30, 60, 120, 240, 1920, 3600, 3600]


def test_a_message_fails_after_the_last_attempt_and_staff_retry_keeps_its_message_id(
    mail_app, smtp_server, make_message, make_user
):
    mail_app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_PORT=free_port())
    message = make_message()
    now = utcnow()
    for hour in range(3):
        deliver_due(actor=WORKER, now=now + timedelta(hours=hour))
    row = _rows()[0]
    assert row.status is OutboxStatus.failed and row.attempts == 3
    assert "gave up after 3 attempts" in row.last_error
    assert deliver_due(actor=WORKER, now=now + timedelta(days=1)).processed == 0

    from interviews.mail.services import retry

    retry(row, actor=make_user("staff"))
    db.session.commit()
    mail_app.config["MAIL_PORT"] = smtp_server.port
    assert deliver_due(actor=WORKER).sent == 1
    assert smtp_server.wait_for(1)[0]["Message-ID"] == message.message_id


def test_permanent_refusal_fails_at_once_and_partial_refusal_is_sent_with_a_note(mail_app, refusing_smtp, make_message):
    port, handler = refusing_smtp(
        {
            "nobody@campaign.example.com": "550 5.1.1 <nobody@campaign.example.com>: Recipient address rejected",
            "busy@campaign.example.com": "450 4.2.1 Mailbox busy, try again later",
        }
    )
    mail_app.config["MAIL_PORT"] = port
    refused = make_message(to=["nobody@campaign.example.com"])
    busy = make_message(to=["busy@campaign.example.com"])
    partial = make_message(to=["nobody@campaign.example.com", "jo@campaign.example.com"])

    report = deliver_due(actor=WORKER)

    assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
    rows = {row.id: row for row in _rows()}
    assert rows[refused.id].status is OutboxStatus.failed and rows[refused.id].attempts == 1
    assert "550 5.1.1" in rows[refused.id].last_error
    assert rows[busy.id].status is OutboxStatus.pending and "450 4.2.1" in rows[busy.id].last_error
    assert rows[partial.id].status is OutboxStatus.sent
    assert "refused for: nobody@campaign.example.com (550" in rows[partial.id].last_error
    assert len(handler.received) == 1


def test_a_crashed_workers_claim_is_taken_over_when_its_lease_ends(mail_app, smtp_server, make_message):
    crashed, working = make_message(), make_message()
    now = utcnow()
    crashed.status = OutboxStatus.sending
    crashed.claimed_until = now - timedelta(seconds=1)
    crashed.claim_token = "dead-worker"
    working.status = OutboxStatus.sending
    working.claimed_until = now + timedelta(minutes=5)  # another worker is on it right now
    working.claim_token = "live-worker"
    db.session.commit()

    report = deliver_due(actor=WORKER, now=now)

    assert report.sent == 1
    assert smtp_server.wait_for(1)[0]["Message-ID"] == crashed.message_id
    rows = {row.id: row for row in _rows()}
    assert rows[crashed.id].status is OutboxStatus.sent
    assert rows[working.id].status is OutboxStatus.sending and rows[working.id].claim_token == "live-worker"


def test_limit_progress_and_stop(mail_app, smtp_server, make_message):
    for _ in range(5):
        make_message()
    seen = []
    report = deliver_due(actor=WORKER, limit=2, progress=lambda r: seen.append((r.sent, r.due)))
    assert report.sent == 2 and seen == [(1, 2), (2, 2)]

    calls = iter([False, False, True])  # stop after the first message of the next batch
    report = deliver_due(actor=WORKER, stop=lambda: next(calls, True))
    assert report.sent == 1 and report.released == 2
    rows = _rows()
    assert sum(r.status is OutboxStatus.sent for r in rows) == 3
    assert all(
        r.status is OutboxStatus.pending and r.claim_token is None for r in rows if r.status is not OutboxStatus.sent
    )


def test_an_unsendable_row_fails_with_the_reason_and_the_others_go(mail_app, smtp_server, make_message):
    bad, good = make_message(), make_message()
    bad.to_addresses = "not-an-address"
    db.session.commit()
    report = deliver_due(actor=WORKER)
    assert report.sent == 1 and report.failed == 1
    rows = {row.id: row for row in _rows()}
    assert rows[bad.id].status is OutboxStatus.failed and "cannot be sent as written" in rows[bad.id].last_error
    assert smtp_server.wait_for(1)[0]["Message-ID"] == good.message_id


def test_internationalised_addresses_go_with_smtputf8_or_fail_clearly(mail_app, refusing_smtp, make_message):
    port, handler = refusing_smtp({}, enable_SMTPUTF8=True)
    mail_app.config["MAIL_PORT"] = port
    message = make_message(to=["José Ñúñez <josé@exämple.org>"])
    assert message.recipient_addresses == ["josé@xn--exmple-cua.org"]
    assert deliver_due(actor=WORKER).sent == 1
    received = email.message_from_string(handler.received[0].decode("utf-8"), policy=email.policy.default)
    assert received["To"].addresses[0].display_name == "José Ñúñez"
    assert received["To"].addresses[0].addr_spec == "josé@xn--exmple-cua.org"

    old_port, _ = refusing_smtp({}, enable_SMTPUTF8=False)  # a server without SMTPUTF8
    mail_app.config["MAIL_PORT"] = old_port
    refused = make_message(to=["josé@exämple.org"])
    report = deliver_due(actor=WORKER)
    assert report.failed == 1
    db.session.refresh(refused)
    assert refused.status is OutboxStatus.failed and "SMTPUTF8" in refused.last_error
