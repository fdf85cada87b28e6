"""A race's decision in words, read from its stages' final records (what `verify` checks), e.g.

"Endorsed Rosa Delgado-Park, on condition that she opposes the privatisation of transit, with a
recommended contribution of $5,000 from the COPE fund, after the Political Committee recommended it
9-2 and the Convention delegates ratified it by 71.4%, more than the two-thirds required."
"""

from __future__ import annotations

from typing import Any

from interviews.decisions.paths import PathOf, VoteLike
from interviews.votes.stage_words import (
    body_words,
    endorsed_in,
    names_words,
    score,
    stage_result_words,
    terms_words,
    winning_option,
)


def _record(vote: VoteLike) -> dict[str, Any]:
    record = vote.record
    if record is None:
        raise ValueError("only a final vote has a record")
    return record


def _clause(vote: VoteLike) -> str:
    """A stage's result as a clause of the decision's sentence (the choosing stage without its terms again)."""
    record = _record(vote)
    stage = record.get("stage") or {}
    option = winning_option(record)
    if (
        stage.get("mode") == "choose"
        and stage.get("verdict") == "carried"
        and option
        and option["kind"]
        in (
            "candidate",
            "joint",
        )
    ):
        verb = "endorsed" if stage.get("is_last") else "recommended"
        return f"{body_words(record)} {verb} it {score(record)}"
    return stage_result_words(record)


def _joined(clauses: list[str]) -> str:
    if len(clauses) <= 2:
        return " and ".join(clauses)
    return ", ".join(clauses[:-1]) + f" and {clauses[-1]}"


def _since(state: PathOf[Any, Any], start: VoteLike | None) -> list[VoteLike]:
    """The final stage votes from `start` on (all of them when None), rescissions left out."""
    votes = [v for v in state.finals if v.stage_mode != "rescind"]
    if start is not None and start in votes:
        votes = votes[votes.index(start) :]
    return votes


def decision_words(state: PathOf[Any, Any]) -> str:
    """The decision so far in one sentence; '' before any stage has voted."""
    if not state.finals:
        return f"Awaiting {state.current.name}." if state.current is not None else ""
    recommendation = state.recommendation
    if state.decided_by is not None:
        head = _outcome_head(state)
        # After "Endorsed X", "recommended it" is clear; otherwise the clause names whom it recommended.
        short = state.endorsement is not None
        clauses = [
            _clause(v) if short or i else stage_result_words(_record(v))
            for i, v in enumerate(_since(state, recommendation))
        ]
        if state.rescinded_by is not None:
            rescission = _record(state.rescinded_by)
            return (
                f"Rescinded: {stage_result_words(rescission)} on {rescission['held_on']}. "
                f"It had been: {head}, after {_joined(clauses)}."
            )
        return f"{head}, after {_joined(clauses)}." if clauses else f"{head}."
    since = _since(state, recommendation) if recommendation else []
    clauses = [_clause(v) if i else stage_result_words(_record(v)) for i, v in enumerate(since)]
    last = state.finals[-1]
    if recommendation is None and last.stage_mode != "rescind":
        clauses = [stage_result_words(_record(last))]
    if state.rescinded_by is not None and recommendation is None:
        clauses = [f"the recommendation was rescinded: {stage_result_words(_record(state.rescinded_by))}"]
    waiting = f"; awaiting {state.current.name}" if state.current is not None else ""
    text = _joined(clauses)
    return text[0].upper() + text[1:] + waiting + "."


def _outcome_head(state: PathOf[Any, Any]) -> str:
    decided = state.decided_by
    assert decided is not None
    if state.endorsement is not None:
        option = winning_option(_record(state.endorsement))
        assert option is not None
        names = endorsed_in(_record(state.endorsement))
        dual = " (a dual endorsement)" if len(names) > 1 else ""
        return f"Endorsed {names_words(names)}{dual}{terms_words(option)}"
    record = _record(decided)
    option = winning_option(record)
    if decided.verdict == "carried" and option is not None and option["kind"] == "open":
        return "Open race: members are free to choose"
    if decided.verdict == "carried" and state.recommendation is not None:
        rec_option = winning_option(_record(state.recommendation))
        if rec_option is not None and rec_option["kind"] == "open":
            return "Open race: members are free to choose"
    return "No endorsement"
