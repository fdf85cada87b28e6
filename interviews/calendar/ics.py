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
from functools import lru_cache
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
    component in turn), so their concatenation is `feed(...)`. The events are written by
    `feed_vevent`, byte for byte what icalendar writes for them, without building its objects.
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
    batch: list[bytes] = []
    for data in events:
        batch.append(feed_vevent(data))
        if len(batch) == EVENTS_PER_CHUNK:
            yield b"".join(batch)
            batch = []
    batch.append(end)
    yield b"".join(batch)


# Events written per chunk of a streamed feed: fewer, larger pieces for the server to send.
EVENTS_PER_CHUNK = 50
FEED_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
SEQUENCE_MAX = 2**31 - 1  # RFC 5545 INTEGER (3.3.8)


def feed_vevent(data: EventData) -> bytes:
    """One feed VEVENT: what icalendar writes for `_vevent(data, utc=True, with_attendees=False,
    alarm=False)` with DTSTAMP the last change, written directly (a feed of ten thousand events
    would otherwise spend most of its time building and folding icalendar's objects).

    The same properties in icalendar's order (its canonical ones, then the rest alphabetically),
    TEXT escaped as icalendar escapes it, lines folded at 75 octets as icalendar folds them; the
    ORGANIZER line is icalendar's own. Categories (never in our feeds) take icalendar's path.
    tests/calendar/test_feed_vevent.py compares the two on hostile text.
    """
    if data.categories:
        return bytes(
            _vevent(data, stamp=data.modified or FEED_EPOCH, utc=True, with_attendees=False, alarm=False).to_ical()
        )
    if data.sequence > SEQUENCE_MAX:  # icalendar refuses an INTEGER outside RFC 5545's range too
        raise ValueError(f"SEQUENCE {data.sequence} is above the RFC 5545 maximum")
    cancelled = data.status is Status.cancelled
    summary = clean_line(data.summary)
    if cancelled:
        summary = f"Cancelled: {summary}"
    stamp = _utc(data.modified or FEED_EPOCH)
    lines = [
        "BEGIN:VEVENT",
        _fold("SUMMARY:" + _text(summary)),
        "DTSTART:" + _utc(data.start),
        "DTEND:" + _utc(data.end),
        "DTSTAMP:" + stamp,
        _fold("UID:" + _text(data.uid)),
        f"SEQUENCE:{int(data.sequence)}",
        "CLASS:PRIVATE",
    ]
    if data.description:
        lines.append(_fold("DESCRIPTION:" + _text(clean_text(data.description))))
    if data.modified is not None:
        lines.append("LAST-MODIFIED:" + stamp)
    if data.location:
        lines.append(_fold("LOCATION:" + _text(clean_line(data.location))))
    lines.append(_organizer_line(data.organizer))
    lines.append("STATUS:" + data.status.value)
    lines.append("TRANSP:TRANSPARENT" if cancelled else "TRANSP:OPAQUE")
    if data.url:
        lines.append(_fold("URL:" + clean_line(data.url)))  # a URI: icalendar writes it unescaped
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines).encode("utf-8")


def _text(value: str) -> str:
    """A TEXT value escaped as icalendar escapes it (RFC 5545 3.3.11; the order matters)."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _utc(moment: datetime) -> str:
    value = moment.astimezone(UTC)
    return f"{value.year:04}{value.month:02}{value.day:02}T{value.hour:02}{value.minute:02}{value.second:02}Z"


def _fold(line: str) -> str:
    """A content line folded as icalendar folds it: pieces of at most 74 octets, never inside a
    UTF-8 character, and never ending on the backslash or caret that starts an escape; each
    continuation starts with a space (so at most 75 octets a line)."""
    if line.isascii():
        if len(line) < 75:
            return line
        data = line.encode("ascii")
    else:
        data = line.encode("utf-8")
        if len(data) < 75:
            return line
    pieces = []
    start, size = 0, len(data)
    while size - start > 74:
        stop = start + 74
        while data[stop] & 0xC0 == 0x80:  # a UTF-8 continuation byte: the character began before
            stop -= 1
        if stop - start > 1 and data[stop - 1] in b"\\^":
            stop -= 1
        pieces.append(data[start:stop])
        start = stop
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")


@lru_cache(maxsize=32)
def _organizer_line(person: Person) -> str:
    """The ORGANIZER line (folded) exactly as icalendar writes it; one per feed."""
    event = Event()
    event.add("organizer", cal_address(person, attendee=False))
    written = bytes(event.to_ical()).decode("utf-8")
    begin, end = "BEGIN:VEVENT\r\n", "\r\nEND:VEVENT\r\n"
    if not (written.startswith(begin) and written.endswith(end)):
        raise RuntimeError("unexpected event layout from icalendar")
    return written[len(begin) : -len(end)]


def feed(
    events: Iterable[EventData],
    *,
    name: str,
    description: str = "",
    refresh: timedelta = timedelta(hours=1),
) -> bytes:
    """The whole subscription feed as one document (see feed_chunks)."""
    return b"".join(feed_chunks(events, name=name, description=description, refresh=refresh))
