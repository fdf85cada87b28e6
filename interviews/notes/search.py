"""Full-text search over notes and candidates, on the database's own engine, behind one function.

SQLite: FTS5 tables over notes and candidates (external content, kept in sync by triggers), ranked
by bm25.
PostgreSQL: a stored, generated `search_vector` column (to_tsvector('english', ...)) on notes and
candidates with a GIN index, queried with websearch_to_tsquery. Ranking reads the stored vector
(ts_rank never re-parses a body), and ts_headline runs only on the page of hits that is shown.
The column lives outside the models (it exists on PostgreSQL only), like the FTS5 tables.

Notes are shown a page at a time, with the count of every note the viewer may read that matches.

The DDL is plain, self-contained and idempotent (IF NOT EXISTS; the FTS rebuild is harmless on an
empty or already built index), so the same statements go into the Alembic migration; here they
run after create_all makes the notes table (by then the candidates table exists too).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    column,
    event,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from interviews.auth.models import User
from interviews.extensions import db
from interviews.notes.models import Note
from interviews.notes.visibility import visible_notes
from interviews.pagination import Page, count_up_to
from interviews.races.models import Candidate
from interviews.scheduling.models import Interview

SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS notes_fts USING fts5("
    "body, content='notes', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS notes_fts_insert AFTER INSERT ON notes BEGIN "
    "INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS notes_fts_delete AFTER DELETE ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS notes_fts_update AFTER UPDATE OF body ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS candidates_fts USING fts5("
    "name, party, content='candidates', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS candidates_fts_insert AFTER INSERT ON candidates BEGIN "
    "INSERT INTO candidates_fts(rowid, name, party) VALUES (new.id, new.name, new.party); END",
    "CREATE TRIGGER IF NOT EXISTS candidates_fts_delete AFTER DELETE ON candidates BEGIN "
    "INSERT INTO candidates_fts(candidates_fts, rowid, name, party) "
    "VALUES ('delete', old.id, old.name, old.party); END",
    "CREATE TRIGGER IF NOT EXISTS candidates_fts_update AFTER UPDATE OF name, party ON candidates BEGIN "
    "INSERT INTO candidates_fts(candidates_fts, rowid, name, party) "
    "VALUES ('delete', old.id, old.name, old.party); "
    "INSERT INTO candidates_fts(rowid, name, party) VALUES (new.id, new.name, new.party); END",
    "INSERT INTO candidates_fts(candidates_fts) VALUES ('rebuild')",
]

POSTGRES_DDL = [
    "ALTER TABLE notes ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_notes_search_vector ON notes USING GIN (search_vector)",
    "ALTER TABLE candidates ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || party)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_candidates_search_vector ON candidates USING GIN (search_vector)",
]


def create_search_indexes(target: Table, connection: Connection, **kw: object) -> None:
    statements = {"sqlite": SQLITE_DDL, "postgresql": POSTGRES_DDL}.get(connection.dialect.name, [])
    for statement in statements:
        connection.exec_driver_sql(statement)


event.listen(Note.__table__, "after_create", create_search_indexes)

# Snippet markers: private-use characters, so the text can be escaped whole and marks put back after.
START, STOP = "\ue000", "\ue001"
MAX_RESULTS = 50  # candidates shown; notes are paginated, this many a page
MAX_COUNTED = 1000  # notes counted exactly; past this the page says "more than 1,000" (20 pages to go through)


@dataclass(frozen=True)
class NoteHit:
    note: Note
    snippet: Markup


@dataclass(frozen=True)
class CandidateHit:
    candidate: Candidate
    snippet: Markup


@dataclass(frozen=True)
class SearchResults:
    words: str
    notes: Page[NoteHit]
    candidates: list[CandidateHit]

    @property
    def total(self) -> int:
        return self.notes.total + len(self.candidates)

    @property
    def total_at_least(self) -> bool:
        """More notes match than were counted: `total` is a floor."""
        return self.notes.total_at_least


def _no_notes() -> Page[NoteHit]:
    return Page(items=[], number=1, per_page=MAX_RESULTS, total=0)


def highlight(snippet: str) -> Markup:
    """Escape the whole snippet, then turn the markers into <mark> (balanced, whatever the text held)."""
    parts = re.split(f"({START}|{STOP})", snippet or "")
    out, open_ = [], False
    for part in parts:
        if part == START and not open_:
            out.append("<mark>")
            open_ = True
        elif part == STOP and open_:
            out.append("</mark>")
            open_ = False
        elif part not in (START, STOP):
            out.append(str(escape(part)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704  (every piece of text was escaped above)


def fts5_query(words: str) -> str | None:
    """A safe FTS5 query: "quoted phrases" kept, other words each quoted, all required (AND)."""
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', words):
        tokens = re.findall(r"\w+", phrase or word)
        if tokens:
            terms.append('"' + " ".join(tokens) + '"')
    return " AND ".join(terms) or None


def search(words: str, viewer: User, number: int = 1) -> SearchResults:
    """Notes the viewer may read and candidates matching the words, best first, with snippets.
    The notes are page `number` (past the end: the last) of all that match."""
    words = words.strip()[:200]
    if not words:
        return SearchResults(words, _no_notes(), [])
    if db.engine.dialect.name == "postgresql":
        notes, candidates = _postgres(words, viewer, number)
    else:
        query = fts5_query(words)
        notes, candidates = _sqlite(query, viewer, number) if query else (_no_notes(), [])
    return SearchResults(words, notes, candidates)


def _note_options() -> tuple[_AbstractLoad, ...]:
    # All many-to-one: joined into the page's query (under aliases, so the visibility rule's own
    # references to interviews and races are untouched).
    return (
        joinedload(Note.author),
        joinedload(Note.question),
        joinedload(Note.interview).joinedload(Interview.candidate),
        joinedload(Note.interview).joinedload(Interview.race),
    )


def _sqlite(query: str, viewer: User, number: int) -> tuple[Page[NoteHit], list[CandidateHit]]:
    notes_fts = table("notes_fts", column("rowid"))
    matching = text("notes_fts MATCH :query").bindparams(query=query)
    rank = func.bm25(literal_column("notes_fts"))
    snippet = func.snippet(literal_column("notes_fts"), 0, START, STOP, "…", 24)
    total, more = count_up_to(
        select(Note.id).join(notes_fts, notes_fts.c.rowid == Note.id).where(matching, visible_notes(viewer)),
        MAX_COUNTED,
    )
    number = min(number, max(1, -(-total // MAX_RESULTS)))
    rows = db.session.execute(
        select(Note, snippet)
        .join(notes_fts, notes_fts.c.rowid == Note.id)
        .where(matching, visible_notes(viewer))
        .order_by(rank, Note.id)
        .limit(MAX_RESULTS)
        .offset((number - 1) * MAX_RESULTS)
        .options(*_note_options())
    ).all()
    candidates_fts = table("candidates_fts", column("rowid"))
    c_rank = func.bm25(literal_column("candidates_fts"))
    c_snippet = func.snippet(literal_column("candidates_fts"), -1, START, STOP, "…", 12)
    c_rows = db.session.execute(
        select(Candidate, c_snippet)
        .join(candidates_fts, candidates_fts.c.rowid == Candidate.id)
        .where(text("candidates_fts MATCH :query").bindparams(query=query))
        .order_by(c_rank, Candidate.id)
        .limit(MAX_RESULTS)
        .options(selectinload(Candidate.race))
    ).all()
    notes = Page(
        items=[NoteHit(n, highlight(s)) for n, s in rows],
        number=number,
        per_page=MAX_RESULTS,
        total=total,
        total_at_least=more,
    )
    return notes, [CandidateHit(c, highlight(s)) for c, s in c_rows]


def _postgres(words: str, viewer: User, number: int) -> tuple[Page[NoteHit], list[CandidateHit]]:
    english: ColumnElement[str] = literal_column("'english'")
    query = func.websearch_to_tsquery(english, words)
    options = f'StartSel="{START}", StopSel="{STOP}", MaxWords=40, MinWords=12, MaxFragments=2'
    note_vector: ColumnElement[Any] = literal_column("notes.search_vector")
    matching = note_vector.op("@@")(query)
    # ts_headline drops anything that looks like an HTML tag; notes are plain text, so escape it
    # first (and unescape the headline after) to show a typed "<b>" as written.
    escaped = func.replace(func.replace(func.replace(Note.body, "&", "&amp;"), "<", "&lt;"), ">", "&gt;")

    total, more = count_up_to(select(Note.id).where(matching, visible_notes(viewer)), MAX_COUNTED)
    number = min(number, max(1, -(-total // MAX_RESULTS)))
    # Rank over the stored vectors and keep one page of ids; only those get a headline, which
    # re-reads the body (the costly part) for the fifty shown instead of every match.
    ranked = (
        select(Note.id.label("id"), func.ts_rank(note_vector, query).label("rank"))
        .where(matching, visible_notes(viewer))
        .order_by(func.ts_rank(note_vector, query).desc(), Note.id)
        .limit(MAX_RESULTS)
        .offset((number - 1) * MAX_RESULTS)
        .subquery()
    )
    rows = db.session.execute(
        select(Note, func.ts_headline(english, escaped, query, options))
        .join(ranked, ranked.c.id == Note.id)
        .order_by(ranked.c.rank.desc(), Note.id)
        .options(*_note_options())
    ).all()
    document = Candidate.name + literal_column("' '") + Candidate.party
    candidate_vector: ColumnElement[Any] = literal_column("candidates.search_vector")
    c_rows = db.session.execute(
        select(Candidate, func.ts_headline(english, document, query, options))
        .where(candidate_vector.op("@@")(query))
        .order_by(func.ts_rank(candidate_vector, query).desc(), Candidate.id)
        .limit(MAX_RESULTS)
        .options(selectinload(Candidate.race))
    ).all()
    notes = Page(
        items=[NoteHit(n, highlight(html.unescape(s))) for n, s in rows],
        number=number,
        per_page=MAX_RESULTS,
        total=total,
        total_at_least=more,
    )
    return notes, [CandidateHit(c, highlight(s)) for c, s in c_rows]
