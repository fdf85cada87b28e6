"""Decision paths end to end, one table row per procedure: each stage's ballots in, the words of the record out.

The expected sentences and figures are worked out by hand from the ballots in each row (7 of 12 is
58.3%, short of two-thirds; 5 of 7 is 71.4%, more than two-thirds; 700,000 of 1,000,000 is 70%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from interviews.decisions import bodies, paths
from interviews.decisions.errors import DecisionError
from interviews.decisions.models import Body, DecisionStage
from interviews.decisions.words import decision_words
from interviews.extensions import db
from interviews.races.models import Race
from interviews.votes import ballots, services
from interviews.votes.models import OptionKind, Vote
from tests.conftest import changed_tables, stored_rows
from tests.decisions.conftest import ROSA, SAM

HELD = date(2027, 3, 4)
DUAL_ON_TERMS = "Rosa Delgado-Park and Sam Lee (dual endorsement), on conditions, with a contribution of $5,000"


def seat(body: Body, count: int, *, weights: list[int] | None = None, actor: Any) -> None:
    """Members without accounts, "Seat 01" ... in roll order (the roll is sorted by name)."""
    for i in range(count):
        bodies.add_member(
            body, name=f"Seat {i + 1:02d}", weight=(weights or [1] * count)[i], joined_on=date(2026, 1, 1), actor=actor
        )


def option_for(vote: Vote, choice: str) -> int | None:
    if choice == "abstain":
        return None
    kinds = {"yes": (OptionKind.ratify, OptionKind.rescind), "no": (OptionKind.reject, OptionKind.keep)}
    for option in vote.options:
        if option.kind in kinds.get(choice, ()) or option.label == choice:
            return option.id
    raise AssertionError(f"no option {choice!r} on {[o.label for o in vote.options]}")


def run_stage(race: Race, stage: DecisionStage, choices: list[str], *, actor: Any, **prepare: Any) -> Vote:
    """Prepare, open, record each seat's paper ballot in roll order, close and finalise the stage's vote."""
    vote = paths.prepare_stage_vote(race, stage, held_on=HELD, motion=f"Motion at {stage.name}", actor=actor, **prepare)
    db.session.commit()
    services.open_vote(vote, actor=actor)
    db.session.commit()
    entries = sorted(vote.roll, key=lambda e: e.name)
    assert len(entries) == len(choices), [e.name for e in entries]
    for entry, choice in zip(entries, choices, strict=True):
        ballots.record_seat_ballot(vote, entry.id, option_for(vote, choice), actor=actor)
    services.close_vote(vote, actor=actor)
    services.finalise_vote(vote, actor=actor)
    db.session.commit()
    return vote


@dataclass
class Row:
    preset: str
    sizes: list[int]  # members of each stage's body, in path order
    rounds: list[tuple[int, list[str]]]  # (stage position, ballots), in the order they are held
    decision: str
    verdicts: list[str]
    figures: list[str]  # the deciding option's line of each stage's explanation, worked out by hand
    weights: dict[int, list[int]] = field(default_factory=dict)
    motions: list[paths.MotionSpec] = field(default_factory=list)


def assert_the_race_page_reads_the_same(race: Race) -> None:
    """The race page's view of the path, read as rows (`path_view`), stands where the services' does."""

    def ids(state: Any) -> dict[str, Any]:
        one = ("current", "recommendation", "decided_by", "rescinded_by", "pending")
        return {
            "stages": [s.id for s in state.stages],
            "finals": [v.id for v in state.finals],
            **{name: getattr(getattr(state, name), "id", None) for name in one},
            "can_rescind": state.can_rescind,
        }

    state, view = paths.path_state(race), paths.path_view(race)
    assert ids(view) == ids(state)
    assert [s.body_name for s in view.stages] == [s.body.name for s in state.stages]
    assert decision_words(view) == decision_words(state)


def ballots_of(**counts: int) -> list[str]:
    out: list[str] = []
    for choice, n in counts.items():
        out += [{"rosa": ROSA, "sam": SAM, "none": "No endorsement"}.get(choice, choice)] * n
    return out


ROWS = [
    Row(
        "committee_board",
        [11, 12],
        [(1, ballots_of(rosa=9, sam=2)), (2, ballots_of(yes=7, no=5))],
        "No endorsement, after the Political Committee recommended Rosa Delgado-Park 9-2 and the Executive Board "
        "did not ratify it: 58.3%, short of the two-thirds required.",
        ["carried", "failed"],
        [
            "9 of 11 votes cast, 81.8%; more than 1/2 needed (more than 5 1/2); reached.",
            "7 of 12 votes cast, 58.3%; at least 2/3 needed (8); not reached.",
        ],
    ),
    Row(
        "clc_cope",
        [5, 7],
        [(1, ballots_of(rosa=4, abstain=1)), (2, ballots_of(yes=5, no=2))],
        "Endorsed Rosa Delgado-Park, after the COPE Committee recommended it 4-0 with 1 abstaining and the "
        "Council delegates ratified it by 71.4%, more than the two-thirds required.",
        ["carried", "carried"],
        [
            "4 of 4 votes cast, 100.0%; more than 1/2 needed (more than 2); reached.",
            "5 of 7 votes cast, 71.4%; at least 2/3 needed (4 2/3); reached.",
        ],
    ),
    Row(
        "nea",
        [10, 10, 12],
        [
            (1, ballots_of(rosa=6, sam=4)),
            (2, ballots_of(yes=5, no=5)),  # 50%: back to the PAC Council
            (1, ballots_of(rosa=7, sam=3)),
            (2, ballots_of(yes=6, no=4)),
            (3, ballots_of(yes=7, no=5)),  # 58.3%: at least 58%
        ],
        "Endorsed Rosa Delgado-Park, after the PAC Council recommended it 7-3, the Board of Directors ratified it "
        "by 60.0%, more than the 58% required and the Representative Assembly ratified it by 58.3%, more than the "
        "58% required.",
        ["carried", "failed", "carried", "carried", "carried"],
        [
            "6 of 10 votes cast, 60.0%; at least 58% needed (5 4/5); reached.",
            "5 of 10 votes cast, 50.0%; at least 58% needed (5 4/5); not reached.",
            "7 of 10 votes cast, 70.0%; at least 58% needed (5 4/5); reached.",
            "6 of 10 votes cast, 60.0%; at least 58% needed (5 4/5); reached.",
            "7 of 12 votes cast, 58.3%; at least 58% needed (6 24/25); reached.",
        ],
    ),
    Row(
        "afl_cio",
        [3],
        [(1, [ROSA, SAM, ROSA])],
        "Endorsed Rosa Delgado-Park, after the General Board endorsed it 700,000-300,000.",
        ["carried"],
        ["700,000 of 1,000,000 weighted votes cast, 70.0%; at least 2/3 needed (666,666 2/3); reached."],
        weights={1: [600_000, 300_000, 100_000]},
    ),
    Row(
        "teamsters",
        [5],
        [(1, ballots_of(rosa=2, sam=2, none=1))],
        "No endorsement, after the General Executive Board reached no decision (threshold not reached).",
        ["failed"],
        ["2 of 5 votes cast, 40.0%; more than 1/2 needed (more than 2 1/2); not reached."],
    ),
    Row(
        "delegates_dual",
        [9, 10],
        [
            (
                1,
                ballots_of(
                    **{DUAL_ON_TERMS: 6},
                    rosa=2,
                    none=1,
                ),
            ),
            (2, ballots_of(yes=8, no=2)),
        ],
        "Endorsed Rosa Delgado-Park and Sam Lee (a dual endorsement), on condition that they oppose the "
        "privatisation of transit, with a recommended contribution of $5,000 from the COPE fund, after the "
        "Endorsement Committee recommended it 6-3 and the Convention delegates ratified it by 80.0%, more than "
        "the two-thirds required.",
        ["carried", "carried"],
        [
            "6 of 9 votes cast, 66.7%; more than 1/2 needed (more than 4 1/2); reached.",
            "8 of 10 votes cast, 80.0%; at least 2/3 needed (6 2/3); reached.",
        ],
        motions=[
            paths.MotionSpec(
                [0, 1],
                conditions="they oppose the privatisation of transit",
                contribution_cents=500_000,
                fund="COPE fund",
            )
        ],
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.preset for r in ROWS])
def test_each_preset_end_to_end(race: Race, staffer: Any, row: Row) -> None:
    stages = paths.apply_preset(race, row.preset, actor=staffer)
    db.session.commit()
    for stage, size in zip(stages, row.sizes, strict=True):
        seat(stage.body, size, weights=row.weights.get(stage.position), actor=staffer)
    db.session.commit()
    candidate_ids = [c.id for c in race.candidates]  # Rosa, Sam (by name)
    motions = [
        paths.MotionSpec([candidate_ids[i] for i in m.candidate_ids], m.conditions, [], m.contribution_cents, m.fund)
        for m in row.motions
    ]
    held = []
    for position, choices in row.rounds:
        stage = stages[position - 1]
        assert paths.path_state(race).current == stage
        held.append(run_stage(race, stage, choices, actor=staffer, motions=motions if position == 1 else None))
    assert [v.verdict for v in held] == row.verdicts
    for vote, figures in zip(held, row.figures, strict=True):
        explanation = (vote.record or {})["result"]["explanation"]
        assert figures in explanation, (vote.stage_name, explanation)
        # What its page shows is read from that record, and reads as the count.
        assert services.shown_result(vote).shown_lines == services.result_of(vote).shown_lines
    state = paths.path_state(race)
    assert state.decided and state.current is None
    assert decision_words(state) == row.decision
    assert decision_words(paths.path_view(race)) == row.decision
    assert_the_race_page_reads_the_same(race)


def test_a_failed_ratification_sends_the_race_back_and_says_so(race: Race, staffer: Any) -> None:
    stages = paths.apply_preset(race, "nea", actor=staffer)
    for stage in stages:
        seat(stage.body, 10, actor=staffer)
    db.session.commit()
    run_stage(race, stages[0], ballots_of(rosa=6, sam=4), actor=staffer)
    board = run_stage(race, stages[1], ballots_of(yes=5, no=5), actor=staffer)
    state = paths.path_state(race)
    assert state.current == stages[0] and state.recommendation is None and not state.decided
    assert board.result_text == "The Board of Directors did not ratify it: 50.0%, short of the 58% required"
    assert decision_words(state) == (
        "The Board of Directors did not ratify it: 50.0%, short of the 58% required; "
        "awaiting PAC Council recommendation."
    )
    assert_the_race_page_reads_the_same(race)


def test_the_race_page_words_a_recommendation_awaiting_the_next_stage(race: Race, staffer: Any) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    seat(stages[0].body, 3, actor=staffer)
    db.session.commit()
    committee = run_stage(race, stages[0], ballots_of(sam=2, rosa=1), actor=staffer)
    assert committee.result_text == "The Political Committee recommended Sam Lee 2-1"
    assert decision_words(paths.path_state(race)) == (
        "The Political Committee recommended Sam Lee 2-1; awaiting Board ratification."
    )
    assert decision_words(paths.path_view(race)) == (
        "The Political Committee recommended Sam Lee 2-1; awaiting Board ratification."
    )
    assert_the_race_page_reads_the_same(race)
    # The board's vote prepared, not yet held: both read it as the stage's pending vote.
    seat(stages[1].body, 3, actor=staffer)
    board = paths.prepare_stage_vote(race, stages[1], held_on=HELD, motion="Ratify", actor=staffer)
    db.session.commit()
    assert paths.path_view(race).pending is not None
    assert paths.path_view(race).pending.id == board.id  # type: ignore[union-attr]
    assert_the_race_page_reads_the_same(race)


# --- bad input: a clear message, nothing stored changed ------------------------------------------


def refused(action: Any, message: str) -> None:
    before = stored_rows()
    with pytest.raises(DecisionError) as error:
        action()
    db.session.rollback()
    assert message in str(error.value)
    assert changed_tables(before) == []


def test_a_stage_prepared_out_of_order_is_refused(race: Race, staffer: Any) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    for stage in stages:
        seat(stage.body, 3, actor=staffer)
    db.session.commit()
    refused(
        lambda: paths.prepare_stage_vote(race, stages[1], held_on=HELD, motion="Ratify", actor=staffer),
        "Board ratification comes later: the race stands at Committee recommendation, which votes first.",
    )


def test_a_body_with_no_members_cannot_vote(race: Race, staffer: Any) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    db.session.commit()
    refused(
        lambda: paths.prepare_stage_vote(race, stages[0], held_on=HELD, motion="Recommend", actor=staffer),
        "Political Committee has no members: add them before preparing its vote.",
    )


def test_a_dual_endorsement_under_a_rule_that_forbids_it_is_refused(race: Race, staffer: Any) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    seat(stages[0].body, 3, actor=staffer)
    db.session.commit()
    both = paths.MotionSpec([c.id for c in race.candidates])
    refused(
        lambda: paths.prepare_stage_vote(
            race, stages[0], held_on=HELD, motion="Recommend", actor=staffer, motions=[both]
        ),
        "Committee recommendation's rule does not allow a dual endorsement",
    )


def test_a_rescinded_recommendation_cannot_be_ratified(race: Race, staffer: Any) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    for stage in stages:
        seat(stage.body, 3, actor=staffer)
    db.session.commit()
    run_stage(race, stages[0], ballots_of(rosa=3), actor=staffer)
    rescission = paths.start_rescission(race, body=stages[0].body, held_on=HELD, motion="Rescind", actor=staffer)
    db.session.commit()
    services.open_vote(rescission, actor=staffer)
    for entry in rescission.roll:
        ballots.record_seat_ballot(rescission, entry.id, option_for(rescission, "yes"), actor=staffer)
    services.close_vote(rescission, actor=staffer)
    services.finalise_vote(rescission, actor=staffer)
    db.session.commit()
    assert rescission.verdict == "carried"
    refused(
        lambda: paths.prepare_stage_vote(race, stages[1], held_on=HELD, motion="Ratify", actor=staffer),
        "The recommendation Board ratification would ratify was rescinded",
    )
    assert paths.path_state(race).current == stages[0]  # the committee chooses again
    assert_the_race_page_reads_the_same(race)


def test_weights_that_are_zero_or_negative_are_refused(race: Race, staffer: Any) -> None:
    body = bodies.create_body("Executive Board", actor=staffer)
    db.session.commit()
    for weight in (0, -3):
        refused(
            lambda weight=weight: bodies.add_member(body, name="Pat", weight=weight, joined_on=HELD, actor=staffer),
            "A weight must be 1 or more",
        )
