"""The audit trail page, for administrators."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from interviews.access import allow
from interviews.audit.models import AuditEvent
from interviews.auth.models import User
from interviews.database import distinct_values
from interviews.extensions import db
from interviews.pagination import id_arg, paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


# Past this many events the trail says "more than" and pages on without counting them all.
AUDIT_COUNTED = 1000


@bp.get("/")
@allow("admin")
def index() -> ResponseReturnValue:
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    action = request.args.get("action", "").strip()
    entity_type = request.args.get("entity_type", "").strip()
    actor_id = id_arg("actor")
    entity_id = id_arg("entity_id")
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    # Counted up to a limit: the trail keeps every event for years.
    events = paginate(query, count_most=AUDIT_COUNTED)
    entity_types = distinct_values(AuditEvent.entity_type)  # through its index: the trail is long
    actors = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template(
        "audit/index.html",
        events=events,
        entity_types=entity_types,
        actors=actors,
        filters={"action": action, "entity_type": entity_type, "actor": actor_id, "entity_id": entity_id},
    )
