"""Races: creating and editing them, their default panel, and closing them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, select

from interviews.audit.actors import Actor
from interviews.audit.services import diff, record
from interviews.auth.models import Role, User
from interviews.database import read_rows
from interviews.extensions import db
from interviews.races.models import Race, Stage, race_panel
from interviews.races.stages import stage_of
from interviews.types import utcnow

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


def create_race(data: dict[str, Any], *, actor: User) -> Race:
    race = Race(**_race_data(data), created_by=actor)
    db.session.add(race)
    db.session.flush()
    record("race.created", race, changes=_race_data(data), summary=f"Race created: {race.title}", actor=actor)
    return race


def update_race(race: Race, data: dict[str, Any], *, actor: Actor) -> dict[str, list[Any]]:
    changes = diff(race, _race_data(data))
    if changes:
        record("race.updated", race, changes=changes, summary=f"Race edited: {race.title}", actor=actor)
    return changes


def leader_choices() -> list[User]:
    """Who can sit on a panel: active leadership accounts."""
    return list(db.session.scalars(select(User).where(User.role == Role.leader, User.active).order_by(User.name)))


@cache
def _panel_names() -> Select[Any]:
    """Built once per process (bound: `race_id`)."""
    return (
        select(User.name, User.title)
        .join(race_panel, race_panel.c.user_id == User.id)
        .where(race_panel.c.race_id == bindparam("race_id", type_=Integer))
        .order_by(User.name, User.id)
    )


def panel_names(race_id: int) -> list[Row[Any]]:
    """The race's default panel as rows of what pages show of it (name, title), in `Race.panel`'s order.

    For the pages that only name the panel (the race page, the candidate's page): loading `race.panel`
    builds every member's User object in a lazy load, which cost the candidate's page more than its
    other reads together."""
    return list(read_rows(_panel_names(), {"race_id": race_id}))


def set_default_panel(race: Race, users: Sequence[User], *, actor: Actor) -> None:
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


# --- closing -----------------------------------------------------------------------------------


def close_race(race: Race, *, actor: Actor) -> None:
    if race.closed:
        return
    old = stage_of(race)
    race.closed_at = utcnow()
    record(
        "race.closed", race, changes={"stage": [old, Stage.closed]}, summary=f"Race closed: {race.title}", actor=actor
    )


def reopen_race(race: Race, *, actor: Actor) -> None:
    if not race.closed:
        return
    race.closed_at = None
    db.session.flush()
    record(
        "race.reopened",
        race,
        changes={"stage": [Stage.closed, stage_of(race)]},
        summary=f"Race reopened: {race.title}",
        actor=actor,
    )
