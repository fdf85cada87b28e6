"""The invitation ledger: what each candidate did with the letter, and the proof all got the same text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.invitations.emails import content_digest
from interviews.invitations.models import (
    CandidateRequest,
    Invitation,
    InvitationLetter,
    InvitationStatus,
    RequestKind,
    Slot,
)
from interviews.races.models import Candidate, Race


@dataclass
class Event:
    what: str
    at: datetime | None
    detail: str = ""


@dataclass
class LedgerRow:
    candidate: Candidate
    invitation: Invitation | None
    events: list[Event] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        if self.candidate.withdrawn:
            return "Left the race"
        if self.invitation is None:
            return "Not invited yet"
        if self.invitation.staff_cancelled_interview is not None:
            return "Interview cancelled by staff"
        return self.invitation.status.label

    @property
    def badge(self) -> str:
        if self.candidate.withdrawn:
            return "bad"
        if self.invitation is not None and self.invitation.staff_cancelled_interview is not None:
            return "warn"
        return self.invitation.status.badge if self.invitation else "warn"


@dataclass
class DigestProof:
    letter_digest: str
    total: int
    groups: dict[str, list[str]]  # digest -> candidate names

    @property
    def all_same(self) -> bool:
        return len(self.groups) <= 1 and (not self.groups or self.letter_digest in self.groups)

    @property
    def different(self) -> dict[str, list[str]]:
        return {d: names for d, names in self.groups.items() if d != self.letter_digest}


def _events(invitation: Invitation) -> list[Event]:
    events = [Event("Sent", invitation.sent_at, f"to {invitation.candidate.contact_email}")]
    if invitation.send_count > 1 and invitation.last_sent_at:
        events.append(Event(f"Sent again ({invitation.send_count - 1}×), new link", invitation.last_sent_at))
    if invitation.reminded_at:
        events.append(Event("Reminded", invitation.reminded_at))
    if invitation.opened_at:
        events.append(Event("Opened", invitation.opened_at))
    status = invitation.status
    slot = invitation.slot
    interview = invitation.latest_interview
    if status is InvitationStatus.accepted:
        detail = ""
        if slot is None and interview is not None:
            detail = f"interview of {format_datetime(interview.starts_at, interview.timezone)}"
        if slot is not None:
            where = f", {slot.location.name}" if slot.location else ""
            detail = f"slot of {format_datetime(slot.starts_at, slot.timezone)}{where}"
        events.append(Event("Accepted", invitation.answered_at, detail))
    elif status is InvitationStatus.declined:
        events.append(Event("Declined", invitation.answered_at, invitation.decline_reason or "no reason given"))
    # Every booking that was called off, and by whom: a rebooking keeps the earlier cancellations in view.
    for booked in invitation.interviews:
        if booked.cancelled_at is None or booked.cancelled_by is None:
            continue
        when = f"interview of {format_datetime(booked.starts_at, booked.timezone)}"
        if booked is invitation.staff_cancelled_interview and not invitation.letter.is_past_deadline():
            when += "; the campaign can choose another time"
        events.append(Event(f"Interview {booked.cancelled_by.label.lower()}", booked.cancelled_at, when))
    for request in invitation.requests:
        if request.kind is RequestKind.other_times or request.kind is RequestKind.reschedule:
            events.append(Event(request.kind.label, request.created_at, request.message))
    if invitation.no_reply_at:
        events.append(Event("No reply by the deadline", invitation.no_reply_at))
    if invitation.withdrawn_at:
        events.append(Event("Withdrawn", invitation.withdrawn_at))
    return sorted(events, key=lambda e: (e.at is None, e.at))


def rows(race: Race) -> list[LedgerRow]:
    candidates = db.session.scalars(
        select(Candidate)
        .where(Candidate.race_id == race.id)
        .options(
            selectinload(Candidate.invitation).selectinload(Invitation.slot).selectinload(Slot.location),
            selectinload(Candidate.invitation).selectinload(Invitation.requests),
            selectinload(Candidate.invitation).selectinload(Invitation.interviews),
        )
        .order_by(Candidate.name)
    ).all()
    result = []
    for candidate in candidates:
        events = _events(candidate.invitation) if candidate.invitation else []
        if candidate.withdrawn_at is not None:
            events.append(Event("Left the race", candidate.withdrawn_at))
        result.append(LedgerRow(candidate, candidate.invitation, events))
    return result


def digest_proof(letter: InvitationLetter) -> DigestProof:
    groups: dict[str, list[str]] = {}
    for invitation in letter.invitations:
        groups.setdefault(invitation.content_digest, []).append(invitation.candidate.name)
    return DigestProof(content_digest(letter), len(letter.invitations), groups)


def counts(letter: InvitationLetter) -> Counter[InvitationStatus]:
    return Counter(i.status for i in letter.invitations)


def open_requests() -> list[CandidateRequest]:
    """Candidates' messages staff have not dealt with yet, oldest first (the dashboard)."""
    return list(
        db.session.scalars(
            select(CandidateRequest)
            .where(CandidateRequest.handled_at.is_(None))
            .options(
                selectinload(CandidateRequest.invitation).selectinload(Invitation.candidate),
                selectinload(CandidateRequest.invitation).selectinload(Invitation.letter),
            )
            .order_by(CandidateRequest.created_at)
            .limit(50)
        )
    )
