"""Creating, moving and cancelling interviews, and changing their panels.

Every change follows the same order: check the times, take the locks, check for conflicts, change,
flush, then publish the event (interviews.signals): the audit trail records it, the calendar raises
SEQUENCE and puts the invites in the outbox, the invitations feature frees or reopens what it holds.
The caller commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from interviews import signals
from interviews.audit.actors import Actor, Campaign, System, user_of
from interviews.audit.services import record
from interviews.auth.models import Role, User
from interviews.database import is_postgresql
from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.notes.models import QuestionList
from interviews.scheduling.models import CancelledBy, Interview, InterviewStatus, Location, PanelSeat
from interviews.scheduling.rules import (
    InvalidTimes,
    SchedulingConflict,
    SchedulingError,
    TimeCheck,
    check_times,
    find_conflicts,
)
from interviews.types import utcnow

if TYPE_CHECKING:
    from interviews.invitations.models import Invitation, Slot
    from interviews.races.models import Candidate, Race

__all__ = [
    "InvalidTimes",
    "SchedulingConflict",
    "SchedulingError",
    "TimeCheck",
    "cancel_interview",
    "check_times",
    "create_interview",
    "find_conflicts",
    "lock_for_booking",
    "move_interview",
    "set_panel",
    "set_status",
]


def lock_for_booking(user_ids: Iterable[int], location_id: int | None) -> None:
    """Serialise bookings that could clash: lock the panel members' and the room's rows.

    PostgreSQL: SELECT ... FOR UPDATE, users then the location, each in id order, so two bookings
    never wait on each other in opposite orders (no deadlock). A second booking for the same person
    waits here until the first commits, then its conflict check sees the first one's interview.
    SQLite needs nothing: every transaction began with BEGIN IMMEDIATE and so is the only writer.
    """
    if not is_postgresql(db.session.get_bind()):
        return
    ids = sorted(set(user_ids))
    if ids:
        db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update()).all()
    if location_id is not None:
        db.session.execute(select(Location.id).where(Location.id == location_id).with_for_update()).all()


def _require_valid_times(starts_at: datetime, ends_at: datetime, timezone: str) -> None:
    check = check_times(starts_at, ends_at, timezone)
    if check.errors:
        raise InvalidTimes(check.errors)


def _check_panel(panel: Sequence[User]) -> None:
    inactive = [u.name for u in panel if not u.active]
    if inactive:
        raise SchedulingError(f"{', '.join(inactive)} cannot sit on a panel: the account is deactivated.")


def _check_location(location: Location | None, *, current: Location | None = None) -> None:
    if location is not None and not location.active and location is not current:
        raise SchedulingError(f"{location.name} is no longer in use. Choose another location.")


def _latest_question_list_id(race: Race) -> int | None:
    return db.session.scalar(
        select(QuestionList.id).where(QuestionList.race_id == race.id).order_by(QuestionList.version.desc()).limit(1)
    )


def _summary(interview: Interview) -> str:
    return f"{interview.candidate.name}, {format_datetime(interview.starts_at, interview.timezone)}"


def create_interview(
    *,
    race: Race,
    candidate: Candidate,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    location: Location | None,
    panel: Sequence[User],
    organiser: User | None = None,
    invitation: Invitation | None = None,
    slot: Slot | None = None,
    actor: Actor,
) -> Interview:
    """Schedule an interview, refusing bad times and double bookings (SchedulingError)."""
    if candidate.race_id != race.id:
        raise SchedulingError(f"{candidate.name} is not a candidate in {race.title}.")
    if candidate.withdrawn:
        raise SchedulingError(f"{candidate.name} has withdrawn from {race.title}.")
    _require_valid_times(starts_at, ends_at, timezone)
    panel = list(dict.fromkeys(panel))
    _check_panel(panel)
    _check_location(location)
    lock_for_booking([u.id for u in panel], location.id if location else None)
    conflicts = find_conflicts(
        starts_at, ends_at, panel_user_ids=[u.id for u in panel], location_id=location.id if location else None
    )
    if conflicts:
        raise SchedulingConflict(conflicts)

    interview = Interview(
        race=race,
        candidate=candidate,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        location=location,
        organiser=organiser,
        invitation=invitation,
        slot=slot,
        status=InterviewStatus.scheduled,
        question_list_id=_latest_question_list_id(race),
    )
    interview.panel_seats = [PanelSeat(user=u) for u in panel]
    db.session.add(interview)
    db.session.flush()
    record(
        "interview.scheduled",
        interview,
        changes={
            "race": race.title,
            "candidate": candidate.name,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": timezone,
            "location": location.name if location else None,
            "panel": [u.name for u in panel],
            "slot_id": slot.id if slot else None,
        },
        summary=f"Interview scheduled: {_summary(interview)}",
        actor=actor,
    )
    signals.interview_booked.send(interview, actor=actor)
    return interview


def _require_scheduled(interview: Interview, doing: str) -> None:
    if interview.status is not InterviewStatus.scheduled:
        raise SchedulingError(f"This interview is {interview.status.label.lower()}; it cannot be {doing}.")


def move_interview(
    interview: Interview,
    *,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    location: Location | None,
    actor: Actor,
) -> Interview:
    """Change the time or place; the same conflict rules apply, leaving the interview itself out."""
    _require_scheduled(interview, "moved")
    _require_valid_times(starts_at, ends_at, timezone)
    _check_location(location, current=interview.location)
    panel_ids = [seat.user_id for seat in interview.panel_seats]
    lock_for_booking(panel_ids, location.id if location else None)
    conflicts = find_conflicts(
        starts_at,
        ends_at,
        panel_user_ids=panel_ids,
        location_id=location.id if location else None,
        exclude_interview_id=interview.id,
    )
    if conflicts:
        raise SchedulingConflict(conflicts)
    before = {
        "starts_at": interview.starts_at,
        "ends_at": interview.ends_at,
        "timezone": interview.timezone,
        "location": interview.location.name if interview.location else None,
    }
    interview.starts_at, interview.ends_at, interview.timezone = starts_at, ends_at, timezone
    interview.location = location
    after = {"starts_at": starts_at, "ends_at": ends_at, "timezone": timezone, "location": location and location.name}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return interview
    db.session.flush()
    record(
        "interview.moved", interview, changes=changes, summary=f"Interview moved: {_summary(interview)}", actor=actor
    )
    signals.interview_moved.send(interview, actor=actor, changes=changes)
    return interview


def _cancelled_by(actor: Actor) -> CancelledBy:
    if isinstance(actor, Campaign):
        return CancelledBy.campaign
    if isinstance(actor, System):
        return CancelledBy.system
    return CancelledBy.staff


def cancel_interview(interview: Interview, *, reason: str = "", actor: Actor) -> Interview:
    """Cancel, and free the slot it was booked in so another candidate (or the same) can take it.

    Who cancelled is stored (`cancelled_by`): the invitations feature reopens an invitation whose
    interview staff called off, and leaves it to the campaign's own answer when the campaign did.
    """
    _require_scheduled(interview, "cancelled")
    interview.status = InterviewStatus.cancelled
    interview.cancelled_at = utcnow()
    interview.cancelled_by = _cancelled_by(actor)
    interview.cancelled_by_user = user_of(actor)
    slot = interview.slot
    if slot is not None:
        slot.release()
        interview.slot = None
    db.session.flush()
    record(
        "interview.cancelled",
        interview,
        changes={
            "status": ["scheduled", "cancelled"],
            "reason": reason.strip(),
            "slot_freed": slot is not None,
            "cancelled_by": interview.cancelled_by,
        },
        summary=f"Interview cancelled: {_summary(interview)}" + (f" — {reason.strip()}" if reason.strip() else ""),
        actor=actor,
    )
    signals.interview_cancelled.send(interview, actor=actor, reason=reason.strip(), slot=slot)
    return interview


def set_panel(interview: Interview, users: Sequence[User], *, actor: Actor) -> Interview:
    """Replace the panel; members added must be free at that time (with the buffer)."""
    _require_scheduled(interview, "changed")
    users = list(dict.fromkeys(users))
    current = {seat.user_id: seat for seat in interview.panel_seats}
    wanted = {u.id for u in users}
    added = [u for u in users if u.id not in current]
    removed = [seat.user for uid, seat in current.items() if uid not in wanted]
    if not added and not removed:
        return interview
    _check_panel(added)
    if added:
        lock_for_booking([u.id for u in added], None)
        conflicts = find_conflicts(
            interview.starts_at,
            interview.ends_at,
            panel_user_ids=[u.id for u in added],
            location_id=None,
            exclude_interview_id=interview.id,
        )
        if conflicts:
            raise SchedulingConflict(conflicts)
    for seat in list(interview.panel_seats):
        if seat.user_id not in wanted:
            interview.panel_seats.remove(seat)
    for user in added:
        interview.panel_seats.append(PanelSeat(user=user))
    db.session.flush()
    record(
        "interview.panel_changed",
        interview,
        changes={"added": [u.name for u in added], "removed": [u.name for u in removed]},
        summary=f"Panel changed: {_summary(interview)}",
        actor=actor,
    )
    signals.panel_changed.send(interview, actor=actor, added=added, removed=removed)
    return interview


def can_set_status(interview: Interview, user: User | None) -> bool:
    """Staff, and the leaders on its panel, record whether an interview took place."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role in (Role.staff, Role.admin):
        return True
    return any(seat.user_id == user.id for seat in interview.panel_seats)


SETTABLE_STATUSES = (InterviewStatus.scheduled, InterviewStatus.completed, InterviewStatus.no_show)


def set_status(interview: Interview, status: InterviewStatus, *, actor: User) -> Interview:
    """Mark completed or no-show (or back to scheduled to correct a mistake). Cancelling is cancel_interview."""
    if not can_set_status(interview, actor):
        raise PermissionError("Only staff and the interview's panel can record how it went.")
    if status not in SETTABLE_STATUSES:
        raise SchedulingError("To cancel an interview, use Cancel; that also tells everyone.")
    if interview.status is InterviewStatus.cancelled:
        raise SchedulingError("This interview was cancelled; schedule a new one instead.")
    if status is interview.status:
        return interview
    if status is not InterviewStatus.scheduled and interview.starts_at > utcnow():
        raise SchedulingError(f"The interview has not started yet; it cannot be marked {status.label.lower()}.")
    old = interview.status
    interview.status = status
    db.session.flush()
    record(
        "interview.status_changed",
        interview,
        changes={"status": [old, status]},
        summary=f"Interview marked {status.label.lower()}: {_summary(interview)}",
        actor=actor,
    )
    return interview
