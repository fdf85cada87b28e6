"""Scale: record-book PDF jobs, an index for every foreign key and page filter, stored search vectors

- `record_pdf_jobs`: a large record book's PDF is built by `flask record-books work`, off the request.
- An index on every foreign key that had none, and on what the paged lists filter and sort by:
  a race's candidates by name, a race's interviews by time, a candidate's interviews by status.
- PostgreSQL: the notes' and candidates' search documents become stored, generated `tsvector`
  columns with GIN indexes (replacing the expression indexes), so ranking never re-parses a body.
  SQLite keeps its FTS5 tables.

Revision ID: e6a7b8c9d0e1
Revises: b13a0a7e5e55
Create Date: 2026-12-01 23:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import interviews.types

# revision identifiers, used by Alembic.
revision = "e6a7b8c9d0e1"
down_revision = "b13a0a7e5e55"
branch_labels = None
depends_on = None

# (table, column): foreign keys that had no index.
FOREIGN_KEYS = [
    ("ballot_box_totals", "option_id"),
    ("ballots", "member_id"),
    ("ballots", "option_id"),
    ("ballots", "recorded_by_id"),
    ("candidate_requests", "handled_by_id"),
    ("interviews", "cancelled_by_user_id"),
    ("interviews", "invitation_id"),
    ("interviews", "location_id"),
    ("interviews", "organiser_id"),
    ("interviews", "question_list_id"),
    ("member_polls", "created_by_id"),
    ("note_drafts", "author_id"),
    ("note_revisions", "edited_by_id"),
    ("notes", "question_id"),
    ("poll_results", "candidate_id"),
    ("question_lists", "created_by_id"),
    ("race_panel", "user_id"),
    ("races", "created_by_id"),
    ("slots", "location_id"),
    ("vote_options", "candidate_id"),
    ("vote_roll", "user_id"),
    ("votes", "created_by_id"),
    ("votes", "result_candidate_id"),
]
COMPOSITE = [
    ("ix_candidates_race_name", "candidates", ["race_id", "name"]),
    ("ix_interviews_race_starts", "interviews", ["race_id", "starts_at"]),
    ("ix_interviews_candidate_status", "interviews", ["candidate_id", "status"]),
]

POSTGRES_UP = [
    "DROP INDEX IF EXISTS ix_notes_body_fts",
    "DROP INDEX IF EXISTS ix_candidates_fts",
    "ALTER TABLE notes ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_notes_search_vector ON notes USING GIN (search_vector)",
    "ALTER TABLE candidates ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || party)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_candidates_search_vector ON candidates USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_candidates_search_vector",
    "ALTER TABLE candidates DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS ix_notes_search_vector",
    "ALTER TABLE notes DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS ix_notes_body_fts ON notes USING GIN (to_tsvector('english', body))",
    "CREATE INDEX IF NOT EXISTS ix_candidates_fts ON candidates USING GIN (to_tsvector('english', name || ' ' || party))",
]


def upgrade():
    op.create_table(
        "record_pdf_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "running", "done", "failed", name="pdfjobstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("active_key", sa.String(length=40), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("progress >= 0 AND total >= 0", name=op.f("ck_record_pdf_jobs_progress_counts")),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name=op.f("fk_record_pdf_jobs_race_id_races")),
        sa.ForeignKeyConstraint(["viewer_id"], ["users.id"], name=op.f("fk_record_pdf_jobs_viewer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_pdf_jobs")),
        sa.UniqueConstraint("active_key", name=op.f("uq_record_pdf_jobs_active_key")),
    )
    for column in ("race_id", "status", "viewer_id"):
        op.create_index(op.f(f"ix_record_pdf_jobs_{column}"), "record_pdf_jobs", [column], unique=False)
    for table, column in FOREIGN_KEYS:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)
    for name, table, columns in COMPOSITE:
        op.create_index(name, table, columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    for name, table, _columns in reversed(COMPOSITE):
        op.drop_index(name, table_name=table)
    for table, column in reversed(FOREIGN_KEYS):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    for column in ("viewer_id", "status", "race_id"):
        op.drop_index(op.f(f"ix_record_pdf_jobs_{column}"), table_name="record_pdf_jobs")
    op.drop_table("record_pdf_jobs")
