"""The outbox: every e-mail is a row committed with the change that caused it."""

from __future__ import annotations

import enum
from datetime import datetime
from email.headerregistry import Address
from email.utils import getaddresses

from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow


def _mailbox(name: str, addr: str) -> str:
    """'Name <addr>', the name quoted when it must be; readable, also for non-ASCII (not RFC 2047-encoded)."""
    if not name:
        return addr
    username, _, domain = addr.rpartition("@")
    return str(Address(display_name=name, username=username, domain=domain))


class OutboxStatus(enum.Enum):
    pending = "pending"  # waiting for its next attempt (next_attempt_at)
    sending = "sending"  # claimed by a worker until claimed_until; after that another may take it
    sent = "sent"
    failed = "failed"  # gave up (last attempt, or a permanent refusal); staff can retry

    @property
    def label(self) -> str:
        return {"pending": "Waiting", "sending": "Sending", "sent": "Sent", "failed": "Failed"}[self.value]

    @property
    def badge(self) -> str:
        return {"sent": "ok", "failed": "bad"}.get(self.value, "warn")


# Messages whose text is a key to someone's account: the outbox pages show that they exist, never
# what they say (otherwise staff could read a leader's reset link and sign in as them).
CONFIDENTIAL_KINDS = frozenset({"password_reset"})


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_entity", "entity_type", "entity_id"),
        # The outbox page lists a tab newest first, a page at a time.
        Index("ix_outbox_messages_status_created", "status", "created_at"),
        # The outbox's filter lists the kinds through it (database.distinct_values).
        Index("ix_outbox_messages_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed when the row is written: every retry is the same message to the receiving servers.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # Set for messages that must go once only (reminders): a second insert fails on the constraint.
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    to_addresses: Mapped[str] = mapped_column(Text)  # an address-list header value ("Name <a@b>, c@d")
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[bytes | None] = mapped_column(LargeBinary)
    ics_method: Mapped[str | None] = mapped_column(String(16))
    entity_type: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[int | None]
    # The race the message is about, when it is about one: the outbox page filters by it.
    race_id: Mapped[int | None] = mapped_column(ForeignKey("races.id"), index=True)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=16), default=OutboxStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker's claim: which pass holds it and until when (a crashed worker's claim runs out).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def confidential(self) -> bool:
        """Whether the body carries a credential (a password reset link) that only its recipient may see."""
        return self.kind in CONFIDENTIAL_KINDS

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status.value if self.status else None}>"

    @property
    def recipients(self) -> list[str]:
        """Each recipient as written for a header ("Name <addr>" or "addr"); quoted commas are kept."""
        return [_mailbox(name, addr) for name, addr in getaddresses([self.to_addresses]) if addr]

    @property
    def recipient_addresses(self) -> list[str]:
        """The bare addresses, for the SMTP envelope."""
        return [addr for _, addr in getaddresses([self.to_addresses]) if addr]

    @property
    def is_invitation(self) -> bool:
        """A calendar message (REQUEST or CANCEL) that clients act on, not just an attachment."""
        return bool(self.ics and self.ics_method)

    @property
    def is_waiting(self) -> bool:
        return self.status in (OutboxStatus.pending, OutboxStatus.sending)
