"""The invitation ledger: what each candidate did with the letter, and the proof all got the same text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Integer, Row, Select, String, bindparam, func, select
from sqlalchemy.orm import selectinload

from interviews.database import read_rows
from interviews.extensions import db
from interviews.filters import format_datetime, format_time
from interviews.invitations.emails import content_digest
from interviews.invitations.models import (
    BookingFailure,
    CandidateRequest,
    Invitation,
    InvitationLetter,
    InvitationStatus,
    RequestKind,
    Slot,
    staff_cancelled_among,
)
from interviews.pagination import Page, paginate
from interviews.races.models import Candidate, Race
from interviews.reads import PlainRow
from interviews.scheduling.models import Interview, Location
from interviews.types import UTCDateTime, utcnow


@dataclass
class Event:
    what: str
    at: datetime | None
    detail: str = ""


@dataclass
class LedgerRow:
    """One candidate's line. `candidate` and `invitation` are the same plain row of what the page shows
    (no objects: a page of the biggest race reads 50 and their bookings); `invitation` is None for a
    candidate not invited, and otherwise has the invitation's columns (invitation_id, status, ...)."""

    candidate: Any  # id, name, party, contact_name, contact_email, withdrawn_at
    invitation: Any | None
    staff_cancelled: bool = False  # staff called off the booking and the campaign has not answered since
    events: list[Event] = field(default_factory=list)

    @property
    def withdrawn(self) -> bool:
        return self.candidate.withdrawn_at is not None

    @property
    def status_label(self) -> str:
        if self.withdrawn:
            return "Left the race"
        if self.invitation is None:
            return "Not invited yet"
        if self.staff_cancelled:
            return "Interview cancelled by staff"
        return str(self.invitation.status.label)

    @property
    def badge(self) -> str:
        if self.withdrawn:
            return "bad"
        if self.invitation is not None and self.staff_cancelled:
            return "warn"
        return str(self.invitation.status.badge) if self.invitation else "warn"


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


def _request_detail(request: Any) -> str:
    """The campaign's words, and the time it proposed from its calendar (in the viewer's zone), if it did."""
    if request.proposed_starts_at is None:
        return str(request.message)
    proposed = f"proposed {format_datetime(request.proposed_starts_at)}–{format_time(request.proposed_ends_at)}"
    return f"{proposed} from their calendar" + (f": {request.message}" if request.message else "")


@dataclass
class _Lists:
    """An invitation's bookings, requests and failed attempts, as rows, each in its own order."""

    interviews: list[Any] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    failures: list[Any] = field(default_factory=list)


def _events(invitation: Any, lists: _Lists, *, past_deadline: bool) -> tuple[list[Event], bool]:
    """What happened to one invitation, oldest first, and whether staff's cancellation still stands."""
    events = [Event("Sent", invitation.sent_at, f"to {invitation.contact_email}")]
    if invitation.send_count > 1 and invitation.last_sent_at:
        events.append(Event(f"Sent again ({invitation.send_count - 1}×), new link", invitation.last_sent_at))
    if invitation.reminded_at:
        events.append(Event("Reminded", invitation.reminded_at))
    if invitation.opened_at:
        events.append(Event("Opened", invitation.opened_at))
    status = invitation.status
    interview = lists.interviews[-1] if lists.interviews else None
    staff_cancelled = staff_cancelled_among(status, lists.interviews)
    if status is InvitationStatus.accepted:
        detail = ""
        if invitation.slot_starts_at is None and interview is not None:
            detail = f"interview of {format_datetime(interview.starts_at, interview.timezone)}"
        if invitation.slot_starts_at is not None:
            where = f", {invitation.slot_location}" if invitation.slot_location else ""
            detail = f"slot of {format_datetime(invitation.slot_starts_at, invitation.slot_timezone)}{where}"
        events.append(Event("Accepted", invitation.answered_at, detail))
    elif status is InvitationStatus.declined:
        events.append(Event("Declined", invitation.answered_at, invitation.decline_reason or "no reason given"))
    # Every booking that was called off, and by whom: a rebooking keeps the earlier cancellations in view.
    for booked in lists.interviews:
        if booked.cancelled_at is None or booked.cancelled_by is None:
            continue
        when = f"interview of {format_datetime(booked.starts_at, booked.timezone)}"
        if booked is staff_cancelled and not past_deadline:
            when += "; the campaign can choose another time"
        events.append(Event(f"Interview {booked.cancelled_by.label.lower()}", booked.cancelled_at, when))
    for request in lists.requests:
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
    for failure in lists.failures:
        what = "Could not move to" if failure.moving else "Could not book"
        detail = f"slot of {format_datetime(failure.slot_starts_at, failure.slot_timezone)}: {failure.reason.label}"
        events.append(Event(what, failure.created_at, detail + (f". {failure.detail}" if failure.detail else "")))
    if invitation.no_reply_at:
        events.append(Event("No reply by the deadline", invitation.no_reply_at))
    if invitation.invitation_withdrawn_at:
        events.append(Event("Withdrawn", invitation.invitation_withdrawn_at))
    return sorted(events, key=lambda e: (e.at is None, e.at)), staff_cancelled is not None


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


