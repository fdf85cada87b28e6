"""A rule that allows a dual endorsement: a tie at the top between candidates reaching the threshold
endorses each of them; without it the same tie endorses nobody. Figures worked out by hand: 3 of 7 is
42.9%, more than one-third. And how a stage's count (yes / no on a recommendation) reads before it is final."""

from __future__ import annotations

from fractions import Fraction

from interviews.votes.rules import Rule, describe
from interviews.votes.tally import CastBallot, Option, Outcome, count

OPTIONS = [
    Option("a", "Ana Ruiz"),
    Option("b", "Ben Cho"),
    Option("c", "Cal Dunn"),
    Option("n", "No endorsement", True),
]
BALLOTS = [CastBallot("a")] * 3 + [CastBallot("b")] * 3 + [CastBallot("c")]


def test_a_tie_at_the_top_endorses_both_under_a_dual_rule() -> None:
    result = count(OPTIONS, BALLOTS, [], Rule(threshold=Fraction(1, 3), inclusive=False, dual=True))
    assert result.outcome is Outcome.endorsed
    assert [w.label for w in result.winners] == ["Ana Ruiz", "Ben Cho"]
    assert result.lines[-1] == "Result: Ana Ruiz and Ben Cho are endorsed (tie at the top: a dual endorsement)."
    assert result.to_record()["winners"] == ["Ana Ruiz", "Ben Cho"]


def test_the_same_tie_endorses_nobody_without_it() -> None:
    result = count(OPTIONS, BALLOTS, [], Rule(threshold=Fraction(1, 3), inclusive=False))
    assert result.outcome is Outcome.no_endorsement and result.winners == ()
    assert result.lines[-1] == "Result: no endorsement (tie between options reaching the threshold)."
    assert "winners" not in result.to_record()  # records written before dual endorsements keep their keys


def test_the_rule_in_words_says_so() -> None:
    assert describe(Rule(threshold=Fraction(1, 3), inclusive=False, dual=True)) == (
        "More than one-third of the votes cast; no quorum; named ballots; a tie at the top between candidates "
        "reaching the threshold endorses each (a dual endorsement)"
    )
    assert "dual" not in Rule().to_record()


def test_a_count_not_yet_final_has_its_result_line_as_headline() -> None:
    options = [Option("y", "Yes", words="the recommendation is ratified"), Option("n", "No", True)]
    result = count(options, [CastBallot("y")] * 2 + [CastBallot("n")], [], Rule())
    assert result.headline == "The recommendation is ratified"
