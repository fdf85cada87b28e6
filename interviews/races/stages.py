"""Where each race stands, read from its records in one query (the race page, lists, the dashboard).

planning -> inviting (an invitation was sent) -> interviewing (an interview exists) ->
deliberating (a vote exists, not final) -> decided (a vote is final). Closed is staff's decision,
stored as `Race.closed_at`; every other stage follows from what happened, so it never contradicts it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select

from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter
from interviews.races.models import Race, Stage
from interviews.scheduling.models import Interview
from interviews.votes.models import Vote


def stages_of(races: Iterable[Race]) -> dict[int, Stage]:
    """{race id: stage} for any number of races, in one query."""
    ids = [r.id for r in races]
    if not ids:
        return {}
    # Nested, so each race probes its letter and then the invitations' (letter_id, ...) index; as one
    # EXISTS over both tables PostgreSQL scanned every invitation once per race.
    invited = exists().where(
        InvitationLetter.race_id == Race.id, exists().where(Invitation.letter_id == InvitationLetter.id)
    )
    interviewed = exists().where(Interview.race_id == Race.id)
    voting = exists().where(Vote.race_id == Race.id)
    decided = exists().where(Vote.race_id == Race.id, Vote.decided_clause())
    rows = db.session.execute(
        select(
            Race.id,
            Race.closed_at.is_not(None).label("closed"),
            decided.label("decided"),
            voting.label("voting"),
            interviewed.label("interviewed"),
            invited.label("invited"),
        ).where(Race.id.in_(ids))
    )
    stages: dict[int, Stage] = {}
    for row in rows:
        if row.closed:
            stages[row.id] = Stage.closed
        elif row.decided:
            stages[row.id] = Stage.decided
        elif row.voting:
            stages[row.id] = Stage.deliberating
        elif row.interviewed:
            stages[row.id] = Stage.interviewing
        elif row.invited:
            stages[row.id] = Stage.inviting
        else:
            stages[row.id] = Stage.planning
    return stages


def stage_of(race: Race) -> Stage:
    return stages_of([race])[race.id]
