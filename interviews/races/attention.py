"""What staff should look at next in each open race (the staff dashboard)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationStatus
from interviews.races.models import Candidate, Race, Stage
from interviews.races.stages import stages_of
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.types import utcnow


@dataclass
class Attention:
    race: Race
    stage: Stage
    reasons: list[str] = field(default_factory=list)


def races_needing_attention() -> list[Attention]:
    """Open races with something to do: a fixed number of queries, whatever the number of races."""
    races = db.session.scalars(
        select(Race)
        .where(Race.closed_at.is_(None))
        .options(selectinload(Race.candidates).selectinload(Candidate.invitation), selectinload(Race.panel))
        .order_by(Race.election_date, Race.title)
    ).all()
    if not races:
        return []
    stages = stages_of(races)
    ids = [r.id for r in races]
    now = utcnow()
    interviewed = {
        (race_id, candidate_id)
        for race_id, candidate_id in db.session.execute(
            select(Interview.race_id, Interview.candidate_id).where(
                Interview.race_id.in_(ids), Interview.status != InterviewStatus.cancelled
            )
        )
    }
    unrecorded: dict[int, int] = dict(
        db.session.execute(
            select(Interview.race_id, func.count())
            .where(Interview.race_id.in_(ids), Interview.status == InterviewStatus.scheduled, Interview.ends_at < now)
            .group_by(Interview.race_id)
        )
        .tuples()
        .all()
    )
    result = []
    for race in races:
        stage = stages[race.id]
        if stage is Stage.decided:
            continue
        item = Attention(race=race, stage=stage)
        running = race.active_candidates
        if not running:
            item.reasons.append("No candidates yet: add them.")
        if not race.panel:
            item.reasons.append("No default panel: choose the leaders who sit on its interviews.")
        invitations: list[Invitation] = [c.invitation for c in running if c.invitation is not None]
        not_invited = [c for c in running if c.invitation is None and (race.id, c.id) not in interviewed]
        if running and not_invited:
            item.reasons.append(f"{len(not_invited)} of {len(running)} candidates not invited or scheduled yet.")
        other_times = sum(1 for i in invitations if i.status is InvitationStatus.other_times)
        if other_times:
            item.reasons.append(f"{other_times} candidate(s) asked for other times.")
        if unrecorded.get(race.id):
            item.reasons.append(f"{unrecorded[race.id]} past interview(s) not yet marked completed or no-show.")
        if item.reasons:
            result.append(item)
    return result
