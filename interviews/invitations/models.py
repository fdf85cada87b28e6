"""The race's one invitation letter, the slots it offers, and each candidate's copy of it."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.extensions import Model
from interviews.scheduling.models import CancelledBy, InterviewStatus
from interviews.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from interviews.auth.models import User
    from interviews.races.models import Candidate, Race
    from interviews.scheduling.models import Interview, Location


class InvitationLetter(Model):
    """The text, topics, deadline and slots: one per race, the same for every candidate."""

    __tablename__ = "invitation_letters"
    __table_args__ = (CheckConstraint("duration_minutes > 0", name="duration_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    topics: Mapped[str] = mapped_column(Text, default="")  # one topic a line
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(default=45)
    # Set by the first send: from then on the text is frozen, so every candidate gets the same one.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    race: Mapped[Race] = relationship(back_populates="letter")
    slots: Mapped[list[Slot]] = relationship(
        back_populates="letter", order_by="Slot.starts_at", cascade="all, delete-orphan"
    )
    invitations: Mapped[list[Invitation]] = relationship(back_populates="letter", order_by="Invitation.id")

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    @property
    def topic_list(self) -> list[str]:
        return topics_of(self.topics)

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        return deadline_passed(self.respond_by, now)


# The letter's rules, for the letter as an object or as a row (the campaign's page reads rows).
def topics_of(topics: str) -> list[str]:
    return [line.strip() for line in topics.splitlines() if line.strip()]


def deadline_passed(respond_by: datetime, now: datetime | None = None) -> bool:
    return (now or utcnow()) > respond_by


class Slot(Model):
    """A time offered in the letter; a candidate takes it, once."""

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # The letter's free times (the candidate's page, the counts beside the letter): untaken ones only.
        Index(
            "ix_slots_letter_free",
            "letter_id",
            "starts_at",
            postgresql_where=text("taken_by_id IS NULL"),
            sqlite_where=text("taken_by_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("invitation_letters.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # Set once, atomically (UPDATE ... WHERE taken_by_id IS NULL); unique, so a candidate holds one slot.
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), unique=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    letter: Mapped[InvitationLetter] = relationship(back_populates="slots")
    location: Mapped[Location | None] = relationship()
    taken_by: Mapped[Invitation | None] = relationship(foreign_keys=[taken_by_id], back_populates="slot")

    @property
    def is_free(self) -> bool:
        return self.taken_by_id is None and self.starts_at > utcnow()

    def release(self) -> None:
        """Free the slot for another campaign (its interview was cancelled or moved off its time)."""
        self.taken_by_id = None
        self.taken_at = None


class InvitationStatus(enum.Enum):
    sent = "sent"
    opened = "opened"
    accepted = "accepted"
    declined = "declined"
    other_times = "other_times"  # asked for other times
    no_reply = "no_reply"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "sent": "Sent",
            "opened": "Opened",
            "accepted": "Accepted",
            "declined": "Declined",
            "other_times": "Asked for other times",
            "no_reply": "No reply by the deadline",
            "withdrawn": "Withdrawn",
        }[self.value]

    @property
    def badge(self) -> str:
        return {"accepted": "ok", "declined": "bad", "no_reply": "bad", "withdrawn": "bad", "other_times": "warn"}.get(
            self.value, ""
        )


# Statuses in which the candidate has not answered yet (reminders, the deadline).
UNANSWERED = (InvitationStatus.sent, InvitationStatus.opened)


class Invitation(Model):
    """One candidate's copy of the race's letter, with what they did with it."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("letter_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("invitation_letters.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[InvitationStatus] = mapped_column(
        Enum(InvitationStatus, native_enum=False, length=16), default=InvitationStatus.sent
    )
    # SHA-256 of exactly what was sent: the proof that every candidate got the same text.
    content_digest: Mapped[str] = mapped_column(String(64))
    # Raised on resend or withdrawal; links signed with an older version stop working.
    link_version: Mapped[int] = mapped_column(default=1)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # first sent
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # latest send or resend
    send_count: Mapped[int] = mapped_column(default=1)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    other_times_message: Mapped[str] = mapped_column(Text, default="")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The zone the campaign chose, or its browser reported, when it booked or moved its interview:
    # the e-mails to it show times in that zone (the union's beside them).
    campaign_timezone: Mapped[str | None] = mapped_column(String(64))
    # The last time the campaign moved its interview to another slot itself (before the cut-off).
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    letter: Mapped[InvitationLetter] = relationship(back_populates="invitations")
    candidate: Mapped[Candidate] = relationship(back_populates="invitation")
    # Every interview booked through this invitation: a cancelled booking and the next one are two.
    interviews: Mapped[list[Interview]] = relationship(back_populates="invitation", order_by="Interview.id")
    slot: Mapped[Slot | None] = relationship(foreign_keys="Slot.taken_by_id", back_populates="taken_by", uselist=False)
    requests: Mapped[list[CandidateRequest]] = relationship(
        back_populates="invitation", order_by="CandidateRequest.created_at", cascade="all, delete-orphan"
    )
    booking_failures: Mapped[list[BookingFailure]] = relationship(
        back_populates="invitation", order_by="BookingFailure.created_at", cascade="all, delete-orphan"
    )

    @property
    def active_interview(self) -> Interview | None:
        """The booked interview that still stands, if any."""
        return active_among(self.interviews)

    @property
    def latest_interview(self) -> Interview | None:
        return self.interviews[-1] if self.interviews else None

    @property
    def staff_cancelled_interview(self) -> Interview | None:
        """The booking staff cancelled, while the campaign has not booked again or answered otherwise."""
        return staff_cancelled_among(self.status, self.interviews)


