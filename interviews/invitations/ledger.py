"""The invitation ledger: what each candidate did with the letter, and the proof all got the same text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import joinedload, selectinload

from interviews.extensions import db
from interviews.filters import format_datetime, format_time
from interviews.invitations.emails import content_digest
from interviews.invitations.models import (
    CandidateRequest,
    Invitation,
    InvitationLetter,
    InvitationStatus,
    RequestKind,
    Slot,
)
from interviews.pagination import Page, paginate
from interviews.races.models import Candidate, Race
from interviews.types import utcnow


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
    groups: dict[str, list[str]]  # digest -> candidate names (the first few, for a differing digest)
    sizes: dict[str, int] = field(default_factory=dict)  # digest -> how many invitations carry it

    @property
    def all_same(self) -> bool:
        return len(self.groups) <= 1 and (not self.groups or self.letter_digest in self.groups)

    @property
    def different(self) -> dict[str, list[str]]:
        return {d: names for d, names in self.groups.items() if d != self.letter_digest}


def _request_detail(request: CandidateRequest) -> str:
    """The campaign's words, and the time it proposed from its calendar (in the viewer's zone), if it did."""
    if request.proposed_starts_at is None:
        return request.message
    proposed = f"proposed {format_datetime(request.proposed_starts_at)}–{format_time(request.proposed_ends_at)}"
    return f"{proposed} from their calendar" + (f": {request.message}" if request.message else "")


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
            events.append(Event(request.kind.label, request.created_at, _request_detail(request)))
    if invitation.moved_at and interview is not None:
        events.append(
            Event(
                "Moved their interview",
                invitation.moved_at,
                f"now {format_datetime(interview.starts_at, interview.timezone)}",
            )
        )
    # Attempts that failed (the slot was taken first, or a panel member or the room was busy): staff may act.
    for failure in invitation.booking_failures:
        what = "Could not move to" if failure.moving else "Could not book"
        detail = f"slot of {format_datetime(failure.slot_starts_at, failure.slot_timezone)}: {failure.reason.label}"
        events.append(Event(what, failure.created_at, detail + (f". {failure.detail}" if failure.detail else "")))
    if invitation.no_reply_at:
        events.append(Event("No reply by the deadline", invitation.no_reply_at))
    if invitation.withdrawn_at:
        events.append(Event("Withdrawn", invitation.withdrawn_at))
    return sorted(events, key=lambda e: (e.at is None, e.at))


# The ledger's filter: every invitation status, plus the two states a candidate can be in without one.
NOT_INVITED = "not_invited"
LEFT = "left"
STATUS_FILTERS: dict[str, str] = {
    "": "Everyone",
    NOT_INVITED: "Not invited yet",
    **{status.value: status.label for status in InvitationStatus},
    LEFT: "Left the race",
}


def status_filter(value: str) -> str:
    """The ledger's filter from the query string: an unknown value means no filter, not an error."""
    return value if value in STATUS_FILTERS else ""


def rows(race: Race, *, status: str = "") -> Page[LedgerRow]:
    """One page of the ledger: a fixed number of queries, whatever the number of candidates."""
    stmt = select(Candidate).where(Candidate.race_id == race.id)
    if status == NOT_INVITED:
        stmt = stmt.where(Candidate.withdrawn_at.is_(None), ~Candidate.invitation.has())
    elif status == LEFT:
        stmt = stmt.where(Candidate.withdrawn_at.is_not(None))
    elif status:
        stmt = stmt.where(Candidate.invitation.has(Invitation.status == InvitationStatus(status)))
    page = paginate(
        stmt.options(
            # The invitation (one per candidate) in the page's query; each list it has, one query more.
            joinedload(Candidate.invitation).options(
                selectinload(Invitation.slot).joinedload(Slot.location),
                selectinload(Invitation.requests),
                selectinload(Invitation.interviews),
                selectinload(Invitation.booking_failures),
            )
        ).order_by(Candidate.name, Candidate.id)
    )
    result = []
    for candidate in page.items:
        events = _events(candidate.invitation) if candidate.invitation else []
        if candidate.withdrawn_at is not None:
            events.append(Event("Left the race", candidate.withdrawn_at))
        result.append(LedgerRow(candidate, candidate.invitation, events))
    return Page(items=result, number=page.number, per_page=page.per_page, total=page.total, arg=page.arg)


