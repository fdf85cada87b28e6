"""Counting a vote: exact arithmetic (Fraction, never float) and an explanation in words and figures.

Pure: options, ballots, the frozen roll and the rule in; a `Result` out. The same function counts
for the result page, the final record and `flask votes verify`, so they cannot disagree.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from interviews.races.models import QuorumKind, VoteBase
from interviews.votes.rules import BASE_SHORT, Rule, fraction_in_words

NO_ENDORSEMENT = "No endorsement"
# Option kinds (votes.models.OptionKind) that count as "no endorsement" when they win.
NOT_ENDORSING = ("open", "no_endorsement", "reject", "keep")


class Outcome(enum.Enum):
    endorsed = "endorsed"
    no_endorsement = "no_endorsement"
    failed_quorum = "failed_quorum"


@dataclass(frozen=True)
class Option:
    key: Hashable
    label: str
    no_endorsement: bool = False
    # What this option winning means, for the result line ("the recommendation is ratified");
    # None: "<label> is endorsed" (or "no endorsement, voted outright").
    words: str | None = None


@dataclass(frozen=True)
class CastBallot:
    """A ballot: the option's key, or None for an abstention, and the member's frozen weight.

    A secret vote's ballot box gives its totals instead: `ballots` ballots of `weight` in all.
    """

    option: Hashable | None
    weight: int = 1
    ballots: int = 1


@dataclass(frozen=True)
class Member:
    """A roll entry: the frozen weight, and whether the member took part (present, or voted)."""

    weight: int = 1
    present: bool = False


@dataclass(frozen=True)
class OptionResult:
    option: Option
    votes: int
    ballots: int
    share: Fraction | None
    met: bool


@dataclass(frozen=True)
class Quorum:
    required: Fraction
    present: int
    entitled: int
    met: bool


@dataclass(frozen=True)
class Result:
    rule: Rule
    options: list[OptionResult]
    abstentions: int  # weighted when the rule is
    ballots: int
    base: int
    needed: Fraction
    quorum: Quorum
    outcome: Outcome
    winner: Option | None
    reason: str
    # Every option endorsed: the winner, or the candidates tied at the top under a rule that allows a dual.
    winners: tuple[Option, ...] = ()
    lines: list[str] = field(default_factory=list)
    no_winner_words: str | None = None
    # A result read back from a final record for a page carries only the condensed lines (see shown_lines).
    condensed_lines: list[str] | None = None

    @property
    def summary(self) -> str:
        return summary_in_words(self.outcome, self.winner.label if self.winner else None, self.reason)

    @property
    def headline(self) -> str:
        """The explanation's result line as a headline: "The recommendation is ratified" (a count not yet final)."""
        last = self.lines[-1] if self.lines else ""
        words = last.removeprefix("Result: ").rstrip(".")
        return words[:1].upper() + words[1:]

    @property
    def explanation(self) -> str:
        return " ".join(self.lines)

    @property
    def shown_lines(self) -> list[str]:
        """The explanation for a page: the line of each option that had votes (or reached the threshold, or is
        "no endorsement"), one line for the rest, then abstentions, quorum and the result. A field of two
        thousand candidates would otherwise print two thousand lines of "0 of 49"."""
        return (
            self.condensed_lines
            if self.condensed_lines is not None
            else _explain(self, self.no_winner_words, condensed=True)
        )

    def to_record(self) -> dict[str, Any]:
        # Records counted before dual endorsements existed keep exactly their old keys.
        extra = {"winners": [w.label for w in self.winners]} if self.rule.dual else {}
        return extra | {
            "outcome": self.outcome.value,
            "winner": self.winner.label if self.winner else None,
            "reason": self.reason,
            "base": self.base,
            "needed": fraction_text(self.needed),
            "ballots": self.ballots,
            "abstentions": self.abstentions,
            "quorum": {
                "required": fraction_text(self.quorum.required),
                "present": self.quorum.present,
                "entitled": self.quorum.entitled,
                "met": self.quorum.met,
            },
            "options": [
                {
                    "label": o.option.label,
                    "votes": o.votes,
                    "ballots": o.ballots,
                    "share": fraction_text(o.share) if o.share is not None else None,
                    "met": o.met,
                }
                for o in self.options
            ],
            "explanation": self.explanation,
        }


def summary_in_words(outcome: Outcome, winner: str | None, reason: str) -> str:
    """The result in one line, from what the final record keeps of it (outcome, winner's label, reason)."""
    if outcome is Outcome.failed_quorum:
        return "Failed for lack of quorum"
    if outcome is Outcome.endorsed and winner is not None:
        return f"Endorsed: {winner}"
    if winner is not None:  # "No endorsement" reached the threshold itself
        return "No endorsement (voted)"
    return f"No endorsement ({reason})"


def _fraction(text: str) -> Fraction:
    numerator, _, denominator = text.partition("/")
    return Fraction(int(numerator), int(denominator or 1))


