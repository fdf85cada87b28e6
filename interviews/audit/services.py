"""Recording audit events. Services call `record` in the same transaction as their change."""

from __future__ import annotations

from typing import Any

from interviews.audit.actors import Actor, Campaign, actor_kind, actor_label, user_of
from interviews.audit.models import AuditEvent
from interviews.extensions import db


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "value") and hasattr(value, "name"):  # enums
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def record(
    action: str,
    entity: Any | None = None,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
    actor: Actor,
) -> AuditEvent:
    """Add an audit event to the session (the caller commits it with the change itself).

    `actor` is required: an account, a campaign acting through its link, or the system doing a job.
    """
    if entity is not None:
        entity_type = entity_type or type(entity).__name__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
        if entity_id is None:
            db.session.flush()
            entity_id = getattr(entity, "id", None)
    event = AuditEvent(
        actor_kind=actor_kind(actor),
        actor=user_of(actor),
        actor_invitation_id=actor.invitation_id if isinstance(actor, Campaign) else None,
        actor_label=actor_label(actor)[:200],
        action=action,
        entity_type=entity_type or "",
        entity_id=entity_id,
        changes=_jsonable(changes or {}),
        summary=summary[:500],
    )
    db.session.add(event)
    return event


def diff(obj: Any, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply `data` to `obj` and return {field: [old, new]} for what actually changed."""
    changed: dict[str, list[Any]] = {}
    for key, new in data.items():
        old = getattr(obj, key)
        if old != new:
            changed[key] = [_jsonable(old), _jsonable(new)]
            setattr(obj, key, new)
    return changed
