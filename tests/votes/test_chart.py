"""The result's chart draws the options that had votes, and says how many it left out."""

from __future__ import annotations

from interviews.votes.chart import chart_of
from interviews.votes.rules import Rule
from interviews.votes.tally import CastBallot, Member, Option, count


def test_a_field_of_two_thousand_draws_the_bars_that_had_votes_and_no_endorsement():
    options = [Option(f"c{n}", f"Candidate {n}") for n in range(2000)] + [Option("n", "No endorsement", True)]
    ballots = [CastBallot("c7")] * 5 + [CastBallot("c1999")] * 2 + [CastBallot(None)]
    result = count(options, ballots, [Member(1, True)] * len(ballots), Rule())
    chart = chart_of(result)
    # Worked by hand: Candidate 7 and Candidate 1999 had votes; No endorsement is always drawn.
    assert sorted(bar.label for bar in chart.bars) == ["Candidate 1999", "Candidate 7", "No endorsement"]
    assert chart.hidden == 1998
    # Five of seven votes cast is 71.4%: at least two-thirds, so the bar is marked as meeting it.
    assert [bar.met for bar in chart.bars if bar.label == "Candidate 7"] == [True]
