"""`flask votes verify`: rebuild every record of the chain from what the pages show, and check every link.

Checked: each final vote's record is rebuilt from its rows (rule, options, roll, ballots or ballot box,
the count, times) and each publication's from its columns (time, statement, the final record it
publishes); each stored record still has its digest; the positions run 1, 2, ... and each record holds
the digest of the one before; the chain agrees with every `vote.chain_extended` audit event (the
record at that event's length has that event's head, and the chain is as long as the longest), so
deleting the newest records is caught; and, given a head an outside witness copied earlier, that the
chain still runs through it. The pages show only what these records cover: the result in words is
read from the record itself (Vote.result_text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.votes.chain import CHAIN_EXTENDED
from interviews.votes.models import Vote, VotePublication, VoteStatus
from interviews.votes.record import build_publication_record, build_record, canonical_json, sha256_hex
from interviews.votes.services import result_of


@dataclass(frozen=True)
class Problem:
    what: str  # "vote 3", "publication of vote 3", "the chain", "the audit trail", "the head you hold"
    message: str
    context: str = ""

    def __str__(self) -> str:
        return f"{self.what} ({self.context}): {self.message}" if self.context else f"{self.what}: {self.message}"


@dataclass(frozen=True)
class _Stored:
    """A record as the chain stores it, with the name verify gives it."""

    position: int
    digest: str
    previous_digest: str | None
    what: str
    context: str


@dataclass
class Verification:
    votes: int = 0
    publications: int = 0
    length: int = 0  # the highest position stored
    head: str | None = None
    problems: list[Problem] = field(default_factory=list)
    witness: str = ""  # where the head an outside witness holds is in the chain


def verify_chain(witness_head: str | None = None) -> Verification:
    outcome = Verification()
    stored = _check_final_votes(outcome) + _check_publications(outcome)
    stored.sort(key=lambda s: s.position)
    _check_links(stored, outcome)
    if stored:
        outcome.length, outcome.head = stored[-1].position, stored[-1].digest
    _check_audit_trail(stored, outcome)
    if witness_head is not None:
        _check_witness(witness_head.strip().lower(), stored, outcome)
    return outcome


def _check_final_votes(outcome: Verification) -> list[_Stored]:
    votes = db.session.scalars(
        select(Vote)
        .where((Vote.status == VoteStatus.final) | Vote.digest.is_not(None) | Vote.chain_position.is_not(None))
        .order_by(Vote.chain_position.is_(None), Vote.chain_position, Vote.id)
    ).all()
    stored = []
    for vote in votes:
        outcome.votes += 1
        what, context = f"vote {vote.id}", f"{vote.race_label}, held {vote.held_on}"
        if vote.chain_position is not None and vote.digest:
            stored.append(_Stored(vote.chain_position, vote.digest, vote.previous_digest, what, context))
        if vote.status is not VoteStatus.final or not vote.digest or not vote.record_json or not vote.chain_position:
            outcome.problems.append(
                Problem(what, "is not a complete final vote (status, record, digest or place missing)", context)
            )
            continue
        if canonical_json(build_record(vote, result_of(vote))) != vote.record_json:
            outcome.problems.append(Problem(what, "its rows no longer match the stored final record", context))
        if sha256_hex(vote.record_json) != vote.digest:
            outcome.problems.append(Problem(what, "its stored record no longer matches its digest", context))
    return stored


def _check_publications(outcome: Verification) -> list[_Stored]:
    stored = []
    for publication in db.session.scalars(select(VotePublication).order_by(VotePublication.chain_position)):
        outcome.publications += 1
        what, context = f"publication of vote {publication.vote_id}", f"record {publication.chain_position}"
        stored.append(
            _Stored(publication.chain_position, publication.digest, publication.previous_digest, what, context)
        )
        vote = publication.vote
        if vote.status is not VoteStatus.final or vote.chain_position is None:
            outcome.problems.append(Problem(what, "publishes a vote that is not final", context))
        elif publication.chain_position <= vote.chain_position:
            outcome.problems.append(Problem(what, "comes before the final record it publishes", context))
        if canonical_json(build_publication_record(publication)) != publication.record_json:
            outcome.problems.append(
                Problem(what, "its time, statement or vote no longer match the stored record", context)
            )
        if sha256_hex(publication.record_json) != publication.digest:
            outcome.problems.append(Problem(what, "its stored record no longer matches its digest", context))
    return stored


def _check_links(stored: list[_Stored], outcome: Verification) -> None:
    """Positions 1, 2, ... with no gap or repeat, each record holding the digest of the one before."""
    previous: _Stored | None = None
    for record in stored:
        expected = (previous.position + 1, previous.digest) if previous else (1, None)
        if (record.position, record.previous_digest) != expected:
            outcome.problems.append(
                Problem(
                    record.what,
                    "the chain is broken: its previous digest or position does not follow on",
                    record.context,
                )
            )
        previous = record


def _check_audit_trail(stored: list[_Stored], outcome: Verification) -> None:
    """Every length and head the audit trail recorded is still in the chain, and nothing was added behind it."""
    at_position = {s.position: s for s in stored}
    longest = 0
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == CHAIN_EXTENDED).order_by(AuditEvent.id)
    ).all()
    for event in events:
        length, head = (event.changes or {}).get("length"), (event.changes or {}).get("head")
        if not isinstance(length, int) or not isinstance(head, str):
            outcome.problems.append(Problem("the audit trail", f"event {event.id} does not say the chain's length"))
            continue
        longest = max(longest, length)
        record = at_position.get(length)
        if record is None:
            outcome.problems.append(
                Problem(
                    "the chain",
                    f"record {length} is missing: the audit trail recorded it on {event.at.isoformat()} "
                    f"(event {event.id}, digest {head}), so records were deleted",
                )
            )
        elif record.digest != head:
            outcome.problems.append(
                Problem(
                    record.what,
                    f"record {length} has digest {record.digest}, but the audit trail recorded {head} "
                    f"(event {event.id}): the chain was rewritten",
                    record.context,
                )
            )
    if outcome.length > longest:
        first = longest + 1
        outcome.problems.append(
            Problem(
                "the chain",
                f"records {first} to {outcome.length} are not in the audit trail: the app did not append them"
                if first < outcome.length
                else f"record {first} is not in the audit trail: the app did not append it",
            )
        )


def _check_witness(head: str, stored: list[_Stored], outcome: Verification) -> None:
    record = next((s for s in stored if s.digest == head), None)
    if record is None:
        outcome.problems.append(
            Problem(
                "the head you hold",
                f"{head} is not in the chain: the chain was rewritten since it was copied, or it is mistyped",
            )
        )
    elif record.position == outcome.length:
        outcome.witness = f"The head you hold is the chain's head, record {record.position}."
    else:
        after = outcome.length - record.position
        outcome.witness = (
            f"The head you hold is record {record.position} of {outcome.length}; "
            f"{after} {'record was' if after == 1 else 'records were'} appended after it."
        )
