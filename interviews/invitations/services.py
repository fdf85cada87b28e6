"""Writing the race's letter, offering slots, and sending, resending and withdrawing invitations.

Each function changes objects and records an audit event; the view commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, Row, Select, bindparam, select, update

from interviews import signals
from interviews.audit.actors import Actor
from interviews.audit.services import diff, record
from interviews.database import is_postgresql, read_rows
from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.invitations import emails
from interviews.invitations.models import CandidateRequest, Invitation, InvitationLetter, InvitationStatus, Slot
from interviews.races.models import race_panel
from interviews.scheduling.models import Location, LocationKind
from interviews.scheduling.rules import Window, check_times, find_conflicts, find_conflicts_for_windows, windows_busy
from interviews.scheduling.services import cancel_interview
from interviews.timezones import is_valid_timezone
from interviews.types import utcnow

if TYPE_CHECKING:
    from interviews.auth.models import User
    from interviews.invitations.reading import LetterRow
    from interviews.races.models import Candidate, Race

# What makes up the text every candidate receives; frozen by the first send.
TEXT_FIELDS = ("subject", "body", "topics", "respond_by")


class InvitationError(Exception):
    """A change that cannot be made; str() is fit to show to staff."""


class SlotProblem(InvitationError):
    """Errors refuse the slot; warnings (odd hours, a busy panel) need staff to confirm."""

    def __init__(self, errors: list[str], warnings: list[str]) -> None:
        self.errors = errors
        self.warnings = warnings
        super().__init__(" ".join(errors or warnings))


# --- the letter -----------------------------------------------------------------------------


def save_letter(race: Race, data: dict[str, Any], *, actor: Actor) -> InvitationLetter:
    """Create or edit the race's one letter. Once sent, its text, topics and deadline stay as they were."""
    if not is_valid_timezone(str(data.get("timezone", ""))):
        raise InvitationError("Choose a time zone from the list.")
    letter = race.letter
    if letter is None:
        letter = InvitationLetter(race=race, **data)
        db.session.add(letter)
        db.session.flush()
        record(
            "invitation_letter.created",
            letter,
            changes=data,
            summary=f"Invitation written for {race.title}",
            actor=actor,
        )
        return letter
    if letter.locked:
        changed_text = [f for f in TEXT_FIELDS if f in data and getattr(letter, f) != data[f]]
        if changed_text:
            raise InvitationError(
                "The invitation has been sent, so its text, topics and deadline can no longer change: "
                "every candidate must receive the same letter."
            )
    changes = diff(letter, data)
    if changes:
        db.session.flush()
        record(
            "invitation_letter.updated",
            letter,
            changes=changes,
            summary=f"Invitation edited for {race.title}",
            actor=actor,
        )
    return letter


# --- slots ----------------------------------------------------------------------------------


def check_slot(
    letter: InvitationLetter, starts_at: datetime, ends_at: datetime, timezone: str, location: Location | None
) -> tuple[list[str], list[str]]:
    """(errors, warnings) for a slot: the scheduling rules, no overlap within the letter, a free panel."""
    check = check_times(starts_at, ends_at, timezone)
    errors, warnings = list(check.errors), list(check.warnings)
    if errors:
        return errors, warnings
    for other in letter.slots:
        if other.starts_at < ends_at and other.ends_at > starts_at:
            errors.append(
                f"It overlaps the slot of {format_datetime(other.starts_at, timezone)}; "
                "slots of one invitation cannot overlap."
            )
    panel_ids = [u.id for u in letter.race.panel]
    for conflict in find_conflicts(
        starts_at, ends_at, panel_user_ids=panel_ids, location_id=location.id if location else None
    ):
        warnings.append(f"{conflict} Booking this slot will fail unless that changes.")
    return errors, warnings


def add_slot(
    letter: InvitationLetter,
    *,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    location: Location | None,
    confirmed: bool = False,
    actor: Actor,
) -> Slot:
    errors, warnings = check_slot(letter, starts_at, ends_at, timezone, location)
    if errors or (warnings and not confirmed):
        raise SlotProblem(errors, warnings)
    slot = Slot(letter=letter, starts_at=starts_at, ends_at=ends_at, timezone=timezone, location=location)
    db.session.add(slot)
    db.session.flush()
    record(
        "slot.added",
        slot,
        changes={
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": timezone,
            "location": location.name if location else None,
            "warnings_confirmed": warnings,
        },
        summary=f"Slot offered for {letter.race.title}: {format_datetime(starts_at, timezone)}",
        actor=actor,
    )
    return slot


