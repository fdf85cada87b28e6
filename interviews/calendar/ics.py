"""iCalendar builders (RFC 5545, iTIP RFC 5546): plain objects in, bytes out.

Nothing here touches the database or Flask: `interviews.calendar.events` maps an Interview to an
`EventData`, and these functions turn that into the bytes an e-mail or a feed carries. Every
byte is written by the `icalendar` library, which escapes text and folds long lines.

Choices made for the clients candidates and leaders use:

- iTIP messages carry TZID plus a VTIMEZONE with yearly RRULEs, identical in every message for a
  zone (see `timezones.py` for why neither icalendar's default nor a per-event window will do);
  a zone with irregular rules falls back to UTC. Feeds use UTC, which every client reads.
- A CANCEL is METHOD:CANCEL with STATUS:CANCELLED, the same UID and a higher SEQUENCE: Gmail,
  Outlook and Apple Mail then remove the event instead of adding a second one.
- Feeds are METHOD:PUBLISH without ATTENDEE lines (RFC 5546 forbids them there, and Outlook
  otherwise offers to "respond" to a subscription); the panel is listed in the description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration

from interviews.calendar.timezones import vtimezone

PRODID = "-//Endorsement Interviews//Calendar 1.0//EN"


class Method(StrEnum):
    request = "REQUEST"
    cancel = "CANCEL"
    publish = "PUBLISH"


class Status(StrEnum):
    confirmed = "CONFIRMED"
    cancelled = "CANCELLED"


@dataclass(frozen=True)
class Person:
    """Someone in ORGANIZER or ATTENDEE: a display name and an address."""

    name: str
    email: str
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True, slots=True)
class EventData:
    """One interview as a calendar sees it. Times are aware; `tzid` is the zone to show them in."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    tzid: str
    summary: str
    organizer: Person
    attendees: Sequence[Person] = ()
    location: str = ""
    description: str = ""
    url: str = ""
    status: Status = Status.confirmed
    # When this version of the event was last changed (feeds use it as DTSTAMP, so a feed is stable).
    modified: datetime | None = None
    alarm_minutes: int | None = 30
    categories: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("event times must be aware")
        if self.end <= self.start:
            raise ValueError("an event must end after it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative")


