"""Endorsement votes: the frozen roll, the options, ballots, the final record's digest, and publications."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ColumnElement, Enum, ForeignKey, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.auth.models import User
from interviews.extensions import Model
from interviews.races.models import QuorumKind, VoteBase
from interviews.types import UTCDateTime, utcnow
from interviews.votes import guards  # noqa: F401  (its PostgreSQL triggers follow create_all)
from interviews.votes.stage_words import stage_result_words
from interviews.votes.tally import Outcome, summary_in_words

if TYPE_CHECKING:
    from interviews.races.models import Candidate, Race


class VoteStatus(enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"
    final = "final"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "open": "Open", "closed": "Closed", "final": "Final"}[self.value]

    @property
    def badge(self) -> str:
        return {"open": "warn", "final": "ok"}.get(self.value, "")


@lru_cache(maxsize=16)
def parsed_record(text: str) -> dict[str, Any]:
    """A final record parsed once per process: a field of two thousand candidates makes a record of a few
    hundred kilobytes, which every page showing the vote reads. Keyed by the whole text, so a record
    changed in the database (which verification would catch) is parsed afresh, never served stale."""
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def result_words(record: dict[str, Any] | None) -> str:
    """A vote's result in words from its final record ('' before it is final): `Vote.result_text`,
    and the same for the race page's rows of votes (`services.VoteRow`)."""
    if record is None:
        return ""
    if record.get("stage"):
        words = stage_result_words(record)
        return words[0].upper() + words[1:]
    result = record["result"]
    return summary_in_words(Outcome(result["outcome"]), result["winner"], result["reason"])


