"""Issue 12, items 5 to 10: staff add slots in bulk; a campaign books, adds it to its calendar, moves it.

Staff preview a week's slots on the letter page (an early hour and a busy panel member are flagged),
save them, and see why one is not offered. The campaign, in Los Angeles, finds its zone detected
and the zone list searchable, books, finds the Google and Outlook links for exactly that time,
then moves the interview itself: one update goes out with the same UID, saying what it was before,
in the campaign's zone with the union's beside it. (Every page is also checked by axe-core.)
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations import services as invitations
from interviews.invitations.links import candidate_url
from interviews.invitations.models import Slot
from interviews.mail.models import OutboxMessage
from interviews.races.models import Candidate, Race
from interviews.scheduling.models import Interview, InterviewStatus, Location, LocationKind
from interviews.scheduling.services import create_interview
from interviews.types import utcnow
from tests.conftest import PASSWORD

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
CONTACT = "scheduling@santos-for-mayor.example.com"


def _monday_in(days: int) -> date:
    day = (utcnow() + timedelta(days=days)).astimezone(NY).date()
    while day.weekday() != 0:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


def test_bulk_slots_then_a_campaign_books_adds_to_its_calendar_and_moves_itself(  # type: ignore[no-untyped-def]
    live_server_factory, page, browser, make_user
):
    staff = make_user("staff", name="Priya Organizer")
    angela = make_user("leader", name="Angela Castellanos", timezone="Europe/Berlin")
    walter = make_user("leader", name="Walter Kowalczyk")
    room = Location(name="Union Hall, Boardroom A", kind=LocationKind.room, address="1200 Harbor Street")
    race = Race(title="2027 Mayor", office="Mayor", jurisdiction="City of Riverside", election_date=date(2027, 11, 2))
    race.panel = [angela, walter]
    race.candidates.append(Candidate(name="Maria Santos", contact_name="Jordan Ellis", contact_email=CONTACT))
    race.candidates.append(
        Candidate(name="Tom Becker", contact_name="Ute Krämer", contact_email="team@becker.example.com")
    )
    db.session.add_all([room, race])
    db.session.flush()
    invitations.save_letter(
        race,
        {
            "subject": "Endorsement interview",
            "body": "Dear candidate, please choose a time for an endorsement interview.",
            "topics": "Transit",
            "respond_by": _at(_monday_in(5), 17),
            "timezone": "America/New_York",
            "duration_minutes": 45,
        },
        actor=staff,
    )
    monday = _monday_in(9)
    # Angela already sits on an interview arranged by phone on Tuesday at 14:00.
    create_interview(
        race=race,
        candidate=race.candidates[1],
        starts_at=_at(monday + timedelta(days=1), 14),
        ends_at=_at(monday + timedelta(days=1), 15),
        timezone="America/New_York",
        location=None,
        panel=[angela],
        actor=staff,
    )
    db.session.commit()
    server = live_server_factory()

    # --- staff: a bulk preview, then save -----------------------------------------------------
    page.goto(server.url + "/login")
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello, Priya").wait_for()
    page.goto(f"{server.url}/races/{race.id}/invitation")
    page.get_by_label("First day").fill(monday.isoformat())
    page.get_by_label("Last day").fill((monday + timedelta(days=1)).isoformat())
    page.get_by_label("Times each day").fill("06:30, 10:00, 14:00")
    page.get_by_label("Where").select_option(label="Union Hall, Boardroom A")
    page.get_by_role("button", name="Preview the slots").click()
    preview = page.locator(".preview-table")
    preview.wait_for()
    rows = preview.locator("tbody tr")
    assert rows.count() == 6
    assert "before 07:00" in rows.nth(0).inner_text()  # Monday 06:30
    assert "Angela Castellanos is already on the panel" in rows.nth(5).inner_text()  # Tuesday 14:00
    assert "OK" in rows.nth(1).inner_text()  # Monday 10:00
    db.session.rollback()
    assert db.session.scalar(select(Slot.id)) is None  # a preview saves nothing
    page.get_by_label("Offer the slots with warnings too").check()
    page.get_by_role("button", name="Save these slots").click()
    page.get_by_text("6 slots added.").wait_for()
    busy_row = page.locator("#slots tr", has_text="14:00").filter(has_text="Tue")
    assert "Not offered" in busy_row.inner_text() and "Angela Castellanos" in busy_row.inner_text()

    db.session.rollback()
    letter = db.session.get(Race, race.id).letter
    invitation = invitations.send(letter, actor=staff).sent[0]
    db.session.commit()
    assert invitation.candidate.contact_email == CONTACT
    with server.app.test_request_context():
        link = candidate_url(invitation)
    db.session.rollback()  # no read transaction of ours may hold SQLite's lock while the server writes

    # --- the campaign, in Los Angeles: zone detected, searchable, then it books --------------
    context = browser.new_context(timezone_id="America/Los_Angeles", locale="en-US")
    context.set_default_timeout(15_000)
    campaign = context.new_page()
    campaign.goto(link)
    campaign.wait_for_url(re.compile(r"tz=America(%2F|/)Los_Angeles"))
    assert "detected from your browser" in campaign.locator(".zone-form").inner_text()
    zone = campaign.get_by_label("Show times in")
    assert zone.locator("option").first.inner_text() == "America/Los Angeles (detected)"
    campaign.get_by_label("Search time zones").fill("berl")
    assert zone.input_value() == "Europe/Berlin"
    assert "1 time zone matches." in campaign.locator("#zone-count").inner_text()
    offered = campaign.locator(".slot-time").all_inner_texts()
    assert len(offered) == 5  # Tuesday 14:00 is not offered: a booking would fail
    assert not any(t.startswith("Tue") and "11:00" in t for t in offered)  # 14:00 New York is 11:00 here
    monday_ten = _at(monday, 10)
    campaign.get_by_role("button", name=re.compile(r"^Take this time\W.*Mon.*07:00")).click()
    campaign.get_by_role("heading", name="Your interview is booked").wait_for()

    google = campaign.get_by_role("link", name="Add to Google Calendar").get_attribute("href")
    outlook = campaign.get_by_role("link", name="Add to Outlook").get_attribute("href")
    utc = ZoneInfo("UTC")
    start, end = monday_ten.astimezone(utc), (monday_ten + timedelta(minutes=45)).astimezone(utc)
    assert google.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE&")
    assert parse_qs(urlsplit(google).query)["dates"] == [f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"]
    query = parse_qs(urlsplit(outlook).query)
    assert outlook.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert query["startdt"] == [f"{start:%Y-%m-%dT%H:%M:%SZ}"] and query["rru"] == ["addevent"]
    assert query["location"] == ["Union Hall, Boardroom A, 1200 Harbor Street"]

    # --- it moves the interview itself, to Tuesday 10:00 -------------------------------------
    campaign.get_by_text("Move to another time").click()
    campaign.get_by_role("button", name=re.compile(r"^Move to this time\W.*Tue.*07:00")).click()
    campaign.get_by_text("Your interview is moved to").wait_for()
    assert "Tue" in campaign.locator(".booked-time").inner_text()
    context.close()

    db.session.rollback()
    interview = db.session.scalar(select(Interview).where(Interview.candidate_id == race.candidates[0].id))
    tuesday_ten = _at(monday + timedelta(days=1), 10)
    assert interview.status is InterviewStatus.scheduled and interview.starts_at == tuesday_ten
    assert interview.sequence == 1
    slots = {s.starts_at: s for s in db.session.scalars(select(Slot))}
    assert slots[monday_ten].taken_by_id is None  # the old slot is free again
    assert slots[tuesday_ten].taken_by_id == interview.invitation_id
    updates = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "calendar-update", OutboxMessage.entity_id == interview.id)
    ).all()
    # One update to each attendee, nothing more.
    assert sorted(m.to_addresses for m in updates) == sorted([CONTACT, angela.email, walter.email])
    assert all(interview.uid.encode() in m.ics for m in updates)
    to_campaign = next(m for m in updates if CONTACT in m.to_addresses).text_body
    # Written out by hand: Monday 10:00 in New York is 07:00 in Los Angeles; Tuesday's likewise.
    assert f"Was:   {monday_ten.astimezone(LA):%a} {monday_ten.day} {monday_ten:%b %Y}, 07:00 P" in to_campaign
    assert "(America/Los Angeles)" in to_campaign
    assert f"{tuesday_ten:%a} {tuesday_ten.day} {tuesday_ten:%b %Y}, 10:00 E" in to_campaign
    assert "(America/New York), the union's time" in to_campaign
    to_angela = next(m for m in updates if angela.email in m.to_addresses).text_body
    berlin = tuesday_ten.astimezone(ZoneInfo("Europe/Berlin"))
    assert f"{berlin:%H:%M} CE" in to_angela and "(Europe/Berlin)" in to_angela  # her own account's zone