def result_from_record(
    record: dict[str, Any], *, words_by_kind: dict[str, str] | None = None, no_winner_words: str | None = None
) -> Result:
    """A final vote's result as its hashed record states it, without counting again: what the pages show
    of a final vote is the record that `verify` checks, and a field of two thousand options is not
    re-tallied on every view. Options are keyed by label, as the record names them. The explanation is
    written again from these figures; should it not read as the record's does, the record's is shown."""
    kept = record["rule"]
    rule = Rule(
        threshold=_fraction(kept["threshold"]),
        inclusive=kept["inclusive"],
        base=VoteBase(kept["base"]),
        quorum_kind=QuorumKind(kept["quorum_kind"]),
        quorum=_fraction(kept["quorum"]),
        weighted=kept["weighted"],
        secret=kept["secret"],
        dual=kept.get("dual", False),
    )
    listed = {o["label"]: o for o in record.get("options", [])}

    def option(label: str) -> Option:
        entry = listed.get(label, {})
        kind = entry.get("kind")
        # Version 1 records have no kinds: "no endorsement" is the option without a candidate.
        none = kind in NOT_ENDORSING if kind is not None else entry.get("candidate_id") is None
        return Option(label, label, no_endorsement=none, words=(words_by_kind or {}).get(kind or ""))

    counted = record["result"]
    options = [
        OptionResult(
            option=option(o["label"]),
            votes=o["votes"],
            ballots=o["ballots"],
            share=_fraction(o["share"]) if o["share"] is not None else None,
            met=o["met"],
        )
        for o in counted["options"]
    ]
    by_label = {r.option.label: r.option for r in options}
    winner = by_label.get(counted["winner"]) if counted["winner"] else None
    winners = tuple(by_label[w] for w in counted.get("winners", []) if w in by_label) or ((winner,) if winner else ())
    quorum = counted["quorum"]
    result = Result(
        rule=rule,
        options=options,
        abstentions=counted["abstentions"],
        ballots=counted["ballots"],
        base=counted["base"],
        needed=_fraction(counted["needed"]),
        quorum=Quorum(_fraction(quorum["required"]), quorum["present"], quorum["entitled"], quorum["met"]),
        outcome=Outcome(counted["outcome"]),
        winner=winner,
        reason=counted["reason"],
        winners=winners,
        no_winner_words=no_winner_words,
    )
    # The record keeps the whole explanation as one text; a page lists the lines of the options with votes,
    # written again from the record's figures (not every one of two thousand).
    result.lines.append(counted["explanation"])
    return replace(result, condensed_lines=_explain(result, no_winner_words, condensed=True))


