"""A booked campaign moves its interview itself until the cut-off; failures stay on the ledger.

The letter fixture offers three slots on one weekday, 10:00, 12:00 and 14:00 in New York (45 minutes,
in a room), to a panel of two. Los Angeles is three hours behind New York all year, so those are
07:00, 09:00 and 11:00 there: the expected texts below are worked out from that.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.candidate import book_slot
from interviews.invitations.models import BookingFailure, BookingFailureReason, InvitationStatus, Slot
from interviews.invitations.reminders import tick
from interviews.mail.models import OutboxMessage
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.services import cancel_interview, create_interview
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows

NEW_YORK = ZoneInfo("America/New_York")


def _day(slot: Slot) -> str:
    local = slot.starts_at.astimezone(NEW_YORK)
    return f"{local:%a} {local.day} {local:%b %Y}"


def _kinds(after_id: int) -> list[str]:
    return sorted(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.id > after_id)))


def test_a_campaign_moves_its_interview_and_one_update_goes_out_with_the_same_uid(client, auth, sent_race, token):
    race, letter, invitations = sent_race()
    invitation = invitations[0]
    link = f"/invitation/{token(invitation)}"
    first, _, last = letter.slots
    assert client.post(f"{link}/book", data={"book-slot_id": first.id, "book-tz": "America/Los_Angeles"}).status_code
    db.session.refresh(invitation)
    assert invitation.campaign_timezone == "America/Los_Angeles"
    interview = invitation.active_interview
    uid, before_move = interview.uid, db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))

    page = client.get(f"{link}?tz=America/Los_Angeles").get_data(as_text=True)
    assert "Move to another time" in page and f'name="move-slot_id" value="{last.id}"' in page
    response = client.post(f"{link}/move", data={"move-slot_id": last.id, "move-tz": "America/Los_Angeles"})
    assert response.status_code == 302

    db.session.expire_all()
    moved = db.session.get(Interview, interview.id)
    assert moved.uid == uid and moved.sequence == 1 and moved.status is InterviewStatus.scheduled
    assert (moved.starts_at, moved.ends_at, moved.slot_id) == (last.starts_at, last.ends_at, last.id)
    assert db.session.get(Slot, first.id).taken_by_id is None  # free for another campaign
    assert db.session.get(Slot, last.id).taken_by_id == invitation.id
    assert invitation.status is InvitationStatus.accepted and invitation.moved_at is not None
    # One update to each of the campaign and the two panel members, and the staff's notice: no CANCEL, no new REQUEST.
    assert _kinds(before_move) == ["calendar-update"] * 3 + ["candidate_request"]
    to_campaign = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.id > before_move,
            OutboxMessage.kind == "calendar-update",
            OutboxMessage.to_addresses == "schedulera@campaign.example.com",
        )
    )
    text = to_campaign.text_body
    assert f"Was:   {_day(first)}, 07:00 P" in text and "07:45 P" in text
    assert f"Now:   {_day(last)}, 11:00 P" in text and "(America/Los Angeles)" in text
    assert f"{_day(last)}, 14:00 E" in text and "(America/New York), the union's time" in text
    assert "Add to Google Calendar: https://calendar.google.com/" in text
    auth.login("staff")
    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "Moved their interview" in ledger


def test_after_the_cut_off_the_page_says_how_to_ask_staff_and_a_move_is_refused(app, client, sent_race, token):
    _, letter, invitations = sent_race()
    link = f"/invitation/{token(invitations[0])}"
    client.post(f"{link}/book", data={"book-slot_id": letter.slots[0].id})
    app.config["CAMPAIGN_RESCHEDULE_CUTOFF_HOURS"] = 24 * 30  # the interview, 8 days ahead, is inside it
    page = client.get(link).get_data(as_text=True)
    assert "can no longer be changed on this page" in page and "less than 720 hours away" in page
    assert "ask to reschedule below" in page and 'name="move-slot_id"' not in page
    before = stored_rows()
    refused = client.post(f"{link}/move", data={"move-slot_id": letter.slots[1].id})
    assert refused.status_code == 409 and "only be changed by our political department" in refused.get_data(
        as_text=True
    )
    assert changed_tables(before) == []


def test_a_move_to_a_slot_just_taken_keeps_the_old_time_and_shows_on_the_ledger(client, auth, sent_race, token):
    race, letter, invitations = sent_race()
    mine, theirs = (f"/invitation/{token(i)}" for i in invitations)
    client.post(f"{mine}/book", data={"book-slot_id": letter.slots[0].id})
    client.post(f"{theirs}/book", data={"book-slot_id": letter.slots[1].id})
    before = stored_rows()
    response = client.post(f"{mine}/move", data={"move-slot_id": letter.slots[1].id})
    assert response.status_code == 409 and "just taken by someone else" in response.get_data(as_text=True)
    assert changed_tables(before) == ["audit_events", "booking_failures"]
    db.session.expire_all()
    assert invitations[0].active_interview.slot_id == letter.slots[0].id  # still booked where it was
    assert db.session.get(Slot, letter.slots[0].id).taken_by_id == invitations[0].id
    failure = db.session.scalar(select(BookingFailure))
    assert failure.moving and failure.reason is BookingFailureReason.taken
    auth.login("staff")
    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "Could not move to" in ledger and "someone else had just taken it" in ledger


def test_a_slot_a_booking_would_fail_on_is_not_offered_and_staff_see_why(client, auth, sent_race, token, staffer):
    race, letter, invitations = sent_race(candidates=3)
    busy = letter.slots[1]
    create_interview(
        race=race,
        candidate=invitations[2].candidate,
        starts_at=busy.starts_at,
        ends_at=busy.ends_at,
        timezone=busy.timezone,
        location=None,
        panel=[race.panel[0]],
        actor=staffer,
    )
    db.session.commit()
    page = client.get(f"/invitation/{token(invitations[0])}").get_data(as_text=True)
    assert f'name="book-slot_id" value="{busy.id}"' not in page
    assert f'name="book-slot_id" value="{letter.slots[0].id}"' in page
    auth.login("staff")
    letter_page = client.get(f"/races/{race.id}/invitation").get_data(as_text=True)
    assert "Not offered" in letter_page and f"{race.panel[0].name} is already on the panel" in letter_page


def test_the_campaign_is_offered_exactly_the_slots_nobody_and_no_room_is_busy_for(
    client, auth, sent_race, token, staffer, make_user, room
):
    """The 15-minute buffer counts (the default SCHEDULING_BUFFER_MINUTES), for panel members and the room;
    a cancelled interview, or a leader not on this panel away from the room, keeps nothing busy."""
    race, letter, invitations = sent_race(candidates=4)
    first, second, third = letter.slots  # 10:00, 12:00 and 14:00 in New York, 45 minutes, in the room
    outsider = make_user("leader", title="Trustee")
    minutes = timedelta(minutes=1)

    def interview(candidate, starts_at, ends_at, location, panel):
        return create_interview(
            race=race,
            candidate=candidate,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone="America/New_York",
            location=location,
            panel=panel,
            actor=staffer,
        )

    # A panel member elsewhere from 10:50: five minutes after the first slot ends, inside the buffer.
    interview(
        invitations[1].candidate, first.ends_at + 5 * minutes, first.ends_at + 45 * minutes, None, [race.panel[0]]
    )
    # The room, with somebody else's panel, until ten minutes before the third slot.
    interview(
        invitations[2].candidate, third.starts_at - 60 * minutes, third.starts_at - 10 * minutes, room, [outsider]
    )
    # At the second slot's very time: a cancelled interview of the panel, and an outsider away from the room.
    called_off = interview(invitations[3].candidate, second.starts_at, second.ends_at, None, [race.panel[1]])
    cancel_interview(called_off, actor=staffer)
    interview(invitations[3].candidate, second.starts_at, second.ends_at, None, [outsider])
    db.session.commit()

    page = client.get(f"/invitation/{token(invitations[0])}").get_data(as_text=True)
    offered = {slot.id for slot in letter.slots if f'name="book-slot_id" value="{slot.id}"' in page}
    assert offered == {second.id}
    auth.login("staff")
    letter_page = client.get(f"/races/{race.id}/invitation").get_data(as_text=True)
    assert letter_page.count("Not offered") == 2
    assert f"{race.panel[0].name} is already on the panel" in letter_page
    assert f"{room.name} is already booked" in letter_page


def test_once_booked_the_letter_no_longer_asks_to_choose_a_time(client, sent_race, token):
    _, letter, invitations = sent_race()
    link = f"/invitation/{token(invitations[0])}"
    assert "Please respond by" in client.get(link).get_data(as_text=True)
    client.post(f"{link}/book", data={"book-slot_id": letter.slots[0].id})
    page = client.get(link).get_data(as_text=True)
    assert "Your interview is booked" in page and "The invitation you answered" in page
    assert "Please respond by" not in page and "Choose a time" not in page and 'name="book-slot_id"' not in page
    assert "Add to Google Calendar" in page and "Add to Outlook" in page


@pytest.mark.parametrize(
    "data",
    [{}, {"move-slot_id": "abc"}, {"move-slot_id": "99999"}, {"move-slot_id": "-1", "move-tz": "Mars/Base\x00"}],
)
def test_bad_moves_never_500_and_change_nothing(client, sent_race, token, data):
    _, letter, invitations = sent_race()
    link = f"/invitation/{token(invitations[0])}"
    client.post(f"{link}/book", data={"book-slot_id": letter.slots[0].id})
    before = stored_rows()
    response = client.post(f"{link}/move", data=data)
    assert response.status_code in (400, 409), response.get_data(as_text=True)[:500]
    assert changed_tables(before) == []
    own = client.post(f"{link}/move", data={"move-slot_id": letter.slots[0].id})
    assert own.status_code == 409 and "already the time of your interview" in own.get_data(as_text=True)
    unbooked = client.post(f"/invitation/{token(invitations[1])}/move", data={"move-slot_id": letter.slots[1].id})
    assert unbooked.status_code == 409 and "no interview booked to move" in unbooked.get_data(as_text=True)
    assert changed_tables(before) == []


def test_the_booking_e_mail_shows_the_campaigns_zone_named_with_the_unions_beside_it(client, sent_race, token):
    _, letter, invitations = sent_race()
    slot = letter.slots[0]  # 10:00 in New York
    client.post(f"/invitation/{token(invitations[0])}/book", data={"book-slot_id": slot.id, "book-tz": "Asia/Kolkata"})
    mail = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == "calendar-request", OutboxMessage.to_addresses == "schedulera@campaign.example.com"
        )
    )
    local = slot.starts_at.astimezone(ZoneInfo("Asia/Kolkata"))  # 9½ or 10½ hours ahead of New York
    assert f"When:  {local:%a} {local.day} {local:%b %Y}, {local:%H:%M} IST to " in mail.text_body
    assert "(Asia/Kolkata)" in mail.text_body
    assert f"{_day(slot)}, 10:00 E" in mail.text_body and "(America/New York), the union's time" in mail.text_body
    assert "(Asia/Kolkata)" in mail.html_body and "the union's time" in mail.html_body


def test_the_reminder_the_day_before_is_in_the_campaigns_zone_too(sent_race):
    _, letter, invitations = sent_race()
    soon = (utcnow() + timedelta(hours=20)).replace(second=0, microsecond=0)
    slot = Slot(letter=letter, starts_at=soon, ends_at=soon + timedelta(minutes=45), timezone="America/New_York")
    db.session.add(slot)
    db.session.flush()
    book_slot(invitations[0], slot.id, timezone="Europe/Berlin")
    db.session.commit()
    tick()
    reminder = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == "interview_reminder", OutboxMessage.to_addresses == "schedulera@campaign.example.com"
        )
    )
    berlin, new_york = soon.astimezone(ZoneInfo("Europe/Berlin")), soon.astimezone(NEW_YORK)
    assert f"When:  {berlin:%a} {berlin.day} {berlin:%b %Y}, {berlin:%H:%M} CE" in reminder.text_body
    assert "(Europe/Berlin)" in reminder.text_body and f"{new_york:%H:%M} E" in reminder.text_body
    assert "(America/New York), the union's time" in reminder.text_body
    assert f"{berlin:%H:%M} CE" in reminder.subject
