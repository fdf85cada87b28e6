"""Races (one office on one ballot) and the candidates who run in them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Enum, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.auth.models import User
from interviews.extensions import Model, db
from interviews.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from interviews.invitations.models import Invitation, InvitationLetter
    from interviews.scheduling.models import Interview


class Stage(enum.Enum):
    planning = "planning"
    inviting = "inviting"
    interviewing = "interviewing"
    deliberating = "deliberating"
    decided = "decided"
    closed = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def badge(self) -> str:
        return {"decided": "ok", "closed": "ok"}.get(self.value, "")


class VoteBase(enum.Enum):
    """What a share is counted against."""

    cast = "cast"  # votes cast, abstentions left out
    cast_with_abstentions = "cast_with_abstentions"
    entitled = "entitled"  # every member entitled to vote
    present = "present"  # members recorded present


class QuorumKind(enum.Enum):
    none = "none"
    count = "count"
    fraction = "fraction"


# The race's default panel: leaders who sit on its interviews unless staff change one.
race_panel = Table(
    "race_panel",
    db.metadata,
    Column("race_id", ForeignKey("races.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Race(Model):
    __tablename__ = "races"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(200))
    election_date: Mapped[date]
    # Staff closed the race (the one stage that is a decision, not a record); the others follow the
    # records and are computed by races.stages.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    # The voting rule (see interviews/votes/rules.py): threshold num/den with "at least" or "more than".
    threshold_numerator: Mapped[int] = mapped_column(default=2)
    threshold_denominator: Mapped[int] = mapped_column(default=3)
    threshold_inclusive: Mapped[bool] = mapped_column(default=True)
    vote_base: Mapped[VoteBase] = mapped_column(Enum(VoteBase, native_enum=False, length=32), default=VoteBase.cast)
    quorum_kind: Mapped[QuorumKind] = mapped_column(
        Enum(QuorumKind, native_enum=False, length=16), default=QuorumKind.fraction
    )
    quorum_numerator: Mapped[int] = mapped_column(default=1)
    quorum_denominator: Mapped[int] = mapped_column(default=2)
    weighted: Mapped[bool] = mapped_column(default=False)
    secret_ballot: Mapped[bool] = mapped_column(default=False)
    # Hide colleagues' notes on an interview until you have submitted your own (against anchoring).
    hide_notes_until_submitted: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Feeds name this row's text; their validators watch when it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="race", order_by="Candidate.name", cascade="all, delete-orphan"
    )
    panel: Mapped[list[User]] = relationship(secondary=race_panel, order_by="User.name")
    letter: Mapped[InvitationLetter | None] = relationship(back_populates="race", uselist=False)
    interviews: Mapped[list[Interview]] = relationship(back_populates="race", order_by="Interview.starts_at")

    def __repr__(self) -> str:
        return f"<Race {self.title}>"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def active_candidates(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.withdrawn]


class Candidate(Model):
    __tablename__ = "candidates"
    # The race page, the ledger and the record book list a race's candidates by name, a page at a time.
    # The candidates still running and those who left are counted on every race page, list and ledger:
    # each count reads a partial index alone (no table rows), whatever the size of the race.
    __table_args__ = (
        Index("ix_candidates_race_name", "race_id", "name"),
        Index(
            "ix_candidates_race_running",
            "race_id",
            postgresql_where=text("withdrawn_at IS NULL"),
            sqlite_where=text("withdrawn_at IS NULL"),
        ),
        Index(
            "ix_candidates_race_left",
            "race_id",
            postgresql_where=text("withdrawn_at IS NOT NULL"),
            sqlite_where=text("withdrawn_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(100), default="")
    incumbent: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Feeds name this row's text; their validators watch when it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    race: Mapped[Race] = relationship(back_populates="candidates")
    invitation: Mapped[Invitation | None] = relationship(back_populates="candidate", uselist=False)

    def __repr__(self) -> str:
        return f"<Candidate {self.name}>"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
