"""The calendar answers as pages show them: each invited person's latest one, and those staff should act on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from interviews.extensions import db
from interviews.inbox.models import Answer, AttendeeReply, InboxMessage, Outcome, Party, ReplyKind
from interviews.scheduling.models import Interview, InterviewStatus, PanelSeat
from interviews.sections import Figures, figures
from interviews.types import utcnow

# How far back the dashboard counts the messages that could not be used.
KEPT_WINDOW = timedelta(days=14)


def about_current_time(reply: AttendeeReply, interview: Interview) -> bool:
    """Whether an answer still speaks to the interview as it stands.

    The current SEQUENCE, or an older one whose time (the DTSTART the person's calendar showed) is
    still the interview's: a panel change raises SEQUENCE without moving anyone's evening.
    """
    if reply.sequence >= interview.sequence:
        return True
    return reply.event_starts_at is not None and reply.event_starts_at == interview.starts_at


def _order(reply: AttendeeReply) -> tuple[int, datetime, int]:
    """Newest answer last: a higher SEQUENCE wins, then the later DTSTAMP, then the later arrival."""
    return (reply.sequence, reply.dtstamp or reply.received_at, reply.id)


@dataclass
class PersonAnswers:
    """One invited person and what their calendar said."""

    role: str  # "Campaign contact" or "Panel"
    name: str
    email: str
    replies: list[AttendeeReply] = field(default_factory=list)  # oldest first

    @property
    def latest(self) -> AttendeeReply | None:
        answers = [r for r in self.replies if r.kind is ReplyKind.reply]
        return max(answers, key=_order) if answers else None

    @property
    def proposal(self) -> AttendeeReply | None:
        """The latest proposal of another time, if it came after their latest answer."""
        counters = [r for r in self.replies if r.kind is ReplyKind.counter]
        if not counters:
            return None
        counter = max(counters, key=_order)
        latest = self.latest
        return counter if latest is None or _order(counter) > _order(latest) else None


def _key(reply: AttendeeReply) -> tuple[Party, int | None]:
    return (reply.party, reply.user_id)


def for_interview(interview: Interview) -> list[PersonAnswers]:
    """The contact, then each panel member as the panel stands, each with their answers."""
    replies = db.session.scalars(
        select(AttendeeReply).where(AttendeeReply.interview_id == interview.id).order_by(AttendeeReply.id)
    ).all()
    return _people(interview, list(replies))


@dataclass(frozen=True)
class Attention:
    """An answer staff should act on: a decline, a delegation, or a panel member proposing another time."""

    interview: Interview
    reply: AttendeeReply
    role: str
    name: str


@cache
def _answered_interviews() -> Select[tuple[Interview]]:
    """Upcoming interviews someone answered (bound: `now`), built once per process (the dashboard's)."""
    return (
        select(Interview)
        .where(
            Interview.status == InterviewStatus.scheduled,
            Interview.ends_at > bindparam("now"),
            Interview.id.in_(select(AttendeeReply.interview_id)),
        )
        .options(
            # Many-to-one joined in; the seats (one-to-many) with their users in one query more.
            selectinload(Interview.panel_seats).joinedload(PanelSeat.user),
            joinedload(Interview.candidate),
            joinedload(Interview.race),
        )
        .order_by(Interview.starts_at)
        .limit(200)
    )


def needing_attention(now: datetime | None = None, limit: int = 50) -> list[Attention]:
    """Upcoming interviews where someone's latest answer is no, delegated, or (a panel member) another time.

    The campaign's own proposals are on the invitations' list of requests, so they are not repeated here.
    Each item goes away by itself when the answer changes, the person leaves the panel, or the interview
    is moved (a new SEQUENCE), cancelled or over.
    """
    interviews = db.session.scalars(_answered_interviews(), {"now": now or utcnow()}).all()
    if not interviews:
        return []
    replies = db.session.scalars(
        select(AttendeeReply)
        .where(AttendeeReply.interview_id.in_([i.id for i in interviews]))
        .order_by(AttendeeReply.id)
    ).all()
    grouped: dict[int, list[AttendeeReply]] = defaultdict(list)
    for reply in replies:
        grouped[reply.interview_id].append(reply)
    found: list[Attention] = []
    for interview in interviews:
        for person in _people(interview, grouped[interview.id]):
            latest, proposal = person.latest, person.proposal
            if (
                latest is not None
                and latest.answer in (Answer.declined, Answer.delegated)
                and about_current_time(latest, interview)
            ):
                found.append(Attention(interview, latest, person.role, person.name))
            elif proposal is not None and person.role == "Panel" and proposal.sequence >= interview.sequence:
                found.append(Attention(interview, proposal, person.role, person.name))
    return found[:limit]


def _people(interview: Interview, replies: list[AttendeeReply]) -> list[PersonAnswers]:
    by_person: dict[tuple[Party, int | None], list[AttendeeReply]] = defaultdict(list)
    for reply in replies:
        by_person[_key(reply)].append(reply)
    candidate = interview.candidate
    contact = by_person.get((Party.contact, None), [])
    people = [
        PersonAnswers("Campaign contact", candidate.contact_name or candidate.name, candidate.contact_email, contact)
    ]
    for seat in interview.panel_seats:
        people.append(
            PersonAnswers("Panel", seat.user.name, seat.user.email, by_person.get((Party.panel, seat.user_id), []))
        )
    return people


@cache
def _kept_since() -> Select[tuple[int]]:
    """Messages kept (not used) since `inbox_since` (bound), counted."""
    return (
        select(func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.outcome == Outcome.kept, InboxMessage.received_at >= bindparam("inbox_since"))
    )


@figures("dashboard")
def dashboard_figures() -> Figures:
    """The staff dashboard's figures of the inbox (`read_figures("dashboard")`): `inbox_kept`, messages kept
    in the window, and `inbox_answered`, whether to look for answers needing attention: on most days
    there are none, and that look loads interviews."""
    answered = exists().where(
        Interview.status == InterviewStatus.scheduled,
        Interview.ends_at > bindparam("inbox_now"),
        Interview.id.in_(select(AttendeeReply.interview_id)),
    )

    def params() -> dict[str, Any]:
        now = utcnow()
        return {"inbox_since": now - KEPT_WINDOW, "inbox_now": now}

    return Figures((_kept_since().scalar_subquery().label("inbox_kept"), answered.label("inbox_answered")), params)
