"""What the calendar feature sends when an interview changes (RFC 5546 iTIP).

Scheduling services call these after making a change, in the same transaction; each one raises the
interview's SEQUENCE where the change needs it and puts the right messages in the outbox. Every
recipient gets their own e-mail (the times in the body are in their zone); the .ics is the same for
all panel members, and the candidate's copy differs only by linking their own page.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from interviews.auth.models import User
from interviews.calendar import ics
from interviews.calendar.events import Audience, candidate_contact, event_data, summary
from interviews.calendar.ics import Person, clean_line
from interviews.extensions import db
from interviews.mail.services import enqueue
from interviews.scheduling.models import Interview
from interviews.types import utcnow

KINDS = {
    "request": ("calendar-request", "Invitation", "REQUEST"),
    "update": ("calendar-update", "Updated invitation", "REQUEST"),
    "cancel": ("calendar-cancel", "Cancelled", "CANCEL"),
}


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
) -> None:
    kind, prefix, method = KINDS[what]
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


def _to_candidate(interview: Interview, what: str) -> None:
    data = event_data(interview, Audience.candidate)
    payload = ics.cancellation(data) if what == "cancel" else ics.request(data)
    _send(
        interview,
        what,
        payload=payload,
        people=[candidate_contact(interview)],
        timezones=[interview.timezone],
        audience=Audience.candidate,
        page_url=data.url,
    )


def _to_panel(interview: Interview, what: str, users: Sequence[User] | None = None) -> None:
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
        timezones=[u.timezone for u in users],
        audience=Audience.panel,
        page_url=data.url,
    )


def interview_booked(interview: Interview) -> None:
    """A new interview: REQUEST to the candidate's contact and every panel member."""
    _to_candidate(interview, "request")
    _to_panel(interview, "request")


def interview_moved(interview: Interview) -> None:
    """Time or place changed: SEQUENCE + 1 and an updated REQUEST to everyone."""
    raise_sequence(interview)
    _to_candidate(interview, "update")
    _to_panel(interview, "update")


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
