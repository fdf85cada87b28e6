"""“Add to Google Calendar” and “Add to Outlook” links: plain EventData in, an address out.

For people whose calendar does not pick up the invitation from the e-mail (or who booked on the
page and want it now). Neither service documents these addresses; both have taken the same
parameters for years, and popular add-to-calendar libraries build them the same way.

An event added through one of these links is a copy the calendar owns: it has no UID of ours, so a
later update or cancellation (which the .ics carries) cannot reach it. The pages and e-mails say so.
Times are sent in UTC (the trailing Z), so the instant never depends on the reader's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from interviews.calendar.ics import EventData

GOOGLE_BASE = "https://calendar.google.com/calendar/render"
OUTLOOK_BASE = "https://outlook.live.com/calendar/0/deeplink/compose"


@dataclass(frozen=True)
class CalendarLinks:
    google: str
    outlook: str


def _query(params: list[tuple[str, str]], *, literal: frozenset[str] = frozenset()) -> str:
    """key=value pairs; text is percent-encoded in full (a space is %20, never +: Outlook shows a +
    as a plus), while the structural values named in `literal` are written as the services document them."""
    return "&".join(f"{key}={value if key in literal else quote(value, safe='')}" for key, value in params if value)


def _compact_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_calendar_url(event: EventData) -> str:
    """Google Calendar's new-event page, filled in (dates as YYYYMMDDTHHMMSSZ/YYYYMMDDTHHMMSSZ)."""
    params = [
        ("action", "TEMPLATE"),
        ("text", event.summary),
        ("dates", f"{_compact_utc(event.start)}/{_compact_utc(event.end)}"),
        ("details", event.description),
        ("location", event.location),
    ]
    return f"{GOOGLE_BASE}?{_query(params, literal=frozenset({'action', 'dates'}))}"


def outlook_calendar_url(event: EventData) -> str:
    """Outlook on the web's new-event form, filled in (times ISO 8601 in UTC)."""
    params = [
        ("subject", event.summary),
        ("startdt", _iso_utc(event.start)),
        ("enddt", _iso_utc(event.end)),
        ("body", event.description),
        ("location", event.location),
        ("path", "/calendar/action/compose"),
        ("rru", "addevent"),
    ]
    return f"{OUTLOOK_BASE}?{_query(params, literal=frozenset({'startdt', 'enddt', 'path', 'rru'}))}"


def calendar_links(event: EventData) -> CalendarLinks:
    return CalendarLinks(google=google_calendar_url(event), outlook=outlook_calendar_url(event))