@cache
def _page_query(kind: str) -> tuple[Select[Any], Select[Any]]:
    """The page's rows and their count for one kind of filter ("", NOT_INVITED, LEFT, or "status"),
    built once per process (bound: `race_id`, and `status` for a status): the ledger of the biggest
    race is read on every visit, and building these cost about as much as running them."""
    stmt = (
        select(
            Candidate.id,
            Candidate.name,
            Candidate.party,
            Candidate.contact_name,
            Candidate.contact_email,
            Candidate.withdrawn_at,
            Invitation.id.label("invitation_id"),
            Invitation.status,
            Invitation.sent_at,
            Invitation.last_sent_at,
            Invitation.send_count,
            Invitation.reminded_at,
            Invitation.opened_at,
            Invitation.answered_at,
            Invitation.decline_reason,
            Invitation.no_reply_at,
            Invitation.withdrawn_at.label("invitation_withdrawn_at"),
            Invitation.moved_at,
            Slot.starts_at.label("slot_starts_at"),
            Slot.timezone.label("slot_timezone"),
            Location.name.label("slot_location"),
        )
        .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
        .outerjoin(Slot, Slot.taken_by_id == Invitation.id)
        .outerjoin(Location, Location.id == Slot.location_id)
        .where(Candidate.race_id == bindparam("race_id", type_=Integer))
    )
    # The count reads the candidates alone, joined to their invitations only when the filter asks about
    # them: a candidate has one invitation at most, so the joins do not change it (counting through
    # them took 4 of the big race's 6 ms).
    count = select(func.count()).select_from(Candidate).where(Candidate.race_id == bindparam("race_id", type_=Integer))
    filters: list[ColumnElement[bool]] = []
    if kind == NOT_INVITED:
        filters = [Candidate.withdrawn_at.is_(None), Invitation.id.is_(None)]
        count = count.outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
    elif kind == LEFT:
        filters = [Candidate.withdrawn_at.is_not(None)]
    elif kind:
        filters = [Invitation.status == bindparam("status", type_=Invitation.__table__.c.status.type)]
        count = count.join(Invitation, Invitation.candidate_id == Candidate.id)
    return stmt.where(*filters).order_by(Candidate.name, Candidate.id), count.where(*filters)


