"""Two secretaries at once on one stage, each in its own app context (its own session and connection), as
two requests in production: one wins, the other is told. Runs on SQLite (BEGIN IMMEDIATE) and PostgreSQL
(row locks) alike; CI runs both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from interviews.auth.models import User
from interviews.decisions import paths
from interviews.decisions.errors import DecisionError
from interviews.decisions.models import DecisionStage
from interviews.extensions import db
from interviews.votes import ballots, services
from interviews.votes.models import Vote
from interviews.votes.verify import verify_chain
from tests.decisions.conftest import ROSA
from tests.decisions.test_paths import option_for, seat
from tests.votes.test_concurrency import race_threads


@pytest.fixture
def server_app(app_factory: Any) -> Any:
    """An app like a production worker (on SQLite: every transaction BEGIN IMMEDIATE)."""
    return app_factory()


def at_once(app: Any, jobs: list[Callable[[], str]]) -> list[str]:
    return race_threads(app, jobs, refusals=(DecisionError,))


@pytest.fixture
def committee_vote(race: Any, staffer: Any) -> Vote:
    """The committee's stage vote, opened, with every ballot in."""
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    seat(stages[0].body, 3, actor=staffer)
    db.session.commit()
    vote = paths.prepare_stage_vote(race, stages[0], held_on=date(2027, 3, 4), motion="Recommend", actor=staffer)
    db.session.commit()
    services.open_vote(vote, actor=staffer)
    for entry in vote.roll:
        ballots.record_seat_ballot(vote, entry.id, option_for(vote, ROSA), actor=staffer)
    db.session.commit()
    return vote


def step(vote_id: int, user_id: int, action: Callable[..., object]) -> Callable[[], str]:
    def job() -> str:
        action(db.session.get(Vote, vote_id), actor=db.session.get(User, user_id))
        return "ok"

    return job


def test_two_secretaries_closing_a_stage_at_once(
    server_app: Any, committee_vote: Vote, staffer: Any, make_user: Any
) -> None:
    other = make_user("staff")
    outcomes = at_once(
        server_app,
        [
            step(committee_vote.id, staffer.id, services.close_vote),
            step(committee_vote.id, other.id, services.close_vote),
        ],
    )
    assert sorted(outcomes) == ["ok", "refused: Only an open vote can be closed."], outcomes


def test_two_secretaries_finalising_a_stage_at_once(
    server_app: Any, committee_vote: Vote, staffer: Any, make_user: Any
) -> None:
    other = make_user("staff")
    services.close_vote(committee_vote, actor=staffer)
    outcomes = at_once(
        server_app,
        [
            step(committee_vote.id, staffer.id, services.finalise_vote),
            step(committee_vote.id, other.id, services.finalise_vote),
        ],
    )
    assert sorted(outcomes) == ["ok", "refused: Only a closed vote can be finalised."], outcomes
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.chain_position.is_not(None))) == 1
    assert db.session.get(Vote, committee_vote.id).verdict == "carried"
    assert verify_chain().problems == []


def test_two_secretaries_preparing_the_next_stage_at_once(
    server_app: Any, committee_vote: Vote, staffer: Any, make_user: Any
) -> None:
    other = make_user("staff")
    services.close_vote(committee_vote, actor=staffer)
    services.finalise_vote(committee_vote, actor=staffer)
    board = db.session.scalars(select(DecisionStage).where(DecisionStage.position == 2)).one()
    seat(board.body, 2, actor=staffer)
    board_id = board.id  # read here: the threads must not touch this session's objects
    db.session.commit()

    def prepare(user_id: int) -> Callable[[], str]:
        def job() -> str:
            stage = db.session.get(DecisionStage, board_id)
            paths.prepare_stage_vote(
                stage.race, stage, held_on=date(2027, 4, 1), motion="Ratify", actor=db.session.get(User, user_id)
            )
            return "ok"

        return job

    outcomes = at_once(server_app, [prepare(staffer.id), prepare(other.id)])
    assert sorted(outcomes) == [
        "ok",
        "refused: Board ratification's vote is draft already: finish it before preparing another.",
    ], outcomes
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.stage_id == board.id)) == 1