def remove_slot(slot: Slot, *, actor: Actor) -> None:
    if slot.taken_by_id is not None:
        raise InvitationError(
            "A candidate has booked this slot. Cancel their interview first (the slot is freed with it)."
        )
    record(
        "slot.removed",
        slot,
        changes={"starts_at": slot.starts_at, "timezone": slot.timezone},
        summary=f"Slot withdrawn from {slot.letter.race.title}: {format_datetime(slot.starts_at, slot.timezone)}",
        actor=actor,
    )
    slot.letter.slots.remove(slot)
    db.session.flush()


@cache
def _free_slots() -> Select[Any]:
    """Built once per process (bound: `letter_id`, `now`): the campaign's page runs it on every visit.
    Plain rows of what the page shows of a time and what the clash check needs (no Slot or Location
    objects: the page only reads them)."""
    return (
        select(
            Slot.id,
            Slot.starts_at,
            Slot.ends_at,
            Slot.location_id,
            Location.name.label("location_name"),
            Location.kind.label("location_kind"),
        )
        .outerjoin(Location, Location.id == Slot.location_id)
        .where(
            Slot.letter_id == bindparam("letter_id", type_=Integer),
            Slot.taken_by_id.is_(None),
            Slot.starts_at > bindparam("now"),
        )
        .order_by(Slot.starts_at, Slot.id)
    )


def free_slots(letter: InvitationLetter | LetterRow, now: datetime | None = None) -> list[Row[Any]]:
    """Slots nobody has taken that are still ahead, whether or not they could be booked: rows of
    `id`, `starts_at`, `ends_at`, `location_id`, `location_name` and `location_kind` (None without a place)."""
    return list(read_rows(_free_slots(), {"letter_id": letter.id, "now": now or utcnow()}))


def slot_clashes(
    slots: Sequence[Slot], panel: Sequence[User], *, exclude_interview_id: int | None = None
) -> dict[int, list[str]]:
    """Why each slot would fail to book now (a panel member or the room already busy), by slot id.

    Slots not named are bookable. Checked for all the slots in a fixed number of queries.
    """
    windows = [Window(slot.starts_at, slot.ends_at, slot.location_id) for slot in slots]
    found = find_conflicts_for_windows(
        windows,
        panel_user_ids=[u.id for u in panel],
        exclude_interview_id=exclude_interview_id,
        # The slots come with their locations (free_slots): which are rooms is known already.
        known_rooms={slot.location.id for slot in slots if slot.location and slot.location.kind is LocationKind.room},
    )
    return {slot.id: messages for slot, messages in zip(slots, found, strict=True) if messages}


@cache
def _race_panel_ids() -> Select[tuple[int]]:
    """The race's default panel as a subquery of user ids, built once per process (bound: `race_id`)."""
    return select(race_panel.c.user_id).where(race_panel.c.race_id == bindparam("race_id", type_=Integer))


def offered_slots(
    letter: InvitationLetter | LetterRow,
    panel: Sequence[User] | None = None,
    *,
    exclude_interview_id: int | None = None,
) -> list[Row[Any]]:
    """The free slots a campaign is offered: those a booking would not fail on.

    `panel` is the race's default panel for a first booking (read as a subquery, not loaded); a
    campaign moving its interview gives the interview's own panel, and its interview is left out of
    the check (it is moving away). Same rule as `slot_clashes`, without building its messages.
    """
    slots = free_slots(letter)
    busy = windows_busy(
        [Window(slot.starts_at, slot.ends_at, slot.location_id) for slot in slots],
        panel_user_ids=_race_panel_ids() if panel is None else [u.id for u in panel],
        panel_params={"race_id": letter.race_id} if panel is None else None,
        exclude_interview_id=exclude_interview_id,
        known_rooms={slot.location_id for slot in slots if slot.location_kind is LocationKind.room},
    )
    return [slot for slot, is_busy in zip(slots, busy, strict=True) if not is_busy]


# --- sending --------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: list[Invitation]
    resent: list[Invitation]
    skipped: list[str]


