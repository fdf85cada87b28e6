"""Which calendar message goes to whom, through the scheduling services that call the calendar feature."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select

from interviews.calendar import notify
from interviews.calendar.events import Audience, event_data
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.scheduling import services as scheduling
from interviews.types import utcnow
from tests.calendar.parsers import with_libical


@pytest.fixture
def booked(app, make_race, make_user, make_location, staffer):  # type: ignore[no-untyped-def]
    race = make_race("2028 Presidential endorsement")
    panel = [make_user("leader", timezone="America/Chicago"), make_user("leader", timezone="Europe/Berlin")]
    start = (utcnow() + timedelta(days=20)).replace(hour=15, minute=0, second=0, microsecond=0)
    interview = scheduling.create_interview(
        race=race,
        candidate=race.candidates[0],
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        timezone="America/New_York",
        location=make_location(),
        panel=panel,
        actor=staffer,
    )
    db.session.commit()
    return interview


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def vevent_of(row: OutboxMessage) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(row.ics)
    assert calendar["METHOD"] == row.ics_method
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def attendee_emails(vevent: icalendar.Event) -> set[str]:
    attendees = vevent.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return {str(a).removeprefix("mailto:") for a in attendees}


def test_booking_sends_a_request_to_the_candidate_contact_and_each_panel_member(booked):
    rows = outbox()
    assert [r.kind for r in rows] == ["calendar-request"] * 3
    assert [r.recipients for r in rows] == [
        ["schedulera@campaign.example.com"],
        *([seat.user.email] for seat in booked.panel_seats),
    ]
    everyone = {"schedulera@campaign.example.com", *(s.user.email for s in booked.panel_seats)}
    for row in rows:
        assert row.status is OutboxStatus.pending
        assert row.ics_method == "REQUEST"
        assert row.subject.startswith("Invitation: ")
        assert row.entity_type == "Interview" and row.entity_id == booked.id
        assert row.text_body and "<html" in row.html_body
        vevent = vevent_of(row)
        assert vevent["UID"] == booked.uid
        assert vevent.decoded("SEQUENCE") == 0
        assert attendee_emails(vevent) == everyone
        assert with_libical(row.ics)["events"][0]["start"] == booked.starts_at.isoformat()
    # Each panel member reads the time in their own zone; the candidate in the interview's.
    assert "CST" in rows[1].text_body or "CDT" in rows[1].text_body
    assert "CET" in rows[2].text_body or "CEST" in rows[2].text_body
    assert "EST" in rows[0].text_body or "EDT" in rows[0].text_body


def test_moving_sends_an_update_with_a_higher_sequence_to_everyone(booked, staffer):
    later = booked.starts_at + timedelta(days=1)
    scheduling.move_interview(
        booked,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        timezone="America/New_York",
        location=None,
        actor=staffer,
    )
    db.session.commit()
    assert booked.sequence == 1
    rows = outbox("calendar-update")
    assert len(rows) == 3
    for row in rows:
        assert row.ics_method == "REQUEST"
        assert row.subject.startswith("Updated invitation: ")
        vevent = vevent_of(row)
        assert vevent["UID"] == booked.uid
        assert vevent.decoded("SEQUENCE") == 1
        assert vevent.decoded("DTSTART") == later
        assert "LOCATION" not in vevent


def test_panel_changes_invite_the_added_and_cancel_for_the_removed_only(booked, make_user, staffer):
    staying, leaving = [seat.user for seat in booked.panel_seats]
    newcomer = make_user("leader")
    scheduling.set_panel(booked, [staying, newcomer], actor=staffer)
    db.session.commit()
    assert booked.sequence == 1
    (invite,) = outbox("calendar-request")[3:]
    assert invite.recipients == [newcomer.email]
    vevent = vevent_of(invite)
    assert vevent.decoded("SEQUENCE") == 1
    assert newcomer.email in attendee_emails(vevent) and leaving.email not in attendee_emails(vevent)
    (cancel,) = outbox("calendar-cancel")
    assert cancel.recipients == [leaving.email]
    assert cancel.ics_method == "CANCEL"
    assert cancel.subject.startswith("Cancelled: ")
    vevent = vevent_of(cancel)
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["UID"] == booked.uid and vevent.decoded("SEQUENCE") == 1
    # The CANCEL names only the member taken off: the others keep the interview.
    assert attendee_emails(vevent) == {leaving.email}
    assert "no longer on the panel" in cancel.text_body


def test_cancelling_sends_a_cancel_to_everyone(booked, staffer):
    scheduling.cancel_interview(booked, reason="Candidate withdrew", actor=staffer)
    db.session.commit()
    rows = outbox("calendar-cancel")
    assert len(rows) == 3
    assert {r.recipients[0] for r in rows} == {
        "schedulera@campaign.example.com",
        *(s.user.email for s in booked.panel_seats),
    }
    for row in rows:
        assert row.ics_method == "CANCEL"
        assert row.subject.startswith("Cancelled: ")
        vevent = vevent_of(row)
        assert vevent["STATUS"] == "CANCELLED"
        assert vevent.decoded("SEQUENCE") == 1
        parsed = with_libical(row.ics)
        assert parsed["method"] == "CANCEL" and parsed["events"][0]["status"] == "CANCELLED"


def test_the_sequence_only_ever_rises(booked, make_user, staffer):
    seen = [booked.sequence]
    later = booked.starts_at + timedelta(days=2)
    scheduling.move_interview(
        booked,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        timezone="Asia/Kolkata",
        location=None,
        actor=staffer,
    )
    seen.append(booked.sequence)
    scheduling.set_panel(booked, [*booked.panel, make_user("leader")], actor=staffer)
    seen.append(booked.sequence)
    scheduling.set_panel(booked, booked.panel[:1], actor=staffer)
    seen.append(booked.sequence)
    scheduling.cancel_interview(booked, actor=staffer)
    seen.append(booked.sequence)
    db.session.commit()
    assert seen == sorted(set(seen)) and seen == [0, 1, 2, 3, 4]
    sequences = [vevent_of(row).decoded("SEQUENCE") for row in outbox()]
    assert sequences == sorted(sequences)
    db.session.refresh(booked)
    assert booked.sequence == 4


def test_the_panel_copy_never_carries_the_candidates_personal_link(booked):
    panel_copy = event_data(booked, Audience.panel)
    assert "invitation page" not in panel_copy.description.lower()
    notify.interview_moved(booked)
    for row in outbox("calendar-update")[1:]:
        assert "Your invitation page" not in row.text_body
