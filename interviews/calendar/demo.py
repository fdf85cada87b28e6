"""Demo: the outbox holds, pending, at least one calendar request, one update and one cancellation.

Runs after the scheduling and invitations demos. Their bookings already sent requests; here one
interview is moved (an update, SEQUENCE 1) and one is booked and then cancelled (a CANCEL), so a
newcomer can open the outbox and see, or deliver, each kind of calendar message.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.calendar import notify
from interviews.demo import DemoContext
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.scheduling import services as scheduling
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.rules import SchedulingError

SENATE = "State Senate District 12"


def _pending(kind: str) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.kind == kind, OutboxMessage.status == OutboxStatus.pending)
    return db.session.scalar(query.limit(1)) is not None


def _book(ctx: DemoContext, candidate_index: int, days: int) -> Interview:
    """An interview in the state senate race, 10:00 Chicago time, the first free day from `days` on."""
    race = ctx.races[SENATE]
    zone = ZoneInfo("America/Chicago")
    for day in range(days, days + 14):
        local = (ctx.now + timedelta(days=day)).astimezone(zone)
        start = local.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(UTC)
        try:
            return scheduling.create_interview(
                race=race,
                candidate=race.candidates[candidate_index],
                starts_at=start,
                ends_at=start + timedelta(minutes=45),
                timezone="America/Chicago",
                location=ctx.locations[0],
                panel=ctx.leaders[8:11],
                organiser=ctx.staff[1],
                actor=ctx.staff[1],
            )
        except SchedulingError:
            continue  # another demo booked these people or the room that day
    raise RuntimeError("no free day for the calendar demo's interview")


def load(ctx: DemoContext) -> None:
    scheduled = list(
        db.session.scalars(
            select(Interview).where(Interview.status == InterviewStatus.scheduled).order_by(Interview.starts_at)
        )
    )
    if not _pending("calendar-request") or not scheduled:
        scheduled.append(_book(ctx, 0, days=9))
    if not _pending("calendar-update"):
        interview = scheduled[-1]
        later = interview.starts_at + timedelta(days=1)
        try:
            scheduling.move_interview(
                interview,
                starts_at=later,
                ends_at=later + (interview.ends_at - interview.starts_at),
                timezone=interview.timezone,
                location=interview.location,
                actor=ctx.staff[0],
            )
        except SchedulingError:
            notify.interview_moved(interview)  # a clash in someone's diary: send the update all the same
    if not _pending("calendar-cancel"):
        interview = _book(ctx, 1, days=12)
        scheduling.cancel_interview(interview, reason="The campaign asked to postpone.", actor=ctx.staff[1])
