"""Reading an e-mail from the organiser's mailbox: its envelope and the calendar answer in it (RFC 6047 iMIP).

Pure functions, bytes in and plain values out; nothing here touches the database. What the
clients candidates and leaders use actually send, and what this reads from it:

- Google Calendar: multipart/mixed around multipart/alternative (text, html, `text/calendar;
  method=REPLY`) plus the same calendar again as an `application/ics` attachment (sometimes the
  attachment alone, without `method`). The note typed with the answer is the ATTENDEE parameter
  `X-RESPONSE-COMMENT`, HTML-escaped (`it&#39\\;s`); times in UTC.
- Outlook / Exchange: `text/calendar; method=REPLY` in base64, the note in COMMENT (with a
  LANGUAGE parameter), `MAILTO:` in capitals, TZID with Windows zone names ("Eastern Standard
  Time") and a VTIMEZONE for them; "Propose new time" is a METHOD:COUNTER whose DTSTART/DTEND
  are the time proposed.
- Apple Calendar: `text/calendar; method=REPLY; name=...ics` in quoted-printable, parameters
  quoted (`CN="..."`), an `EMAIL=` parameter beside the address, and via iCloud a From address
  that is not the attendee's: the answer is matched by ATTENDEE, never by From.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

from icalendar import Calendar, Event

from interviews.inbox.models import KeptReason

CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")
# Bigger than any real answer by far; icalendar's work grows with the text, so hostile input is bounded.
MAX_CALENDAR_BYTES = 512 * 1024
# What is kept of a calendar part for staff to read on the Inbox page.
STORED_CALENDAR_CHARS = 64 * 1024
ANSWERS = ("ACCEPTED", "TENTATIVE", "DECLINED", "DELEGATED")
ANSWER_METHODS = ("REPLY", "COUNTER")


class Unusable(Exception):
    """The message cannot be used; `reason` says why in general, str() what exactly."""

    def __init__(self, reason: KeptReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class Envelope:
    """What the e-mail itself says, read before anything else (and kept even for junk)."""

    message_id: str
    from_address: str
    subject: str
    sent_at: datetime | None
    automatic: str  # why it looks like an automatic reply ("" when it does not)


@dataclass(frozen=True)
class Attendee:
    """One ATTENDEE line of an answer."""

    email: str  # lower-cased, without "mailto:"
    name: str
    partstat: str  # upper-cased; "" when missing
    comment: str  # Google's X-RESPONSE-COMMENT
    delegated_to: str
    delegated_from: str


@dataclass(frozen=True)
class CalendarAnswer:
    """The VEVENT of an iTIP REPLY or COUNTER, as plain values."""

    method: str
    uid: str
    sequence: int
    dtstamp: datetime | None
    # DTSTART/DTEND: for a REPLY the time the person saw, for a COUNTER the time proposed. Aware UTC,
    # or naive for a floating time (the caller reads it in the interview's zone).
    starts_at: datetime | None
    ends_at: datetime | None
    attendees: tuple[Attendee, ...]
    comment: str  # the COMMENT properties (Outlook, Apple)


def storable(text: str) -> str:
    """Text every database can keep: NUL removed (PostgreSQL refuses it in text), and lone surrogates
    (what undecodable header bytes become) replaced, so a hostile message cannot make storing it fail."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def parse_email(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # policy.default always builds these
    return message


def _header(message: Message, name: str, limit: int) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, LookupError):  # a header the email package cannot decode
        return ""
    return storable(" ".join(str(value or "").split()))[:limit]


