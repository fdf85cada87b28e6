"""Calendar replies read from the organiser's mailbox (the inbox)

Every message read over IMAP is a row of inbox_messages, unique per (mailbox, UIDVALIDITY, UID)
so that two workers never store one twice; the answers in them (iTIP REPLY and COUNTER) are rows
of attendee_replies. A campaign's proposal of another time is a candidate request, with the time
it proposed. No existing row changes.

Revision ID: d5f6a7b8c9d0
Revises: e6a7b8c9d0e1
Create Date: 2026-12-01 23:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import interviews.types

# revision identifiers, used by Alembic.
revision = "d5f6a7b8c9d0"
down_revision = "e6a7b8c9d0e1"
branch_labels = None
depends_on = None

OUTCOME = sa.Enum("handled", "kept", "ignored", name="outcome", native_enum=False, length=16)
KEPT_REASON = sa.Enum(
    "not_calendar",
    "not_a_reply",
    "malformed",
    "unknown_uid",
    "not_invited",
    "duplicate",
    "automatic",
    "too_large",
    name="keptreason",
    native_enum=False,
    length=16,
)
REPLY_KIND = sa.Enum("reply", "counter", name="replykind", native_enum=False, length=16)
PARTY = sa.Enum("contact", "panel", name="party", native_enum=False, length=16)
ANSWER = sa.Enum("accepted", "tentative", "declined", "delegated", name="answer", native_enum=False, length=16)


def upgrade():
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sa.String(length=400), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("sent_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", OUTCOME, nullable=False),
        sa.Column("reason", KEPT_REASON, nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("calendar_uid", sa.String(length=500), nullable=False),
        sa.Column("calendar_text", sa.Text(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(outcome = 'kept') = (reason IS NOT NULL)", name=op.f("ck_inbox_messages_kept_has_reason")),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"], name=op.f("fk_inbox_messages_interview_id_interviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_inbox_messages_dedupe_key")),
        sa.UniqueConstraint("mailbox", "uidvalidity", "uid", name=op.f("uq_inbox_messages_mailbox_uidvalidity_uid")),
    )
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_messages_outcome", ["outcome", "received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_messages_interview_id"), ["interview_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_messages_message_id"), ["message_id"], unique=False)

    op.create_table(
        "attendee_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("inbox_message_id", sa.Integer(), nullable=False),
        sa.Column("kind", REPLY_KIND, nullable=False),
        sa.Column("party", PARTY, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("answer", ANSWER, nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("delegated_to", sa.String(length=254), nullable=False),
        sa.Column("delegated_from", sa.String(length=254), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("dtstamp", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("event_starts_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("proposed_starts_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("proposed_ends_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(party = 'panel') = (user_id IS NOT NULL)", name=op.f("ck_attendee_replies_panel_reply_names_member")
        ),
        sa.CheckConstraint("(kind = 'counter') OR (answer IS NOT NULL)", name=op.f("ck_attendee_replies_reply_has_answer")),
        sa.CheckConstraint(
            "(kind = 'counter') = (proposed_starts_at IS NOT NULL AND proposed_ends_at IS NOT NULL)",
            name=op.f("ck_attendee_replies_counter_has_time"),
        ),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_attendee_replies_sequence_not_negative")),
        sa.ForeignKeyConstraint(
            ["inbox_message_id"], ["inbox_messages.id"], name=op.f("fk_attendee_replies_inbox_message_id_inbox_messages")
        ),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"], name=op.f("fk_attendee_replies_interview_id_interviews")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_attendee_replies_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendee_replies")),
        sa.UniqueConstraint(
            "interview_id",
            "email",
            "kind",
            "sequence",
            "dtstamp",
            name=op.f("uq_attendee_replies_interview_id_email_kind_sequence_dtstamp"),
        ),
    )
    with op.batch_alter_table("attendee_replies", schema=None) as batch_op:
        batch_op.create_index("ix_attendee_replies_interview", ["interview_id", "email"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendee_replies_inbox_message_id"), ["inbox_message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendee_replies_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("candidate_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_starts_at", interviews.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("proposed_ends_at", interviews.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("candidate_requests", schema=None) as batch_op:
        batch_op.drop_column("proposed_ends_at")
        batch_op.drop_column("proposed_starts_at")

    with op.batch_alter_table("attendee_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendee_replies_user_id"))
        batch_op.drop_index(batch_op.f("ix_attendee_replies_inbox_message_id"))
        batch_op.drop_index("ix_attendee_replies_interview")
    op.drop_table("attendee_replies")

    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_messages_message_id"))
        batch_op.drop_index(batch_op.f("ix_inbox_messages_interview_id"))
        batch_op.drop_index("ix_inbox_messages_outcome")
    op.drop_table("inbox_messages")
