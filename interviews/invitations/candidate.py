"""What a candidate does through their link: open it, take a slot, decline, ask for other times,
ask to reschedule, cancel. No account: the signed link is the only key (see links.py), and the
audit trail records the campaign (`Campaign.of(invitation)`) as the one who acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from interviews.audit.actors import Campaign
from interviews.audit.services import record
from interviews.database import is_postgresql, rows_changed
from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.invitations import emails
from interviews.invitations.contributions import booking_refusal
from interviews.invitations.models import (
    BookingFailure,
    BookingFailureReason,
    CandidateRequest,
    Invitation,
    InvitationStatus,
    RequestKind,
    Slot,
)
from interviews.scheduling.models import Interview
from interviews.scheduling.rules import SchedulingError
from interviews.scheduling.services import cancel_interview, create_interview, move_interview
from interviews.timezones import is_valid_timezone
from interviews.types import utcnow

MESSAGE_MAX = 2000


class CandidateActionError(Exception):
    """Something the candidate asked for that cannot be done; str() is written for them."""


@dataclass(frozen=True)
class FailedAttempt:
    """What a failed booking tried, as plain values (they outlive the rolled-back transaction)."""

    reason: BookingFailureReason
    starts_at: datetime
    timezone: str
    moving: bool = False
    detail: str = ""


class SlotUnavailable(CandidateActionError):
    """Someone else took the slot first, or it clashes with another interview: choose another.

    `failure` is what staff see on the ledger (None when the slot named was not a real one).
    """

    def __init__(self, message: str, *, failure: FailedAttempt | None = None) -> None:
        super().__init__(message)
        self.failure = failure


def _lock(invitation: Invitation) -> None:
    """Serialise one candidate's own actions (two tabs, a double click). SQLite: BEGIN IMMEDIATE did it."""
    if is_postgresql(db.session.get_bind()):
        db.session.execute(select(Invitation.id).where(Invitation.id == invitation.id).with_for_update())
        db.session.refresh(invitation)


def _require_open(invitation: Invitation) -> None:
    if invitation.status is InvitationStatus.withdrawn or invitation.candidate.withdrawn:
        raise CandidateActionError("This invitation was withdrawn.")


def mark_opened(invitation: Invitation) -> bool:
    """The first visit: record when, once, even with two tabs opening together."""
    if invitation.opened_at is not None:
        return False
    now = utcnow()
    result = rows_changed(
        db.session,
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.opened_at.is_(None))
        .values(opened_at=now)
        .execution_options(synchronize_session=False),
    )
    if result != 1:
        return False
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == InvitationStatus.sent)
        .values(status=InvitationStatus.opened)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(invitation)
    record(
        "invitation.opened",
        invitation,
        changes={"opened_at": now},
        summary=f"{invitation.candidate.name} opened the invitation",
        actor=Campaign.of(invitation),
    )
    return True


def book_slot(invitation: Invitation, slot_id: int, *, timezone: str | None = None) -> Interview:
    """Take a slot, atomically: one UPDATE that only succeeds while the slot is free.

    Then the interview is created with the same conflict rules as scheduling by hand. On any
    failure the caller rolls back the whole transaction, so the slot is not left taken (and may
    then keep the failure on the ledger: `record_booking_failure`). `timezone` is the zone the
    campaign saw the times in: its e-mails use it.
    """
    _lock(invitation)
    _require_open(invitation)
    letter = invitation.letter
    if letter.is_past_deadline():
        raise CandidateActionError(
            f"The deadline to choose a time was {format_datetime(letter.respond_by, letter.timezone)}. "
            "You can still ask for other times below."
        )
    if invitation.slot is not None or invitation.active_interview is not None:
        raise CandidateActionError(
            "You already have an interview booked. To change it, ask to reschedule or cancel it first."
        )
    # Another feature's condition (the questionnaire, when staff require it first), asked through a
    # signal so that invitations depends on nothing it does not own (see contributions.py).
    refusal = booking_refusal(invitation)
    if refusal:
        raise CandidateActionError(refusal)
    now = utcnow()
    try:
        slot = _claim(invitation, slot_id, now, moving=False)
    except IntegrityError:  # the unique taken_by_id: this candidate already holds a slot
        raise CandidateActionError("You already have an interview booked.") from None
    _remember_zone(invitation, timezone)
    race = letter.race
    try:
        interview = create_interview(
            race=race,
            candidate=invitation.candidate,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            timezone=slot.timezone,
            location=slot.location,
            panel=race.panel,
            invitation=invitation,
            slot=slot,
            actor=Campaign.of(invitation),
        )
    except SchedulingError as error:
        # The details (which board member is busy) are for staff, not for the campaign.
        raise SlotUnavailable(
            "Sorry, that time is no longer available. Please choose another time.",
            failure=_failure(slot, BookingFailureReason.conflict, moving=False, detail=str(error)),
        ) from None
    old_status = invitation.status
    invitation.status = InvitationStatus.accepted
    invitation.answered_at = now
    db.session.flush()
    record(
        "invitation.accepted",
        invitation,
        changes={
            "status": [old_status, invitation.status],
            "slot_id": slot.id,
            "starts_at": slot.starts_at,
            "campaign_timezone": invitation.campaign_timezone,
        },
        summary=f"{invitation.candidate.name} booked {format_datetime(slot.starts_at, slot.timezone)}",
        actor=Campaign.of(invitation),
    )
    return interview


