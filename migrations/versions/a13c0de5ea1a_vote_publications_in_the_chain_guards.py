"""Publications in the chain of final records; the result text read from the record; PostgreSQL guards

A published result becomes a record of its own in the chain (vote_publications) instead of two
columns written into the finalised vote row; each existing publication is appended after the
existing chain, oldest first, so no final vote's record or digest changes. The result text is no
longer stored beside the record it came from: pages read it from the record. The chain's length and
head go to the audit trail (a `vote.chain_extended` event), which `votes verify` checks against. On
PostgreSQL, triggers then refuse UPDATE and DELETE of final votes, their parts, publications and
audit events (interviews/votes/guards.py).

Downgrade puts the time and statement back into the vote rows and the result text from the records.
The chain's positions stay as they are: a vote finalised after a publication keeps the position
after it, which the older `votes verify` (which knows no publications) reports as a broken link.

Revision ID: a13c0de5ea1a
Revises: f7726cf9f1c0
Create Date: 2026-12-01 20:45:00.000000

"""

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import interviews.types
from interviews.votes import guards

# revision identifiers, used by Alembic.
revision = "a13c0de5ea1a"
down_revision = "f7726cf9f1c0"
branch_labels = None
depends_on = None

votes = sa.table(
    "votes",
    sa.column("id", sa.Integer),
    sa.column("chain_position", sa.Integer),
    sa.column("digest", sa.String),
    sa.column("record_json", sa.Text),
    sa.column("published_at", interviews.types.UTCDateTime),
    sa.column("public_statement", sa.Text),
    sa.column("result_text", sa.Text),
)
publications = sa.table(
    "vote_publications",
    sa.column("id", sa.Integer),
    sa.column("vote_id", sa.Integer),
    sa.column("chain_position", sa.Integer),
    sa.column("published_at", interviews.types.UTCDateTime),
    sa.column("statement", sa.Text),
    sa.column("record_json", sa.Text),
    sa.column("digest", sa.String),
    sa.column("previous_digest", sa.String),
)
audit_events = sa.table(
    "audit_events",
    sa.column("at", interviews.types.UTCDateTime),
    sa.column("actor_kind", sa.String),
    sa.column("actor_label", sa.String),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("summary", sa.String),
    sa.column("changes", sa.JSON),
)


def _canonical(record):
    # The spelling of interviews.votes.record.canonical_json, frozen here with the record's version 1.
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def upgrade():
    bind = op.get_bind()
    op.create_table(
        "vote_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("chain_position", sa.Integer(), nullable=False),
        sa.Column("published_at", interviews.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("record_json", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("previous_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["vote_id"], ["votes.id"], name=op.f("fk_vote_publications_vote_id_votes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_publications")),
        sa.UniqueConstraint("chain_position", name=op.f("uq_vote_publications_chain_position")),
        sa.UniqueConstraint("digest", name=op.f("uq_vote_publications_digest")),
        sa.UniqueConstraint("vote_id", name=op.f("uq_vote_publications_vote_id")),
    )

    head = bind.execute(
        sa.select(votes.c.id, votes.c.chain_position, votes.c.digest)
        .where(votes.c.chain_position.is_not(None))
        .order_by(votes.c.chain_position.desc())
        .limit(1)
    ).first()
    position, previous = (head.chain_position, head.digest) if head else (0, None)
    entity = ("Vote", head.id if head else None)
    published = bind.execute(
        sa.select(votes.c.id, votes.c.digest, votes.c.published_at, votes.c.public_statement)
        .where(votes.c.published_at.is_not(None), votes.c.digest.is_not(None))
        .order_by(votes.c.published_at, votes.c.id)
    ).all()
    for vote in published:
        position += 1
        record_json = _canonical(
            {
                "version": 1,
                "kind": "publication",
                "vote": vote.id,
                "final_record": vote.digest,
                "published_at": vote.published_at.isoformat(),
                "statement": vote.public_statement,
                "chain": {"position": position, "previous_digest": previous},
            }
        )
        digest = hashlib.sha256(record_json.encode("utf-8")).hexdigest()
        bind.execute(
            publications.insert().values(
                vote_id=vote.id,
                chain_position=position,
                published_at=vote.published_at,
                statement=vote.public_statement,
                record_json=record_json,
                digest=digest,
                previous_digest=previous,
            )
        )
        made = bind.execute(sa.select(publications.c.id).where(publications.c.chain_position == position)).scalar_one()
        entity, previous = ("VotePublication", made), digest
    if position:
        bind.execute(
            audit_events.insert().values(
                at=datetime.now(UTC),
                actor_kind="system",
                actor_label=f"system (migration {revision})",
                action="vote.chain_extended",
                entity_type=entity[0],
                entity_id=entity[1],
                summary=f"Chain of final records, as the audit trail first records it: {position} records, "
                f"the head is {previous}",
                changes={"length": position, "head": previous},
            )
        )

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("public_statement")
        batch_op.drop_column("published_at")
        batch_op.drop_column("result_text")

    guards.install(bind)


def _summary(result):
    # interviews.votes.tally.summary_in_words, frozen here for the records of version 1.
    if result["outcome"] == "failed_quorum":
        return "Failed for lack of quorum"
    if result["outcome"] == "endorsed" and result["winner"] is not None:
        return f"Endorsed: {result['winner']}"
    if result["winner"] is not None:
        return "No endorsement (voted)"
    return f"No endorsement ({result['reason']})"


def downgrade():
    bind = op.get_bind()
    guards.uninstall(bind)

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("published_at", interviews.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("public_statement", sa.Text(), nullable=False, server_default=""))
    final = bind.execute(sa.select(votes.c.id, votes.c.record_json).where(votes.c.record_json.is_not(None))).all()
    for vote in final:
        result_text = _summary(json.loads(vote.record_json)["result"])
        bind.execute(votes.update().where(votes.c.id == vote.id).values(result_text=result_text))
    published = bind.execute(
        sa.select(publications.c.vote_id, publications.c.published_at, publications.c.statement)
    ).all()
    for publication in published:
        bind.execute(
            votes.update()
            .where(votes.c.id == publication.vote_id)
            .values(published_at=publication.published_at, public_statement=publication.statement)
        )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.alter_column("result_text", existing_type=sa.Text(), server_default=None)
        batch_op.alter_column("public_statement", existing_type=sa.Text(), server_default=None)

    op.drop_table("vote_publications")