class Vote(Model):
    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    held_on: Mapped[date]
    # The race as named when the vote opened, for the final record (a later typo fix is not tampering).
    race_label: Mapped[str] = mapped_column(String(500), default="")
    motion: Mapped[str] = mapped_column(Text)
    status: Mapped[VoteStatus] = mapped_column(Enum(VoteStatus, native_enum=False, length=16), default=VoteStatus.draft)
    # The rule, copied from the race when the vote opens so that a later edit cannot change it.
    threshold_numerator: Mapped[int] = mapped_column(default=2)
    threshold_denominator: Mapped[int] = mapped_column(default=3)
    threshold_inclusive: Mapped[bool] = mapped_column(default=True)
    base: Mapped[VoteBase] = mapped_column(Enum(VoteBase, native_enum=False, length=32), default=VoteBase.cast)
    quorum_kind: Mapped[QuorumKind] = mapped_column(
        Enum(QuorumKind, native_enum=False, length=16), default=QuorumKind.none
    )
    quorum_numerator: Mapped[int] = mapped_column(default=0)
    quorum_denominator: Mapped[int] = mapped_column(default=1)
    weighted: Mapped[bool] = mapped_column(default=False)
    secret: Mapped[bool] = mapped_column(default=False)
    # A tie at the top endorses each of the tied (a dual endorsement), where the stage's rule allows it.
    dual: Mapped[bool] = mapped_column(default=False)
    # 1: a vote of the voting members as the first release recorded it; 2: a vote that may be a stage of
    # a decision path, whose record also holds the stage, the body, each option's terms and the verdict.
    record_version: Mapped[int] = mapped_column(default=1)
    # The stage of the race's decision path this vote is, copied when it opens (interviews.decisions):
    # a later edit of the path or a body's name is not tampering with the record.
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("decision_stages.id"), index=True)
    stage_position: Mapped[int | None]
    stage_name: Mapped[str] = mapped_column(String(200), default="")
    stage_mode: Mapped[str | None] = mapped_column(String(16))  # choose, ratify, rescind
    stage_on_fail: Mapped[str | None] = mapped_column(String(16))  # back, no_endorsement
    stage_is_last: Mapped[bool | None]
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    body_name: Mapped[str] = mapped_column(String(200), default="")
    # The final vote whose recommendation this one ratifies or rescinds, and that vote's digest.
    follows_vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id"), index=True)
    follows_digest: Mapped[str | None] = mapped_column(String(64))
    # What the stage's result does (votes.stages.verdict_of): "carried" or "failed", and whether it
    # ends the race's decision (the last stage carried, a failure that means no endorsement, a rescission).
    verdict: Mapped[str | None] = mapped_column(String(16))
    decides: Mapped[bool | None]
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quorum_met: Mapped[bool | None]
    # Place in the chain (1, 2, ...), which final votes share with publications (VotePublication): unique,
    # so two finalisations cannot fork it; the chain's lock (chain.next_place) keeps a publication off it too.
    chain_position: Mapped[int | None] = mapped_column(unique=True)
    # The outcome: "endorsed" (result_candidate set), "no_endorsement" or "failed_quorum".
    outcome: Mapped[str | None] = mapped_column(String(20))
    result_candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), index=True)
    # Canonical JSON of the final record, its SHA-256, and the digest of the chain's record before it.
    record_json: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    previous_digest: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    race: Mapped[Race] = relationship()
    created_by: Mapped[User | None] = relationship()
    result_candidate: Mapped[Candidate | None] = relationship(foreign_keys=[result_candidate_id])
    follows: Mapped[Vote | None] = relationship(remote_side=[id], foreign_keys=[follows_vote_id])
    options: Mapped[list[VoteOption]] = relationship(back_populates="vote", order_by="VoteOption.position")
    roll: Mapped[list[RollEntry]] = relationship(back_populates="vote", order_by="RollEntry.name")
    ballots: Mapped[list[Ballot]] = relationship(back_populates="vote")
    box: Mapped[list[BallotBoxTotal]] = relationship(back_populates="vote")
    publication: Mapped[VotePublication | None] = relationship(back_populates="vote")

    def __repr__(self) -> str:
        return f"<Vote {self.id} {self.status.value}>"

    @property
    def is_final(self) -> bool:
        return self.status is VoteStatus.final

    @property
    def is_published(self) -> bool:
        return self.publication is not None

    @property
    def published_at(self) -> datetime | None:
        """When the result was made public (its publication record), or None."""
        return self.publication.published_at if self.publication else None

    @property
    def result_text(self) -> str:
        """The result in words, read from the hashed final record: what pages show is what verify checks."""
        return result_words(self.record)

    @property
    def record(self) -> dict[str, Any] | None:
        """The final record, parsed (None before the vote is final); read-only, shared between requests."""
        text = self.record_json
        return parsed_record(text) if text else None

    @property
    def is_stage(self) -> bool:
        return self.stage_id is not None

    @property
    def decides_race(self) -> bool:
        """Final, and it took the race's decision: a vote with no stage, or the stage that ended the path."""
        return self.is_final and (self.stage_id is None or bool(self.decides))

    @classmethod
    def decided_clause(cls) -> ColumnElement[bool]:
        """SQL for `decides_race`: a race is decided (its notes and positions lock) once it has such a vote."""
        return and_(cls.status == VoteStatus.final, or_(cls.stage_id.is_(None), cls.decides.is_(True)))

    def roll_entry_for(self, user: User | None) -> RollEntry | None:
        if user is None or not getattr(user, "id", None):
            return None
        return next((e for e in self.roll if e.user_id == user.id), None)


class OptionKind(enum.Enum):
    candidate = "candidate"  # endorse one candidate (candidate_id)
    joint = "joint"  # endorse several for the one seat (a dual endorsement; the terms name them)
    open = "open"  # an open race: members free to choose
    no_endorsement = "no_endorsement"
    ratify = "ratify"  # yes: ratify the recommendation
    reject = "reject"  # no: reject it
    rescind = "rescind"  # yes: withdraw the endorsement
    keep = "keep"  # no: keep it

    @property
    def endorses(self) -> bool:
        return self in (OptionKind.candidate, OptionKind.joint)

    @property
    def carries(self) -> bool:
        """Whether this option winning carries a ratification or a rescission."""
        return self in (OptionKind.ratify, OptionKind.rescind)