def _remember_zone(invitation: Invitation, timezone: str | None) -> None:
    if timezone and len(timezone) <= 64 and is_valid_timezone(timezone):
        invitation.campaign_timezone = timezone


def _failure(slot: Slot, reason: BookingFailureReason, *, moving: bool, detail: str = "") -> FailedAttempt:
    return FailedAttempt(reason, slot.starts_at, slot.timezone, moving=moving, detail=detail)


def _claim(invitation: Invitation, slot_id: int, now: datetime, *, moving: bool) -> Slot:
    """Mark the slot taken by this invitation, only if it is free and ahead (one conditional UPDATE)."""
    letter = invitation.letter
    taken = rows_changed(
        db.session,
        update(Slot)
        .where(
            Slot.id == slot_id,
            Slot.letter_id == letter.id,
            Slot.taken_by_id.is_(None),
            Slot.starts_at > now,
        )
        .values(taken_by_id=invitation.id, taken_at=now)
        .execution_options(synchronize_session=False),
    )
    slot = db.session.get(Slot, slot_id, populate_existing=True)
    if taken != 1 or slot is None:
        # Only a real slot of this letter that another campaign holds is worth keeping on the ledger.
        lost = slot is not None and slot.letter_id == letter.id and slot.taken_by_id not in (None, invitation.id)
        raise SlotUnavailable(
            "Sorry, that time was just taken by someone else. Please choose another time.",
            failure=_failure(slot, BookingFailureReason.taken, moving=moving) if lost and slot else None,
        )
    return slot


def reschedule_cutoff(interview: Interview) -> datetime:
    """Until when the campaign may move its interview itself; after it, it asks staff."""
    hours = int(current_app.config.get("CAMPAIGN_RESCHEDULE_CUTOFF_HOURS", 24))
    return interview.starts_at - timedelta(hours=hours)


def can_move_itself(interview: Interview | None, now: datetime | None = None) -> bool:
    return interview is not None and (now or utcnow()) < reschedule_cutoff(interview)


def move_booking(invitation: Invitation, slot_id: int, *, timezone: str | None = None) -> Interview:
    """The campaign moves its booked interview to another free slot, until the cut-off before it.

    As atomic as booking: the old slot is let go and the new one claimed by a conditional UPDATE,
    then the interview is moved with the same conflict rules as a move by staff (its own time left
    out). The interview keeps its UID; the move raises its SEQUENCE and one update goes to everyone.
    On any failure the caller rolls back, and the campaign keeps its old time.
    """
    _lock(invitation)
    _require_open(invitation)
    interview = invitation.active_interview
    if interview is None:
        raise CandidateActionError("You have no interview booked to move. Choose a time below instead.")
    now = utcnow()
    if not can_move_itself(interview, now):
        raise CandidateActionError(
            f"Your interview is on {format_datetime(interview.starts_at, timezone or interview.timezone)}: "
            f"from {format_datetime(reschedule_cutoff(interview), timezone or interview.timezone)} on, its time can "
            "only be changed by our political department. Ask to reschedule below, or write to us."
        )
    old_slot = invitation.slot
    if old_slot is not None and old_slot.id == slot_id:
        raise CandidateActionError("That is already the time of your interview.")
    was_at, was_slot_id = interview.starts_at, old_slot.id if old_slot else None
    if old_slot is not None:
        # Let go first: an invitation holds one slot at a time (a unique column), so the claim below needs it free.
        old_slot.release()
        interview.slot = None
        db.session.flush()
    slot = _claim(invitation, slot_id, now, moving=True)
    _remember_zone(invitation, timezone)
    # The interview is in its new slot before the move is announced, so nothing frees it again.
    interview.slot = slot
    try:
        move_interview(
            interview,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            timezone=slot.timezone,
            location=slot.location,
            actor=Campaign.of(invitation),
        )
    except SchedulingError as error:
        raise SlotUnavailable(
            "Sorry, that time is no longer available. Please choose another time.",
            failure=_failure(slot, BookingFailureReason.conflict, moving=True, detail=str(error)),
        ) from None
    invitation.moved_at = now
    db.session.flush()
    old_when = format_datetime(was_at, interview.timezone)
    new_when = format_datetime(interview.starts_at, interview.timezone)
    record(
        "invitation.rescheduled",
        invitation,
        changes={
            "starts_at": [was_at, interview.starts_at],
            "slot_id": [was_slot_id, slot.id],
            "campaign_timezone": invitation.campaign_timezone,
        },
        summary=f"{invitation.candidate.name} moved their interview from {old_when} to {new_when}",
        actor=Campaign.of(invitation),
    )
    emails.staff_notice(invitation, f"moved their interview from {old_when} to {new_when}", "")
    return interview


