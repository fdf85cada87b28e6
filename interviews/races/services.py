"""Races: creating and editing them, their default panel, and the stage derived from what happened."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from interviews.audit.services import diff, record
from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.races.models import Race, Stage

RACE_FIELDS = ("title", "office", "jurisdiction", "election_date", "description", "hide_notes_until_submitted")


class RaceError(Exception):
    """A change to a race that cannot be made; str() is fit to show to staff."""


def _race_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: data[k] for k in RACE_FIELDS if k in data}
    for key in ("title", "office", "jurisdiction", "description"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    for key in ("title", "office", "jurisdiction"):
        if key in clean and not clean[key]:
            raise RaceError(f"The {key} cannot be empty.")
    if "election_date" in clean and not isinstance(clean["election_date"], date):
        raise RaceError("Give the election date.")
    return clean


def create_race(data: dict[str, Any], *, actor: User | None = None) -> Race:
    race = Race(**_race_data(data), stored_stage=Stage.planning, created_by=actor)
    db.session.add(race)
    db.session.flush()
    record("race.created", race, changes=_race_data(data), summary=f"Race created: {race.title}", actor=actor)
    return race


def update_race(race: Race, data: dict[str, Any], *, actor: User | None = None) -> dict[str, list[Any]]:
    changes = diff(race, _race_data(data))
    if changes:
        record("race.updated", race, changes=changes, summary=f"Race edited: {race.title}", actor=actor)
    return changes


def leader_choices() -> list[User]:
    """Who can sit on a panel: active leadership accounts."""
    return list(db.session.scalars(select(User).where(User.role == Role.leader, User.active).order_by(User.name)))


def set_default_panel(race: Race, users: Sequence[User], *, actor: User | None = None) -> None:
    """The leaders who sit on this race's interviews unless staff pick others for one interview."""
    refused = [u.name for u in users if u.role is not Role.leader or not u.active]
    if refused:
        raise RaceError(f"Only active leadership accounts can sit on a panel: {', '.join(refused)}.")
    before = {u.id: u.name for u in race.panel}
    after = {u.id: u.name for u in users}
    if before.keys() == after.keys():
        return
    race.panel = list(dict.fromkeys(users))
    record(
        "race.panel_changed",
        race,
        changes={
            "added": [n for i, n in after.items() if i not in before],
            "removed": [n for i, n in before.items() if i not in after],
        },
        summary=f"Default panel changed: {race.title}",
        actor=actor,
    )


# --- the stage --------------------------------------------------------------------------------


def derive_stages(races: Iterable[Race]) -> dict[int, Stage]:
    """Each race's stage from its records, in four queries whatever the number of races.

    planning -> inviting (an invitation was sent) -> interviewing (an interview exists) ->
    deliberating (a vote exists, not final) -> decided (a vote is final). Closed is staff's word.
    """
    from interviews.invitations.models import Invitation, InvitationLetter
    from interviews.scheduling.models import Interview
    from interviews.votes.models import Vote, VoteStatus

    races = list(races)
    ids = [r.id for r in races]
    if not ids:
        return {}
    invited = set(
        db.session.scalars(
            select(InvitationLetter.race_id)
            .join(Invitation, Invitation.letter_id == InvitationLetter.id)
            .where(InvitationLetter.race_id.in_(ids))
            .distinct()
        )
    )
    interviewed = set(db.session.scalars(select(Interview.race_id).where(Interview.race_id.in_(ids)).distinct()))
    votes: dict[int, set[VoteStatus]] = {}
    for race_id, status in db.session.execute(
        select(Vote.race_id, Vote.status).where(Vote.race_id.in_(ids)).group_by(Vote.race_id, Vote.status)
    ):
        votes.setdefault(race_id, set()).add(status)
    stages: dict[int, Stage] = {}
    for race in races:
        if race.stored_stage is Stage.closed:
            stages[race.id] = Stage.closed
        elif VoteStatus.final in votes.get(race.id, ()):
            stages[race.id] = Stage.decided
        elif race.id in votes:
            stages[race.id] = Stage.deliberating
        elif race.id in interviewed:
            stages[race.id] = Stage.interviewing
        elif race.id in invited:
            stages[race.id] = Stage.inviting
        else:
            stages[race.id] = Stage.planning
    return stages


def derive_stage(race: Race) -> Stage:
    return derive_stages([race])[race.id]


def refresh_stage(race: Race) -> Stage:
    """Bring the stored stage in line with the records (other features may call this after a change)."""
    stage = derive_stage(race)
    if race.stored_stage is not stage:
        race.stored_stage = stage
    return stage


def close_race(race: Race, *, actor: User | None = None) -> None:
    if race.stored_stage is Stage.closed:
        return
    old = derive_stage(race)
    race.stored_stage = Stage.closed
    record(
        "race.closed", race, changes={"stage": [old, Stage.closed]}, summary=f"Race closed: {race.title}", actor=actor
    )


def reopen_race(race: Race, *, actor: User | None = None) -> None:
    if race.stored_stage is not Stage.closed:
        return
    race.stored_stage = Stage.planning  # anything but closed, so the records decide again
    new = refresh_stage(race)
    record(
        "race.reopened",
        race,
        changes={"stage": [Stage.closed, new]},
        summary=f"Race reopened: {race.title}",
        actor=actor,
    )


def candidate_counts(races: Iterable[Race]) -> dict[int, tuple[int, int]]:
    """{race id: (running, withdrawn)} in one query."""
    from interviews.races.models import Candidate

    ids = [r.id for r in races]
    counts: dict[int, tuple[int, int]] = {i: (0, 0) for i in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(Candidate.race_id, Candidate.withdrawn_at.is_(None), func.count())
        .where(Candidate.race_id.in_(ids))
        .group_by(Candidate.race_id, Candidate.withdrawn_at.is_(None))
    )
    for race_id, running, n in rows:
        r, w = counts[race_id]
        counts[race_id] = (r + n, w) if running else (r, w + n)
    return counts
