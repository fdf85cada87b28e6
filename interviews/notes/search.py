"""Full-text search over notes and candidates, on the database's own engine, behind one function.

SQLite: FTS5 tables over notes and candidates (external content, kept in sync by triggers).
PostgreSQL: GIN indexes on to_tsvector('english', ...) expressions, queried with the same
expression (so the planner uses them), websearch_to_tsquery, ts_rank and ts_headline.

The DDL is plain, self-contained and idempotent (IF NOT EXISTS; the FTS rebuild is harmless on an
empty or already built index), so the same statements go into the Alembic migration; here they
run after create_all makes the notes table (by then the candidates table exists too).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Connection, Table, column, event, func, literal_column, select, table, text
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from interviews.auth.models import User
from interviews.extensions import db
from interviews.notes.models import Note
from interviews.notes.visibility import visible_notes
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
    "CREATE INDEX IF NOT EXISTS ix_notes_body_fts ON notes USING GIN (to_tsvector('english', body))",
    "CREATE INDEX IF NOT EXISTS ix_candidates_fts ON candidates "
    "USING GIN (to_tsvector('english', name || ' ' || party))",
]


def create_search_indexes(target: Table, connection: Connection, **kw: object) -> None:
    statements = {"sqlite": SQLITE_DDL, "postgresql": POSTGRES_DDL}.get(connection.dialect.name, [])
    for statement in statements:
        connection.exec_driver_sql(statement)


event.listen(Note.__table__, "after_create", create_search_indexes)

# Snippet markers: private-use characters, so the text can be escaped whole and marks put back after.
START, STOP = "\ue000", "\ue001"
MAX_RESULTS = 50


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
    notes: list[NoteHit]
    candidates: list[CandidateHit]

    @property
    def total(self) -> int:
        return len(self.notes) + len(self.candidates)


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


def search(words: str, viewer: User) -> SearchResults:
    """Notes the viewer may read and candidates matching the words, best first, with snippets."""
    words = words.strip()[:200]
    if not words:
        return SearchResults(words, [], [])
    if db.engine.dialect.name == "postgresql":
        notes, candidates = _postgres(words, viewer)
    else:
        query = fts5_query(words)
        notes, candidates = _sqlite(query, viewer) if query else ([], [])
    return SearchResults(words, notes, candidates)


def _note_options() -> tuple[_AbstractLoad, ...]:
    return (
        selectinload(Note.author),
        selectinload(Note.question),
        selectinload(Note.interview).selectinload(Interview.candidate),
        selectinload(Note.interview).selectinload(Interview.race),
    )


def _sqlite(query: str, viewer: User) -> tuple[list[NoteHit], list[CandidateHit]]:
    notes_fts = table("notes_fts", column("rowid"))
    rank = func.bm25(literal_column("notes_fts"))
    snippet = func.snippet(literal_column("notes_fts"), 0, START, STOP, "…", 24)
    rows = db.session.execute(
        select(Note, snippet)
        .join(notes_fts, notes_fts.c.rowid == Note.id)
        .where(text("notes_fts MATCH :query").bindparams(query=query), visible_notes(viewer))
        .order_by(rank, Note.id)
        .limit(MAX_RESULTS)
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
    return [NoteHit(n, highlight(s)) for n, s in rows], [CandidateHit(c, highlight(s)) for c, s in c_rows]


def _postgres(words: str, viewer: User) -> tuple[list[NoteHit], list[CandidateHit]]:
    english: ColumnElement[str] = literal_column("'english'")
    # The same expressions as the GIN indexes in POSTGRES_DDL, so the planner can use them.
    query = func.websearch_to_tsquery(english, words)
    options = f'StartSel="{START}", StopSel="{STOP}", MaxWords=40, MinWords=12, MaxFragments=2'
    note_vector = func.to_tsvector(english, Note.body)
    # ts_headline drops anything that looks like an HTML tag; notes are plain text, so escape it
    # first (and unescape the headline after) to show a typed "<b>" as written.
    escaped = func.replace(func.replace(func.replace(Note.body, "&", "&amp;"), "<", "&lt;"), ">", "&gt;")
    rows = db.session.execute(
        select(Note, func.ts_headline(english, escaped, query, options))
        .where(note_vector.op("@@")(query), visible_notes(viewer))
        .order_by(func.ts_rank(note_vector, query).desc(), Note.id)
        .limit(MAX_RESULTS)
        .options(*_note_options())
    ).all()
    document = Candidate.name + literal_column("' '") + Candidate.party
    candidate_vector = func.to_tsvector(english, document)
    c_rows = db.session.execute(
        select(Candidate, func.ts_headline(english, document, query, options))
        .where(candidate_vector.op("@@")(query))
        .order_by(func.ts_rank(candidate_vector, query).desc(), Candidate.id)
        .limit(MAX_RESULTS)
        .options(selectinload(Candidate.race))
    ).all()
    return [NoteHit(n, highlight(html.unescape(s))) for n, s in rows], [
        CandidateHit(c, highlight(s)) for c, s in c_rows
    ]
