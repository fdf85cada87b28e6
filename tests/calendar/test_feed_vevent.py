"""Feeds write their events directly (ics.feed_vevent): byte for byte what icalendar writes for them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.calendar import ics
from interviews.calendar.ics import EventData, Person, Status
from tests.calendar.test_hostile_text import HOSTILE, assert_well_formed
from tests.calendar.test_ics import event


def by_icalendar(data: EventData) -> bytes:
    """The reference: the icalendar objects feeds used to build for each event."""
    stamp = data.modified or ics.FEED_EPOCH
    return bytes(ics._vevent(data, stamp=stamp, utc=True, with_attendees=False, alarm=False).to_ical())


def feed_event(**fields: object) -> EventData:
    data = event("America/New_York", datetime(2027, 3, 14, 10, 0))
    return dataclasses.replace(data, **{"modified": datetime(2027, 2, 1, 9, 30, 15, 123456, tzinfo=UTC), **fields})


# Lengths around the 75-octet fold, with an escape or a multi-byte character on the boundary.
EDGES = ["x" * n + tail for n in range(50, 80) for tail in ("", ",", "\\", "^", ";x", "ü", "東", "😀", "\\N", "\n")]


@pytest.mark.parametrize("text", HOSTILE + EDGES)
@pytest.mark.parametrize("field", ["summary", "location", "description", "url", "uid"])
def test_hostile_and_boundary_text_is_written_as_icalendar_writes_it(field: str, text: str) -> None:
    data = feed_event(**{field: text})
    written = ics.feed_vevent(data)
    assert written == by_icalendar(data)
    assert_well_formed(written)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"status": Status.cancelled},
        {"modified": None},
        {"location": "", "description": "", "url": ""},
        {"sequence": 12},
        {"organizer": Person('Riverside Labor Council, "Scheduling"; O\'Neil', "scheduling@labor.example.org")},
        {"organizer": Person("", "scheduling@labor.example.org")},
        {"organizer": Person("Scheduling", "scheduling@labor.example.org")},
        {"start": datetime(2027, 3, 14, 6, 0, tzinfo=UTC), "end": datetime(2027, 3, 14, 6, 0, 59, tzinfo=UTC)},
        {"categories": ("Interviews", "Board, east")},  # icalendar's own path
    ],
)
def test_every_property_variant_matches(fields: dict[str, object]) -> None:
    data = feed_event(**fields)
    assert ics.feed_vevent(data) == by_icalendar(data)


def test_a_sequence_out_of_range_is_refused_as_icalendar_refuses_it() -> None:
    data = feed_event(sequence=ics.SEQUENCE_MAX + 1)
    with pytest.raises(ValueError):
        by_icalendar(data)
    with pytest.raises(ValueError):
        ics.feed_vevent(data)


@settings(max_examples=300, deadline=None)
@given(
    summary=st.text(max_size=200),
    location=st.text(max_size=120),
    description=st.text(max_size=400),
    name=st.text(max_size=60),
    sequence=st.integers(min_value=0, max_value=ics.SEQUENCE_MAX),
    minutes=st.integers(min_value=1, max_value=10_000),
)
def test_any_text_matches(
    summary: str, location: str, description: str, name: str, sequence: int, minutes: int
) -> None:
    start = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)
    data = dataclasses.replace(
        feed_event(),
        summary=summary,
        location=location,
        description=description,
        organizer=Person(name, "scheduling@labor.example.org"),
        sequence=sequence,
        start=start,
        end=start + timedelta(minutes=minutes),
    )
    assert ics.feed_vevent(data) == by_icalendar(data)


def test_a_feed_is_the_calendar_icalendar_would_write() -> None:
    from icalendar import Calendar

    events = [feed_event(uid=f"{n}@interviews", summary=HOSTILE[n % len(HOSTILE)]) for n in range(120)]
    streamed = b"".join(ics.feed_chunks(events, name="All interviews", description="Every race"))
    assert Calendar.from_ical(streamed).to_ical() == streamed
    assert streamed.count(b"\r\nBEGIN:VEVENT\r\n") == 120
