"""Full-text search on the database's own engine (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from interviews.extensions import db
from interviews.notes.search import POSTGRES_DDL, SQLITE_DDL, fts5_query, highlight, search


def test_the_search_index_exists_on_this_database(app):  # type: ignore[no-untyped-def]
    if db.engine.dialect.name == "postgresql":
        names = set(
            db.session.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename IN ('notes', 'candidates')"))
        )
        assert {"ix_notes_search_vector", "ix_candidates_search_vector"} <= names
    else:
        names = set(db.session.scalars(text("SELECT name FROM sqlite_master")))
        assert {"notes_fts", "candidates_fts", "notes_fts_insert", "notes_fts_update", "notes_fts_delete"} <= names


def _search_structures() -> list[tuple[str, str]]:
    if db.engine.dialect.name == "postgresql":
        query = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%search_vector%' "
            "UNION ALL SELECT table_name || '.' || column_name, generation_expression FROM information_schema.columns "
            "WHERE column_name = 'search_vector' ORDER BY 1"
        )
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE name LIKE '%fts%' ORDER BY name"
    return [tuple(row) for row in db.session.execute(text(query))]


def test_the_ddl_can_run_again(app, make_race, make_user, make_interview, write_note):  # type: ignore[no-untyped-def]
    # The lead copies these into the migration: running them twice must be harmless.
    before = _search_structures()
    statements = POSTGRES_DDL if db.engine.dialect.name == "postgresql" else SQLITE_DDL
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    assert _search_structures() == before  # nothing added twice, nothing replaced
    # The index still follows new notes, each once.
    race = make_race()
    leader = make_user("leader")
    write_note(make_interview(race, [leader]), leader, "Firm on prevailing wage.", "leadership")
    assert [hit.note.body for hit in search("prevailing wage", leader).notes.items] == ["Firm on prevailing wage."]


def test_words_find_notes_ranked_with_safe_snippets(
    app, make_race, make_user, make_questions, make_interview, write_note
):  # type: ignore[no-untyped-def]
    race = make_race()
    questions = make_questions(race).questions
    leader, colleague = make_user("leader"), make_user("leader")
    interview = make_interview(race, [leader, colleague])
    write_note(
        interview,
        leader,
        "She defends the right to strike, <b>strongly</b>. Strike! Strike!",
        "leadership",
        question=questions[0],
    )
    write_note(
        interview,
        colleague,
        "Vague on strikes; talked about the right to organise.",
        "leadership",
        question=questions[0],
    )
    write_note(interview, leader, "Nothing about labour law here.", "leadership")
    results = search("right to strike", leader)
    bodies = [hit.note.body for hit in results.notes.items]
    assert bodies[0].startswith("She defends")  # the closer match ranks first
    assert all("labour law" not in b for b in bodies)
    snippet = str(results.notes.items[0].snippet)
    assert "<mark>" in snippet and "&lt;b&gt;" in snippet and "<b>" not in snippet
    assert search("", leader).total == 0


def test_a_quoted_phrase_must_appear_as_written(app, make_race, make_user, make_interview, write_note):  # type: ignore[no-untyped-def]
    race = make_race()
    leader = make_user("leader")
    interview = make_interview(race, [leader])
    write_note(interview, leader, "The strike fund and the right of workers.", "leadership")
    assert search("right strike", leader).notes.items
    assert not search('"right to strike"', leader).notes.items


def test_the_index_follows_edits_and_candidates_are_found(app, make_race, make_user, make_interview, write_note):  # type: ignore[no-untyped-def]
    race = make_race()
    leader = make_user("leader")
    interview = make_interview(race, [leader])
    note = write_note(interview, leader, "Talked about pensions.", "leadership")
    write_note(interview, leader, "Talked about healthcare.", "leadership", base_version=note.version)
    assert not search("pensions", leader).notes.items
    assert search("healthcare", leader).notes.items
    race.candidates[0].name = "Ruth Abernathy"
    db.session.commit()
    hits = search("abernathy", leader).candidates
    assert [h.candidate.name for h in hits] == ["Ruth Abernathy"]
    assert "<mark>Abernathy</mark>" in str(hits[0].snippet)


def test_odd_input_is_safe(app, make_user):  # type: ignore[no-untyped-def]
    leader = make_user("leader")
    for words in ['"', "NEAR(", "a OR", "*", "-x", "'; DROP TABLE notes; --", "ü", "right AND"]:
        # No error, whatever the engine's query syntax; and with no notes stored, nothing found.
        assert search(words, leader).total == 0, words
    assert db.session.scalar(text("SELECT COUNT(*) FROM notes")) == 0  # the table is still there
    assert fts5_query('right "to strike" x"y') == '"right" AND "to strike" AND "x y"'
    assert (
        str(highlight("a \ue000<i>b</i>\ue001 \ue001c\ue000")) == "a <mark>&lt;i&gt;b&lt;/i&gt;</mark> c<mark></mark>"
    )


def test_the_search_page(client, auth, make_race, make_user, make_interview, write_note):  # type: ignore[no-untyped-def]
    race = make_race()
    leader = make_user("leader")
    interview = make_interview(race, [leader])
    write_note(interview, leader, "Firm on the right to strike.", "leadership")
    auth.login(leader)
    page = client.get("/search?q=right+to+strike").get_data(as_text=True)
    assert "1 result" in page and f"/interviews/{interview.id}/notes" in page
    assert client.get("/search").status_code == 200


def test_a_word_matching_more_notes_than_are_counted_says_more_than(
    client, auth, make_race, make_user, make_interview, write_note, monkeypatch
):  # type: ignore[no-untyped-def]
    """Counting every match of a common word cost as much as ranking them: past the limit the page says so."""
    from interviews.notes import search as search_module

    monkeypatch.setattr(search_module, "MAX_COUNTED", 3)
    monkeypatch.setattr(search_module, "MAX_RESULTS", 2)
    race = make_race()
    leader = make_user("leader")
    for n in range(4):
        write_note(make_interview(race, [leader]), leader, f"Strike fund question {n}.", "leadership")
    auth.login(leader)
    page = client.get("/search?q=strike").get_data(as_text=True)
    assert "More than 3 results" in page
    assert "Showing 1–2 of more than 3 notes." in page
    # Counted exactly when they fit: three notes, a page and a half.
    monkeypatch.setattr(search_module, "MAX_COUNTED", 10)
    page = client.get("/search?q=strike").get_data(as_text=True)
    assert "4 results" in page and "Showing 1–2 of 4 notes." in page
    # A page past the end shows the last one.
    assert "Showing 3–4 of 4 notes." in client.get("/search?q=strike&page=9").get_data(as_text=True)
