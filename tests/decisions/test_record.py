"""Every stage in the record: the record book's JSON (`stages`), its page, and `flask votes verify`
catching an edit in any stage's rows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from interviews.decisions import paths
from interviews.extensions import db
from interviews.votes.models import Vote
from tests.decisions.conftest import ROSA, SAM
from tests.decisions.test_paths import run_stage, seat
from tests.notes.pdftext import pdf_text
from tests.votes.conftest import tamper


@pytest.fixture
def decided(race: Any, staffer: Any) -> tuple[Any, list[Vote]]:
    stages = paths.apply_preset(race, "committee_board", actor=staffer)
    seat(stages[0].body, 3, actor=staffer)
    seat(stages[1].body, 3, actor=staffer)
    db.session.commit()
    committee = run_stage(race, stages[0], [ROSA, ROSA, SAM], actor=staffer)
    board = run_stage(race, stages[1], ["yes", "yes", "yes"], actor=staffer)
    return race, [committee, board]


def test_the_record_book_json_has_one_entry_per_stage(client: Any, auth: Any, staffer: Any, decided: Any) -> None:
    race, (committee, board) = decided
    auth.login(staffer)
    book = json.loads(client.get(f"/races/{race.id}/record.json").get_data(as_text=True))
    assert [(s["position"], s["name"], s["body"], s["mode"]) for s in book["stages"]] == [
        (1, "Committee recommendation", "Political Committee", "choose"),
        (2, "Board ratification", "Executive Board", "ratify"),
    ]
    first, second = book["stages"]
    assert first["rule"]["threshold"] == "1/2" and first["rule"]["inclusive"] is False
    assert second["rule"]["threshold"] == "2/3" and second["rule"]["inclusive"] is True
    assert first["result"] == "The Political Committee recommended Rosa Delgado-Park 2-1"
    assert second["result"] == "The Executive Board ratified it by 100.0%, more than the two-thirds required"
    assert (first["digest"], second["digest"]) == (committee.digest, board.digest)
    assert second["votes"][0]["follows"] == {"vote": committee.id, "digest": committee.digest}
    assert book["decision"]["in_words"] == (
        "Endorsed Rosa Delgado-Park, after the Political Committee recommended it 2-1 and the Executive Board "
        "ratified it by 100.0%, more than the two-thirds required."
    )
    page = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert "The decision, stage by stage" in page and board.digest in page
    pdf = pdf_text(client.get(f"/races/{race.id}/record.pdf").data)
    assert "Stage 2: Board ratification (Executive Board)." in pdf
    assert f"Record {board.chain_position} of the chain, digest {board.digest}" in pdf.replace("\n", " ")


def test_verify_passes_an_untouched_path(runner: Any, decided: Any) -> None:
    db.session.commit()
    result = runner.invoke(args=["votes", "verify"])
    assert result.exit_code == 0, result.output
    assert "2 final votes verified" in result.output


EDITS = {
    "the stage's name": "UPDATE votes SET stage_name = 'Another stage' WHERE id = :vote",
    "the body's name": "UPDATE votes SET body_name = 'Another body' WHERE id = :vote",
    "the verdict": "UPDATE votes SET verdict = 'failed' WHERE id = :vote",
    "what it ratifies": "UPDATE votes SET follows_digest = NULL WHERE id = :vote",
    "a seat on the roll": "UPDATE vote_roll SET body_member_id = NULL WHERE vote_id = :vote",
    "an option's terms": "UPDATE vote_options SET terms = NULL WHERE vote_id = :vote",
    "a ballot's weight": "UPDATE ballots SET weight = 7 WHERE vote_id = :vote",
}
# The committee's vote ratifies nothing, and yes / no on a recommendation carry no terms.
CASES = [
    (stage, edit)
    for stage in (0, 1)
    for edit in EDITS
    if (stage, edit) not in {(0, "what it ratifies"), (1, "an option's terms")}
]


@pytest.mark.parametrize(("stage", "edit"), CASES, ids=[f"{('committee', 'board')[s]}-{e}" for s, e in CASES])
def test_verify_catches_an_edit_in_any_stage(runner: Any, decided: Any, stage: int, edit: str) -> None:
    _race, votes = decided
    vote = votes[stage]
    db.session.commit()
    tamper(EDITS[edit], vote=vote.id)
    result = runner.invoke(args=["votes", "verify"])
    assert result.exit_code == 1
    assert f"vote {vote.id}" in result.output and "no longer match the stored final record" in result.output