@cache
def _child_queries() -> tuple[tuple[str, Select[Any]], ...]:
    """The page's bookings, requests and failed attempts, each list in its own order (bound: `ids`, the
    page's invitations), built once per process: (which list, its query)."""
    ids: BindParameter[int] = bindparam("ids", expanding=True)
    return (
        (
            "interviews",
            select(
                Interview.invitation_id,
                Interview.status,
                Interview.starts_at,
                Interview.timezone,
                Interview.cancelled_at,
                Interview.cancelled_by,
            )
            .where(Interview.invitation_id.in_(ids))
            .order_by(Interview.id),
        ),
        (
            "requests",
            select(
                CandidateRequest.invitation_id,
                CandidateRequest.kind,
                CandidateRequest.message,
                CandidateRequest.proposed_starts_at,
                CandidateRequest.proposed_ends_at,
                CandidateRequest.created_at,
            )
            .where(CandidateRequest.invitation_id.in_(ids))
            .order_by(CandidateRequest.created_at, CandidateRequest.id),
        ),
        (
            "failures",
            select(
                BookingFailure.invitation_id,
                BookingFailure.moving,
                BookingFailure.slot_starts_at,
                BookingFailure.slot_timezone,
                BookingFailure.reason,
                BookingFailure.detail,
                BookingFailure.created_at,
            )
            .where(BookingFailure.invitation_id.in_(ids))
            .order_by(BookingFailure.created_at, BookingFailure.id),
        ),
    )


def rows(race: Race, *, status: str = "") -> Page[LedgerRow]:
    """One page of the ledger: four queries whatever the number of candidates. The page's query reads
    each candidate with its invitation and the slot it holds (one at most: `taken_by_id` is unique),
    then one query each for the page's bookings, requests and failed attempts."""
    params: dict[str, Any] = {"race_id": race.id}
    kind = status if status in ("", NOT_INVITED, LEFT) else "status"
    if kind == "status":
        params["status"] = InvitationStatus(status)
    stmt, count = _page_query(kind)
    page = paginate(stmt, scalars=False, count=count, params=params)
    ids = [row.invitation_id for row in page.items if row.invitation_id is not None]
    lists: dict[int, _Lists] = {i: _Lists() for i in ids}
    if ids:
        for name, child in _child_queries():
            for item in read_rows(child, {"ids": ids}):
                getattr(lists[item.invitation_id], name).append(item)
    past_deadline = race.letter.is_past_deadline() if race.letter else False
    result = []
    for row in page.items:
        invitation = row if row.invitation_id is not None else None  # the same row: its invitation columns
        events: list[Event] = []
        staff_cancelled = False
        if invitation is not None:
            events, staff_cancelled = _events(invitation, lists[invitation.invitation_id], past_deadline=past_deadline)
        if row.withdrawn_at is not None:
            events.append(Event("Left the race", row.withdrawn_at))
        result.append(LedgerRow(row, invitation, staff_cancelled, events))
    return Page(items=result, number=page.number, per_page=page.per_page, total=page.total, arg=page.arg)


@dataclass(frozen=True)
class Summary:
    """The race's invitation in figures, counted by the database (the race page, the letter, the ledger)."""

    counts: dict[InvitationStatus, int]
    running: int
    not_invited: int
    slots: int
    free: int
    digest: str | None = None  # the digest asked for (the letter's, on the ledger)
    carrying: int | None = None  # how many invitations carry it (None: not asked)

    @property
    def sent(self) -> int:
        return sum(self.counts.values())