# C0 controls except TAB and LF, DEL, and the Unicode line and paragraph separators: they have no
# place in a calendar and some parsers treat them as line ends.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def clean_text(value: str) -> str:
    """Text for a property value: line breaks kept as LF (escaped by icalendar), controls dropped."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_line(value: str) -> str:
    """A one-line value (a name in a parameter, a summary): every line break becomes a space.

    Parameter values cannot hold double quotes at all (RFC 5545 3.2), so they become single ones.
    """
    return " ".join(clean_text(value).replace('"', "'").split())


_ADDRESS = re.compile(r"^[^\s@<>:;,\"\\]+@[^\s@<>:;,\"\\]+$")


def cal_address(person: Person, *, attendee: bool, rsvp: bool = True) -> vCalAddress:
    """ORGANIZER or ATTENDEE value, refusing an address that could smuggle in anything else."""
    email = person.email.strip()
    if not _ADDRESS.match(email):
        raise ValueError(f"not a usable e-mail address: {email!r}")
    if not attendee:
        return vCalAddress.new(f"mailto:{email}", cn=clean_line(person.name) or None)
    return vCalAddress.new(
        f"mailto:{email}",
        cn=clean_line(person.name) or None,
        cutype="INDIVIDUAL",
        role=person.role,
        partstat="NEEDS-ACTION",
        rsvp=rsvp,
    )


def zone(tzid: str) -> ZoneInfo:
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _vevent(data: EventData, *, stamp: datetime, utc: bool, with_attendees: bool, alarm: bool = True) -> Event:
    tz = UTC if utc else zone(data.tzid)
    event = Event()
    event.add("uid", data.uid)
    event.add("sequence", data.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", data.start.astimezone(tz))
    event.add("dtend", data.end.astimezone(tz))
    if data.modified is not None:
        event.add("last-modified", data.modified.astimezone(UTC))
    summary = clean_line(data.summary)
    if data.status is Status.cancelled:
        # Clients that ignore STATUS in a feed (some Android apps) still tell people plainly.
        summary = f"Cancelled: {summary}"
    event.add("summary", summary)
    if data.location:
        event.add("location", clean_line(data.location))
    if data.description:
        event.add("description", clean_text(data.description))
    if data.url:
        event.add("url", clean_line(data.url))
    if data.categories:
        event.add("categories", [clean_line(c) for c in data.categories])
    event.add("status", data.status.value)
    # A cancelled interview must not keep anyone's time blocked.
    event.add("transp", "TRANSPARENT" if data.status is Status.cancelled else "OPAQUE")
    event.add("class", "PRIVATE")
    event.add("organizer", cal_address(data.organizer, attendee=False))
    if with_attendees:
        for person in data.attendees:
            event.add("attendee", cal_address(person, attendee=True, rsvp=data.status is not Status.cancelled))
    if alarm and data.alarm_minutes is not None and data.status is not Status.cancelled:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", summary)
        reminder.add("trigger", timedelta(minutes=-data.alarm_minutes))
        event.add_component(reminder)
    return event


def _calendar(method: Method, extra: dict[str, object] | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    for name, value in (extra or {}).items():
        calendar.add(name, value)
    return calendar


def _message(method: Method, data: EventData, stamp: datetime | None) -> bytes:
    calendar = _calendar(method)
    tz = zone(data.tzid)
    timezone = None if tz.key in ("UTC", "Etc/UTC") else vtimezone(tz.key, data.start.astimezone(tz).year)
    if timezone is not None:
        calendar.add_component(timezone)
    vevent = _vevent(data, stamp=stamp or datetime.now(UTC), utc=timezone is None, with_attendees=True)
    calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def request(data: EventData, *, stamp: datetime | None = None) -> bytes:
    """A METHOD:REQUEST invitation to the attendees listed in `data` (DTSTAMP = now unless given)."""
    if data.status is Status.cancelled:
        raise ValueError("a cancelled event is sent with cancellation(), never as a REQUEST")
    return _message(Method.request, data, stamp)


def update(data: EventData, *, previous_sequence: int, stamp: datetime | None = None) -> bytes:
    """A REQUEST that replaces an earlier one: same UID, SEQUENCE higher than `previous_sequence`."""
    if data.sequence <= previous_sequence:
        raise ValueError("an update needs a SEQUENCE higher than the one sent before")
    return request(data, stamp=stamp)


def cancellation(data: EventData, *, stamp: datetime | None = None) -> bytes:
    """A METHOD:CANCEL for the attendees listed in `data` (all of them, or only those removed).

    Its SEQUENCE must be at least that of the last request (notify raises it before cancelling);
    clients then remove the event rather than ignore the message as stale.
    """
    cancelled = replace(data, status=Status.cancelled)
    return _message(Method.cancel, cancelled, stamp)


def feed_chunks(
    events: Iterable[EventData],
    *,
    name: str,
    description: str = "",
    refresh: timedelta = timedelta(hours=1),
) -> Iterator[bytes]:
    """A subscription feed (METHOD:PUBLISH) in UTC, with the calendar's name and refresh hints,
    written an event at a time: a feed of ten thousand interviews is never one object in memory.

    The pieces are exactly what icalendar writes for the whole calendar (its properties, then each
    component in turn), so their concatenation is `feed(...)`.
    DTSTAMP is each event's last change, so the bytes only change when an interview does.
    REFRESH-INTERVAL is the RFC 7986 hint; X-PUBLISHED-TTL is what Outlook and Apple read.
    """
    calendar = _calendar(
        Method.publish,
        {"x-wr-calname": clean_line(name), "name": clean_line(name)},
    )
    if description:
        calendar.add("x-wr-caldesc", clean_line(description))
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    whole = bytes(calendar.to_ical())
    end = b"END:VCALENDAR\r\n"
    if not whole.endswith(end):  # icalendar's own layout: anything else must not be cut blindly
        raise RuntimeError("unexpected calendar layout from icalendar")
    yield whole[: -len(end)]
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    for data in events:
        # No VALARM in a feed: subscribers keep their own reminder settings.
        event = _vevent(data, stamp=data.modified or epoch, utc=True, with_attendees=False, alarm=False)
        yield bytes(event.to_ical())
    yield end


def feed(
    events: Iterable[EventData],
    *,
    name: str,
    description: str = "",
    refresh: timedelta = timedelta(hours=1),
) -> bytes:
    """The whole subscription feed as one document (see feed_chunks)."""
    return b"".join(feed_chunks(events, name=name, description=description, refresh=refresh))
