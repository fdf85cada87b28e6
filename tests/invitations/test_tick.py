"""`flask --app wsgi tick`: reminders and the deadline, never twice, even with two processes at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.candidate import book_slot
from interviews.invitations.models import InvitationStatus, Slot
from interviews.invitations.reminders import tick
from interviews.mail.models import OutboxMessage
from interviews.types import utcnow


def _outbox(kind):  # type: ignore[no-untyped-def]
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def _due_for_reminder(sent_race, **kwargs):  # type: ignore[no-untyped-def]
    """Invitations sent a week ago with the deadline in two days: inside the 3-day reminder window."""
    race, letter, invitations = sent_race(respond_in=timedelta(days=2), **kwargs)
    for invitation in invitations:
        invitation.sent_at = utcnow() - timedelta(days=7)
    db.session.commit()
    return race, letter, invitations


def test_unanswered_candidates_are_reminded_once(runner, sent_race):
    _, _letter, invitations = _due_for_reminder(sent_race, candidates=3)
    invitations[2].status = InvitationStatus.declined  # answered: no reminder
    db.session.commit()
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "Reminded Candidate A" in result.output and "Reminded Candidate B" in result.output
    reminders = _outbox("invitation_reminder")
    assert sorted(m.to_addresses for m in reminders) == [
        "schedulera@campaign.example.com",
        "schedulerb@campaign.example.com",
    ]
    assert all("http://interviews.example.org/invitation/" in m.text_body for m in reminders)
    again = runner.invoke(args=["tick"])
    assert "Nothing to do." in again.output
    assert len(_outbox("invitation_reminder")) == 2


def test_no_reminder_outside_the_window(sent_race):
    sent_race(respond_in=timedelta(days=10))
    tick()
    assert _outbox("invitation_reminder") == []


def test_interview_reminders_go_to_the_candidate_and_each_panel_member_once(app, sent_race):
    race, letter, invitations = sent_race(panel=2)
    soon = (utcnow() + timedelta(hours=20)).replace(second=0, microsecond=0)
    slot = Slot(letter=letter, starts_at=soon, ends_at=soon + timedelta(minutes=45), timezone="America/New_York")
    db.session.add(slot)
    db.session.flush()
    book_slot(invitations[0], slot.id)
    db.session.commit()
    report = tick()
    assert report.interview_reminders
    mails = _outbox("interview_reminder")
    recipients = sorted(m.to_addresses for m in mails)
    assert recipients == sorted([invitations[0].candidate.contact_email, *(u.email for u in race.panel)])
    tick()
    assert len(_outbox("interview_reminder")) == 3


def test_after_the_deadline_unanswered_become_no_reply(runner, sent_race, token, client):
    _, letter, invitations = sent_race(candidates=3)
    client.get(f"/invitation/{token(invitations[1])}")  # opened, not answered
    client.post(f"/invitation/{token(invitations[2])}/decline", data={})
    letter.respond_by = utcnow() - timedelta(minutes=1)
    db.session.commit()
    output = runner.invoke(args=["tick"]).output
    assert "Marked Candidate A as no reply" in output and "Marked Candidate B as no reply" in output
    statuses = {i.candidate.name: i.status for i in invitations}
    for invitation in invitations:
        db.session.refresh(invitation)
    statuses = {i.candidate.name: i.status for i in invitations}
    assert statuses == {
        "Candidate A": InvitationStatus.no_reply,
        "Candidate B": InvitationStatus.no_reply,
        "Candidate C": InvitationStatus.declined,
    }
    assert invitations[0].no_reply_at is not None
    assert "Nothing to do." in runner.invoke(args=["tick"]).output


def test_two_ticks_at_once_send_nothing_twice(app_factory, sent_race):
    _race, letter, invitations = _due_for_reminder(sent_race, candidates=4, panel=3)
    soon = (utcnow() + timedelta(hours=20)).replace(second=0, microsecond=0)
    slot = Slot(letter=letter, starts_at=soon, ends_at=soon + timedelta(minutes=45), timezone="America/New_York")
    db.session.add(slot)
    db.session.flush()
    book_slot(invitations[0], slot.id)
    db.session.commit()

    # Two "processes": separate apps with their own engines and sessions, started together.
    apps = [app_factory(), app_factory()]
    barrier = threading.Barrier(len(apps))
    errors: list[BaseException] = []

    def run(other_app):  # type: ignore[no-untyped-def]
        try:
            with other_app.app_context():
                barrier.wait()
                tick()
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db.session.rollback()
    reminders = Counter(m.to_addresses for m in _outbox("invitation_reminder"))
    # Candidate A booked, so three unanswered candidates remain: one reminder each.
    assert len(reminders) == 3 and set(reminders.values()) == {1}
    interview_mails = Counter(m.to_addresses for m in _outbox("interview_reminder"))
    assert len(interview_mails) == 4 and set(interview_mails.values()) == {1}
