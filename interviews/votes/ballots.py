"""Casting ballots: by the member online, or by the secretary from a paper or roll-call meeting.

Concurrency: a ballot takes a shared lock on the vote (so closing, which locks it exclusively, waits
for ballots in flight and refuses later ones) and an exclusive lock on the member's roll entry (so two
submissions by one member are serialised). On SQLite, BEGIN IMMEDIATE serialises every write.

Secret ballots cannot be changed. A change would need to find the member's earlier ballot again,
which is exactly the link a secret vote must not keep; a receipt the member holds would work, but
lost receipts and shoulder-surfing make it a poor trade for a board of a few dozen people. The
ballot form says so before the member casts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, update

from interviews.audit.services import record
from interviews.auth.models import User
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.types import utcnow
from interviews.votes.models import Ballot, BallotBoxTotal, RollEntry, Vote, VoteOption, VoteStatus
from interviews.votes.services import VoteError, locked_vote


@dataclass
class BallotReceipt:
    changed: bool
    message: str


def cast_ballot(
    vote: Vote,
    member: User,
    option_id: int | None,
    *,
    actor: User,
    paper: bool = False,
    now: datetime | None = None,
) -> BallotReceipt:
    """Record `member`'s ballot (option_id None: abstain). By the member online, or by the secretary (paper).

    Named votes: a member may change their ballot until the vote closes; the secretary may record or
    correct a paper ballot but not overwrite one the member cast online. Secret votes: once only.
    """
    vote = locked_vote(vote.id, shared=True)
    if vote.status is not VoteStatus.open:
        raise VoteError("This vote is not open: ballots are no longer accepted.")
    entry = _locked_entry(RollEntry.user_id == member.id, vote)
    if entry is None:
        raise VoteError(f"{member.name} is not on this vote's roll.")
    return _cast(vote, entry, option_id, actor=actor, paper=paper, now=now, voter_is_actor=actor.id == member.id)


def record_seat_ballot(
    vote: Vote, entry_id: int, option_id: int | None, *, actor: User, now: datetime | None = None
) -> BallotReceipt:
    """The secretary records the ballot of a roll entry: a body's member without an account, from paper."""
    vote = locked_vote(vote.id, shared=True)
    if vote.status is not VoteStatus.open:
        raise VoteError("This vote is not open: ballots are no longer accepted.")
    entry = _locked_entry(RollEntry.id == entry_id, vote)
    if entry is None:
        raise VoteError("That member is not on this vote's roll.")
    return _cast(vote, entry, option_id, actor=actor, paper=True, now=now, voter_is_actor=False)


def _locked_entry(which: ColumnElement[bool], vote: Vote) -> RollEntry | None:
    return db.session.scalars(
        select(RollEntry)
        .where(RollEntry.vote_id == vote.id, which)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def _cast(
    vote: Vote,
    entry: RollEntry,
    option_id: int | None,
    *,
    actor: User,
    paper: bool,
    now: datetime | None,
    voter_is_actor: bool,
) -> BallotReceipt:
    option = None
    if option_id is not None:
        option = db.session.get(VoteOption, option_id)
        if option is None or option.vote_id != vote.id:
            raise VoteError("That choice is not on this ballot.")
    choice = option.label if option else "abstain"
    if paper:
        entry.present = True
    if vote.secret:
        return _cast_secret(vote, entry, option, actor=actor, paper=paper, voter_is_actor=voter_is_actor)

    # A member with an account is found by it (ballots from before bodies have no roll entry); a seat by its entry.
    mine = Ballot.member_id == entry.user_id if entry.user_id is not None else Ballot.roll_entry_id == entry.id
    ballot = db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id, mine)).one_or_none()
    when = now or utcnow()
    if ballot is None:
        ballot = Ballot(
            vote=vote,
            member_id=entry.user_id,
            roll_entry_id=entry.id,
            option_id=option_id,
            weight=entry.weight,
            recorded_by_id=actor.id,
            recorded_at=when,
            paper=paper,
        )
        db.session.add(ballot)
        entry.has_voted = True
        db.session.flush()
        record(
            "vote.ballot_cast",
            vote,
            actor=actor,
            changes={"member": entry.name, "choice": choice, "paper": paper},
            summary=f"{'Paper ballot recorded for' if paper else 'Ballot cast by'} {entry.name}: {choice}",
        )
        return BallotReceipt(False, f"Ballot recorded: {choice}.")
    if paper and not ballot.paper:
        raise VoteError(f"{entry.name} has already voted online; only they can change that ballot.")
    old = ballot.option.label if ballot.option else "abstain"
    if ballot.option_id == option_id:
        return BallotReceipt(False, f"Ballot unchanged: {choice}.")
    ballot.option_id = option_id
    ballot.recorded_by_id = actor.id
    ballot.recorded_at = when
    ballot.paper = paper
    db.session.flush()
    record(
        "vote.ballot_changed",
        vote,
        actor=actor,
        changes={"member": entry.name, "choice": [old, choice], "paper": paper},
        summary=f"Ballot of {entry.name} changed from {old} to {choice}",
    )
    return BallotReceipt(True, f"Ballot changed to {choice}.")


def _cast_secret(
    vote: Vote, entry: RollEntry, option: VoteOption | None, *, actor: User, paper: bool, voter_is_actor: bool
) -> BallotReceipt:
    if entry.has_voted:
        raise VoteError(
            f"{'You have' if voter_is_actor else entry.name + ' has'} already voted. A secret ballot "
            "cannot be changed: nothing links it to the voter, so it cannot be found again."
        )
    entry.has_voted = True
    # One atomic UPDATE of the totals: the ballot leaves no row, id, time or weight of its own.
    option_filter = BallotBoxTotal.option_id.is_(None) if option is None else BallotBoxTotal.option_id == option.id
    done = rows_changed(
        db.session,
        update(BallotBoxTotal)
        .where(BallotBoxTotal.vote_id == vote.id, option_filter)
        .values(ballots=BallotBoxTotal.ballots + 1, weight=BallotBoxTotal.weight + entry.weight)
        .execution_options(synchronize_session=False),
    )
    if done != 1:
        raise VoteError("This vote's ballot box is damaged; tell the secretary.")
    # The audit trail says who voted, never what they chose.
    record(
        "vote.secret_ballot_cast",
        vote,
        actor=actor,
        changes={"member": entry.name, "paper": paper},
        summary=f"{'Secret paper ballot recorded for' if paper else 'Secret ballot cast by'} {entry.name}",
    )
    return BallotReceipt(False, "Your secret ballot is in the box." if not paper else "Secret ballot recorded.")
