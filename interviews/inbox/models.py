"""What the organiser's mailbox told us: every message read, and the calendar answers stored from them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from interviews.auth.models import User
    from interviews.scheduling.models import Interview


class Outcome(enum.Enum):
    handled = "handled"  # an answer stored against an interview
    kept = "kept"  # could not be used: it stays in the mailbox and is listed, with the reason, for staff
    ignored = "ignored"  # one of our own e-mails to the organiser address (a notice to staff)

    @property
    def label(self) -> str:
        return {"handled": "Handled", "kept": "Could not be used", "ignored": "Our own e-mail"}[self.value]

    @property
    def badge(self) -> str:
        return {"handled": "ok", "kept": "warn"}.get(self.value, "")


class KeptReason(enum.Enum):
    not_calendar = "not_calendar"
    not_a_reply = "not_a_reply"
    malformed = "malformed"
    unknown_uid = "unknown_uid"
    not_invited = "not_invited"
    duplicate = "duplicate"
    automatic = "automatic"
    too_large = "too_large"

    @property
    def label(self) -> str:
        return {
            "not_calendar": "No calendar answer in it",
            "not_a_reply": "A calendar message, but not an answer",
            "malformed": "The calendar part cannot be read",
            "unknown_uid": "No interview has this calendar UID",
            "not_invited": "From someone not invited to the interview",
            "duplicate": "Already read from another copy",
            "automatic": "An automatic reply (out of office, delivery report)",
            "too_large": "Too large to be a calendar answer",
        }[self.value]


class InboxMessage(Model):
    """One message read from the mailbox, whatever became of it. Never read twice: see the unique key."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        # One row per message of one mailbox: two workers reading the same message cannot both store it.
        UniqueConstraint("mailbox", "uidvalidity", "uid"),
        CheckConstraint("(outcome = 'kept') = (reason IS NOT NULL)", name="kept_has_reason"),
        Index("ix_inbox_messages_outcome", "outcome", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which mailbox ("user@host:port/folder"), and the message's place in it: IMAP UIDs are only
    # unique within one UIDVALIDITY of one folder. Both are 32-bit unsigned numbers.
    mailbox: Mapped[str] = mapped_column(String(400))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str] = mapped_column(String(500), default="", index=True)
    # Set on the message an answer was stored from: a second copy of it (same Message-ID) is a duplicate.
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    from_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the Date header, when it can be read
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when the app read it
    outcome: Mapped[Outcome] = mapped_column(Enum(Outcome, native_enum=False, length=16))
    reason: Mapped[KeptReason | None] = mapped_column(Enum(KeptReason, native_enum=False, length=16))
    detail: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(32), default="")  # iTIP METHOD of the calendar part
    calendar_uid: Mapped[str] = mapped_column(String(500), default="")
    # The calendar part as received (capped), so staff can see what a message the app could not use said.
    calendar_text: Mapped[str] = mapped_column(Text, default="")
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id"), index=True)

    interview: Mapped[Interview | None] = relationship()
    replies: Mapped[list[AttendeeReply]] = relationship(back_populates="message", order_by="AttendeeReply.id")

    def __repr__(self) -> str:
        return f"<InboxMessage {self.id} uid={self.uid} {self.outcome.value if self.outcome else None}>"


class ReplyKind(enum.Enum):
    reply = "reply"  # iTIP REPLY: yes, no, maybe, delegated
    counter = "counter"  # iTIP COUNTER: proposes another time

    @property
    def label(self) -> str:
        return {"reply": "Answer", "counter": "Proposed another time"}[self.value]


class Answer(enum.Enum):
    accepted = "accepted"
    tentative = "tentative"
    declined = "declined"
    delegated = "delegated"

    @property
    def label(self) -> str:
        return {"accepted": "Accepted", "tentative": "Maybe", "declined": "Declined", "delegated": "Delegated"}[
            self.value
        ]

    @property
    def badge(self) -> str:
        return {"accepted": "ok", "declined": "bad", "tentative": "warn", "delegated": "warn"}[self.value]


class Party(enum.Enum):
    """Whom an answer is for: the candidate's campaign contact or a panel member."""

    contact = "contact"
    panel = "panel"


class AttendeeReply(Model):
    """One person's answer to one interview, as their calendar sent it (iTIP REPLY or COUNTER)."""

    __tablename__ = "attendee_replies"
    __table_args__ = (
        CheckConstraint("(party = 'panel') = (user_id IS NOT NULL)", name="panel_reply_names_member"),
        CheckConstraint("(kind = 'counter') OR (answer IS NOT NULL)", name="reply_has_answer"),
        CheckConstraint(
            "(kind = 'counter') = (proposed_starts_at IS NOT NULL AND proposed_ends_at IS NOT NULL)",
            name="counter_has_time",
        ),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        # The same answer (same version of the event, same DTSTAMP) is stored once, however many copies come.
        UniqueConstraint("interview_id", "email", "kind", "sequence", "dtstamp"),
        Index("ix_attendee_replies_interview", "interview_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"))
    inbox_message_id: Mapped[int] = mapped_column(ForeignKey("inbox_messages.id"), index=True)
    kind: Mapped[ReplyKind] = mapped_column(Enum(ReplyKind, native_enum=False, length=16))
    party: Mapped[Party] = mapped_column(Enum(Party, native_enum=False, length=16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The address that answered, lower-cased: the invited person's, or their delegate's.
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    answer: Mapped[Answer | None] = mapped_column(Enum(Answer, native_enum=False, length=16))
    comment: Mapped[str] = mapped_column(Text, default="")
    delegated_to: Mapped[str] = mapped_column(String(254), default="")
    # Set when a delegate answered on behalf of the invited person (whose address this is).
    delegated_from: Mapped[str] = mapped_column(String(254), default="")
    # The SEQUENCE it answers: lower than the interview's means it is about an earlier version.
    sequence: Mapped[int] = mapped_column(default=0)
    dtstamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The start time the person's calendar showed when they answered (what they said yes or no to).
    event_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    interview: Mapped[Interview] = relationship()
    message: Mapped[InboxMessage] = relationship(back_populates="replies")
    user: Mapped[User | None] = relationship()

    @property
    def is_counter(self) -> bool:
        return self.kind is ReplyKind.counter

    @property
    def is_delegation(self) -> bool:
        return self.answer is Answer.delegated

    def __repr__(self) -> str:
        return f"<AttendeeReply {self.id} {self.email} {self.kind.value if self.kind else None}>"
