"""The decision path's pages as staff and leaders use them: set a path, prepare the stage where the race
stands, see where it stands; bad input is shown in the page and stores nothing."""

from __future__ import annotations

from typing import Any

from interviews.decisions import bodies, paths
from interviews.decisions.models import DecisionStage
from interviews.extensions import db
from interviews.votes.models import OptionKind, Vote
from tests.conftest import changed_tables, stored_rows
from tests.decisions.conftest import ROSA, SAM
from tests.decisions.test_paths import run_stage, seat


def test_staff_set_a_preset_and_prepare_the_first_stage(client: Any, auth: Any, race: Any, staffer: Any) -> None:
    auth.login(staffer)
    response = client.post(f"/races/{race.id}/path/preset", data={"procedure": "clc_cope"})
    assert response.status_code == 302
    stages = db.session.query(DecisionStage).filter_by(race_id=race.id).order_by(DecisionStage.position).all()
    assert [(s.name, s.body.name, s.mode.value) for s in stages] == [
        ("COPE recommendation", "COPE Committee", "choose"),
        ("Delegates' vote", "Council delegates", "ratify"),
    ]
    page = client.get(f"/races/{race.id}/path").get_data(as_text=True)
    assert "no members yet" in page and "Prepare the vote of COPE recommendation" in page
    seat(stages[0].body, 3, actor=staffer)
    db.session.commit()
    response = client.post(
        f"/stages/{stages[0].id}/prepare",
        data={
            "held_on": "2027-03-04",
            "motion": "That the Committee recommend an endorsement",
            "motions-0-candidates": [str(race.candidates[0].id)],
            "motions-0-conditions": "she co-sponsors the transit bill",
            "motions-0-contribution": "2,500",
            "motions-0-fund": "COPE fund",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    vote = db.session.query(Vote).filter_by(race_id=race.id).one()
    assert [(o.label, o.kind) for o in vote.options] == [
        (ROSA, OptionKind.candidate),
        (SAM, OptionKind.candidate),
        (f"{ROSA}, on conditions, with a contribution of $2,500", OptionKind.candidate),
        ("Open race: members free to choose", OptionKind.open),
        ("No endorsement", OptionKind.no_endorsement),
    ]
    assert vote.options[2].terms_data == {
        "candidates": [{"id": race.candidates[0].id, "name": ROSA}],
        "conditions": "she co-sponsors the transit bill",
        "commitments": [],
        "contribution": {"cents": 250_000, "fund": "COPE fund"},
    }
    shown = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "On condition that she co-sponsors the transit bill" in shown and "$2,500 from the COPE fund" in shown


def test_bad_prepare_input_is_shown_and_stores_nothing(client: Any, auth: Any, race: Any, staffer: Any) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    seat(stages[0].body, 3, actor=staffer)
    db.session.commit()
    auth.login(staffer)
    cases = [
        (
            {"motions-0-contribution": "five grand", "motions-0-candidates": [str(race.candidates[0].id)]},
            "Write the amount in dollars",
        ),
        ({"motions-0-candidates": [str(c.id) for c in race.candidates]}, "does not allow a dual endorsement"),
        (
            {"motions-0-candidates": [str(race.candidates[0].id)], "motions-0-contribution": "500"},
            "Say from which fund",
        ),
        ({"held_on": "not a date"}, "Give the date of the vote."),
    ]
    for extra, message in cases:
        before = stored_rows()
        data = {"held_on": "2027-03-04", "motion": "Recommend"} | extra
        response = client.post(f"/stages/{stages[0].id}/prepare", data=data)
        assert response.status_code == 400, extra
        assert message in response.get_data(as_text=True), extra
        assert changed_tables(before) == [], extra
    # Out of order: the board's stage before the committee's.
    response = client.post(f"/stages/{stages[1].id}/prepare", data={"held_on": "2027-03-04", "motion": "Ratify"})
    assert response.status_code == 400
    assert "Board ratification comes later" in response.get_data(as_text=True)


def test_a_stage_that_has_voted_cannot_be_edited_or_removed(client: Any, auth: Any, race: Any, staffer: Any) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    seat(stages[0].body, 3, actor=staffer)
    db.session.commit()
    run_stage(race, stages[0], [ROSA, ROSA, SAM], actor=staffer)
    auth.login(staffer)
    before = stored_rows()
    response = client.post(f"/stages/{stages[0].id}/remove", follow_redirects=True)
    assert "has a vote already" in response.get_data(as_text=True)
    response = client.post(
        f"/stages/{stages[0].id}/edit",
        data={
            "name": "Renamed",
            "body": stages[0].body_id,
            "mode": "choose",
            "on_fail": "back",
            "comparison": "at_least",
            "threshold_numerator": 3,
            "threshold_denominator": 4,
            "vote_base": "cast",
            "quorum_kind": "none",
            "quorum_numerator": 0,
            "quorum_denominator": 1,
        },
    )
    assert response.status_code == 400 and "has a vote already" in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_a_leader_sees_where_the_race_stands_but_no_staff_controls(
    client: Any, auth: Any, race: Any, staffer: Any
) -> None:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    seat(stages[0].body, 3, actor=staffer)
    db.session.commit()
    run_stage(race, stages[0], [ROSA, ROSA, SAM], actor=staffer)
    auth.login("leader")
    page = client.get(f"/races/{race.id}/path").get_data(as_text=True)
    assert "The Political Committee recommended Rosa Delgado-Park 2-1; awaiting Board ratification." in page
    assert "Prepare the vote" not in page and "Add a stage" not in page
    race_page = client.get(f"/races/{race.id}").get_data(as_text=True)
    assert "awaiting Board ratification" in race_page


def test_adding_a_stage_with_a_bad_rule_shows_why(client: Any, auth: Any, race: Any, staffer: Any) -> None:
    body = bodies.create_body("Executive Board", actor=staffer)
    db.session.commit()
    auth.login(staffer)
    before = stored_rows()
    data = {
        "name": "Board",
        "body": body.id,
        "mode": "ratify",
        "on_fail": "back",
        "comparison": "at_least",
        "threshold_numerator": 2,
        "threshold_denominator": 3,
        "vote_base": "cast",
        "quorum_kind": "none",
        "quorum_numerator": 0,
        "quorum_denominator": 1,
    }
    response = client.post(f"/races/{race.id}/path/stages", data=data)
    assert response.status_code == 400
    assert "nothing before it to ratify" in response.get_data(as_text=True)
    response = client.post(f"/races/{race.id}/path/stages", data=data | {"mode": "choose", "threshold_numerator": 5})
    assert response.status_code == 400 and "at most 1" in response.get_data(as_text=True)
    assert changed_tables(before) == []
    response = client.post(f"/races/{race.id}/path/stages", data=data | {"mode": "choose"})
    assert response.status_code == 302
    assert [s.name for s in paths.stages_of(race)] == ["Board"]


def test_the_race_page_reads_stages_only_for_a_race_with_a_path(
    client: Any, auth: Any, race: Any, staffer: Any, race_page_reads: Any
) -> None:
    auth.login(staffer)
    before = race_page_reads(race.id, "decision_stages")
    assert "This race has no decision path" in before.page and before.reads == 0
    assert client.post(f"/races/{race.id}/path/preset", data={"procedure": "clc_cope"}).status_code == 302
    after = race_page_reads(race.id, "decision_stages")
    assert "COPE recommendation" in after.page and "This race has no decision path" not in after.page
    assert after.reads == 1
