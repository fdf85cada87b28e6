"""What a page shows of a final vote is its record: the result read back from the hashed record has the same
figures, winner and explanation as the count it was written from, for every kind of vote the suite makes."""

from __future__ import annotations

from typing import Any

import pytest

from interviews.extensions import db
from interviews.races.models import QuorumKind
from interviews.votes import ballots, services, tally
from tests.votes.conftest import option_id


@pytest.mark.parametrize("secret", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_recorded_result_reads_as_the_count(
    make_member: Any, opened_vote: Any, secretary: Any, secret: bool, weighted: bool
) -> None:
    members = [make_member(weight=w) for w in (5, 3, 2, 1)]
    db.session.commit()
    vote = opened_vote(candidates=3, quorum_kind=QuorumKind.none, secret_ballot=secret, weighted=weighted)
    for member, label in zip(members, ("Candidate A", "Candidate A", "No endorsement", None), strict=True):
        ballots.cast_ballot(vote, member, option_id(vote, label), actor=member)
    services.close_vote(vote, actor=secretary)
    services.finalise_vote(vote, actor=secretary)
    db.session.commit()
    counted, recorded = services.result_of(vote), services.shown_result(vote)
    assert recorded.explanation == counted.explanation  # the record's text, as counted
    assert recorded.shown_lines == counted.shown_lines  # a page's lines, written again from the record's figures
    assert recorded.summary == counted.summary and recorded.outcome is counted.outcome
    assert [(r.option.label, r.votes, r.share, r.met) for r in recorded.options] == [
        (r.option.label, r.votes, r.share, r.met) for r in counted.options
    ]
    assert recorded.rule == counted.rule


def test_a_page_lists_only_the_options_that_had_votes() -> None:
    options = [tally.Option(i, f"Candidate {i}") for i in range(40)] + [tally.Option("n", "No endorsement", True)]
    result = tally.count(options, [tally.CastBallot(0)] * 3 + [tally.CastBallot(1)], [], tally.Rule())
    assert result.shown_lines == [
        "Candidate 0: 3 of 4 votes cast, 75.0%; at least 2/3 needed (2 2/3); reached.",
        "Candidate 1: 1 of 4 votes cast, 25.0%; at least 2/3 needed (2 2/3); not reached.",
        "No endorsement: 0 of 4 votes cast, 0.0%; at least 2/3 needed (2 2/3); not reached.",
        "38 other options: no votes.",
        "Result: Candidate 0 is endorsed.",
    ]
