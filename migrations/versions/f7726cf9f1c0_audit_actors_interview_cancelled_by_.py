"""Audit actors, interview cancelled_by, race closed_at

Facts that were inferred are stored: who acted (an account, a campaign through its link, the
system), who cancelled an interview, and when staff closed a race (the other stages follow the
records and are no longer stored). Existing rows are filled in from what the old code inferred.

Revision ID: f7726cf9f1c0
Revises: c82f8bf8710a
Create Date: 2026-12-01 20:28:49.260544

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import interviews.types

# revision identifiers, used by Alembic.
revision = "f7726cf9f1c0"
down_revision = "c82f8bf8710a"
branch_labels = None
depends_on = None

# What a campaign did through its link; before this revision these were recorded as "system".
CAMPAIGN_ACTIONS = (
    "invitation.opened",
    "invitation.accepted",
    "invitation.declined",
    "invitation.other_times",
    "invitation.reschedule_requested",
    "invitation.interview_cancelled",
)


def _aware(value):
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "actor_kind",
                sa.Enum("user", "campaign", "system", name="actorkind", native_enum=False, length=16),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("actor_invitation_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor_invitation_id"), ["actor_invitation_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_actor_invitation_id_invitations"), "invitations", ["actor_invitation_id"], ["id"]
        )
    events = sa.table(
        "audit_events",
        sa.column("actor_id", sa.Integer),
        sa.column("actor_kind", sa.String),
        sa.column("actor_invitation_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("entity_type", sa.String),
        sa.column("entity_id", sa.Integer),
    )
    bind.execute(events.update().where(events.c.actor_id.is_not(None)).values(actor_kind="user"))
    bind.execute(
        events.update()
        .where(
            events.c.actor_id.is_(None),
            events.c.action.in_(CAMPAIGN_ACTIONS),
            events.c.entity_type == "Invitation",
        )
        .values(actor_kind="campaign", actor_invitation_id=events.c.entity_id)
    )
    bind.execute(events.update().where(events.c.actor_kind.is_(None)).values(actor_kind="system"))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column(
            "actor_kind",
            existing_type=sa.Enum("user", "campaign", "system", name="actorkind", native_enum=False, length=16),
            nullable=False,
        )

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "cancelled_by",
                sa.Enum("staff", "campaign", "system", name="cancelledby", native_enum=False, length=16),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("cancelled_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_cancelled_by_user_id_users"), "users", ["cancelled_by_user_id"], ["id"]
        )
    # The old rule, applied once: a campaign's own cancellation left a "cancelled" request stamped
    # within a minute of the interview's cancelled_at; any other cancellation was staff's.
    cancelled = bind.execute(
        sa.text("SELECT id, invitation_id, cancelled_at FROM interviews WHERE cancelled_at IS NOT NULL")
    ).all()
    requests: dict[int, list[datetime]] = {}
    for invitation_id, created_at in bind.execute(
        sa.text("SELECT invitation_id, created_at FROM candidate_requests WHERE kind = 'cancelled'")
    ):
        requests.setdefault(invitation_id, []).append(_aware(created_at))
    for interview_id, invitation_id, cancelled_at in cancelled:
        at = _aware(cancelled_at)
        by_campaign = any(abs((r - at).total_seconds()) < 60 for r in requests.get(invitation_id, []))
        bind.execute(
            sa.text("UPDATE interviews SET cancelled_by = :by WHERE id = :id"),
            {"by": "campaign" if by_campaign else "staff", "id": interview_id},
        )

    with op.batch_alter_table("races", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", interviews.types.UTCDateTime(timezone=True), nullable=True))
    bind.execute(sa.text("UPDATE races SET closed_at = updated_at WHERE stage = 'closed'"))
    with op.batch_alter_table("races", schema=None) as batch_op:
        batch_op.drop_column("stage")


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table("races", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.VARCHAR(length=16), nullable=False, server_default=sa.text("'planning'"))
        )
    bind.execute(sa.text("UPDATE races SET stage = 'closed' WHERE closed_at IS NOT NULL"))
    with op.batch_alter_table("races", schema=None) as batch_op:
        batch_op.drop_column("closed_at")

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_interviews_cancelled_by_user_id_users"), type_="foreignkey")
        batch_op.drop_column("cancelled_by_user_id")
        batch_op.drop_column("cancelled_by")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_events_actor_invitation_id_invitations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))
        batch_op.drop_column("actor_invitation_id")
        batch_op.drop_column("actor_kind")