@dataclass(frozen=True)
class Summary:
    """The race's invitation in figures, counted by the database (the race page and the ledger)."""

    counts: dict[InvitationStatus, int]
    running: int
    not_invited: int
    slots: int
    free: int

    @property
    def sent(self) -> int:
        return sum(self.counts.values())


def summary(race: Race, letter: InvitationLetter, now: datetime | None = None) -> Summary:
    now = now or utcnow()
    by_status = dict(
        db.session.execute(
            select(Invitation.status, func.count()).where(Invitation.letter_id == letter.id).group_by(Invitation.status)
        )
        .tuples()
        .all()
    )
    # The candidates' and the slots' figures in one statement: four counts, each from its own table.
    in_race = select(func.count()).where(Candidate.race_id == race.id, Candidate.withdrawn_at.is_(None))
    slots_of = select(func.count()).where(Slot.letter_id == letter.id)
    # Those invited, from the letter's own invitations (its index), rather than a probe of every candidate.
    invited = (
        select(func.count())
        .select_from(Invitation)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .where(Invitation.letter_id == letter.id, Candidate.race_id == race.id, Candidate.withdrawn_at.is_(None))
    )
    running, invited_running, slots, free = db.session.execute(
        select(
            in_race.scalar_subquery(),
            invited.scalar_subquery(),
            slots_of.scalar_subquery(),
            slots_of.where(Slot.taken_by_id.is_(None), Slot.starts_at > now).scalar_subquery(),
        )
    ).one()
    counts = {status: by_status[status] for status in InvitationStatus if by_status.get(status)}
    return Summary(counts=counts, running=running, not_invited=running - invited_running, slots=slots, free=free)


def not_invited_names(race: Race, limit: int = 20) -> list[str]:
    """The first few running candidates not invited yet, by name (the letter page counts the rest)."""
    return list(
        db.session.scalars(
            select(Candidate.name)
            .where(Candidate.race_id == race.id, Candidate.withdrawn_at.is_(None), ~Candidate.invitation.has())
            .order_by(Candidate.name, Candidate.id)
            .limit(limit)
        )
    )


def slots_page(letter: InvitationLetter) -> Page[Slot]:
    """One page of the letter's slots, soonest first, with who took each."""
    return paginate(
        select(Slot)
        .where(Slot.letter_id == letter.id)
        .options(selectinload(Slot.location), selectinload(Slot.taken_by).selectinload(Invitation.candidate))
        .order_by(Slot.starts_at, Slot.id),
        arg="slots",
    )


# How many names the digest proof lists under a differing digest before it says "and N more".
PROOF_NAMES = 20


def digest_proof(letter: InvitationLetter) -> DigestProof:
    """Which digests the invitations carry, counted in SQL; names only for those that differ."""
    letter_digest = content_digest(letter)
    sizes = dict(
        db.session.execute(
            select(Invitation.content_digest, func.count())
            .where(Invitation.letter_id == letter.id)
            .group_by(Invitation.content_digest)
        )
        .tuples()
        .all()
    )
    groups: dict[str, list[str]] = {digest: [] for digest in sizes}
    if any(digest != letter_digest for digest in sizes):
        odd = db.session.execute(
            select(Invitation.content_digest, Candidate.name)
            .join(Candidate, Invitation.candidate_id == Candidate.id)
            .where(Invitation.letter_id == letter.id, Invitation.content_digest != letter_digest)
            .order_by(Candidate.name)
            .limit(PROOF_NAMES * len(sizes))
        )
        for digest, name in odd:
            if len(groups[digest]) < PROOF_NAMES:
                groups[digest].append(name)
    return DigestProof(letter_digest, sum(sizes.values()), groups, sizes)


def open_requests() -> list[Row[Any]]:
    """Candidates' messages staff have not dealt with yet, oldest first (the dashboard): one query, each row
    the request with its candidate's name and contact and its race, joined rather than loaded after."""
    return list(
        db.session.execute(
            select(
                CandidateRequest,
                Candidate.name.label("candidate"),
                Candidate.contact_name,
                Candidate.contact_email,
                Candidate.contact_phone,
                InvitationLetter.race_id,
            )
            .join(Invitation, Invitation.id == CandidateRequest.invitation_id)
            .join(Candidate, Candidate.id == Invitation.candidate_id)
            .join(InvitationLetter, InvitationLetter.id == Invitation.letter_id)
            .where(CandidateRequest.handled_at.is_(None))
            .order_by(CandidateRequest.created_at)
            .limit(50)
        )
    )