@cache
def _figures(of_race: bool = False) -> Select[Any]:
    """Every figure of `Summary` in one statement, built once per process (bound: `letter_id`, `race_id`,
    `now`, `digest`). Three statements before, one of them joining every invitation to its candidate.

    `of_race`: the race's letter found by the statement itself (bound: no `letter_id`), with the three
    fields of it the race page shows (`letter_id`, `respond_by`, `timezone`; None before it is written):
    that page read them in a statement of their own."""
    race_id = bindparam("race_id", type_=Integer)
    letter_of_race = select(InvitationLetter.id).where(InvitationLetter.race_id == race_id).scalar_subquery()
    letter_id: Any = letter_of_race if of_race else bindparam("letter_id", type_=Integer)
    running = select(func.count()).where(Candidate.race_id == race_id, Candidate.withdrawn_at.is_(None))
    # Invited and since left the race: found from the few who left (their partial index), so that the
    # invited who still run are the invitations less these. A letter invites only its race's candidates.
    invited_left = (
        select(func.count())
        .select_from(Invitation)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .where(Invitation.letter_id == letter_id, Candidate.race_id == race_id, Candidate.withdrawn_at.is_not(None))
    )
    slots_of = select(func.count()).where(Slot.letter_id == letter_id)
    free = slots_of.where(Slot.taken_by_id.is_(None), Slot.starts_at > bindparam("now", type_=UTCDateTime))
    letter_fields = (
        (
            letter_of_race.label("letter_id"),
            *(
                select(column).where(InvitationLetter.race_id == race_id).scalar_subquery().label(column.key)
                for column in (InvitationLetter.respond_by, InvitationLetter.timezone)
            ),
        )
        if of_race
        else ()
    )
    return (
        select(
            *letter_fields,
            *(func.count().filter(Invitation.status == status).label(status.name) for status in InvitationStatus),
            func.count().filter(Invitation.content_digest == bindparam("digest", type_=String)).label("carrying"),
            running.scalar_subquery().label("running"),
            invited_left.scalar_subquery().label("invited_left"),
            slots_of.scalar_subquery().label("slots"),
            free.scalar_subquery().label("free"),
        )
        .select_from(Invitation)
        .where(Invitation.letter_id == letter_id)
    )


@dataclass(frozen=True)
class LetterFields:
    """The race's letter as the race page names it: no more of it is shown there."""

    id: int
    respond_by: datetime
    timezone: str


def race_figures(race: Race, now: datetime | None = None) -> tuple[LetterFields, Summary] | None:
    """The race's letter as the race page names it and its `Summary`, in one statement; None before the
    letter is written."""
    row = read_rows(_figures(of_race=True), {"race_id": race.id, "now": now or utcnow(), "digest": ""}).one()
    if row.letter_id is None:
        return None
    return LetterFields(row.letter_id, row.respond_by, row.timezone), _summary_of(row, None)


def summary(race: Race, letter: InvitationLetter, now: datetime | None = None, *, digest: str | None = None) -> Summary:
    """`digest`: also count the invitations that carry it (the ledger's proof asks for the letter's)."""
    params = {"letter_id": letter.id, "race_id": race.id, "now": now or utcnow(), "digest": digest or ""}
    return _summary_of(read_rows(_figures(), params).one(), digest)


def _summary_of(row: PlainRow, digest: str | None) -> Summary:
    counts = {status: getattr(row, status.name) for status in InvitationStatus if getattr(row, status.name)}
    invited_running = sum(counts.values()) - row.invited_left
    return Summary(
        counts=counts,
        running=row.running,
        not_invited=row.running - invited_running,
        slots=row.slots,
        free=row.free,
        digest=digest,
        carrying=row.carrying if digest is not None else None,
    )


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


def digest_proof(letter: InvitationLetter, figures: Summary | None = None) -> DigestProof:
    """Which digests the invitations carry, counted in SQL; names only for those that differ.

    `figures`: the letter's summary, counted with `digest` the letter's own: when every invitation
    carries it (the usual case) nothing more is read."""
    letter_digest = figures.digest if figures is not None and figures.digest else content_digest(letter)
    if figures is not None and figures.carrying is not None and figures.carrying == figures.sent:
        sizes = {letter_digest: figures.sent} if figures.sent else {}
        return DigestProof(letter_digest, figures.sent, {digest: [] for digest in sizes}, sizes)
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


@cache
def _open_requests() -> Select[Any]:
    """Built once per process: the staff dashboard runs it on every visit."""
    return (
        select(
            CandidateRequest.id,
            CandidateRequest.kind,
            CandidateRequest.created_at,
            CandidateRequest.message,
            CandidateRequest.proposed_starts_at,
            CandidateRequest.proposed_ends_at,
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


def open_requests() -> list[Row[Any]]:
    """Candidates' messages staff have not dealt with yet, oldest first (the dashboard): one query of plain
    rows, each the request with its candidate's name and contact and its race, joined rather than loaded after."""
    return list(read_rows(_open_requests()))
