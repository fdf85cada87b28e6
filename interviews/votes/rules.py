"""Voting rules: a threshold, a base, a quorum, weights and secrecy. Pure: no database, no Flask.

A race keeps its rule in columns (interviews.races.models.Race); a vote copies it when it opens.
`Rule` is the value both are read into, so that the tally and the words describing the rule
come from one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from interviews.races.models import QuorumKind, VoteBase

_FRACTION_WORDS = {
    Fraction(1, 2): "half",
    Fraction(2, 3): "two-thirds",
    Fraction(3, 4): "three-quarters",
    Fraction(3, 5): "three-fifths",
    Fraction(1, 3): "one-third",
    Fraction(1, 1): "all",
}

BASE_WORDS = {
    VoteBase.cast: "the votes cast",
    VoteBase.cast_with_abstentions: "the votes cast, abstentions included",
    VoteBase.entitled: "the votes of all entitled members",
    VoteBase.present: "the votes of the members present",
}

# Short names of the base, for figures ("15 of 23 votes cast").
BASE_SHORT = {
    VoteBase.cast: "votes cast",
    VoteBase.cast_with_abstentions: "votes cast including abstentions",
    VoteBase.entitled: "entitled votes",
    VoteBase.present: "votes of members present",
}


def fraction_in_words(value: Fraction) -> str:
    """'two-thirds', 'half', '58%' or '5/8'."""
    if value in _FRACTION_WORDS:
        return _FRACTION_WORDS[value]
    if (value * 100).denominator == 1:
        return f"{value * 100}%"
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class Rule:
    """How a vote is decided. `threshold` is exact; `inclusive` means "at least" (else "more than")."""

    threshold: Fraction = Fraction(2, 3)
    inclusive: bool = True
    base: VoteBase = VoteBase.cast
    quorum_kind: QuorumKind = QuorumKind.none
    # A count of members (quorum_kind count) or a fraction of the entitled members (fraction).
    quorum: Fraction = Fraction(0)
    weighted: bool = False
    secret: bool = False
    # A tie at the top between options reaching the threshold endorses each of them (a dual endorsement).
    dual: bool = False

    def __post_init__(self) -> None:
        if not (0 < self.threshold <= 1):
            raise ValueError("the threshold must be more than 0 and at most 1")
        if self.threshold == 1 and not self.inclusive:
            raise ValueError("no share can be more than all the votes")
        if self.quorum < 0 or (self.quorum_kind is QuorumKind.fraction and self.quorum > 1):
            raise ValueError("a quorum fraction must be between 0 and 1")
        if self.quorum_kind is QuorumKind.count and self.quorum.denominator != 1:
            raise ValueError("a quorum count must be a whole number")

    @property
    def comparison(self) -> str:
        return "at least" if self.inclusive else "more than"

    def meets(self, votes: Fraction | int, base: Fraction | int) -> bool:
        """Whether `votes` out of `base` reaches the threshold. Nothing meets a threshold of nothing."""
        if base <= 0:
            return False
        needed = self.threshold * base
        return votes >= needed if self.inclusive else votes > needed

    def to_record(self) -> dict[str, Any]:
        """The rule as plain, exact values (fractions as strings) for the final record."""
        return {
            "threshold": f"{self.threshold.numerator}/{self.threshold.denominator}",
            "inclusive": self.inclusive,
            "base": self.base.value,
            "quorum_kind": self.quorum_kind.value,
            "quorum": f"{self.quorum.numerator}/{self.quorum.denominator}",
            "weighted": self.weighted,
            "secret": self.secret,
            "in_words": describe(self),
        } | ({"dual": True} if self.dual else {})  # records written before dual endorsements stay as they were


def rule_of_race(race: Any) -> Rule:
    return Rule(
        threshold=Fraction(race.threshold_numerator, race.threshold_denominator),
        inclusive=race.threshold_inclusive,
        base=race.vote_base,
        quorum_kind=race.quorum_kind,
        quorum=_quorum(race.quorum_kind, race.quorum_numerator, race.quorum_denominator),
        weighted=race.weighted,
        secret=race.secret_ballot,
        # A decision stage (interviews.decisions) keeps its rule in the race's columns, and may allow a dual.
        dual=bool(getattr(race, "dual", False)),
    )


def rule_of_vote(vote: Any) -> Rule:
    return Rule(
        threshold=Fraction(vote.threshold_numerator, vote.threshold_denominator),
        inclusive=vote.threshold_inclusive,
        base=vote.base,
        quorum_kind=vote.quorum_kind,
        quorum=_quorum(vote.quorum_kind, vote.quorum_numerator, vote.quorum_denominator),
        weighted=vote.weighted,
        secret=vote.secret,
        dual=vote.dual,
    )


def _quorum(kind: QuorumKind, numerator: int, denominator: int) -> Fraction:
    if kind is QuorumKind.none:
        return Fraction(0)
    if kind is QuorumKind.count:
        return Fraction(numerator)
    return Fraction(numerator, denominator or 1)


def describe_quorum(rule: Rule) -> str:
    if rule.quorum_kind is QuorumKind.none:
        return "no quorum"
    if rule.quorum_kind is QuorumKind.count:
        n = int(rule.quorum)
        return f"quorum: {n} member{'s' if n != 1 else ''} present"
    if rule.quorum == 1:
        return "quorum: every entitled member present"
    return f"quorum: {fraction_in_words(rule.quorum)} the entitled members present"


def describe(rule: Rule) -> str:
    """The rule in words, e.g. "At least two-thirds of the votes cast, weighted per capita; quorum: half the
    entitled members present; named ballots"."""
    threshold = fraction_in_words(rule.threshold)
    head = f"{rule.comparison.capitalize()} {threshold} of {BASE_WORDS[rule.base]}"
    if rule.weighted:
        head += ", weighted per capita"
    ballots = "secret ballots" if rule.secret else "named ballots"
    words = f"{head}; {describe_quorum(rule)}; {ballots}"
    if rule.dual:
        words += "; a tie at the top between candidates reaching the threshold endorses each (a dual endorsement)"
    return words


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    threshold: Fraction
    inclusive: bool
    base: VoteBase
    weighted: bool

    @property
    def spelled(self) -> tuple[int, int]:
        """The threshold as people write it (58/100, not 29/50)."""
        t = self.threshold
        return (int(t * 100), 100) if t.denominator > 4 and (t * 100).denominator == 1 else (t.numerator, t.denominator)


# Presets set the threshold, base and weighting; quorum and secrecy stay as the race has them.
PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("simple_majority", "Simple majority of votes cast", Fraction(1, 2), False, VoteBase.cast, False),
        Preset("two_thirds", "Two-thirds of votes cast", Fraction(2, 3), True, VoteBase.cast, False),
        Preset("afl_cio", "AFL-CIO: two-thirds, per-capita weighted", Fraction(2, 3), True, VoteBase.cast, True),
        Preset("nea", "NEA: 58% of votes cast", Fraction(58, 100), True, VoteBase.cast, False),
    )
}


def apply_preset(rule: Rule, key: str) -> Rule:
    preset = PRESETS[key]
    return Rule(
        threshold=preset.threshold,
        inclusive=preset.inclusive,
        base=preset.base,
        quorum_kind=rule.quorum_kind,
        quorum=rule.quorum,
        weighted=preset.weighted,
        secret=rule.secret,
    )
