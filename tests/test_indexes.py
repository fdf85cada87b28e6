"""The main pages' queries can use their indexes (PostgreSQL's planner, asked with EXPLAIN).

The test data is small, so the planner would rightly prefer a sequential scan; with sequential
scans priced out (`enable_seqscan = off`), a plan that still scans the table means no index fits
the query as written: a stored search vector queried through a different expression, say. Sorts
are priced out too: with the statistics another test left behind, the planner may otherwise read
one index and sort, rather than walk the index that is already in the page's order.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal_column, select, text

from interviews.extensions import db
from interviews.notes.models import Note
from interviews.races.models import Candidate
from interviews.scheduling.models import Interview, InterviewStatus


@pytest.fixture
def plan(app):  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's; set TEST_DATABASE_URL to run these")

    def explain(stmt) -> str:  # type: ignore[no-untyped-def]
        compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_sort = off"))
        lines = db.session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
        db.session.rollback()
        return "\n".join(lines)

    return explain


def test_search_reads_the_stored_vector_through_its_gin_index(plan):  # type: ignore[no-untyped-def]
    query = func.websearch_to_tsquery(literal_column("'english'"), "strike")
    stmt = select(func.count()).select_from(Note).where(literal_column("notes.search_vector").op("@@")(query))
    assert "ix_notes_search_vector" in plan(stmt)


def test_a_page_of_a_races_candidates_and_interviews_uses_the_composite_indexes(plan):  # type: ignore[no-untyped-def]
    candidates = select(Candidate).where(Candidate.race_id == 7).order_by(Candidate.name, Candidate.id).limit(50)
    assert "ix_candidates_race_name" in plan(candidates)
    interviews = select(Interview).where(Interview.race_id == 7).order_by(Interview.starts_at, Interview.id).limit(50)
    assert "ix_interviews_race_starts" in plan(interviews)
    booked = select(Interview).where(
        Interview.candidate_id.in_([1, 2, 3]), Interview.status == InterviewStatus.scheduled
    )
    assert "ix_interviews_candidate_status" in plan(booked)


def test_the_counts_of_a_races_running_and_departed_candidates_read_their_partial_indexes(plan, make_race):  # type: ignore[no-untyped-def]
    # A race of 2,000 candidates, 20 of them gone, and fresh statistics: on an empty table every index
    # costs the same, so the planner's choice would say nothing.
    race = make_race(candidates=0)
    db.session.execute(
        text(
            "INSERT INTO candidates (race_id, name, party, incumbent, contact_name, contact_email,"
            " contact_phone, website, withdrawn_at, created_at, updated_at)"
            " SELECT :race, 'Candidate ' || n, '', false, 'Scheduler', 'c' || n || '@campaign.example.com',"
            " '', '', CASE WHEN n % 100 = 0 THEN now() END, now(), now() FROM generate_series(1, 2000) AS n"
        ),
        {"race": race.id},
    )
    db.session.commit()
    # VACUUM as autovacuum would: with the visibility map set, a partial index answers the count alone
    # (an index-only scan), where the plain race_id index must still read each row's withdrawn_at. After
    # ANALYZE alone the two cost nearly the same for 1,980 of 2,000 rows, and the planner took either.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE candidates"))
    running = select(func.count()).where(Candidate.race_id == race.id, Candidate.withdrawn_at.is_(None))
    assert "ix_candidates_race_running" in plan(running)
    left = select(func.count()).where(Candidate.race_id == race.id, Candidate.withdrawn_at.is_not(None))
    assert "ix_candidates_race_left" in plan(left)