class VoteOption(Model):
    """A choice on the ballot: a candidate, or "No endorsement" (candidate_id NULL).

    A stage's vote (record version 2) may also offer a dual endorsement, an open race, or yes / no on
    a recommendation; `terms` (canonical JSON) holds what the option endorses: the candidates, the
    conditions and the commitments they are linked to, and a recommended contribution.
    """

    __tablename__ = "vote_options"
    __table_args__ = (UniqueConstraint("vote_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"))
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), index=True)
    label: Mapped[str] = mapped_column(String(500))
    position: Mapped[int]
    kind: Mapped[OptionKind] = mapped_column(
        Enum(OptionKind, native_enum=False, length=20), default=OptionKind.candidate
    )
    terms: Mapped[str | None] = mapped_column(Text)

    vote: Mapped[Vote] = relationship(back_populates="options")
    candidate: Mapped[Candidate | None] = relationship()

    @property
    def terms_data(self) -> dict[str, Any]:
        """The terms, parsed ({} for a plain option)."""
        return json.loads(self.terms) if self.terms else {}

    @property
    def is_no_endorsement(self) -> bool:
        """Counted as "no endorsement": what wins when nothing is endorsed (an open race, "no" to a motion).

        Options written before kinds existed are all `candidate`; theirs is the one without a candidate.
        """
        if self.kind is OptionKind.candidate:
            return self.candidate_id is None
        return self.kind in (OptionKind.open, OptionKind.no_endorsement, OptionKind.reject, OptionKind.keep)


class RollEntry(Model):
    """A member entitled to vote, with the weight frozen when the vote opened."""

    __tablename__ = "vote_roll"
    __table_args__ = (
        UniqueConstraint("vote_id", "user_id"),
        UniqueConstraint("vote_id", "body_member_id"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"))
    # The account (None for a body member without one, whose ballot the secretary records).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The seat on the body the roll was taken from (None for votes before bodies).
    body_member_id: Mapped[int | None] = mapped_column(ForeignKey("body_members.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int]
    present: Mapped[bool] = mapped_column(default=False)
    # In a secret vote this is the only trace of a member's participation.
    has_voted: Mapped[bool] = mapped_column(default=False)

    vote: Mapped[Vote] = relationship(back_populates="roll")
    user: Mapped[User | None] = relationship()


def random_ballot_id() -> str:
    return uuid.uuid4().hex


class Ballot(Model):
    """A ballot in a NAMED vote: the member, the choice (NULL: abstain), the frozen weight, who recorded it.

    Secret votes keep no ballot rows at all (see BallotBoxTotal). The primary key is random anyway,
    so ids say nothing about order.
    """

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "member_id"), UniqueConstraint("vote_id", "roll_entry_id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_ballot_id)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # NULL in a secret vote
    # The roll entry (a member without an account has no member_id); NULL before bodies.
    roll_entry_id: Mapped[int | None] = mapped_column(ForeignKey("vote_roll.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("vote_options.id"), index=True)  # NULL: abstain
    weight: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paper: Mapped[bool] = mapped_column(default=False)

    vote: Mapped[Vote] = relationship(back_populates="ballots")
    member: Mapped[User | None] = relationship(foreign_keys=[member_id])
    roll_entry: Mapped[RollEntry | None] = relationship()
    option: Mapped[VoteOption | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class BallotBoxTotal(Model):
    """A secret vote's ballot box: per option (NULL: abstentions) the number of ballots and their weight.

    A secret ballot is added to these sums and nothing else is kept of it: no row, id, time or weight
    of its own, so nothing ties it to the roll entry marked as voted. (Weights are per-capita figures
    that would name the member if a row kept one.) The rows are made, all zero, when the vote opens,
    and rewritten together when it closes, so the database's own row versions do not record which
    total changed last. See services.cast_ballot for why a secret ballot cannot be changed.
    """

    __tablename__ = "ballot_box_totals"
    __table_args__ = (
        UniqueConstraint("vote_id", "option_id"),
        CheckConstraint("ballots >= 0 AND weight >= 0", name="totals_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("vote_options.id"), index=True)
    ballots: Mapped[int] = mapped_column(default=0)
    weight: Mapped[int] = mapped_column(default=0)

    vote: Mapped[Vote] = relationship(back_populates="box")
    option: Mapped[VoteOption | None] = relationship()


class VotePublication(Model):
    """A final vote made public: a record of its own, appended to the chain after the vote's final record.

    Publishing never writes the finalised vote row. The record (canonical JSON, like the vote's) holds
    the time, the statement and the digest of the final record it publishes; `verify` rebuilds it from
    these columns, so the public page shows nothing the chain does not cover.
    """

    __tablename__ = "vote_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One publication per vote: there is no unpublishing, so a second one would only contradict the first.
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), unique=True)
    chain_position: Mapped[int] = mapped_column(unique=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    statement: Mapped[str] = mapped_column(Text, default="")
    record_json: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    previous_digest: Mapped[str] = mapped_column(String(64))

    vote: Mapped[Vote] = relationship(back_populates="publication")
