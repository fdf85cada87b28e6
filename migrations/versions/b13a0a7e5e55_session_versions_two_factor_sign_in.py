"""Session versions, two-factor sign-in, recovery codes

Every account gets a session version (0: the cookies already issued keep working until the
account's first revocation), the columns of its authenticator app (empty: two-factor sign-in off)
and a table of hashed single-use recovery codes.

Revision ID: b13a0a7e5e55
Revises: a13c0de5ea1a
Create Date: 2026-12-01 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import interviews.types

# revision identifiers, used by Alembic.
revision = "b13a0a7e5e55"
down_revision = "a13c0de5ea1a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("two_factor_since", interviews.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_users_two_factor_complete"), "(totp_secret IS NULL) = (two_factor_since IS NULL)"
        )

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_two_factor_complete"), type_="check")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("two_factor_since")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("session_version")
