"""The demo's decisions: the presidential race committee -> board ending in no endorsement with its reason,
the governor's recommendation awaiting the board, a dual endorsement ratified by delegates with a
contribution; the record verifies, and the record book shows each path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from interviews.decisions.paths import path_state
from interviews.decisions.words import decision_words
from interviews.demo import load_demo
from interviews.extensions import db
from interviews.races.models import Race
from interviews.votes.verify import verify_chain

# Worked out from the demo's ballots: the board's 18,200 of 29,300 weighted votes is 62.1%; the delegates'
# 29 of 38 is 76.3%.
EXPECTED = {
    "2028 Presidential endorsement": (
        "No endorsement, after the Political Committee recommended Eleanor Whitcombe 4-1 and the Executive Board "
        "did not ratify it: 62.1%, short of the two-thirds required."
    ),
    "2027 Governor": "The Political Committee recommended Diane Kessler 4-1; awaiting Board ratification.",
    "2027 Riverside City Council, Ward 3": (
        "Endorsed Rosa Delgado-Park and Marcus Bell (a dual endorsement), on condition that both oppose the "
        "privatisation of city transit, with a recommended contribution of $5,000 from the COPE fund, after the "
        "Endorsement Committee recommended it 4-1 and the Convention delegates ratified it by 76.3%, more than "
        "the two-thirds required."
    ),
}


def test_the_demo_decisions(client: Any, auth: Any) -> None:
    assert load_demo()
    races = {r.title: r for r in db.session.scalars(select(Race))}
    assert {title: decision_words(path_state(races[title])) for title in EXPECTED} == EXPECTED
    president = path_state(races["2028 Presidential endorsement"])
    assert president.decided and president.decided_by is not None and president.decided_by.publication is not None
    assert president.decided_by.weighted  # the board votes weighted per capita
    council = path_state(races["2027 Riverside City Council, Ward 3"])
    assert council.decided_by is not None and council.decided_by.publication is not None
    assert sum(1 for e in council.decided_by.roll if e.user_id is None) == 40  # delegates without accounts
    checked = verify_chain()
    assert (checked.votes, checked.publications, checked.problems) == (5, 2, [])

    auth.login("leader")
    book = client.get(f"/races/{races['2027 Governor'].id}/record").get_data(as_text=True)
    assert "The decision, stage by stage" in book and "Not voted yet" in book