# The rules behind the two properties above, for the invitation's interviews as objects or as rows
# (the ledger reads rows); each item needs `status` and `cancelled_by`, in booking order.
def active_among(interviews: Sequence[Any]) -> Any | None:
    return next((i for i in reversed(interviews) if i.status is InterviewStatus.scheduled), None)


def staff_cancelled_among(status: InvitationStatus, interviews: Sequence[Any]) -> Any | None:
    interview = interviews[-1] if interviews else None
    if interview is None or interview.cancelled_by is not CancelledBy.staff or active_among(interviews) is not None:
        return None
    if status not in (*UNANSWERED, InvitationStatus.no_reply):
        return None
    return interview


class RequestKind(enum.Enum):
    other_times = "other_times"
    reschedule = "reschedule"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return {
            "other_times": "Asked for other times",
            "reschedule": "Asked to reschedule",
            "cancelled": "Cancelled their interview",
        }[self.value]


class CandidateRequest(Model):
    """A message from a candidate to staff (other times, reschedule, cancellation), until staff handle it."""

    __tablename__ = "candidate_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RequestKind] = mapped_column(Enum(RequestKind, native_enum=False, length=16))
    message: Mapped[str] = mapped_column(Text, default="")
    # The time proposed from the campaign's calendar (an iTIP COUNTER read from the organiser's mailbox).
    proposed_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    invitation: Mapped[Invitation] = relationship(back_populates="requests")
    handled_by: Mapped[User | None] = relationship()


class BookingFailureReason(enum.Enum):
    taken = "taken"  # another campaign took the slot first
    conflict = "conflict"  # a panel member or the room was already in another interview

    @property
    def label(self) -> str:
        return {"taken": "someone else had just taken it", "conflict": "the panel or the room was busy"}[self.value]


class BookingFailure(Model):
    """A slot a campaign tried to take (or move to) and could not: the ledger shows staff each one.

    Written in its own transaction after the failed attempt was rolled back. The slot's time is
    copied, not referenced, so that removing the slot later keeps the record readable.
    """

    __tablename__ = "booking_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    reason: Mapped[BookingFailureReason] = mapped_column(Enum(BookingFailureReason, native_enum=False, length=16))
    # True when the campaign was moving a booked interview, False for a first booking.
    moving: Mapped[bool] = mapped_column(default=False)
    slot_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_timezone: Mapped[str] = mapped_column(String(64))
    # Which panel member or room was busy: for staff only, never shown to the campaign.
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship(back_populates="booking_failures")
