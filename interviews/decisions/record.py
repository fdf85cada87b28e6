"""The decision in the race's record book: the path, each stage's votes with their digests, and the words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interviews.decisions.paths import PathState, path_state
from interviews.decisions.words import decision_words
from interviews.races.models import Race
from interviews.votes.models import Vote
from interviews.votes.rules import describe, rule_of_race


@dataclass(frozen=True)
class DecisionRecord:
    state: PathState
    words: str


def load_decision(race: Race) -> DecisionRecord | None:
    """The race's decision path as the record book shows it; None for a race decided by one plain vote."""
    state = path_state(race)
    if not state.stages:
        return None
    return DecisionRecord(state, decision_words(state))


def _vote_json(vote: Vote) -> dict[str, Any]:
    record = vote.record or {}
    return {
        "vote": vote.id,
        "held_on": vote.held_on.isoformat(),
        "status": vote.status.value,
        "body": vote.body_name or None,
        "rule": record.get("rule"),
        "result": vote.result_text or None,
        "explanation": (record.get("result") or {}).get("explanation"),
        "verdict": vote.verdict,
        "decides": vote.decides,
        "follows": {"vote": vote.follows_vote_id, "digest": vote.follows_digest} if vote.follows_vote_id else None,
        "digest": vote.digest,
        "previous_digest": vote.previous_digest,
        "chain_position": vote.chain_position,
        "published": vote.publication is not None,
    }


def stages_json(decision: DecisionRecord) -> list[dict[str, Any]]:
    """One entry per stage (its body, its rule, its result and digest), with every vote it held, in order.

    A stage's rule is as its last final vote froze it, else as the stage says now (it has not voted).
    """
    entries = []
    for stage in decision.state.stages:
        votes = [v for v in decision.state.finals if v.stage_id == stage.id]
        latest = votes[-1] if votes else None
        entries.append(
            {
                "position": stage.position,
                "name": stage.name,
                "mode": stage.mode.value,
                "on_fail": stage.on_fail.value,
                "body": latest.body_name if latest else stage.body.name,
                "rule": (latest.record or {}).get("rule") if latest else {"in_words": describe(rule_of_race(stage))},
                "result": latest.result_text if latest else None,
                "verdict": latest.verdict if latest else None,
                "digest": latest.digest if latest else None,
                "votes": [_vote_json(v) for v in votes],
            }
        )
    return entries


def decision_json(decision: DecisionRecord | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    state = decision.state
    return {
        "in_words": decision.words,
        "decided": state.decided,
        "rescinded": state.rescinded,
        "standing_at": state.current.name if state.current else None,
    }
