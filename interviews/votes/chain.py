"""The chain: final votes' records and publications in one sequence, each holding the digest of the one before.

A vote's final record is appended when it is finalised, a publication when its result is made public;
nothing already in the chain is written again. Each append also writes a `vote.chain_extended` audit
event with the chain's new length and head. Deleting the newest records would leave a shorter chain
that is still consistent in itself; `verify` finds it shorter than the audit trail says it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text, union_all

from interviews.audit.actors import Actor
from interviews.audit.services import record
from interviews.extensions import db
from interviews.votes.models import Vote, VotePublication

# Any fixed number: the PostgreSQL advisory lock that serialises appends (one chain for the whole union).
CHAIN_LOCK_KEY = 7_206_311
CHAIN_EXTENDED = "vote.chain_extended"


@dataclass(frozen=True)
class Link:
    """A record's place in the chain: its position (1, 2, ...) and its digest."""

    position: int
    digest: str


def chain_head() -> Link | None:
    """The newest record of the chain (a final vote or a publication), or None before any vote is final."""
    records = union_all(
        select(Vote.chain_position.label("position"), Vote.digest.label("digest")).where(
            Vote.chain_position.is_not(None)
        ),
        select(VotePublication.chain_position.label("position"), VotePublication.digest.label("digest")),
    ).subquery()
    row = db.session.execute(
        select(records.c.position, records.c.digest).order_by(records.c.position.desc()).limit(1)
    ).first()
    return Link(row.position, row.digest or "") if row is not None else None


def next_place() -> tuple[int, str | None]:
    """Lock the chain until the transaction ends; the next record's position and the digest it follows."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    head = chain_head()
    return (head.position + 1, head.digest) if head else (1, None)


def record_extension(appended: Vote | VotePublication, *, actor: Actor) -> Link:
    """Write the chain's new length and head to the audit trail, in the transaction that appended the record."""
    if isinstance(appended, Vote):
        if appended.chain_position is None or appended.digest is None:
            raise ValueError("only a finalised vote is in the chain")
        link, what = Link(appended.chain_position, appended.digest), f"the final record of vote {appended.id}"
    else:
        link, what = Link(appended.chain_position, appended.digest), f"the publication of vote {appended.vote_id}"
    record(
        CHAIN_EXTENDED,
        appended,
        actor=actor,
        changes={"length": link.position, "head": link.digest},
        summary=f"Chain of final records: {what} is record {link.position}, the head is now {link.digest}",
    )
    return link
