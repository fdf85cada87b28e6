"""Where each race stands, read from its records in one query (the race page, lists, the dashboard).

planning -> inviting (an invitation was sent) -> interviewing (an interview exists) ->
deliberating (a vote exists, not final) -> decided (a vote is final). Closed is staff's decision,
stored as `Race.closed_at`; every other stage follows from what happened, so it never contradicts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, ScalarSelect, Select, bindparam, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute

from interviews.database import read_rows, request_memo
from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter
from interviews.races.models import Candidate, Race, Stage
from interviews.scheduling.models import Interview
from interviews.votes.models import Vote


@cache
def stage_columns() -> tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    """Race.id and what decides its stage (`stage_from` reads them), for a query of races to select.
    Built once per process (they name no value): building them cost as much as running their query."""
    # Nested, so each race probes its letter and then the invitations' (letter_id, ...) index; as one
    # EXISTS over both tables PostgreSQL scanned every invitation once per race.
    invited = exists().where(
        InvitationLetter.race_id == Race.id, exists().where(Invitation.letter_id == InvitationLetter.id)
    )
    return (
        Race.id,
        Race.closed_at.is_not(None).label("closed"),
        exists().where(Vote.race_id == Race.id, Vote.decided_clause()).label("decided"),
        exists().where(Vote.race_id == Race.id).label("voting"),
        exists().where(Interview.race_id == Race.id).label("interviewed"),
        invited.label("invited"),
    )


def stage_from(row: Any) -> Stage:
    """The stage of a row that selected `stage_columns()`."""
    if row.closed:
        return Stage.closed
    if row.decided:
        return Stage.decided
    if row.voting:
        return Stage.deliberating
    if row.interviewed:
        return Stage.interviewing
    if row.invited:
        return Stage.inviting
    return Stage.planning


def stages_of(races: Iterable[Race]) -> dict[int, Stage]:
    """{race id: stage} for any number of races, in one query."""
    ids = [r.id for r in races]
    if not ids:
        return {}
    return {row.id: stage_from(row) for row in db.session.execute(select(*stage_columns()).where(Race.id.in_(ids)))}


def stage_of(race: Race) -> Stage:
    return stages_of([race])[race.id]


@cache
def running_count() -> ScalarSelect[int]:
    """The race's candidates not withdrawn, counted beside each race a query selects."""
    return select(func.count()).where(Candidate.race_id == Race.id, Candidate.withdrawn_at.is_(None)).scalar_subquery()


@dataclass(frozen=True)
class RaceFacts:
    """What several parts of one page ask about a race, read in one query."""

    stage: Stage
    decided: bool  # a final vote decided it: its notes and positions are locked
    running: int  # candidates not withdrawn
    has_path: bool  # it decides in stages (the decisions feature; read by table, which builds on this one)
    has_polls: bool  # member polls were recorded (the notes feature's; the race page reads none otherwise)
    has_votes: bool  # a vote was prepared, in any state (the race page reads none otherwise)
    figures: Any  # the row they were read from, with the features' `race_figures` by their labels


# --- what features read of a race with its facts --------------------------------------------------
#
# A feature whose part of the race page names a figure of the race (the notes': the question list's
# version and how many questions it has) registers its columns here, correlated with `Race.id` and
# labelled with the feature's name first. They are read in the statement of the race's facts (on the
# race page, the race's own), where the part read them in a statement of its own.

_figure_builders: list[Callable[[], tuple[ColumnElement[Any], ...]]] = []


def race_figures(build: Callable[[], tuple[ColumnElement[Any], ...]]) -> Callable[[], tuple[ColumnElement[Any], ...]]:
    """Register a feature's labelled columns, built when the facts' statement is first built: at import."""
    if fact_columns.cache_info().currsize:  # built already: these columns would be missing from it
        raise RuntimeError(f"{build.__qualname__} registered after the race's facts were first read")
    _figure_builders.append(build)
    return build


def figures_of(race: Race) -> Any:
    """The features' `race_figures` of the race, by their labels, read with its facts."""
    return facts_of(race).figures


@cache
def fact_columns() -> tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    """What `RaceFacts` is read from, beside each race a query selects (`remember_facts` takes its row)."""
    stages, polls = db.metadata.tables["decision_stages"], db.metadata.tables["member_polls"]
    running = running_count().label("running")
    has_path = exists().where(stages.c.race_id == Race.id).label("has_path")
    has_polls = exists().where(polls.c.race_id == Race.id).label("has_polls")
    figures = (column for build in _figure_builders for column in build())
    return (*stage_columns()[1:], running, has_path, has_polls, *figures)


@cache
def _facts() -> Select[Any]:
    """The query of one race's facts (bound as `race_id`), built once per process."""
    return select(Race.id, *fact_columns()).where(Race.id == bindparam("race_id", type_=Integer))


def remember_facts(race_id: int, row: Any) -> RaceFacts:
    """The facts of a row that selected `fact_columns()`, kept for the request as `facts_of` keeps them:
    a page that reads its race with them (the race page) saves the query `facts_of` would run."""
    facts = RaceFacts(
        stage_from(row),
        bool(row.decided),
        int(row.running),
        bool(row.has_path),
        bool(row.has_polls),
        bool(row.voting),
        row,
    )
    request_memo()[("race-facts", race_id)] = facts
    return facts


def known_facts(race_id: int) -> RaceFacts | None:
    """The race's facts if this request has read them already (the race page reads them with the race),
    else None: for a part that can skip a read when they say there is nothing, and never reads them itself."""
    facts: RaceFacts | None = request_memo().get(("race-facts", race_id))
    return facts


def facts_of(race: Race) -> RaceFacts:
    """The race's facts, read once per request for the parts of a page that each need one of them.

    Kept until the session next writes (see `database.request_memo`); a service deciding whether to
    allow a change asks its own question instead (e.g. notes.services.is_locked).
    """
    facts = known_facts(race.id)
    if facts is None:
        facts = remember_facts(race.id, read_rows(_facts(), {"race_id": race.id}).one())
    return facts
