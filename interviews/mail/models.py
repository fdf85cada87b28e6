"""The outbox: every e-mail is a row committed with the change that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow


class OutboxStatus(enum.Enum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"  # gave up after the last attempt; staff can retry


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # Set for messages that must go once only (reminders): a second insert fails on the constraint.
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    to_addresses: Mapped[str] = mapped_column(Text)  # comma-separated
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[bytes | None] = mapped_column(LargeBinary)
    ics_method: Mapped[str | None] = mapped_column(String(16))
    entity_type: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[int | None]
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=16), default=OutboxStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def recipients(self) -> list[str]:
        return [a.strip() for a in self.to_addresses.split(",") if a.strip()]
