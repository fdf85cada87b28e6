"""The iCalendar builders, read back by icalendar and by two independent parsers (libical, vobject).

The instant each parser reads must be the one intended, in zones with and without daylight saving,
on the days around the changes where a wrong VTIMEZONE shows as a one-hour shift.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from interviews.calendar import ics
from interviews.calendar.ics import EventData, Person, Status
from tests.calendar.parsers import with_libical, with_vobject

ORGANIZER = Person("Riverside Labor Council", "endorsements@riverside-labor.example.org")
PEOPLE = (
    Person("Jordan Ellis", "scheduling@whitcombe2028.example.com"),
    Person("Angela Castellanos", "a.castellanos@labor.example.org"),
    Person("Walter Kowalczyk", "w.kowalczyk@labor.example.org"),
)


def event(tzid: str, local: datetime, *, sequence: int = 0, minutes: int = 45, **fields: object) -> EventData:
    start = local.replace(tzinfo=ZoneInfo(tzid))
    return EventData(
        uid="5f0c8a0e-interview@interviews",
        sequence=sequence,
        start=start,
        end=start + timedelta(minutes=minutes),
        tzid=tzid,
        summary=str(fields.pop("summary", "Endorsement interview: Eleanor Whitcombe (2028 Presidential)")),
        organizer=ORGANIZER,
        attendees=PEOPLE,
        location=str(fields.pop("location", "Union Hall, Boardroom A, 1200 Harbor Street")),
        description=str(
            fields.pop("description", "Join: https://meet.example.org/board\nPage: https://x.example.org/i/1")
        ),
        url=str(fields.pop("url", "https://interviews.example.org/interviews/1")),
        **fields,  # type: ignore[arg-type]
    )


# (zone, first booking, where it is moved to): instants chosen around the daylight-saving changes.
CASES = {
    # The Monday after Europe's March change (28 March 2027): CEST, UTC+2.
    "berlin-after-march-change": ("Europe/Berlin", datetime(2027, 3, 26, 10, 0), datetime(2027, 3, 29, 10, 0)),
    # Booked in EDT on the Friday, moved across the 7 November 2027 change to the Monday in EST.
    "new-york-across-november": ("America/New_York", datetime(2027, 11, 5, 10, 0), datetime(2027, 11, 8, 10, 0)),
    # Sydney leaves daylight saving on 4 April 2027: the Friday in AEDT, the Monday in AEST.
    "sydney-across-april": ("Australia/Sydney", datetime(2027, 4, 2, 9, 30), datetime(2027, 4, 5, 9, 30)),
    # A half-hour offset and no daylight saving.
    "kolkata": ("Asia/Kolkata", datetime(2027, 3, 26, 15, 0), datetime(2027, 3, 29, 15, 30)),
    "utc": ("UTC", datetime(2027, 3, 26, 14, 0), datetime(2027, 3, 29, 14, 0)),
}


def messages(tzid: str, booked: datetime, moved: datetime) -> list[tuple[str, bytes, EventData]]:
    first = event(tzid, booked)
    second = event(tzid, moved, sequence=1)
    third = event(tzid, moved, sequence=2)
    return [
        ("REQUEST", ics.request(first), first),
        ("REQUEST", ics.update(second, previous_sequence=0), second),
        ("CANCEL", ics.cancellation(third), third),
    ]


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_parser_reads_the_intended_instant(case):
    tzid, booked, moved = CASES[case]
    for method, payload, data in messages(tzid, booked, moved):
        expected_status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
        # icalendar itself
        calendar = icalendar.Calendar.from_ical(payload)
        assert calendar["METHOD"] == method
        (vevent,) = calendar.walk("VEVENT")
        assert vevent.decoded("DTSTART").astimezone(UTC) == data.start.astimezone(UTC)
        assert vevent.decoded("DTEND").astimezone(UTC) == data.end.astimezone(UTC)
        assert vevent["STATUS"] == expected_status
        # libical and vobject, each in a process of its own
        for parsed in (with_libical(payload), with_vobject(payload)):
            assert parsed["method"] == method
            (read,) = parsed["events"]
            assert read["uid"] == data.uid
            assert read["sequence"] == data.sequence
            assert read["status"] == expected_status
            assert read["start"] == utc_iso(data.start), (case, method, payload.decode())
            assert read["end"] == utc_iso(data.end)
            assert read["attendees"] == len(PEOPLE)


def test_times_carry_tzid_and_the_same_rule_based_vtimezone_in_every_message():
    march = ics.request(event("Europe/Berlin", datetime(2027, 3, 29, 10, 0)))
    october = ics.request(event("Europe/Berlin", datetime(2027, 10, 25, 10, 0), sequence=1))
    assert b"DTSTART;TZID=Europe/Berlin:20270329T100000" in march
    (first,) = icalendar.Calendar.from_ical(march).walk("VTIMEZONE")
    (second,) = icalendar.Calendar.from_ical(october).walk("VTIMEZONE")
    # vobject (and Radicale) keep the first VTIMEZONE seen for a TZID: every message must carry the same one.
    assert first.to_ical() == second.to_ical()
    text = first.to_ical().decode()
    assert "RDATE" not in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text


def test_a_zone_without_a_yearly_rule_is_written_in_utc():
    # Israel changes on the Friday before the last Sunday of March: no simple RRULE, so UTC.
    data = event("Asia/Jerusalem", datetime(2027, 3, 29, 10, 0))
    payload = ics.request(data)
    assert b"VTIMEZONE" not in payload
    assert f"DTSTART:{data.start.astimezone(UTC):%Y%m%dT%H%M%SZ}".encode() in payload
    assert b"DTSTART:20270329T070000Z" in payload  # 10:00 IDT (UTC+3, since Friday 26 March) is 07:00 UTC
    assert with_vobject(payload)["events"][0]["start"] == utc_iso(data.start)


def test_utc_events_need_no_vtimezone():
    payload = ics.request(event("UTC", datetime(2027, 3, 29, 14, 0)))
    assert b"VTIMEZONE" not in payload
    assert b"DTSTART:20270329T140000Z" in payload


def test_a_request_has_everything_clients_act_on():
    calendar = icalendar.Calendar.from_ical(ics.request(event("America/New_York", datetime(2027, 5, 3, 10, 0))))
    assert calendar["PRODID"] and calendar["VERSION"] == "2.0"
    (vevent,) = calendar.walk("VEVENT")
    for name in ("UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "URL"):
        assert name in vevent, name
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    organizer = vevent["ORGANIZER"]
    assert organizer == "mailto:endorsements@riverside-labor.example.org"
    assert "noreply" not in organizer.lower()
    assert organizer.params["CN"] == "Riverside Labor Council"
    attendees = vevent["ATTENDEE"]
    assert [str(a) for a in attendees] == [f"mailto:{p.email}" for p in PEOPLE]
    for attendee, person in zip(attendees, PEOPLE, strict=True):
        assert attendee.params["CN"] == person.name
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
    (alarm,) = vevent.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)


def test_an_update_keeps_the_uid_and_needs_a_higher_sequence():
    first = event("UTC", datetime(2027, 5, 3, 10, 0))
    later = event("UTC", datetime(2027, 5, 4, 10, 0), sequence=1)
    sent = icalendar.Calendar.from_ical(ics.request(first, stamp=datetime(2020, 1, 1, tzinfo=UTC))).walk("VEVENT")[0]
    updated = icalendar.Calendar.from_ical(ics.update(later, previous_sequence=0)).walk("VEVENT")[0]
    assert updated["UID"] == sent["UID"]
    assert updated.decoded("SEQUENCE") > sent.decoded("SEQUENCE")
    assert updated.decoded("DTSTAMP") > sent.decoded("DTSTAMP")
    with pytest.raises(ValueError, match="higher"):
        ics.update(first, previous_sequence=0)


def test_a_cancellation_is_never_a_request():
    cancelled = event("UTC", datetime(2027, 5, 3, 10, 0), sequence=3)
    calendar = icalendar.Calendar.from_ical(ics.cancellation(cancelled))
    assert calendar["METHOD"] == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["TRANSP"] == "TRANSPARENT"
    assert not vevent.walk("VALARM")
    with pytest.raises(ValueError):
        ics.request(event("UTC", datetime(2027, 5, 3, 10, 0), status=Status.cancelled))


def test_a_feed_is_published_in_utc_with_refresh_hints_and_no_attendees():
    events = [
        event("Europe/Berlin", datetime(2027, 3, 29, 10, 0), modified=datetime(2027, 1, 2, tzinfo=UTC)),
        event("America/New_York", datetime(2027, 11, 8, 10, 0), sequence=2, status=Status.cancelled),
    ]
    events[1] = dataclasses.replace(events[1], uid="other@interviews")
    payload = ics.feed(events, name="Riverside Labor Council: my interviews")
    calendar = icalendar.Calendar.from_ical(payload)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Riverside Labor Council: my interviews"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H" or calendar.decoded("X-PUBLISHED-TTL") == timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in payload
    first, second = calendar.walk("VEVENT")
    assert "ATTENDEE" not in first and "ATTENDEE" not in second
    assert first.decoded("DTSTAMP") == datetime(2027, 1, 2, tzinfo=UTC)  # stable bytes between polls
    assert second["STATUS"] == "CANCELLED"
    assert str(second["SUMMARY"]).startswith("Cancelled: ")
    assert b"VTIMEZONE" not in payload
    for parsed in (with_libical(payload), with_vobject(payload)):
        assert parsed["method"] == "PUBLISH"
        assert [e["start"] for e in parsed["events"]] == [utc_iso(e.start) for e in events]
        assert [e["status"] for e in parsed["events"]] == ["CONFIRMED", "CANCELLED"]


def test_event_data_refuses_naive_or_backwards_times():
    with pytest.raises(ValueError):
        EventData(
            uid="x@y",
            sequence=0,
            start=datetime(2027, 1, 1, 10),
            end=datetime(2027, 1, 1, 11),
            tzid="UTC",
            summary="x",
            organizer=ORGANIZER,
        )
    with pytest.raises(ValueError):
        event("UTC", datetime(2027, 1, 1, 10), minutes=-5)
