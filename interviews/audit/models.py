"""The audit trail: one append-only row for every write made through a service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.audit.actors import ActorKind
from interviews.auth.models import User
from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_kind: Mapped[ActorKind] = mapped_column(Enum(ActorKind, native_enum=False, length=16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A campaign acts through its invitation link; this is that invitation.
    actor_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), index=True)
    # Kept as text too: the record must still say who acted if the account is renamed.
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class AuditTrailIsAppendOnly(Exception):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper: object, connection: object, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly("audit events are never changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper: object, connection: object, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly("audit events are never deleted")