def envelope(message: Message) -> Envelope:
    sent_at = None
    date_text = _header(message, "Date", 200)
    if date_text:
        try:
            parsed = parsedate_to_datetime(date_text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            sent_at = parsed.astimezone(UTC)
    from_text = _header(message, "From", 1000)
    addresses = [addr for _, addr in getaddresses([from_text]) if addr]
    return Envelope(
        message_id=_header(message, "Message-ID", 500),
        from_address=(addresses[0] if addresses else from_text)[:320],
        subject=_header(message, "Subject", 500),
        sent_at=sent_at,
        automatic=_automatic(message),
    )


def _automatic(message: Message) -> str:
    """Why this looks like an automatic reply or a delivery report, or "" (RFC 3834, RFC 3464)."""
    auto = _header(message, "Auto-Submitted", 100).lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if _header(message, "X-Autoreply", 20) or _header(message, "X-Autorespond", 20):
        return "marked as an automatic reply"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    return ""


def _walk(message: Message) -> Iterator[Message]:
    try:
        yield from message.walk()
    except (ValueError, TypeError, IndexError, LookupError):
        return


def calendar_parts(message: Message) -> list[Message]:
    """The calendar parts, the one that says `method=` first: Google adds the same one as an attachment."""
    parts = []
    for part in _walk(message):
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if content_type in CALENDAR_TYPES or filename.endswith(".ics"):
            parts.append(part)
    return sorted(parts, key=lambda p: (not p.get_param("method"), p.get_content_type() != "text/calendar"))


def calendar_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise Unusable(KeptReason.malformed, "the calendar part is empty")
    if len(payload) > MAX_CALENDAR_BYTES:
        raise Unusable(KeptReason.malformed, f"the calendar part is too large ({len(payload)} bytes)")
    return payload


def calendar_text(data: bytes, charset: str | None = None) -> str:
    """The calendar as text: its declared charset, else UTF-8; undecodable bytes shown as such."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return storable(data.decode(candidate))
        except (LookupError, UnicodeDecodeError):
            continue
    return storable(data.decode("utf-8", "replace"))


def _text(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(_text(item) for item in value)
    return storable(str(value or "")).strip()


def _address(value: object) -> str:
    """The e-mail address of a CAL-ADDRESS, lower-cased; "" when it is none."""
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    text = storable(text).strip().lower()
    return text if re.fullmatch(r"[^\s@<>]+@[^\s@<>]+", text) else ""


def _param(prop: object, name: str) -> str:
    params = getattr(prop, "params", {})
    value = params.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return storable(str(value or "")).strip()


def _attendee(prop: object) -> Attendee:
    address = _address(prop)
    if not address:
        # Apple writes the address in an EMAIL parameter when the value is a urn:uuid: principal.
        address = _address(_param(prop, "EMAIL"))
    comment = _param(prop, "X-RESPONSE-COMMENT")
    # Google HTML-escapes the note and leaves RFC 5545's backslash before a semicolon in it.
    comment = html.unescape(comment.replace("\\;", ";").replace("\\,", ",")).strip()
    return Attendee(
        email=address,
        name=_param(prop, "CN").strip('"'),
        partstat=_param(prop, "PARTSTAT").upper(),
        comment=comment,
        delegated_to=_address(_param(prop, "DELEGATED-TO")),
        delegated_from=_address(_param(prop, "DELEGATED-FROM")),
    )


def _time(event: Event, name: str) -> datetime | None:
    prop = event.get(name)
    if prop is None:
        return None
    value = prop.dt
    if isinstance(value, datetime):
        if value.tzinfo is None:
            if _param(prop, "TZID"):
                raise Unusable(KeptReason.malformed, f"{name} names a time zone nobody knows: {_param(prop, 'TZID')}")
            return value  # floating: read in the interview's zone by the caller
        return value.astimezone(UTC)
    if isinstance(value, date):
        raise Unusable(KeptReason.malformed, f"{name} is a whole day ({value}), not a time")
    raise Unusable(KeptReason.malformed, f"{name} is not a date and time")


def _event(calendar: Calendar) -> Event:
    events = [component for component in calendar.walk("VEVENT") if isinstance(component, Event)]
    if not events:
        raise Unusable(KeptReason.malformed, "the calendar part has no event (VEVENT)")
    uids = {_text(event.get("uid")) for event in events}
    if len(uids) > 1:
        raise Unusable(KeptReason.malformed, "the calendar part answers for several events at once")
    # An answer for one occurrence (RECURRENCE-ID) comes after the whole event's; our interviews never recur.
    return events[0]


def read_calendar(data: bytes, *, charset: str | None = None, mime_method: str = "") -> CalendarAnswer:
    """The answer in a calendar part; Unusable if it is no REPLY or COUNTER, or cannot be read."""
    try:
        calendar = Calendar.from_ical(calendar_text(data, charset))
    except ValueError as error:  # icalendar reports every syntax problem as a ValueError
        raise Unusable(KeptReason.malformed, f"the calendar part cannot be read: {str(error)[:200]}") from None
    if not isinstance(calendar, Calendar):
        raise Unusable(KeptReason.malformed, "the calendar part is not a VCALENDAR")
    try:
        return _answer(calendar, mime_method)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        # A property icalendar kept as "broken" raises when read (a DTSTART of "tomorrow").
        raise Unusable(KeptReason.malformed, f"the calendar part cannot be read: {str(error)[:200]}") from None


def _answer(calendar: Calendar, mime_method: str) -> CalendarAnswer:
    # The VCALENDAR's METHOD is the message's meaning; the MIME parameter only repeats it (and Google
    # sometimes leaves it out of the attachment).
    method = (_text(calendar.get("method")) or mime_method).upper()
    if method not in ANSWER_METHODS:
        what = f"METHOD:{method}" if method else "no METHOD"
        raise Unusable(KeptReason.not_a_reply, f"a calendar message with {what}, not an answer (REPLY or COUNTER)")
    event = _event(calendar)
    uid = _text(event.get("uid"))
    if not uid:
        raise Unusable(KeptReason.malformed, "the event has no UID")
    try:
        sequence = int(event.get("sequence", 0) or 0)
    except (TypeError, ValueError):
        raise Unusable(KeptReason.malformed, "the event's SEQUENCE is not a number") from None
    if sequence < 0:
        raise Unusable(KeptReason.malformed, "the event's SEQUENCE is negative")
    dtstamp = _time(event, "dtstamp")
    starts_at = _time(event, "dtstart")
    ends_at = _time(event, "dtend")
    if ends_at is None and starts_at is not None and event.get("duration") is not None:
        duration = getattr(event["duration"], "dt", None)
        if isinstance(duration, timedelta):
            ends_at = starts_at + duration
    attendees = event.get("attendee", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    return CalendarAnswer(
        method=method,
        uid=uid[:500],
        sequence=sequence,
        dtstamp=dtstamp if dtstamp is None or dtstamp.tzinfo else dtstamp.replace(tzinfo=UTC),
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=tuple(_attendee(prop) for prop in attendees),
        comment=_text(event.get("comment")),
    )
