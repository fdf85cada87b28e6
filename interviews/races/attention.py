"""What staff should look at next in each open race (the staff dashboard).

Everything is counted by the database, one row per open race: the dashboard costs the same few
queries whether a race has five candidates or two thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ScalarSelect, Select, bindparam, exists, func, select

from interviews.database import read_rows
from interviews.invitations.models import Invitation, InvitationStatus
from interviews.races.models import Candidate, Race, Stage, race_panel
from interviews.races.stages import stage_columns, stage_from
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.types import utcnow

# The dashboard names this many races; the rest are counted, and the races list has them all.
SHOWN = 20


@dataclass
class Attention:
    race: Any  # a row: the race's id and title
    stage: Stage
    reasons: list[str] = field(default_factory=list)


@dataclass
class AttentionList:
    items: list[Attention]
    more: int  # races that need attention beyond the ones shown


def _count(*where: object) -> ScalarSelect[int]:
    return select(func.count()).where(*where).scalar_subquery()  # type: ignore[arg-type]


@cache
def _attention_query() -> Select[Any]:
    """One row per open race with its counts (bound: `now`), built once per process: building it cost
    more than running it."""
    running = (Candidate.race_id == Race.id, Candidate.withdrawn_at.is_(None))
    booked_or_held = exists().where(
        Interview.candidate_id == Candidate.id, Interview.status != InterviewStatus.cancelled
    )
    return (
        select(
            *stage_columns(),
            Race.title,
            _count(*running).label("running"),
            _count(*running, ~Candidate.invitation.has(), ~booked_or_held).label("not_invited"),
            _count(
                *running,
                Candidate.invitation.has(Invitation.status == InvitationStatus.other_times),
            ).label("other_times"),
            _count(
                Interview.race_id == Race.id,
                Interview.status == InterviewStatus.scheduled,
                Interview.ends_at < bindparam("now"),
            ).label("unrecorded"),
            _count(race_panel.c.race_id == Race.id).label("panel"),
        )
        .where(Race.closed_at.is_(None))
        .order_by(Race.election_date, Race.title, Race.id)
    )


def races_needing_attention(shown: int = SHOWN) -> AttentionList:
    """Open races with something to do, soonest election first: one query, whatever the sizes."""
    rows = read_rows(_attention_query(), {"now": utcnow()}).all()
    needing: list[Attention] = []
    for row in rows:
        stage = stage_from(row)
        if stage is Stage.decided:
            continue
        item = Attention(race=row, stage=stage)
        if not row.running:
            item.reasons.append("No candidates yet: add them.")
        if not row.panel:
            item.reasons.append("No default panel: choose the leaders who sit on its interviews.")
        if row.running and row.not_invited:
            item.reasons.append(f"{row.not_invited} of {row.running} candidates not invited or scheduled yet.")
        if row.other_times:
            item.reasons.append(f"{row.other_times} candidate(s) asked for other times.")
        if row.unrecorded:
            item.reasons.append(f"{row.unrecorded} past interview(s) not yet marked completed or no-show.")
        if item.reasons:
            needing.append(item)
    return AttentionList(items=needing[:shown], more=max(0, len(needing) - shown))
