"""Questionnaires and commitments

A race's questionnaire (staff's settings), its versions (frozen when the first campaign receives one,
with the digest of the text), their sections and questions; each campaign's copy with its draft and
submissions; the commitments sought in a race and every position recorded on them.

Revision ID: c4e5f6a7b8c9
Revises: d5f6a7b8c9d0
Create Date: 2026-12-02 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import interviews.types

# revision identifiers, used by Alembic.
revision = "c4e5f6a7b8c9"
down_revision = "d5f6a7b8c9d0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("required_before_booking", sa.Boolean(), nullable=False),
        sa.Column("accept_late", sa.Boolean(), nullable=False),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("created_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reminder_days >= 0 AND reminder_days <= 60", name=op.f("ck_questionnaires_reminder_days_range")
        ),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name=op.f("fk_questionnaires_race_id_races")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint("race_id", name=op.f("uq_questionnaires_race_id")),
    )
    op.create_table(
        "questionnaire_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("respond_by", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("frozen_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_questionnaire_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_questionnaire_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_questionnaire_versions_questionnaire_id_questionnaires"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_versions")),
        sa.UniqueConstraint(
            "questionnaire_id", "version", name=op.f("uq_questionnaire_versions_questionnaire_id_version")
        ),
    )
    with op.batch_alter_table("questionnaire_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_versions_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_questionnaire_versions_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("issued_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("draft_saved_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reminded_at", interviews.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("revision >= 0", name=op.f("ck_questionnaire_responses_revision_not_negative")),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name=op.f("fk_questionnaire_responses_invitation_id_invitations")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_questionnaire_responses_version_id_questionnaire_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_responses")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_questionnaire_responses_invitation_id")),
    )
    with op.batch_alter_table("questionnaire_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_responses_version_id"), ["version_id"], unique=False)

    op.create_table(
        "questionnaire_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_questionnaire_sections_version_id_questionnaire_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_sections")),
    )
    with op.batch_alter_table("questionnaire_sections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_sections_version_id"), ["version_id"], unique=False)

    op.create_table(
        "questionnaire_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "short_text",
                "long_text",
                "yes_no",
                "single_choice",
                "multiple_choice",
                "number",
                name="questionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("help", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("min_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("max_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name=op.f("ck_questionnaire_questions_range_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["questionnaire_sections.id"],
            name=op.f("fk_questionnaire_questions_section_id_questionnaire_sections"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_questionnaire_questions_version_id_questionnaire_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_questions")),
        sa.UniqueConstraint("version_id", "position", name=op.f("uq_questionnaire_questions_version_id_position")),
    )
    with op.batch_alter_table("questionnaire_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_questions_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_questionnaire_questions_version_id"), ["version_id"], unique=False)

    op.create_table(
        "questionnaire_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_questionnaire_submissions_number_positive")),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["questionnaire_responses.id"],
            name=op.f("fk_questionnaire_submissions_response_id_questionnaire_responses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_submissions")),
        sa.UniqueConstraint("response_id", "number", name=op.f("uq_questionnaire_submissions_response_id_number")),
    )
    with op.batch_alter_table("questionnaire_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_submissions_response_id"), ["response_id"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_commitments_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questionnaire_questions.id"],
            name=op.f("fk_commitments_question_id_questionnaire_questions"),
        ),
        sa.ForeignKeyConstraint(["race_id"], ["races.id"], name=op.f("fk_commitments_race_id_races")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_question_id"), ["question_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_race_id"), ["race_id"], unique=False)

    op.create_table(
        "commitment_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "stance",
            sa.Enum("secured", "partly", "refused", "no_answer", name="stance", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "questionnaire", "interview", "public_statement", name="positionsource", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source_url <> '' OR quote <> '' OR stance = 'no_answer'", name=op.f("ck_commitment_positions_has_source")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_commitment_positions_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitments.id"], name=op.f("fk_commitment_positions_commitment_id_commitments")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_commitment_positions_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_positions")),
    )
    with op.batch_alter_table("commitment_positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_positions_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_positions_commitment_id"), ["commitment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_positions_recorded_by_id"), ["recorded_by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("commitment_positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_positions_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_positions_commitment_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_positions_candidate_id"))

    op.drop_table("commitment_positions")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_race_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_question_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_created_by_id"))

    op.drop_table("commitments")
    with op.batch_alter_table("questionnaire_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_submissions_response_id"))

    op.drop_table("questionnaire_submissions")
    with op.batch_alter_table("questionnaire_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_questions_version_id"))
        batch_op.drop_index(batch_op.f("ix_questionnaire_questions_section_id"))

    op.drop_table("questionnaire_questions")
    with op.batch_alter_table("questionnaire_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_sections_version_id"))

    op.drop_table("questionnaire_sections")
    with op.batch_alter_table("questionnaire_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_responses_version_id"))

    op.drop_table("questionnaire_responses")
    with op.batch_alter_table("questionnaire_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_versions_questionnaire_id"))
        batch_op.drop_index(batch_op.f("ix_questionnaire_versions_created_by_id"))

    op.drop_table("questionnaire_versions")
    op.drop_table("questionnaires")
