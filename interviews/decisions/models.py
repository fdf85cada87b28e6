"""Bodies that vote (with their members over time) and each race's decision path: stages in order.

A `Body` is a named group: the Political Committee, the Executive Board, the convention delegates.
Its `BodyMember` rows say who sat on it from when to when, with what weight; a member is an account,
or for large bodies a person without one whose ballot the secretary records. The default body is the
accounts marked "voting member", kept in step with those flags (decisions.bodies.sync_default_body).

A race's `DecisionStage`s are its path: each a body and a rule, in order. A stage either chooses from
the field or ratifies the previous stage's recommendation; a stage whose vote fails sends the race
back or ends it with no endorsement, as it says. A rescission is a stage too, added after the
decision. The votes of the stages are ordinary votes (interviews.votes) that copy the stage when they
open, so their final records, and the chain, cover every stage.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ColumnElement, Enum, ForeignKey, String, Text, UniqueConstraint, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.auth.models import User
from interviews.extensions import Model
from interviews.races.models import QuorumKind, Race, VoteBase
from interviews.types import UTCDateTime, utcnow


class StageMode(enum.Enum):
    choose = "choose"  # choose from the field (the candidates, a dual endorsement, open, none)
    ratify = "ratify"  # yes / no / abstain on the previous stage's recommendation
    rescind = "rescind"  # yes / no / abstain on withdrawing the decision already taken

    @property
    def label(self) -> str:
        return {
            "choose": "Chooses from the field",
            "ratify": "Ratifies the recommendation",
            "rescind": "Rescission of the endorsement",
        }[self.value]


class OnFail(enum.Enum):
    back = "back"  # a choosing stage votes again; a ratifying one sends the race back to the stage before
    no_endorsement = "no_endorsement"  # the race ends with no endorsement

    @property
    def label(self) -> str:
        return {
            "back": "Back: the stage before chooses again",
            "no_endorsement": "No endorsement: the decision ends there",
        }[self.value]


class Body(Model):
    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The accounts marked "voting member": members are added and ended from those flags, not by hand.
    is_default: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()
    members: Mapped[list[BodyMember]] = relationship(back_populates="body", order_by="BodyMember.name")

    def __repr__(self) -> str:
        return f"<Body {self.name}>"

    def members_on(self, day: date) -> list[BodyMember]:
        """Who sat on the body on `day` (joined on or before it, not yet left)."""
        return [m for m in self.members if m.sits_on(day)]


def seated_on(day: date) -> ColumnElement[bool]:
    """SQL for BodyMember.sits_on(day), to count or list seats without loading a whole body's members."""
    return (BodyMember.joined_on <= day) & or_(BodyMember.left_on.is_(None), BodyMember.left_on > day)


class BodyMember(Model):
    """A seat on a body from `joined_on` until the day before `left_on` (None: still sitting)."""

    __tablename__ = "body_members"
    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="leaves_after_joining"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    # An account, or None for a person whose ballot the secretary records (a delegate without one).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The body's own reference for the seat: a delegate number, the local they represent.
    reference: Mapped[str] = mapped_column(String(120), default="")
    weight: Mapped[int] = mapped_column(default=1)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    body: Mapped[Body] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    def sits_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


class DecisionStage(Model):
    """One step of a race's decision: a body deciding by a rule, in its place on the path."""

    __tablename__ = "decision_stages"
    __table_args__ = (
        UniqueConstraint("race_id", "position"),
        CheckConstraint("threshold_numerator > 0 AND threshold_denominator > 0", name="threshold_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    mode: Mapped[StageMode] = mapped_column(Enum(StageMode, native_enum=False, length=16))
    on_fail: Mapped[OnFail] = mapped_column(Enum(OnFail, native_enum=False, length=16), default=OnFail.no_endorsement)
    # The rule, as the race keeps its own (interviews/votes/rules.py); a stage's vote copies it when it opens.
    threshold_numerator: Mapped[int] = mapped_column(default=1)
    threshold_denominator: Mapped[int] = mapped_column(default=2)
    threshold_inclusive: Mapped[bool] = mapped_column(default=False)
    vote_base: Mapped[VoteBase] = mapped_column(Enum(VoteBase, native_enum=False, length=32), default=VoteBase.cast)
    quorum_kind: Mapped[QuorumKind] = mapped_column(
        Enum(QuorumKind, native_enum=False, length=16), default=QuorumKind.none
    )
    quorum_numerator: Mapped[int] = mapped_column(default=0)
    quorum_denominator: Mapped[int] = mapped_column(default=1)
    weighted: Mapped[bool] = mapped_column(default=False)
    secret_ballot: Mapped[bool] = mapped_column(default=False)
    # Whether the stage may endorse more than one candidate for the seat (a dual endorsement).
    dual: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    race: Mapped[Race] = relationship()
    body: Mapped[Body] = relationship()

    def __repr__(self) -> str:
        return f"<DecisionStage {self.race_id}/{self.position} {self.name}>"

    @property
    def body_name(self) -> str:
        """The deciding body's name, as a stage read as a row names it (`paths.StageRow`)."""
        return self.body.name