def fraction_text(value: Fraction) -> str:
    """Exact: '15', '2/3' (record form)."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def mixed_number(value: Fraction) -> str:
    """For people: '15 1/3', '12', '2/3'."""
    whole, rest = divmod(value.numerator, value.denominator)
    if rest == 0:
        return f"{whole:,}"
    if whole == 0:
        return f"{rest}/{value.denominator}"
    return f"{whole:,} {rest}/{value.denominator}"


def percent(value: Fraction) -> str:
    """'65.2%', rounded half up at one decimal (display only; decisions use the exact fraction)."""
    tenths = math.floor(value * 1000 + Fraction(1, 2))
    return f"{tenths // 10}.{tenths % 10}%"


def count(
    options: Sequence[Option],
    ballots: Sequence[CastBallot],
    roll: Sequence[Member],
    rule: Rule,
    *,
    no_winner_words: str | None = None,
) -> Result:
    """Count the ballots by the rule. `no_winner_words` says what no option carrying means when it is not
    "no endorsement" (a ratification that fails: "the recommendation is not ratified")."""
    keys = [o.key for o in options]
    if len(set(keys)) != len(keys):
        raise ValueError("option keys must be unique")
    known = set(keys)

    def weight(w: int) -> int:
        return w if rule.weighted else 1

    votes = dict.fromkeys(keys, 0)
    ballot_counts = dict.fromkeys(keys, 0)
    abstentions = 0
    for ballot in ballots:
        value = ballot.weight if rule.weighted else ballot.ballots
        if ballot.option is None:
            abstentions += value
        elif ballot.option in known:
            votes[ballot.option] += value
            ballot_counts[ballot.option] += ballot.ballots
        else:
            raise ValueError(f"a ballot names an option that is not on the ballot: {ballot.option!r}")

    cast = sum(votes.values())
    base = {
        VoteBase.cast: cast,
        VoteBase.cast_with_abstentions: cast + abstentions,
        VoteBase.entitled: sum(weight(m.weight) for m in roll),
        VoteBase.present: sum(weight(m.weight) for m in roll if m.present),
    }[rule.base]
    needed = rule.threshold * base

    results = [
        OptionResult(
            option=o,
            votes=votes[o.key],
            ballots=ballot_counts[o.key],
            share=Fraction(votes[o.key], base) if base else None,
            met=rule.meets(votes[o.key], base),
        )
        for o in options
    ]
    quorum = _quorum(roll, rule)

    winner: Option | None = None
    winners: tuple[Option, ...] = ()
    meeting = [r for r in results if r.met]
    if not quorum.met:
        outcome, reason = Outcome.failed_quorum, "quorum not met"
    elif len(meeting) == 1:
        winner = meeting[0].option
        outcome = Outcome.no_endorsement if winner.no_endorsement else Outcome.endorsed
        reason = "voted outright" if winner.no_endorsement else "threshold reached"
    elif meeting:
        # Only possible with thresholds of one half or less: the most votes wins; a tie wins nothing.
        top = max(r.votes for r in meeting)
        leaders = [r for r in meeting if r.votes == top]
        if len(leaders) == 1:
            winner = leaders[0].option
            outcome = Outcome.no_endorsement if winner.no_endorsement else Outcome.endorsed
            reason = "most votes among the options reaching the threshold"
        elif rule.dual and not any(r.option.no_endorsement for r in leaders):
            winner, winners = leaders[0].option, tuple(r.option for r in leaders)
            outcome, reason = Outcome.endorsed, "tie at the top: a dual endorsement"
        else:
            outcome, reason = Outcome.no_endorsement, "tie between options reaching the threshold"
    elif base == 0:
        outcome, reason = Outcome.no_endorsement, "no votes cast"
    else:
        outcome, reason = Outcome.no_endorsement, "threshold not reached"

    if winner is not None and not winners:
        winners = (winner,)
    result = Result(
        rule=rule,
        options=results,
        abstentions=abstentions,
        ballots=sum(b.ballots for b in ballots),
        base=base,
        needed=needed,
        quorum=quorum,
        outcome=outcome,
        winner=winner,
        reason=reason,
        winners=winners,
        no_winner_words=no_winner_words,
    )
    result.lines.extend(_explain(result, no_winner_words))
    return result


def _quorum(roll: Sequence[Member], rule: Rule) -> Quorum:
    entitled = len(roll)
    present = sum(1 for m in roll if m.present)
    if rule.quorum_kind is QuorumKind.none:
        return Quorum(Fraction(0), present, entitled, True)
    required = rule.quorum if rule.quorum_kind is QuorumKind.count else rule.quorum * entitled
    return Quorum(required, present, entitled, present >= required)


def needed_text(result: Result) -> str:
    """'at least 2/3 needed (15 1/3)' or 'more than 1/2 needed (more than 12)'."""
    rule = result.rule
    t = rule.threshold
    # "2/3" and "1/2" read best as fractions; "58/100" (stored as 29/50) reads best as "58%".
    fraction = (
        fraction_in_words(t) if t.denominator > 4 and (t * 100).denominator == 1 else f"{t.numerator}/{t.denominator}"
    )
    amount = mixed_number(result.needed)
    if not rule.inclusive:
        amount = f"more than {amount}"
    return f"{rule.comparison} {fraction} needed ({amount})"


def _shown(r: OptionResult) -> bool:
    """Whether a page lists the option's line: it had votes, reached the threshold, or is "no endorsement"."""
    return bool(r.votes or r.met or r.option.no_endorsement)


def _explain(result: Result, no_winner_words: str | None = None, *, condensed: bool = False) -> list[str]:
    """The explanation's lines; `condensed` (for a page) leaves out the options without votes, counted in one line."""
    rule = result.rule
    unit = ("weighted " if rule.weighted else "") + BASE_SHORT[rule.base]
    lines = []
    needed = needed_text(result)
    for r in result.options:
        if condensed and not _shown(r):
            continue
        if r.share is None:
            figures = f"{r.votes:,} votes; no {unit} to count against"
        else:
            figures = f"{r.votes:,} of {result.base:,} {unit}, {percent(r.share)}"
        lines.append(f"{r.option.label}: {figures}; {needed}; {'reached' if r.met else 'not reached'}.")
    hidden = sum(1 for r in result.options if not _shown(r)) if condensed else 0
    if hidden:
        lines.append(f"{hidden:,} other options: no votes.")
    if result.abstentions:
        lines.append(f"Abstentions: {result.abstentions:,}.")
    q = result.quorum
    if rule.quorum_kind is not QuorumKind.none:
        lines.append(
            f"Quorum: {q.present} of {q.entitled} entitled members present, {mixed_number(q.required)} needed; "
            f"{'met' if q.met else 'not met'}."
        )
    if result.outcome is Outcome.failed_quorum:
        lines.append("Result: failed for lack of quorum.")
    elif len(result.winners) > 1:
        names = " and ".join(w.label for w in result.winners)
        lines.append(f"Result: {names} are endorsed ({result.reason}).")
    elif result.winner is not None and result.winner.words:
        lines.append(f"Result: {result.winner.words}.")
    elif result.outcome is Outcome.endorsed and result.winner is not None:
        why = f" ({result.reason})" if result.reason != "threshold reached" else ""
        lines.append(f"Result: {result.winner.label} is endorsed{why}.")
    elif result.winner is not None:
        lines.append("Result: no endorsement, voted outright.")
    elif no_winner_words:
        lines.append(f"Result: {no_winner_words} ({result.reason}).")
    else:
        lines.append(f"Result: no endorsement ({result.reason}).")
    return lines
