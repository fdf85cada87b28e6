"""Subscription feeds: who may read which, conditional requests, token rotation, cancelled retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
import pytest

from interviews.auth.models import User
from interviews.calendar import services
from interviews.extensions import db
from interviews.scheduling.models import InterviewStatus
from interviews.sections import render_sections
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows


def feed_url(user: User, which: str = "interviews") -> str:
    return f"/calendar/{user.feed_token}/{which}.ics"


def events_of(response) -> list[icalendar.Event]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def leader(make_user):  # type: ignore[no-untyped-def]
    return make_user("leader", name="Angela Castellanos")


def test_a_personal_feed_holds_the_interviews_one_sits_on(client, leader, make_interview, make_user):
    mine = make_interview(panel=[leader, make_user("leader")])
    make_interview(datetime(2027, 3, 16, 10, 0), panel=[make_user("leader")])
    (event,) = events_of(client.get(feed_url(leader)))
    assert event["UID"] == mine.uid
    assert event.decoded("DTSTART") == mine.starts_at
    assert "Angela Castellanos" in str(event["DESCRIPTION"])


def test_unknown_rotated_or_disabled_tokens_answer_404(client, leader, make_interview):
    make_interview(panel=[leader])
    before = stored_rows()
    assert client.get("/calendar/not-a-token/interviews.ics").status_code == 404
    assert changed_tables(before) == []
    old = feed_url(leader)
    leader.rotate_feed_token()
    db.session.commit()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(leader)).status_code == 200
    leader.active = False
    db.session.commit()
    assert client.get(feed_url(leader)).status_code == 404


def test_the_all_interviews_feed_is_for_staff_and_admins(client, leader, make_user, make_interview):
    make_interview(panel=[make_user("leader")])
    make_interview(datetime(2027, 3, 16, 10, 0), panel=[make_user("leader")])
    assert client.get(feed_url(leader, "all")).status_code == 404
    for role in ("staff", "admin"):
        assert len(events_of(client.get(feed_url(make_user(role), "all")))) == 2


def test_a_race_feed_needs_a_valid_token_and_a_real_race(client, leader, make_race, make_interview, make_user):
    race = make_race("Governor")
    other = make_race("Mayor")
    inside = make_interview(race=race, panel=[make_user("leader")])
    make_interview(datetime(2027, 3, 16, 10, 0), race=other, panel=[make_user("leader")])
    (event,) = events_of(client.get(f"/calendar/{leader.feed_token}/races/{race.id}.ics"))
    assert event["UID"] == inside.uid
    assert client.get(f"/calendar/nope/races/{race.id}.ics").status_code == 404
    assert client.get(f"/calendar/{leader.feed_token}/races/987654.ics").status_code == 404


def test_etag_and_last_modified_answer_304_without_building_the_calendar(
    client, leader, make_interview, monkeypatch, count_queries
):
    interview = make_interview(panel=[leader])
    first = client.get(feed_url(leader))
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and last_modified

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the calendar was built for a conditional request")

    monkeypatch.setattr(services, "build_feed", refuse)
    monkeypatch.setattr(services, "feed_facts", refuse)
    with count_queries() as queries:
        again = client.get(feed_url(leader), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert queries.count <= 3, queries  # the token's user, the aggregate (and the session's user)
    assert client.get(feed_url(leader), headers={"If-Modified-Since": last_modified}).status_code == 304
    monkeypatch.undo()

    # Any change to the interview changes the validator: the next poll gets the new feed.
    interview.sequence += 1
    interview.starts_at += timedelta(hours=1)
    interview.ends_at += timedelta(hours=1)
    db.session.commit()
    changed = client.get(feed_url(leader), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    (event,) = events_of(changed)
    assert event.decoded("SEQUENCE") == 1


def test_the_feed_bytes_are_stable_between_polls(client, leader, make_interview):
    make_interview(panel=[leader])
    assert client.get(feed_url(leader)).data == client.get(feed_url(leader)).data


def test_cancelled_interviews_stay_a_while_as_cancelled_then_leave(client, leader, make_interview, make_user):
    recent = make_interview(panel=[leader], status=InterviewStatus.cancelled, cancelled_at=utcnow(), sequence=1)
    make_interview(
        datetime(2027, 3, 16, 10, 0),
        panel=[leader],
        status=InterviewStatus.cancelled,
        cancelled_at=utcnow() - timedelta(days=31),
        sequence=1,
    )
    before = client.get(feed_url(leader))
    (event,) = events_of(before)
    assert event["UID"] == recent.uid
    assert event["STATUS"] == "CANCELLED"
    assert event["TRANSP"] == "TRANSPARENT"
    # When it leaves the window, the validator changes too (the count and the last departure).
    recent.cancelled_at = utcnow() - timedelta(days=40)
    db.session.commit()
    after = client.get(feed_url(leader), headers={"If-None-Match": before.headers["ETag"]})
    assert events_of(after) == []


def test_the_feed_loads_in_a_fixed_number_of_queries(client, make_user, make_interview, count_queries):
    staff = make_user("staff")
    make_interview(panel=[make_user("leader")])
    with count_queries() as small:
        assert client.get(feed_url(staff, "all")).status_code == 200
    for day in range(2, 8):
        make_interview(datetime(2027, 3, 15 + day, 10, 0), panel=[make_user("leader"), make_user("leader")])
    with count_queries() as large:
        assert len(events_of(client.get(feed_url(staff, "all")))) == 7
    assert large.count == small.count, large


def test_my_feed_page_shows_webcal_and_https_links_and_rotates(client, auth):
    user = auth.login("leader")
    page = client.get("/calendar")
    html = page.get_data(as_text=True)
    assert f"webcal://interviews.example.org/calendar/{user.feed_token}/interviews.ics" in html
    assert f"http://interviews.example.org/calendar/{user.feed_token}/interviews.ics" in html
    assert "/all.ics" not in html
    old = user.feed_token
    response = client.post("/calendar/rotate")
    assert response.status_code == 302 and response.headers["Location"] == "/calendar"
    db.session.refresh(user)
    assert user.feed_token != old
    assert client.get(f"/calendar/{old}/interviews.ics").status_code == 404
    assert client.get(f"/calendar/{user.feed_token}/interviews.ics").status_code == 200
    assert user.feed_token in client.get("/calendar").get_data(as_text=True)


def test_staff_see_the_all_interviews_link(client, auth):
    user = auth.login("staff")
    assert f"/calendar/{user.feed_token}/all.ics" in client.get("/calendar").get_data(as_text=True)


def test_rotating_needs_a_post(client, auth):
    user = auth.login("leader")
    token = user.feed_token
    before = stored_rows()
    assert client.get("/calendar/rotate").status_code == 405
    assert changed_tables(before) == []
    db.session.refresh(user)
    assert user.feed_token == token


def test_leaders_and_staff_download_an_interviews_ics(client, auth, make_interview):
    interview = make_interview()
    auth.login("leader")
    response = client.get(f"/interviews/{interview.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "REQUEST"
    assert client.get("/interviews/987654/calendar.ics").status_code == 404
    interview.status = InterviewStatus.cancelled  # even one cancelled without notice (SEQUENCE still 0)
    db.session.commit()
    assert icalendar.Calendar.from_ical(client.get(f"/interviews/{interview.id}/calendar.ics").data)["METHOD"] == (
        "CANCEL"
    )


def test_page_sections_link_the_download_and_the_race_feed(app, make_user, make_interview):
    interview = make_interview()
    leader = make_user("leader")
    with app.test_request_context():
        (download,) = [p for p in render_sections("interview", interview, leader) if "calendar.ics" in p]
        assert f"/interviews/{interview.id}/calendar.ics" in download
        (race_part,) = [p for p in render_sections("race", interview.race, leader) if "Calendar of this race" in p]
        assert (
            f"webcal://interviews.example.org/calendar/{leader.feed_token}/races/{interview.race_id}.ics" in race_part
        )


def test_the_interview_and_race_pages_show_the_calendar_parts(client, auth, make_interview):
    interview = make_interview()
    staff = auth.login("staff")
    page = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert f"/interviews/{interview.id}/calendar.ics" in page
    assert "Download .ics" in page
    race_page = client.get(f"/races/{interview.race_id}").get_data(as_text=True)
    assert f"webcal://interviews.example.org/calendar/{staff.feed_token}/races/{interview.race_id}.ics" in race_page


def test_the_streamed_feed_is_byte_for_byte_the_calendar_icalendar_writes_whole():
    """The feed is written an event at a time; joined, the pieces must be one calendar exactly as
    icalendar writes it whole: read back and written again, not a byte changes."""
    from datetime import UTC, datetime, timedelta

    from icalendar import Calendar

    from interviews.calendar import ics

    start = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)
    events = [
        ics.EventData(
            uid=f"interview-{n}@labor.example.org",
            sequence=n,
            start=start + timedelta(days=n),
            end=start + timedelta(days=n, minutes=45),
            tzid="America/New_York",
            summary=f"Endorsement interview {n}",
            organizer=ics.Person("Scheduling", "scheduling@labor.example.org"),
        )
        for n in range(3)
    ]
    streamed = b"".join(ics.feed_chunks(events, name="All interviews", description="Every race"))
    whole = Calendar.from_ical(streamed)
    assert [str(e["UID"]) for e in whole.walk("VEVENT")] == [f"interview-{n}@labor.example.org" for n in range(3)]
    assert whole.to_ical() == streamed
    assert streamed.count(b"BEGIN:VCALENDAR") == 1 and streamed.endswith(b"END:VCALENDAR\r\n")
