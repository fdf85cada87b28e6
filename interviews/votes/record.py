"""The records of the chain: a vote's final record and a publication, as canonical JSON, and their SHA-256.

A vote's record is rebuilt from the vote's own rows (the vote, its options, frozen roll, ballots or
ballot box, and the result counted from them), so `verify` can rebuild it later and compare. Snapshots
taken when the vote opened (race label, option labels, member names) are used rather than live
race or account data, so that correcting a typo in a race title does not look like tampering.
A publication's record is rebuilt from its own columns in the same way (see verify.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from interviews.votes.models import Ballot, Vote, VotePublication
from interviews.votes.rules import rule_of_vote
from interviews.votes.tally import Result

RECORD_VERSION = 1
# Version 2 (a vote that may be a stage of a decision path) adds the stage, the body, each option's kind
# and terms, each roll entry's seat and each ballot's roll entry; version 1 records are rebuilt as written.
STAGE_RECORD_VERSION = 2


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
            for e in sorted(vote.roll, key=lambda e: e.user_id or 0)
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
        record["ballots"] = [_ballot(b, labels) for b in sorted(vote.ballots, key=lambda b: b.member_id or 0)]
    if vote.record_version >= STAGE_RECORD_VERSION:
        _add_stage_parts(vote, record)
    return record


def _ballot(b: Ballot, labels: dict[int, str]) -> dict[str, Any]:
    return {
        "member_id": b.member_id,
        "choice": labels.get(b.option_id) if b.option_id else None,
        "option_id": b.option_id,
        "weight": b.weight,
        "paper": b.paper,
        "recorded_by_id": b.recorded_by_id,
        "recorded_at": _time(b.recorded_at),
    }


def _add_stage_parts(vote: Vote, record: dict[str, Any]) -> None:
    record["version"] = vote.record_version
    record["stage"] = (
        {
            "id": vote.stage_id,
            "position": vote.stage_position,
            "name": vote.stage_name,
            "mode": vote.stage_mode,
            "on_fail": vote.stage_on_fail,
            "is_last": vote.stage_is_last,
            "follows": {"vote": vote.follows_vote_id, "digest": vote.follows_digest},
            "verdict": vote.verdict,
            "decides": vote.decides,
        }
        if vote.stage_id is not None
        else None
    )
    record["body"] = {"id": vote.body_id, "name": vote.body_name} if vote.body_id is not None else None
    by_id = {o.id: o for o in vote.options}
    for entry in record["options"]:
        option = by_id[entry["id"]]
        entry["kind"] = option.kind.value
        entry["terms"] = json.loads(option.terms) if option.terms else None
    entries = sorted(vote.roll, key=lambda e: e.id)
    record["roll"] = [
        {
            "entry_id": e.id,
            "user_id": e.user_id,
            "body_member_id": e.body_member_id,
            "name": e.name,
            "weight": e.weight,
            "present": e.present,
            "has_voted": e.has_voted,
        }
        for e in entries
    ]
    if "ballots" in record:
        labels = {o.id: o.label for o in vote.options}
        record["ballots"] = [
            _ballot(b, labels) | {"roll_entry_id": b.roll_entry_id}
            for b in sorted(vote.ballots, key=lambda b: b.roll_entry_id or 0)
        ]


def build_publication_record(publication: VotePublication) -> dict[str, Any]:
    """A publication: which final record it makes public (by digest), when, and with what statement."""
    return {
        "version": RECORD_VERSION,
        "kind": "publication",
        "vote": publication.vote_id,
        "final_record": publication.vote.digest,
        "published_at": _time(publication.published_at),
        "statement": publication.statement,
        "chain": {"position": publication.chain_position, "previous_digest": publication.previous_digest},
    }
