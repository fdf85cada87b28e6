"""What the interview e-mails say about time and place: each reader's zone, the union's, and what changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.extensions import db
from interviews.mail.models import OutboxMessage
from interviews.scheduling import services as scheduling

NY = ZoneInfo("America/New_York")


def _mail(kind: str, to: str) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.to_addresses == to)
    ).one()


def _booked(make_race, make_user, make_location, staffer):  # type: ignore[no-untyped-def]
    race = make_race("2027 Mayor")
    chicago = make_user("leader", name="Chicago Member", timezone="America/Chicago")
    start = datetime(2027, 3, 15, 10, 0, tzinfo=NY)  # a Monday, after the March change in both zones
    interview = scheduling.create_interview(
        race=race,
        candidate=race.candidates[0],
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        timezone="America/New_York",
        location=make_location("Union Hall, Boardroom A"),
        panel=[chicago],
        actor=staffer,
    )
    db.session.commit()
    return interview, chicago


def test_a_booking_by_hand_shows_the_interviews_zone_and_each_member_their_own(
    app, make_race, make_user, make_location, staffer
):
    _interview, chicago = _booked(make_race, make_user, make_location, staffer)
    to_campaign = _mail("calendar-request", "schedulera@campaign.example.com").text_body
    # No zone remembered from a booking page: the interview's own, and no second line for the union.
    assert "When:  Mon 15 Mar 2027, 10:00 EDT to 10:45 EDT (America/New York)" in to_campaign
    assert "the union's time" not in to_campaign
    to_member = _mail("calendar-request", chicago.email).text_body
    assert "When:  Mon 15 Mar 2027, 09:00 CDT to 09:45 CDT (America/Chicago)" in to_member
    assert "Mon 15 Mar 2027, 10:00 EDT to 10:45 EDT (America/New York), the union's time" in to_member
    # Links for calendars that do not read the invitation; 14:00Z is 10:00 EDT.
    assert "Add to Google Calendar: https://calendar.google.com/calendar/render?action=TEMPLATE&" in to_campaign
    assert "&dates=20270315T140000Z/20270315T144500Z&" in to_campaign
    assert "Add to Outlook: https://outlook.live.com/calendar/0/deeplink/compose?" in to_campaign
    assert "startdt=2027-03-15T14:00:00Z&enddt=2027-03-15T14:45:00Z" in to_campaign


def test_an_update_says_what_the_time_and_place_were_and_a_cancel_has_no_links(
    app, make_race, make_user, make_location, staffer
):
    interview, chicago = _booked(make_race, make_user, make_location, staffer)
    video = make_location("Video call", video=True)
    later = datetime(2027, 3, 16, 15, 30, tzinfo=NY)
    scheduling.move_interview(
        interview,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        timezone="America/New_York",
        location=video,
        actor=staffer,
    )
    db.session.commit()
    update = _mail("calendar-update", "schedulera@campaign.example.com").text_body
    assert "Was:   Mon 15 Mar 2027, 10:00 EDT to 10:45 EDT (America/New York)" in update
    assert "Now:   Tue 16 Mar 2027, 15:30 EDT to 16:30 EDT (America/New York)" in update
    assert "Place before: Union Hall, Boardroom A" in update
    assert "If you added the earlier time with a Google Calendar or Outlook link, delete that entry" in update
    member = _mail("calendar-update", chicago.email)
    assert "Was:   Mon 15 Mar 2027, 09:00 CDT to 09:45 CDT (America/Chicago)" in member.text_body
    assert "<s>Mon 15 Mar 2027, 09:00 CDT to 09:45 CDT (America/Chicago)</s>" in member.html_body

    # Only the place changes: no "Was" line for the time, the place before is named.
    scheduling.move_interview(
        interview,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        timezone="America/New_York",
        location=None,
        actor=staffer,
    )
    db.session.commit()
    second = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "calendar-update", OutboxMessage.to_addresses == "schedulera@campaign.example.com")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert "Was:" not in second.text_body and "When:  Tue 16 Mar 2027, 15:30 EDT" in second.text_body
    assert "Place before: Video call" in second.text_body

    scheduling.cancel_interview(interview, reason="", actor=staffer)
    db.session.commit()
    cancel = _mail("calendar-cancel", "schedulera@campaign.example.com")
    assert "calendar.google.com" not in cancel.text_body and "outlook.live.com" not in cancel.html_body