def record_booking_failure(invitation: Invitation, error: SlotUnavailable) -> BookingFailure | None:
    """Keep a failed attempt on the ledger, in the transaction after the one that was rolled back."""
    attempt = error.failure
    if attempt is None:
        return None
    failure = BookingFailure(
        invitation=invitation,
        reason=attempt.reason,
        moving=attempt.moving,
        slot_starts_at=attempt.starts_at,
        slot_timezone=attempt.timezone,
        detail=attempt.detail[:2000],
    )
    db.session.add(failure)
    db.session.flush()
    when = format_datetime(attempt.starts_at, attempt.timezone)
    record(
        "invitation.booking_failed",
        invitation,
        changes={"reason": attempt.reason, "starts_at": attempt.starts_at, "moving": attempt.moving},
        summary=f"{invitation.candidate.name} could not {'move to' if attempt.moving else 'book'} {when}: "
        f"{attempt.reason.label}",
        actor=Campaign.of(invitation),
    )
    return failure


def _clean(message: str | None) -> str:
    return (message or "").strip()[:MESSAGE_MAX]


def _request(invitation: Invitation, kind: RequestKind, message: str) -> CandidateRequest:
    request = CandidateRequest(invitation=invitation, kind=kind, message=message)
    db.session.add(request)
    db.session.flush()
    return request


def decline(invitation: Invitation, reason: str | None = None) -> Invitation:
    _lock(invitation)
    _require_open(invitation)
    if invitation.active_interview is not None:
        raise CandidateActionError("You have an interview booked. To call it off, cancel it below.")
    reason = _clean(reason)
    old_status = invitation.status
    invitation.status = InvitationStatus.declined
    invitation.answered_at = utcnow()
    invitation.decline_reason = reason
    db.session.flush()
    record(
        "invitation.declined",
        invitation,
        changes={"status": [old_status, invitation.status], "reason": reason},
        summary=f"{invitation.candidate.name} declined the invitation",
        actor=Campaign.of(invitation),
    )
    emails.staff_notice(invitation, "declined the invitation", reason)
    return invitation


def ask_for_other_times(invitation: Invitation, message: str) -> CandidateRequest:
    _lock(invitation)
    _require_open(invitation)
    message = _clean(message)
    if not message:
        raise CandidateActionError("Tell us which times would suit you.")
    if invitation.active_interview is not None:
        raise CandidateActionError("You have an interview booked. To change it, ask to reschedule instead.")
    old_status = invitation.status
    invitation.status = InvitationStatus.other_times
    invitation.answered_at = utcnow()
    invitation.other_times_message = message
    request = _request(invitation, RequestKind.other_times, message)
    record(
        "invitation.other_times",
        invitation,
        changes={"status": [old_status, invitation.status], "message": message},
        summary=f"{invitation.candidate.name} asked for other times",
        actor=Campaign.of(invitation),
    )
    emails.staff_notice(invitation, "asked for other times", message, request)
    return request


def ask_to_reschedule(invitation: Invitation, message: str) -> CandidateRequest:
    _lock(invitation)
    _require_open(invitation)
    message = _clean(message)
    if not message:
        raise CandidateActionError("Tell us which times would suit you better.")
    if invitation.active_interview is None:
        raise CandidateActionError("You have no interview booked to reschedule.")
    request = _request(invitation, RequestKind.reschedule, message)
    record(
        "invitation.reschedule_requested",
        invitation,
        changes={"message": message},
        summary=f"{invitation.candidate.name} asked to reschedule",
        actor=Campaign.of(invitation),
    )
    emails.staff_notice(invitation, "asked to reschedule the interview", message, request)
    return request


def cancel_booking(invitation: Invitation, reason: str | None = None) -> Invitation:
    """The candidate calls off their interview: it is cancelled (everyone told) and the slot is free again."""
    _lock(invitation)
    _require_open(invitation)
    interview = invitation.active_interview
    if interview is None:
        raise CandidateActionError("You have no interview booked.")
    reason = _clean(reason)
    when = format_datetime(interview.starts_at, interview.timezone)
    cancel_interview(interview, reason=f"Cancelled by the campaign. {reason}".strip(), actor=Campaign.of(invitation))
    if invitation.slot is not None:
        invitation.slot.release()
    old_status = invitation.status
    invitation.status = InvitationStatus.declined
    invitation.answered_at = utcnow()
    invitation.decline_reason = f"Cancelled the interview of {when}." + (f" {reason}" if reason else "")
    request = _request(invitation, RequestKind.cancelled, reason)
    db.session.flush()
    record(
        "invitation.interview_cancelled",
        invitation,
        changes={"status": [old_status, invitation.status], "reason": reason},
        summary=f"{invitation.candidate.name} cancelled their interview of {when}",
        actor=Campaign.of(invitation),
    )
    emails.staff_notice(invitation, f"cancelled the interview of {when}", reason, request)
    return invitation