def _lock_letter(letter: InvitationLetter) -> None:
    """Freeze the text at the first send (idempotent: a conditional update)."""
    if letter.locked_at is None:
        now = utcnow()
        db.session.execute(
            update(InvitationLetter)
            .where(InvitationLetter.id == letter.id, InvitationLetter.locked_at.is_(None))
            .values(locked_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(letter, ["locked_at"])


def _lock_for_sending(letter: InvitationLetter) -> None:
    """Two staff pressing Send at once must not both invite the same candidate (PostgreSQL row lock;
    SQLite's BEGIN IMMEDIATE already serialised them). What was loaded before the lock is re-read."""
    if is_postgresql(db.session.get_bind()):
        db.session.execute(select(InvitationLetter.id).where(InvitationLetter.id == letter.id).with_for_update())
        db.session.expire_all()


def _require_sendable(letter: InvitationLetter) -> None:
    if letter.is_past_deadline():
        raise InvitationError(
            "The response deadline has passed, so nobody could answer in time. The deadline is part of the text "
            "every candidate got, so it cannot change now."
        )


def invite(letter: InvitationLetter, candidate: Candidate, *, actor: Actor) -> Invitation:
    """A new invitation for one candidate, with the letter's text exactly as everyone else got it."""
    _lock_letter(letter)
    now = utcnow()
    invitation = Invitation(
        letter=letter,
        candidate=candidate,
        status=InvitationStatus.sent,
        content_digest=emails.content_digest(letter),
        sent_at=now,
        last_sent_at=now,
    )
    db.session.add(invitation)
    db.session.flush()
    # Before the e-mail: what other features give the campaign with it (a questionnaire) is listed in it.
    signals.invitation_sent.send(invitation, actor=actor, resend=False)
    emails.invitation_email(invitation)
    record(
        "invitation.sent",
        invitation,
        changes={"candidate": candidate.name, "to": candidate.contact_email, "digest": invitation.content_digest},
        summary=f"Invitation sent to {candidate.name} ({candidate.contact_email})",
        actor=actor,
    )
    return invitation


def send(letter: InvitationLetter, *, to: str = "new", actor: Actor) -> SendResult:
    """to='new': candidates not yet invited; to='all': also a fresh link to everyone already invited.

    Withdrawn candidates and withdrawn invitations are never sent to.
    """
    _lock_for_sending(letter)
    _require_sendable(letter)
    if not letter.slots:
        raise InvitationError("Offer at least one slot before sending, so candidates have a time to choose.")
    result = SendResult([], [], [])
    for candidate in letter.race.candidates:
        if candidate.withdrawn:
            result.skipped.append(f"{candidate.name} (withdrawn from the race)")
            continue
        invitation = candidate.invitation
        if invitation is None:
            result.sent.append(invite(letter, candidate, actor=actor))
        elif to == "all" and invitation.status is not InvitationStatus.withdrawn:
            result.resent.append(resend(invitation, actor=actor))
        elif invitation.status is InvitationStatus.withdrawn:
            result.skipped.append(f"{candidate.name} (invitation withdrawn)")
    return result


def resend(invitation: Invitation, *, actor: Actor) -> Invitation:
    """A new e-mail with a new link; the old link stops working. A withdrawn invitation is reinstated."""
    candidate = invitation.candidate
    if candidate.withdrawn:
        raise InvitationError(f"{candidate.name} has withdrawn from the race; nothing is sent to them.")
    letter = invitation.letter
    if invitation.status is not InvitationStatus.accepted:
        # A booked campaign may still need its link after the deadline (to see or change the booking).
        _require_sendable(letter)
    old_status = invitation.status
    invitation.link_version += 1
    invitation.last_sent_at = utcnow()
    invitation.send_count += 1
    if invitation.status is InvitationStatus.withdrawn:
        invitation.status = InvitationStatus.sent
        invitation.withdrawn_at = None
    db.session.flush()
    signals.invitation_sent.send(invitation, actor=actor, resend=True)
    emails.invitation_email(invitation, resend=True)
    record(
        "invitation.resent",
        invitation,
        changes={"link_version": invitation.link_version, "status": [old_status, invitation.status]},
        summary=f"Invitation sent again to {candidate.name} ({candidate.contact_email}); the old link is revoked",
        actor=actor,
    )
    return invitation


def withdraw(invitation: Invitation, *, reason: str = "", actor: Actor) -> Invitation:
    """Revoke the link, and cancel the interview the candidate booked (which frees its slot)."""
    if invitation.status is InvitationStatus.withdrawn:
        return invitation
    old_status = invitation.status
    # Withdrawn first, so that cancelling the interview below does not reopen the invitation.
    invitation.status = InvitationStatus.withdrawn
    invitation.withdrawn_at = utcnow()
    invitation.link_version += 1
    interview = invitation.active_interview
    if interview is not None:
        cancel_interview(interview, reason=reason or "The invitation was withdrawn.", actor=actor)
    if invitation.slot is not None:  # booked, but the interview had already ended or been cancelled
        invitation.slot.release()
    db.session.flush()
    record(
        "invitation.withdrawn",
        invitation,
        changes={"status": [old_status, invitation.status], "reason": reason.strip()},
        summary=f"Invitation to {invitation.candidate.name} withdrawn" + (f": {reason.strip()}" if reason else ""),
        actor=actor,
    )
    return invitation


def mark_request_handled(request: CandidateRequest, *, actor: User) -> CandidateRequest:
    if request.handled_at is None:
        request.handled_at = utcnow()
        request.handled_by = actor
        db.session.flush()
        record(
            "candidate_request.handled",
            request,
            changes={"kind": request.kind, "candidate": request.invitation.candidate.name},
            summary=f"Handled: {request.invitation.candidate.name} {request.kind.label.lower()}",
            actor=actor,
        )
    return request
