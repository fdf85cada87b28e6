"""The count, scenario by scenario, through the services (open, ballots, presence, close) and the tally.

Each row: the race's rule, the members' weights, who voted for what, what happened after the vote
opened, and the outcome expected, with a phrase the explanation must contain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from interviews.extensions import db
from interviews.races.models import QuorumKind, VoteBase
from interviews.types import utcnow
from interviews.votes import ballots, services
from tests.votes.conftest import option_id

A, B, C, NE = "Candidate A", "Candidate B", "Candidate C", "No endorsement"
NO_QUORUM = {"quorum_kind": QuorumKind.none}
TWO_THIRDS = {"threshold_numerator": 2, "threshold_denominator": 3, "threshold_inclusive": True, **NO_QUORUM}
AFL_CIO = {**TWO_THIRDS, "weighted": True}
NEA = {"threshold_numerator": 58, "threshold_denominator": 100, "threshold_inclusive": True, **NO_QUORUM}
MAJORITY = {"threshold_numerator": 1, "threshold_denominator": 2, "threshold_inclusive": False, **NO_QUORUM}
HALF_AT_LEAST = {**MAJORITY, "threshold_inclusive": True}


@dataclass
class Scenario:
    name: str
    rule: dict[str, Any]
    weights: list[int]
    ballots: list[tuple[int, str | None]]
    outcome: str
    winner: str | None = None
    says: str = ""
    present: list[int] = field(default_factory=list)
    candidates: int = 2
    after_open: Callable[[Any, list[Any]], None] | None = None


def _withdraw_a(vote, members):  # type: ignore[no-untyped-def]
    candidate = next(c for c in vote.race.candidates if c.name == A)
    candidate.withdrawn_at = utcnow()


def _raise_weight(vote, members):  # type: ignore[no-untyped-def]
    members[0].vote_weight = 10_000
    members[1].is_voting_member = False


def _one_each(n: int, label: str | None, start: int = 0) -> list[tuple[int, str | None]]:
    return [(i, label) for i in range(start, start + n)]


SCENARIOS = [
    Scenario(
        "afl-cio weighted two-thirds met",
        AFL_CIO,
        [200, 100],
        [(0, A), (1, B)],
        "endorsed",
        A,
        "Candidate A: 200 of 300 weighted votes cast, 66.7%; at least 2/3 needed (200); reached.",
    ),
    Scenario(
        "afl-cio weighted two-thirds missed by one vote weight",
        AFL_CIO,
        [199, 100],
        [(0, A), (1, B)],
        "no_endorsement",
        None,
        "Candidate A: 199 of 299 weighted votes cast, 66.6%; at least 2/3 needed (199 1/3); not reached.",
    ),
    Scenario(
        "afl-cio: one heavy member outweighs three light ones",
        AFL_CIO,
        [900, 100, 100, 100],
        [(0, A), (1, B), (2, B), (3, B)],
        "endorsed",
        A,
        "900 of 1,200 weighted votes cast",
    ),
    Scenario(
        "same ballots unweighted: the three carry it",
        TWO_THIRDS,
        [900, 100, 100, 100],
        [(0, A), (1, B), (2, B), (3, B)],
        "endorsed",
        B,
        "Candidate B: 3 of 4 votes cast, 75.0%",
    ),
    Scenario(
        "nea 58% met (7 of 12)",
        NEA,
        [1] * 12,
        _one_each(7, A) + _one_each(5, B, 7),
        "endorsed",
        A,
        "7 of 12 votes cast, 58.3%; at least 58% needed (6 24/25); reached.",
    ),
    Scenario(
        "nea 58% missed (4 of 7)",
        NEA,
        [1] * 7,
        _one_each(4, A) + _one_each(3, B, 4),
        "no_endorsement",
        None,
        "57.1%; at least 58% needed (4 3/50); not reached.",
    ),
    Scenario(
        "board votes no endorsement outright",
        TWO_THIRDS,
        [1] * 4,
        [(0, NE), (1, NE), (2, NE), (3, A)],
        "no_endorsement",
        NE,
        "Result: no endorsement, voted outright.",
    ),
    Scenario(
        "no option reaches the threshold",
        TWO_THIRDS,
        [1] * 5,
        [(0, A), (1, A), (2, A), (3, B), (4, NE)],
        "no_endorsement",
        None,
        "Result: no endorsement (threshold not reached).",
    ),
    Scenario(
        "tie between two options both at half",
        HALF_AT_LEAST,
        [1] * 4,
        [(0, A), (1, A), (2, B), (3, B)],
        "no_endorsement",
        None,
        "tie between options reaching the threshold",
    ),
    Scenario(
        "tie under more than half: nobody reaches it",
        MAJORITY,
        [1] * 4,
        [(0, A), (1, A), (2, B), (3, B)],
        "no_endorsement",
        None,
        "threshold not reached",
    ),
    Scenario(
        "several reach a low threshold: the most votes wins",
        {**NO_QUORUM, "threshold_numerator": 1, "threshold_denominator": 3, "threshold_inclusive": True},
        [1] * 5,
        [(0, A), (1, A), (2, A), (3, B), (4, B)],
        "endorsed",
        A,
        "most votes",
    ),
    Scenario(
        "everyone abstains (base: votes cast)",
        TWO_THIRDS,
        [1] * 3,
        _one_each(3, None),
        "no_endorsement",
        None,
        "no votes cast",
    ),
    Scenario(
        "everyone abstains (base: abstentions counted)",
        {**TWO_THIRDS, "vote_base": VoteBase.cast_with_abstentions},
        [1] * 3,
        _one_each(3, None),
        "no_endorsement",
        None,
        "0 of 3 votes cast including abstentions",
    ),
    Scenario(
        "zero ballots", TWO_THIRDS, [1] * 3, [], "no_endorsement", None, "Result: no endorsement (no votes cast)."
    ),
    Scenario(
        "quorum missed",
        {**TWO_THIRDS, "quorum_kind": QuorumKind.fraction, "quorum_numerator": 1, "quorum_denominator": 2},
        [1] * 5,
        [(0, A), (1, A)],
        "failed_quorum",
        None,
        "Quorum: 2 of 5 entitled members present, 2 1/2 needed; not met.",
    ),
    Scenario(
        "quorum met by those present, not only voters",
        {**TWO_THIRDS, "quorum_kind": QuorumKind.fraction, "quorum_numerator": 1, "quorum_denominator": 2},
        [1] * 5,
        [(0, A), (1, A)],
        "endorsed",
        A,
        "Quorum: 3 of 5 entitled members present",
        present=[4],
    ),
    Scenario(
        "quorum as a count, missed",
        {**TWO_THIRDS, "quorum_kind": QuorumKind.count, "quorum_numerator": 4},
        [1] * 5,
        [(0, A), (1, A), (2, A)],
        "failed_quorum",
        None,
        "4 needed; not met",
    ),
    Scenario(
        "candidate withdrawn after the vote opened stays on the ballot",
        TWO_THIRDS,
        [1] * 3,
        [(0, A), (1, A), (2, B)],
        "endorsed",
        A,
        "Candidate A: 2 of 3",
        after_open=_withdraw_a,
    ),
    Scenario(
        "weight changed after opening has no effect",
        AFL_CIO,
        [100, 100, 100],
        [(0, A), (1, B), (2, B)],
        "endorsed",
        B,
        "Candidate B: 200 of 300 weighted votes cast",
        after_open=_raise_weight,
    ),
    Scenario(
        "base votes cast: abstentions left out",
        TWO_THIRDS,
        [1] * 4,
        [(0, A), (1, A), (2, B), (3, None)],
        "endorsed",
        A,
        "2 of 3 votes cast, 66.7%",
    ),
    Scenario(
        "base votes cast with abstentions",
        {**TWO_THIRDS, "vote_base": VoteBase.cast_with_abstentions},
        [1] * 4,
        [(0, A), (1, A), (2, B), (3, None)],
        "no_endorsement",
        None,
        "2 of 4 votes cast including abstentions",
    ),
    Scenario(
        "base entitled members: the absent count against",
        {**TWO_THIRDS, "vote_base": VoteBase.entitled},
        [1] * 6,
        [(0, A), (1, A), (2, A), (3, B)],
        "no_endorsement",
        None,
        "3 of 6 entitled votes, 50.0%",
    ),
    Scenario(
        "base entitled members, met",
        {**TWO_THIRDS, "vote_base": VoteBase.entitled},
        [1] * 6,
        _one_each(4, A),
        "endorsed",
        A,
        "4 of 6 entitled votes",
    ),
    Scenario(
        "base members present",
        {**TWO_THIRDS, "vote_base": VoteBase.present},
        [1] * 6,
        [(0, A), (1, A), (2, B)],
        "no_endorsement",
        None,
        "2 of 4 votes of members present",
        present=[3],
    ),
    Scenario(
        "boundary: 16 of 24 is exactly two-thirds (at least)",
        {**TWO_THIRDS, "weighted": True},
        [16, 8],
        [(0, A), (1, B)],
        "endorsed",
        A,
        "16 of 24 weighted votes cast, 66.7%; at least 2/3 needed (16); reached.",
    ),
    Scenario(
        "boundary: 16 of 24 is not more than two-thirds",
        {**AFL_CIO, "threshold_inclusive": False},
        [16, 8],
        [(0, A), (1, B)],
        "no_endorsement",
        None,
        "more than 2/3 needed (more than 16); not reached.",
    ),
    Scenario(
        "boundary: exactly half is not a majority",
        {**MAJORITY, "weighted": True},
        [12, 10, 2],
        [(0, A), (1, B), (2, NE)],
        "no_endorsement",
        None,
        "more than 1/2 needed (more than 12)",
    ),
    Scenario(
        "simple majority met",
        MAJORITY,
        [1] * 5,
        [(0, A), (1, A), (2, A), (3, B), (4, C)],
        "endorsed",
        A,
        "3 of 5 votes cast, 60.0%",
        candidates=3,
    ),
    Scenario(
        "secret ballot counts the same",
        {**AFL_CIO, "secret_ballot": True},
        [200, 100],
        [(0, A), (1, B)],
        "endorsed",
        A,
        "200 of 300 weighted votes cast",
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario, make_member, opened_vote, secretary):
    members = [make_member(weight=w) for w in scenario.weights]
    db.session.commit()
    vote = opened_vote(candidates=scenario.candidates, **scenario.rule)
    if scenario.after_open:
        scenario.after_open(vote, members)
        db.session.commit()
    for index, label in scenario.ballots:
        ballots.cast_ballot(vote, members[index], option_id(vote, label), actor=members[index])
    if scenario.present:
        services.set_presence(
            vote, {e.id for e in vote.roll if e.user_id in {members[i].id for i in scenario.present}}, actor=secretary
        )
    services.close_vote(vote, actor=secretary)
    db.session.commit()

    result = services.result_of(vote)
    assert result.outcome.value == scenario.outcome, result.explanation
    assert (result.winner.label if result.winner else None) == scenario.winner, result.explanation
    assert scenario.says in result.explanation
    assert [o.label for o in vote.options][-1] == NE  # always on the ballot, last

    services.finalise_vote(vote, actor=secretary)
    db.session.commit()
    assert vote.outcome == scenario.outcome
    expected_candidate = next((c.id for c in vote.race.candidates if c.name == scenario.winner), None)
    assert vote.result_candidate_id == (expected_candidate if scenario.outcome == "endorsed" else None)


def test_there_are_at_least_twenty_scenarios():
    assert len(SCENARIOS) >= 20
