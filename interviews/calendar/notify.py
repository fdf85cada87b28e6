"""What the calendar feature sends when an interview changes (RFC 5546 iTIP).

Scheduling services call these after making a change, in the same transaction; each one raises the
interview's SEQUENCE where the change needs it and puts the right messages in the outbox. Every
recipient gets their own e-mail (the times in the body are in their zone); the .ics is the same for
all panel members, and the candidate's copy differs only by linking their own page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import render_template
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from interviews.auth.models import User
from interviews.calendar import ics
from interviews.calendar.events import Audience, candidate_contact, event_data, summary
from interviews.calendar.ics import EventData, Person, clean_line
from interviews.calendar.links import CalendarLinks, calendar_links
from interviews.extensions import db
from interviews.mail.services import enqueue
from interviews.scheduling.models import Interview
from interviews.types import utcnow

KINDS = {
    "request": ("calendar-request", "Invitation", "REQUEST"),
    "update": ("calendar-update", "Updated invitation", "REQUEST"),
    "cancel": ("calendar-cancel", "Cancelled", "CANCEL"),
}


@dataclass(frozen=True)
class Before:
    """What an update changed, as it was: the e-mail says what the time (or place) was and what it is now."""

    starts_at: datetime
    ends_at: datetime
    timezone: str
    where: str | None
    time_changed: bool
    place_changed: bool


def before_from_changes(interview: Interview, changes: Mapping[str, Any]) -> Before | None:
    """The interview as it was, from a move's {field: [old, new]} (None when nothing shown changed)."""

    def old(field: str, current: Any) -> Any:
        return changes[field][0] if field in changes else current

    time_changed = any(field in changes for field in ("starts_at", "ends_at"))
    place_changed = "location" in changes
    if not time_changed and not place_changed:
        return None
    return Before(
        starts_at=old("starts_at", interview.starts_at),
        ends_at=old("ends_at", interview.ends_at),
        timezone=old("timezone", interview.timezone),
        where=old("location", interview.location.name if interview.location else None),
        time_changed=time_changed,
        place_changed=place_changed,
    )


def campaign_timezone(interview: Interview) -> str:
    """The zone the campaign chose (or its browser reported) when it booked; else the interview's own."""
    invitation = interview.invitation
    return (invitation.campaign_timezone if invitation is not None else None) or interview.timezone


def raise_sequence(interview: Interview) -> int:
    """SEQUENCE + 1, stored at once: it only ever rises, so every client takes the newer message.

    Done in SQL (sequence = sequence + 1): two changes racing on PostgreSQL queue on the row lock
    and get 1 and 2, never both 1 as a read-then-write in Python would allow.
    """
    db.session.flush()
    value = db.session.execute(
        update(Interview)
        .where(Interview.id == interview.id)
        .values(sequence=Interview.sequence + 1, updated_at=utcnow())
        .returning(Interview.sequence, Interview.updated_at)
        .execution_options(synchronize_session=False)
    ).one()
    set_committed_value(interview, "sequence", value[0])
    set_committed_value(interview, "updated_at", value[1])
    return interview.sequence


def _send(
    interview: Interview,
    what: str,
    *,
    payload: bytes,
    people: Sequence[Person],
    timezones: Sequence[str],
    audience: Audience,
    page_url: str,
    event: EventData,
    before: Before | None = None,
) -> None:
    kind, prefix, method = KINDS[what]
    # Links for calendars that do not pick the invitation up from the e-mail; a cancellation has none.
    links: CalendarLinks | None = calendar_links(event) if what != "cancel" else None
    subject = clean_line(f"{prefix}: {summary(interview)}")
    for person, tz in zip(people, timezones, strict=True):
        context = {
            "interview": interview,
            "what": what,
            "person": person,
            "tz": tz,
            "audience": audience.value,
            "page_url": page_url,
            "subject": subject,
            # The union's own time, shown beside the reader's when the two differ.
            "union_tz": interview.timezone,
            "before": before,
            "links": links,
        }
        enqueue(
            to=[person.email],
            subject=subject,
            text=render_template("calendar/email/message.txt", **context),
            html=render_template("calendar/email/message.html", **context),
            kind=kind,
            ics=payload,
            ics_method=method,
            entity=interview,
        )


def _to_candidate(interview: Interview, what: str, before: Before | None = None) -> None:
    data = event_data(interview, Audience.candidate)
    payload = ics.cancellation(data) if what == "cancel" else ics.request(data)
    _send(
        interview,
        what,
        payload=payload,
        people=[candidate_contact(interview)],
        timezones=[campaign_timezone(interview)],
        audience=Audience.candidate,
        page_url=data.url,
        event=data,
        before=before,
    )


def _to_panel(
    interview: Interview, what: str, users: Sequence[User] | None = None, before: Before | None = None
) -> None:
    users = list(users) if users is not None else [seat.user for seat in interview.panel_seats]
    if not users:
        return
    if what == "cancel":
        # A CANCEL names the attendees it cancels for: all of them, or only those taken off the panel.
        people = [Person(u.name, u.email) for u in users]
        full = users == [seat.user for seat in interview.panel_seats]
        data = event_data(interview, Audience.panel, only=None if full else people)
        payload = ics.cancellation(data)
    else:
        data = event_data(interview, Audience.panel)
        payload = ics.request(data)
    _send(
        interview,
        what,
        payload=payload,
        people=[Person(u.name, u.email) for u in users],
        # Each member's own account zone (never the zone of whoever made the change).
        timezones=[u.timezone or interview.timezone for u in users],
        audience=Audience.panel,
        page_url=data.url,
        event=data,
        before=before,
    )


def interview_booked(interview: Interview) -> None:
    """A new interview: REQUEST to the candidate's contact and every panel member."""
    _to_candidate(interview, "request")
    _to_panel(interview, "request")


def interview_moved(interview: Interview, changes: Mapping[str, Any] | None = None) -> None:
    """Time or place changed: SEQUENCE + 1 and an updated REQUEST to everyone, saying what it was before."""
    raise_sequence(interview)
    before = before_from_changes(interview, changes or {})
    _to_candidate(interview, "update", before)
    _to_panel(interview, "update", before=before)


def interview_cancelled(interview: Interview) -> None:
    """Cancelled (or the candidate withdrew): SEQUENCE + 1 and a CANCEL to everyone."""
    raise_sequence(interview)
    _to_candidate(interview, "cancel")
    _to_panel(interview, "cancel")


def panel_changed(interview: Interview, added: Sequence[User], removed: Sequence[User]) -> None:
    """Panel members added get a REQUEST; removed ones get a CANCEL."""
    if not added and not removed:
        return
    raise_sequence(interview)
    if added:
        _to_panel(interview, "request", added)
    if removed:
        _to_panel(interview, "cancel", removed)
