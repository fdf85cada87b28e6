"""The final record of a vote: canonical JSON, its SHA-256 digest, and the chain of final votes.

The record is rebuilt from the vote's own rows (the vote, its options, frozen roll, ballots or ballot
box, and the result counted from them), so `verify` can rebuild it later and compare. Snapshots
taken when the vote opened (race label, option labels, member names) are used rather than live
race or account data, so that correcting a typo in a race title does not look like tampering.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from interviews.extensions import db
from interviews.votes.models import Vote, VoteStatus
from interviews.votes.rules import rule_of_vote
from interviews.votes.tally import Result

RECORD_VERSION = 1


def canonical_json(data: Any) -> str:
    """One spelling for one record: sorted keys, no spaces, UTF-8 text, no floats allowed."""
    _refuse_floats(data)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _refuse_floats(data: Any) -> None:
    # Floats print differently across versions and lose exactness; the record keeps fractions as text.
    if isinstance(data, float):
        raise TypeError("floats are not allowed in a final record")
    if isinstance(data, dict):
        for value in data.values():
            _refuse_floats(value)
    elif isinstance(data, list):
        for value in data:
            _refuse_floats(value)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _time(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def build_record(vote: Vote, result: Result) -> dict[str, Any]:
    """Everything the vote decided, from its own rows. Chain fields come from the vote's columns."""
    rule = rule_of_vote(vote)
    labels = {o.id: o.label for o in vote.options}
    record: dict[str, Any] = {
        "version": RECORD_VERSION,
        "vote": vote.id,
        "race": {"id": vote.race_id, "label": vote.race_label},
        "held_on": _time(vote.held_on),
        "motion": vote.motion,
        "rule": rule.to_record(),
        "options": [
            {"id": o.id, "position": o.position, "label": o.label, "candidate_id": o.candidate_id}
            for o in sorted(vote.options, key=lambda o: o.position)
        ],
        "roll": [
            {"user_id": e.user_id, "name": e.name, "weight": e.weight, "present": e.present, "has_voted": e.has_voted}
            for e in sorted(vote.roll, key=lambda e: e.user_id)
        ],
        "result": result.to_record(),
        "outcome": vote.outcome,
        "result_candidate_id": vote.result_candidate_id,
        "quorum_met": vote.quorum_met,
        "times": {
            "opened_at": _time(vote.opened_at),
            "closed_at": _time(vote.closed_at),
            "finalised_at": _time(vote.finalised_at),
        },
        "chain": {"position": vote.chain_position, "previous_digest": vote.previous_digest},
    }
    if vote.secret:
        record["totals"] = [
            {"option": labels.get(t.option_id) if t.option_id else None, "ballots": t.ballots, "weight": t.weight}
            for t in sorted(vote.box, key=lambda t: (t.option_id is None, t.option_id or 0))
        ]
    else:
        record["ballots"] = [
            {
                "member_id": b.member_id,
                "choice": labels.get(b.option_id) if b.option_id else None,
                "option_id": b.option_id,
                "weight": b.weight,
                "paper": b.paper,
                "recorded_by_id": b.recorded_by_id,
                "recorded_at": _time(b.recorded_at),
            }
            for b in sorted(vote.ballots, key=lambda b: b.member_id or 0)
        ]
    return record


@dataclass
class Problem:
    vote: Vote
    message: str

    def __str__(self) -> str:
        return f"vote {self.vote.id} ({self.vote.race_label}, held {self.vote.held_on}): {self.message}"


def verify_chain() -> tuple[int, list[Problem]]:
    """Rebuild every final vote's record from its rows and check its digest and its link in the chain."""
    from interviews.votes.services import result_of  # the one tally, shared with the pages

    votes = db.session.scalars(
        select(Vote)
        .where((Vote.status == VoteStatus.final) | Vote.digest.is_not(None) | Vote.chain_position.is_not(None))
        .order_by(Vote.chain_position.is_(None), Vote.chain_position, Vote.id)
    ).all()
    problems: list[Problem] = []
    previous: str | None = None
    expected_position = 0
    for vote in votes:
        if vote.status is not VoteStatus.final or not vote.digest or not vote.record_json or not vote.chain_position:
            problems.append(Problem(vote, "is not a complete final vote (status, record, digest or place missing)"))
            continue
        expected_position += 1
        rebuilt = canonical_json(build_record(vote, result_of(vote)))
        if rebuilt != vote.record_json:
            problems.append(Problem(vote, "its rows no longer match the stored final record"))
        if sha256_hex(vote.record_json) != vote.digest:
            problems.append(Problem(vote, "its stored record no longer matches its digest"))
        if vote.chain_position != expected_position or vote.previous_digest != previous:
            problems.append(Problem(vote, "the chain is broken: its previous digest or position does not follow on"))
        previous = vote.digest
    return len(votes), problems
