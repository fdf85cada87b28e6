"""Partial indexes for the counts every race page reads: running and departed candidates, free slots

Revision ID: c0d1e2f3a4b5
Revises: b9c0d1e2f3a4
Create Date: 2026-12-04 20:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c0d1e2f3a4b5"
down_revision = "b9c0d1e2f3a4"
branch_labels = None
depends_on = None


def _where(condition):
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index("ix_candidates_race_running", ["race_id"], unique=False, **_where("withdrawn_at IS NULL"))
        batch_op.create_index("ix_candidates_race_left", ["race_id"], unique=False, **_where("withdrawn_at IS NOT NULL"))
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_slots_letter_free", ["letter_id", "starts_at"], unique=False, **_where("taken_by_id IS NULL")
        )


def downgrade():
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_index("ix_slots_letter_free")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_candidates_race_left")
        batch_op.drop_index("ix_candidates_race_running")
