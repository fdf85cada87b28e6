"""A feed's ETag follows every row its events name, not only the interviews' own columns.

Renaming a candidate, a race, a place or a panel member changes what the feed says, so the next poll
with the old ETag must get the new calendar; changes to rows outside the feed leave its ETag alone.
"""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest

from interviews.auth.models import User
from interviews.extensions import db


def feed_url(user: User, which: str = "interviews") -> str:
    return f"/calendar/{user.feed_token}/{which}.ics"


def poll(client, url: str, etag: str | None = None):  # type: ignore[no-untyped-def]
    return client.get(url, headers={"If-None-Match": etag} if etag else {})


def only_event(response) -> icalendar.Event:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    (event,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return event


@pytest.fixture
def leader(make_user):  # type: ignore[no-untyped-def]
    return make_user("leader", name="Angela Castellanos")


def assert_new_feed(client, url: str, etag: str) -> icalendar.Event:  # type: ignore[no-untyped-def]
    """The old ETag no longer matches: the poll gets 200 and a new ETag."""
    response = poll(client, url, etag)
    assert response.status_code == 200, "the renamed text would stay stale in subscribed calendars"
    assert response.headers["ETag"] != etag
    assert poll(client, url, response.headers["ETag"]).status_code == 304
    return only_event(response)


def test_renaming_the_candidate_or_their_contact_reaches_subscribers(client, leader, make_interview):
    interview = make_interview(panel=[leader])
    url = feed_url(leader)
    etag = poll(client, url).headers["ETag"]
    assert poll(client, url, etag).status_code == 304

    interview.candidate.name = "Rosa Delgado-Whitfield"
    db.session.commit()
    event = assert_new_feed(client, url, etag)
    assert "Rosa Delgado-Whitfield" in str(event["SUMMARY"])
    assert "Rosa Delgado-Whitfield" in str(event["DESCRIPTION"])

    etag = poll(client, url).headers["ETag"]
    interview.candidate.contact_name = "Marcus Oyelaran"
    db.session.commit()
    assert_new_feed(client, url, etag)


def test_renaming_the_race_reaches_subscribers(client, leader, make_interview):
    interview = make_interview(panel=[leader])
    url = feed_url(leader)
    etag = poll(client, url).headers["ETag"]
    interview.race.title = "County Executive (special election)"
    db.session.commit()
    event = assert_new_feed(client, url, etag)
    assert "County Executive (special election)" in str(event["SUMMARY"])


def test_changing_the_room_reaches_subscribers(client, leader, make_interview, make_location):
    interview = make_interview(panel=[leader], location=make_location("Union Hall, Boardroom A"))
    url = feed_url(leader)
    etag = poll(client, url).headers["ETag"]

    interview.location.name = "Union Hall, Training Room 2"
    db.session.commit()
    event = assert_new_feed(client, url, etag)
    assert "Union Hall, Training Room 2" in str(event["LOCATION"])

    etag = poll(client, url).headers["ETag"]
    interview.location.address = "88 Wharf Road"
    db.session.commit()
    event = assert_new_feed(client, url, etag)
    assert "88 Wharf Road" in str(event["LOCATION"])


def test_a_new_join_link_reaches_subscribers(client, leader, make_interview, make_location):
    interview = make_interview(panel=[leader], location=make_location("Video call", video=True))
    url = feed_url(leader)
    etag = poll(client, url).headers["ETag"]
    interview.location.join_url = "https://meet.example.org/endorsements-2027"
    db.session.commit()
    event = assert_new_feed(client, url, etag)
    assert str(event["LOCATION"]) == "https://meet.example.org/endorsements-2027"
    assert "https://meet.example.org/endorsements-2027" in str(event["DESCRIPTION"])


def test_renaming_a_panel_member_reaches_every_feed_holding_the_interview(client, leader, make_user, make_interview):
    colleague = make_user("leader", name="Dwayne Park")
    staff = make_user("staff")
    interview = make_interview(panel=[leader, colleague])
    mine, everything = feed_url(leader), feed_url(staff, "all")
    race = feed_url(leader, f"races/{interview.race_id}")
    etags = {url: poll(client, url).headers["ETag"] for url in (mine, everything, race)}

    colleague.name = "Dwayne Park-Nakamura"
    db.session.commit()
    for url, etag in etags.items():
        event = assert_new_feed(client, url, etag)
        assert "Dwayne Park-Nakamura" in str(event["DESCRIPTION"])

    # A new e-mail address changes the row the event is built from too.
    etag = poll(client, mine).headers["ETag"]
    colleague.email = "dwayne.park@labor.example.org"
    db.session.commit()
    assert_new_feed(client, mine, etag)


def test_changes_outside_the_feed_leave_its_etag_alone(
    client, leader, make_user, make_race, make_interview, make_location
):
    make_interview(panel=[leader])
    # Another race's interview, with its own candidate, room and panel, that this leader does not sit on.
    other_race = make_race("City Council Ward 3")
    stranger = make_user("leader", name="Lena Ortiz")
    other = make_interview(
        datetime(2027, 3, 16, 10, 0), race=other_race, panel=[stranger], location=make_location("Local 12 Hall")
    )
    url = feed_url(leader)
    etag = poll(client, url).headers["ETag"]

    other.candidate.name = "Someone Else Entirely"
    other_race.title = "City Council Ward 4"
    other.location.address = "1 Other Street"
    stranger.name = "Lena Ortiz-Brandt"
    other_race.candidates[1].contact_name = "Not In Any Feed"
    db.session.commit()
    assert poll(client, url, etag).status_code == 304

    # The staff feed of all interviews holds that interview, so the same edits do change it.
    staff = make_user("staff")
    everything = feed_url(staff, "all")
    etag = poll(client, everything).headers["ETag"]
    stranger.name = "Lena Ortiz"
    db.session.commit()
    assert poll(client, everything, etag).status_code == 200
