"""Interviews, their panels, and the rooms and video meetings they happen in."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.auth.models import User
from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from interviews.invitations.models import Invitation, Slot
    from interviews.notes.models import QuestionList
    from interviews.races.models import Candidate, Race


class LocationKind(enum.Enum):
    room = "room"
    video = "video"

    @property
    def label(self) -> str:
        return {"room": "Room", "video": "Video meeting"}[self.value]


class Location(Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LocationKind] = mapped_column(Enum(LocationKind, native_enum=False, length=8))
    address: Mapped[str] = mapped_column(String(500), default="")
    join_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    # Feeds name this row's text; their validators watch when it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def where(self) -> str:
        """What goes in a calendar's LOCATION: the address of a room, the link of a meeting."""
        if self.kind is LocationKind.video:
            return self.join_url or self.name
        return f"{self.name}, {self.address}" if self.address else self.name


class InterviewStatus(enum.Enum):
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"

    @property
    def label(self) -> str:
        return {"no_show": "No-show"}.get(self.value, self.value.capitalize())

    @property
    def badge(self) -> str:
        return {"completed": "ok", "cancelled": "bad", "no_show": "bad"}.get(self.value, "")


class CancelledBy(enum.Enum):
    """Who called an interview off: stored when it happens, so no page has to guess it afterwards."""

    staff = "staff"  # an account, on the interview or ledger pages (or by withdrawing the candidate)
    campaign = "campaign"  # the campaign, through its invitation link
    system = "system"  # the app itself (a command)

    @property
    def label(self) -> str:
        return {
            "staff": "Cancelled by staff",
            "campaign": "Cancelled by the campaign",
            "system": "Cancelled by the system",
        }[self.value]


def new_uid() -> str:
    return f"{uuid.uuid4()}@interviews"


class Interview(Model):
    __tablename__ = "interviews"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        # The race page and the record book list a race's interviews by time, a page at a time.
        Index("ix_interviews_race_starts", "race_id", "starts_at"),
        # "Is this candidate booked?" on the race page and the dashboard.
        Index("ix_interviews_candidate_status", "candidate_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), index=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[InterviewStatus] = mapped_column(
        Enum(InterviewStatus, native_enum=False, length=16), default=InterviewStatus.scheduled
    )
    # The calendar identity: the UID never changes, the SEQUENCE only rises (RFC 5546).
    uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    question_list_id: Mapped[int | None] = mapped_column(ForeignKey("question_lists.id"), index=True)
    notes_for_candidate: Mapped[str] = mapped_column(Text, default="")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[CancelledBy | None] = mapped_column(Enum(CancelledBy, native_enum=False, length=16))
    # The account that cancelled it, when staff did.
    cancelled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    race: Mapped[Race] = relationship(back_populates="interviews")
    candidate: Mapped[Candidate] = relationship()
    invitation: Mapped[Invitation | None] = relationship(back_populates="interviews")
    slot: Mapped[Slot | None] = relationship()
    location: Mapped[Location | None] = relationship()
    organiser: Mapped[User | None] = relationship(foreign_keys=[organiser_id])
    cancelled_by_user: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_user_id])
    question_list: Mapped[QuestionList | None] = relationship()
    panel_seats: Mapped[list[PanelSeat]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="PanelSeat.id"
    )

    @property
    def panel(self) -> list[User]:
        return [seat.user for seat in self.panel_seats]


class PanelSeat(Model):
    """A leader sitting on one interview's panel."""

    __tablename__ = "panel_seats"
    __table_args__ = (UniqueConstraint("interview_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="panel_seats")
    user: Mapped[User] = relationship()
