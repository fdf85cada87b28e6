"""The scheduler's experience: the campaign's zone, failed bookings, the outbox by race

- invitations.campaign_timezone: the zone the campaign chose or its browser reported when it
  booked (or moved) its interview; e-mails to it show times there. Empty for earlier bookings,
  which keep the interview's zone. invitations.moved_at: when the campaign last moved it itself.
- booking_failures: each slot a campaign tried to take or move to and could not, for the ledger.
- outbox_messages.race_id: the race a message is about, so the outbox filters by race; filled in
  here for the messages already written about an interview, an invitation or a campaign's request.
  An index on (status, created_at) serves the outbox's newest-first pages.

Revision ID: f7a8b9c0d1e2
Revises: c4e5f6a7b8c9
Create Date: 2026-12-03 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import interviews.types

# revision identifiers, used by Alembic.
revision = "f7a8b9c0d1e2"
down_revision = "c4e5f6a7b8c9"
branch_labels = None
depends_on = None

REASON = sa.Enum("taken", "conflict", name="bookingfailurereason", native_enum=False, length=16)

# The race of a message written before this revision, from the entity it names.
BACKFILL = {
    "Interview": "SELECT interviews.race_id FROM interviews WHERE interviews.id = outbox_messages.entity_id",
    "Invitation": (
        "SELECT invitation_letters.race_id FROM invitations"
        " JOIN invitation_letters ON invitation_letters.id = invitations.letter_id"
        " WHERE invitations.id = outbox_messages.entity_id"
    ),
    "CandidateRequest": (
        "SELECT invitation_letters.race_id FROM candidate_requests"
        " JOIN invitations ON invitations.id = candidate_requests.invitation_id"
        " JOIN invitation_letters ON invitation_letters.id = invitations.letter_id"
        " WHERE candidate_requests.id = outbox_messages.entity_id"
    ),
}


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign_timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("moved_at", interviews.types.UTCDateTime(timezone=True), nullable=True))

    op.create_table(
        "booking_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("reason", REASON, nullable=False),
        sa.Column("moving", sa.Boolean(), nullable=False),
        sa.Column("slot_starts_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("slot_timezone", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_booking_failures_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_failures")),
    )
    with op.batch_alter_table("booking_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_failures_invitation_id"), ["invitation_id"], unique=False)

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("race_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_outbox_messages_race_id_races"), "races", ["race_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_outbox_messages_race_id"), ["race_id"], unique=False)
        batch_op.create_index("ix_outbox_messages_status_created", ["status", "created_at"], unique=False)
    for entity_type, race_of in BACKFILL.items():
        op.execute(
            sa.text(
                f"UPDATE outbox_messages SET race_id = ({race_of})"  # noqa: S608  (constant SQL above)
                " WHERE outbox_messages.entity_type = :entity_type AND outbox_messages.race_id IS NULL"
            ).bindparams(entity_type=entity_type)
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_status_created")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_race_id"))
        batch_op.drop_constraint(batch_op.f("fk_outbox_messages_race_id_races"), type_="foreignkey")
        batch_op.drop_column("race_id")

    with op.batch_alter_table("booking_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_failures_invitation_id"))
    op.drop_table("booking_failures")

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("moved_at")
        batch_op.drop_column("campaign_timezone")
