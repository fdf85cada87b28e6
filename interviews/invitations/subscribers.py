"""What the invitations feature does when scheduling or a race changes something it holds.

Scheduling publishes; this module frees slots and reopens or revokes invitations, so scheduling
never needs to know that invitations exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interviews import signals
from interviews.audit.actors import Actor
from interviews.audit.services import record
from interviews.extensions import db
from interviews.filters import format_datetime, format_time
from interviews.invitations import emails
from interviews.invitations.models import CandidateRequest, InvitationStatus, RequestKind
from interviews.races.models import Candidate
from interviews.scheduling.models import CancelledBy, Interview
from interviews.types import utcnow


@signals.interview_moved.connect
def release_slot_after_move(interview: Interview, *, actor: Actor, **_: Any) -> None:
    """Staff moved a booked interview away from its slot's time: the slot is free for another campaign.

    The invitation stays accepted, for the interview's new time. Moving only the place keeps the slot.
    """
    slot = interview.slot
    if slot is None or (slot.starts_at, slot.ends_at) == (interview.starts_at, interview.ends_at):
        return
    slot.release()
    interview.slot = None
    db.session.flush()
    record(
        "slot.released",
        slot,
        changes={"interview_id": interview.id, "starts_at": slot.starts_at, "moved_to": interview.starts_at},
        summary=f"Slot of {format_datetime(slot.starts_at, slot.timezone)} in {slot.letter.race.title} is free again: "
        f"{interview.candidate.name}'s interview moved to {format_datetime(interview.starts_at, interview.timezone)}",
        actor=actor,
    )


@signals.interview_cancelled.connect
def reopen_after_staff_cancel(interview: Interview, *, actor: Actor, reason: str = "", **_: Any) -> None:
    """Staff cancelled an interview a campaign booked through its link: the invitation is open again.

    The campaign may choose another time (until the deadline), its page says the interview was cancelled,
    and the ledger shows it. Withdrawn candidates and invitations, invitations answered otherwise since,
    and interviews the campaign called off itself keep their state. The slot was freed by the cancellation.
    """
    invitation = interview.invitation
    if invitation is None or interview.cancelled_by is not CancelledBy.staff:
        return
    if invitation.status is not InvitationStatus.accepted or invitation.candidate.withdrawn:
        return
    if invitation.active_interview is not None:  # another booking of theirs still stands
        return
    old_status = invitation.status
    invitation.status = InvitationStatus.opened if invitation.opened_at else InvitationStatus.sent
    db.session.flush()
    record(
        "invitation.reopened",
        invitation,
        changes={
            "status": [old_status, invitation.status],
            "interview_id": interview.id,
            "cancelled_at": interview.cancelled_at,
            "reason": reason,
            "can_book_again": not invitation.letter.is_past_deadline(),
        },
        summary=f"{invitation.candidate.name}'s interview of "
        f"{format_datetime(interview.starts_at, interview.timezone)} was cancelled by staff; "
        "the campaign can choose another time",
        actor=actor,
    )


@signals.candidate_withdrawn.connect
def revoke_link(candidate: Candidate, *, actor: Actor, **_: Any) -> dict[str, bool]:
    """A candidate who left the race can no longer use their link."""
    invitation = candidate.invitation
    if invitation is None:
        return {"invitation_revoked": False}
    if invitation.status is InvitationStatus.withdrawn:
        return {"invitation_revoked": True}
    old_status = invitation.status
    invitation.status = InvitationStatus.withdrawn
    invitation.withdrawn_at = candidate.withdrawn_at
    invitation.link_version += 1
    if invitation.slot is not None:
        invitation.slot.release()
    db.session.flush()
    record(
        "invitation.revoked",
        invitation,
        changes={"status": [old_status, invitation.status], "reason": "candidate withdrew"},
        summary=f"{candidate.name} withdrew from {candidate.race.title}: their invitation link is revoked",
        actor=actor,
    )
    return {"invitation_revoked": True}


@signals.time_proposed.connect
def other_times_from_calendar(
    interview: Interview,
    *,
    actor: Actor,
    starts_at: datetime,
    ends_at: datetime,
    comment: str = "",
    by_contact: bool = False,
    **_: Any,
) -> CandidateRequest | None:
    """The campaign proposed another time from its calendar (an iTIP COUNTER): a request for other times.

    It is stored as when the campaign asks on its page (the ledger shows it, the dashboard lists it
    until staff handle it, staff get a notice), with the time proposed. While the interview stands
    the invitation stays accepted: the request is to move it. A panel member's proposal is not the
    campaign's and stays on the interview page only.
    """
    if not by_contact:
        return None
    invitation = interview.invitation or interview.candidate.invitation
    if invitation is None or invitation.status is InvitationStatus.withdrawn or invitation.candidate.withdrawn:
        return None
    message = comment.strip()[:2000]
    request = CandidateRequest(
        invitation=invitation,
        kind=RequestKind.other_times,
        message=message,
        proposed_starts_at=starts_at,
        proposed_ends_at=ends_at,
    )
    db.session.add(request)
    when = f"{format_datetime(starts_at, interview.timezone)}–{format_time(ends_at, interview.timezone)}"
    changes: dict[str, Any] = {
        "interview_id": interview.id,
        "proposed_starts_at": starts_at,
        "proposed_ends_at": ends_at,
        "message": message,
    }
    if invitation.active_interview is None:
        old_status = invitation.status
        invitation.status = InvitationStatus.other_times
        invitation.answered_at = utcnow()
        invitation.other_times_message = f"Proposed from the campaign's calendar: {when}. {message}".strip()
        changes["status"] = [old_status, invitation.status]
    db.session.flush()
    record(
        "invitation.other_times",
        invitation,
        changes=changes,
        summary=f"{invitation.candidate.name} proposed {when} from their calendar",
        actor=actor,
    )
    emails.staff_notice(invitation, f"proposed another time from their calendar ({when})", message, request)
    return request
