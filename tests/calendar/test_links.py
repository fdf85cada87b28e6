"""The “Add to Google Calendar” and “Add to Outlook” links, against addresses written out by hand.

Each expected address below was typed from the services' documented shapes (Google's
render?action=TEMPLATE with dates=YYYYMMDDTHHMMSSZ/YYYYMMDDTHHMMSSZ; Outlook's deeplink/compose with
ISO startdt/enddt, path and rru), with the UTC times worked out on paper from the local ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from interviews.calendar.ics import EventData, Person
from interviews.calendar.links import calendar_links, google_calendar_url, outlook_calendar_url

ORGANIZER = Person("Riverside Labor Council", "endorsements@riverside-labor.example.org")


def event(local: datetime, tzid: str, *, minutes: int = 45, **fields: str) -> EventData:
    start = local.replace(tzinfo=ZoneInfo(tzid))
    return EventData(
        uid="b1d6-interview@interviews",
        sequence=0,
        start=start,
        end=start + timedelta(minutes=minutes),
        tzid=tzid,
        summary=fields.get("summary", "Endorsement interview: Maria Santos (2027 Mayor)"),
        organizer=ORGANIZER,
        description=fields.get("description", "Line one\nJoin: https://meet.example.org/a?b=1&c=2"),
        location=fields.get("location", "Union Hall, 1200 Harbor St #4"),
    )


# Monday 9 March 2026, 14:00 in New York: daylight time began on the 8th, so UTC-4: 18:00Z.
NEW_YORK_AFTER_THE_CHANGE = event(datetime(2026, 3, 9, 14, 0), "America/New_York")


def test_google_link_for_an_interview_the_day_after_daylight_time_begins():
    assert google_calendar_url(NEW_YORK_AFTER_THE_CHANGE) == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
        "&text=Endorsement%20interview%3A%20Maria%20Santos%20%282027%20Mayor%29"
        "&dates=20260309T180000Z/20260309T184500Z"
        "&details=Line%20one%0AJoin%3A%20https%3A%2F%2Fmeet.example.org%2Fa%3Fb%3D1%26c%3D2"
        "&location=Union%20Hall%2C%201200%20Harbor%20St%20%234"
    )


def test_outlook_link_for_the_same_interview():
    assert outlook_calendar_url(NEW_YORK_AFTER_THE_CHANGE) == (
        "https://outlook.live.com/calendar/0/deeplink/compose"
        "?subject=Endorsement%20interview%3A%20Maria%20Santos%20%282027%20Mayor%29"
        "&startdt=2026-03-09T18:00:00Z&enddt=2026-03-09T18:45:00Z"
        "&body=Line%20one%0AJoin%3A%20https%3A%2F%2Fmeet.example.org%2Fa%3Fb%3D1%26c%3D2"
        "&location=Union%20Hall%2C%201200%20Harbor%20St%20%234"
        "&path=/calendar/action/compose&rru=addevent"
    )


def test_a_half_hour_zone_non_ascii_text_and_no_place():
    # Kolkata is UTC+5:30 all year: 09:15 local is 03:45Z; an hour later, 04:45Z.
    interview = event(
        datetime(2026, 11, 2, 9, 15),
        "Asia/Kolkata",
        minutes=60,
        summary="Interview: Ute Krämer",
        description="Café + “quotes”",
        location="",
    )
    assert google_calendar_url(interview) == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
        "&text=Interview%3A%20Ute%20Kr%C3%A4mer"
        "&dates=20261102T034500Z/20261102T044500Z"
        "&details=Caf%C3%A9%20%2B%20%E2%80%9Cquotes%E2%80%9D"
    )
    assert outlook_calendar_url(interview) == (
        "https://outlook.live.com/calendar/0/deeplink/compose"
        "?subject=Interview%3A%20Ute%20Kr%C3%A4mer"
        "&startdt=2026-11-02T03:45:00Z&enddt=2026-11-02T04:45:00Z"
        "&body=Caf%C3%A9%20%2B%20%E2%80%9Cquotes%E2%80%9D"
        "&path=/calendar/action/compose&rru=addevent"
    )


def test_an_interview_across_midnight_utc_and_the_autumn_change():
    # Sunday 25 October 2026 in Berlin: summer time ended at 03:00; 23:30 local is UTC+1: 22:30Z, ending 23:15Z.
    late = event(datetime(2026, 10, 25, 23, 30), "Europe/Berlin", description="", location="Online")
    links = calendar_links(late)
    assert links.google == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
        "&text=Endorsement%20interview%3A%20Maria%20Santos%20%282027%20Mayor%29"
        "&dates=20261025T223000Z/20261025T231500Z&location=Online"
    )
    assert "&startdt=2026-10-25T22:30:00Z&enddt=2026-10-25T23:15:00Z&location=Online&" in links.outlook


def test_an_independent_decoder_reads_back_exactly_the_text_given():
    """A hostile description (ampersands, equals signs, a fake parameter, a line break) stays one value."""
    text = "a&rru=deleteevent&b=c\r\nX-Injected: 1 % 100"
    hostile = event(datetime(2026, 6, 1, 10), "America/Chicago", description=text, location="Room = 4 & 5")
    for url, body_key in ((google_calendar_url(hostile), "details"), (outlook_calendar_url(hostile), "body")):
        query = parse_qs(urlsplit(url).query, strict_parsing=True)
        assert query[body_key] == [text]
        assert query["location"] == ["Room = 4 & 5"]
        assert "deleteevent" not in query.get("rru", [""])[0]
