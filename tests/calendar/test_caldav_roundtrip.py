"""A round trip through a real CalDAV server (Radicale): request, update, cancellation, same resource."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from interviews.calendar import ics
from tests.calendar.caldav import Radicale
from tests.calendar.test_ics import event

COLLECTION = "/board/interviews/"
RESOURCE = COLLECTION + "interview-1.ics"


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    server = Radicale(tmp_path)
    try:
        assert server.request("MKCOL", "/board/")[0] == 201
        assert server.request("MKCALENDAR", COLLECTION)[0] == 201
        yield server
    finally:
        server.stop()


def stored_events(server: Radicale) -> list[icalendar.Event]:
    """Every VEVENT in the collection, as the server exports it."""
    status, body = server.request("GET", COLLECTION)
    assert status == 200, body
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def time_range_report(server: Radicale, start: datetime, end: datetime) -> list[icalendar.Event]:
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>""".encode()
    status, answer = server.request(
        "REPORT", COLLECTION, body, {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
    )
    assert status == 207, answer
    found = []
    for data in re.findall(rb"<C:calendar-data[^>]*>(.*?)</C:calendar-data>", answer, re.S | re.I):
        text = data.decode().replace("&#13;", "\r").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        found.extend(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    return found


def put(server: Radicale, payload: bytes) -> None:
    status, body = server.request("PUT", RESOURCE, payload, {"Content-Type": "text/calendar; charset=utf-8"})
    assert status in (201, 204), body


# Each interview is moved across a daylight-saving change: the server (vobject inside) must not
# keep reading the new time with the old offset.
MOVES = {
    "berlin-march": ("Europe/Berlin", datetime(2027, 3, 26, 10, 0), datetime(2027, 3, 29, 10, 0)),
    "new-york-november": ("America/New_York", datetime(2027, 11, 5, 10, 0), datetime(2027, 11, 8, 10, 0)),
}


@pytest.mark.parametrize("move", MOVES, ids=list(MOVES))
def test_request_update_and_cancel_replace_one_event_on_a_caldav_server(radicale, move):
    tz, first, second = MOVES[move]
    booked = event(tz, first)
    moved = event(tz, second, sequence=1)
    cancelled = event(tz, second, sequence=2)

    put(radicale, ics.request(booked))
    (only,) = stored_events(radicale)
    assert only.decoded("DTSTART").astimezone(UTC) == booked.start.astimezone(UTC)

    put(radicale, ics.update(moved, previous_sequence=0))
    (only,) = stored_events(radicale)  # one event, not a duplicate
    assert only["UID"] == booked.uid
    assert only.decoded("SEQUENCE") == 1
    assert only.decoded("DTSTART").astimezone(UTC) == moved.start.astimezone(UTC)

    # The server reads the instant itself: a time-range query around the new time finds it,
    # and one around where an hour's shift would put it finds nothing.
    at = moved.start.astimezone(UTC)
    (found,) = time_range_report(radicale, at - timedelta(minutes=5), at + timedelta(minutes=5))
    assert found["UID"] == booked.uid
    assert time_range_report(radicale, at - timedelta(minutes=65), at - timedelta(minutes=55)) == []
    assert time_range_report(radicale, at + timedelta(minutes=55), at + timedelta(minutes=65)) == []
    old = booked.start.astimezone(UTC)
    assert time_range_report(radicale, old - timedelta(hours=2), old + timedelta(hours=2)) == []

    put(radicale, ics.cancellation(cancelled))
    (only,) = stored_events(radicale)
    assert only["STATUS"] == "CANCELLED"
    assert only.decoded("SEQUENCE") == 2
    assert only["UID"] == booked.uid
