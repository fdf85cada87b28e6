from fractions import Fraction

import pytest

from interviews.races.models import QuorumKind, VoteBase
from interviews.votes.rules import PRESETS, Rule, apply_preset, describe


def test_describe_reads_as_the_union_says_it():
    rule = apply_preset(Rule(quorum_kind=QuorumKind.fraction, quorum=Fraction(1, 2)), "afl_cio")
    assert describe(rule) == (
        "At least two-thirds of the votes cast, weighted per capita; "
        "quorum: half the entitled members present; named ballots"
    )


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("simple_majority", "More than half of the votes cast; no quorum; secret ballots"),
        ("two_thirds", "At least two-thirds of the votes cast; no quorum; secret ballots"),
        ("afl_cio", "At least two-thirds of the votes cast, weighted per capita; no quorum; secret ballots"),
        ("nea", "At least 58% of the votes cast; no quorum; secret ballots"),
    ],
)
def test_presets_keep_quorum_and_secrecy(key, words):
    assert describe(apply_preset(Rule(secret=True), key)) == words
    assert key in PRESETS


def test_other_bases_and_quorums_in_words():
    rule = Rule(Fraction(3, 5), False, VoteBase.entitled, QuorumKind.count, Fraction(7))
    assert (
        describe(rule)
        == "More than three-fifths of the votes of all entitled members; quorum: 7 members present; named ballots"
    )
    rule = Rule(Fraction(5, 8), True, VoteBase.present)
    assert describe(rule).startswith("At least 5/8 of the votes of the members present")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": Fraction(0)},
        {"threshold": Fraction(3, 2)},
        {"threshold": Fraction(1), "inclusive": False},
        {"quorum_kind": QuorumKind.fraction, "quorum": Fraction(3, 2)},
        {"quorum_kind": QuorumKind.count, "quorum": Fraction(1, 2)},
    ],
)
def test_nonsense_rules_are_refused(kwargs):
    with pytest.raises(ValueError):
        Rule(**kwargs)


def test_boundary_is_exact():
    at_least, more_than = Rule(Fraction(2, 3), True), Rule(Fraction(2, 3), False)
    assert at_least.meets(16, 24) and not more_than.meets(16, 24)
    assert not at_least.meets(0, 0)
