"""Properties of the count that must hold for any ballots (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.races.models import QuorumKind, VoteBase
from interviews.votes.rules import Rule
from interviews.votes.tally import CastBallot, Member, Option, Outcome, count

OPTIONS = [Option("a", "Candidate A"), Option("b", "Candidate B"), Option("n", "No endorsement", True)]

thresholds = st.sampled_from([Fraction(1, 2), Fraction(2, 3), Fraction(58, 100), Fraction(3, 4), Fraction(1, 3)])
rules = st.builds(
    Rule,
    threshold=thresholds,
    inclusive=st.booleans(),
    base=st.sampled_from(list(VoteBase)),
    quorum_kind=st.just(QuorumKind.none),
    weighted=st.booleans(),
)
cast_rules = st.builds(Rule, threshold=thresholds, inclusive=st.booleans(), weighted=st.booleans())
ballot_lists = st.lists(
    st.builds(CastBallot, option=st.sampled_from(["a", "b", "n", None]), weight=st.integers(0, 5000)), max_size=40
)


def roll_for(ballots: list[CastBallot], extra: int = 0) -> list[Member]:
    return [Member(b.weight, True) for b in ballots] + [Member(1, False)] * extra


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists, rule=cast_rules)
def test_shares_sum_to_the_base(ballots, rule):
    result = count(OPTIONS, ballots, roll_for(ballots), rule)
    assert sum(o.votes for o in result.options) == result.base
    if result.base:
        assert sum(o.share for o in result.options) == 1
    assert result.ballots == len(ballots)


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists, rule=rules)
def test_votes_and_abstentions_add_up_whatever_the_base(ballots, rule):
    result = count(OPTIONS, ballots, roll_for(ballots), rule)
    cast = sum(o.votes for o in result.options)
    if rule.base is VoteBase.cast_with_abstentions:
        assert cast + result.abstentions == result.base
    for o in result.options:
        assert o.met == (
            result.base > 0 and (o.share >= rule.threshold if rule.inclusive else o.share > rule.threshold)
        )


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists, rule=cast_rules, weight=st.integers(0, 5000))
def test_an_abstention_never_changes_a_cast_votes_result(ballots, rule, weight):
    before = count(OPTIONS, ballots, roll_for(ballots), rule)
    more = [*ballots, CastBallot(None, weight)]
    after = count(OPTIONS, more, roll_for(more), rule)
    assert (after.outcome, after.winner, after.base) == (before.outcome, before.winner, before.base)
    assert [o.votes for o in after.options] == [o.votes for o in before.options]


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists, rule=rules, data=st.data())
def test_order_of_ballots_never_matters(ballots, rule, data):
    shuffled = data.draw(st.permutations(ballots))
    a = count(OPTIONS, ballots, roll_for(ballots), rule)
    b = count(OPTIONS, shuffled, roll_for(ballots), rule)
    assert a.to_record() == b.to_record()


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists, rule=rules)
def test_at_most_one_winner_and_it_met_the_threshold(ballots, rule):
    result = count(OPTIONS, ballots, roll_for(ballots), rule)
    if result.winner is not None:
        mine = next(o for o in result.options if o.option == result.winner)
        assert mine.met
        assert all(o.votes < mine.votes for o in result.options if o is not mine and o.met)
    else:
        assert result.outcome is Outcome.no_endorsement
    if result.outcome is Outcome.endorsed:
        assert not result.winner.no_endorsement


@settings(max_examples=100, deadline=None)
@given(ballots=ballot_lists, rule=cast_rules)
def test_more_votes_for_the_winner_keep_it_winning(ballots, rule):
    """Monotonic: one more ballot for the option that won cannot make it lose."""
    result = count(OPTIONS, ballots, roll_for(ballots), rule)
    if result.winner is None:
        return
    more = [*ballots, CastBallot(result.winner.key, 1)]
    assert count(OPTIONS, more, roll_for(more), rule).winner == result.winner


@settings(max_examples=100, deadline=None)
@given(ballots=ballot_lists, rule=cast_rules, factor=st.integers(1, 50))
def test_scaling_every_weight_changes_nothing(ballots, rule, factor):
    scaled = [CastBallot(b.option, b.weight * factor) for b in ballots]
    a = count(OPTIONS, ballots, roll_for(ballots), rule)
    b = count(OPTIONS, scaled, roll_for(scaled), rule)
    assert (a.outcome, a.winner) == (b.outcome, b.winner)
    assert [o.share for o in a.options] == [o.share for o in b.options]


@given(rule=rules)
def test_nothing_is_float(rule):
    ballots = [CastBallot("a", 3), CastBallot("b", 2)]
    result = count(OPTIONS, ballots, roll_for(ballots), rule)
    assert isinstance(result.needed, Fraction)
    assert all(o.share is None or isinstance(o.share, Fraction) for o in result.options)
