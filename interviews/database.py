"""Database behaviour that must hold on every connection.

SQLite: foreign keys on, and every transaction starts with BEGIN IMMEDIATE. SQLite allows one
writer; a transaction that reads first and writes later can fail to upgrade its lock when another
writer got in between. Taking the write lock up front serialises writers cleanly (they wait up to
the busy timeout), which is what makes bookings and conflict checks atomic on SQLite. PostgreSQL
gets the same guarantees from row locks (SELECT ... FOR UPDATE) in the services.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any, TypeVar

from flask import g, has_app_context, has_request_context
from sqlalchemy import Select, event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session, class_mapper, make_transient_to_detached, scoped_session
from sqlalchemy.sql.expression import Executable, Label

from interviews import reads
from interviews.reads import Rows

SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _postgres_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection) or not hasattr(dbapi_connection, "pgconn"):
        return
    # No JIT: the note-visibility rule's EXISTS subplans push the planner's cost estimate past
    # jit_above_cost, and compiling then took 0.3-0.8 s of a 0.4-0.8 s query (the record book's
    # note count, search), measured at a state federation's volume. Our queries are short, indexed
    # reads, which JIT does not speed up.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the driver, decide when transactions begin (see module docstring).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL: readers never block the writer and the writer never blocks readers.
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL loses no committed transaction on an application crash (only, at worst,
    # the last ones on a power cut) and saves an fsync per commit: the outbox commits per message.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    # The test suite's own session opts out (execution option), so that its reads between
    # requests do not hold the write lock that a live server in another thread needs.
    immediate = conn.get_execution_options().get("sqlite_immediate", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Full-text search structures made by raw DDL (interviews/notes/search.py), not by the models:
# SQLite FTS5 tables (and their shadow tables); PostgreSQL's stored search vectors and their indexes.
SEARCH_TABLE_PREFIXES = ("notes_fts", "candidates_fts")
SEARCH_INDEXES = frozenset({"ix_notes_search_vector", "ix_candidates_search_vector"})
SEARCH_COLUMNS = frozenset({"search_vector"})


def include_in_migrations(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's include_object: leave the search structures out of model comparisons."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIXES):
        return False
    if type_ == "column" and name in SEARCH_COLUMNS:
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


def is_postgresql(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


def rows_changed(session: Session | scoped_session[Any], statement: Executable) -> int:
    """Run an UPDATE or DELETE in `session` and say how many rows it touched (the atomic claims)."""
    result = session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError("rows_changed runs UPDATE or DELETE statements")
    return result.rowcount


# --- queries ---------------------------------------------------------------------------------


def selects_plain_rows(statement: Select[Any]) -> bool:
    """Whether a select names only columns, no ORM entity (whose rows `read_rows` would not build)."""
    for description in statement.column_descriptions:
        found = sa_inspect(description["expr"], raiseerr=False)
        if getattr(found, "is_mapper", False) or getattr(found, "is_aliased_class", False):
            return False
    return True


def read_rows(statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """Run a statement of columns (rows, no ORM objects: see `selects_plain_rows`) on the session's own
    connection and transaction, without the ORM's layer of execution: it has nothing to do for plain rows
    and cost a quarter to two fifths of a small read's CPU (measured: 390-430 µs through the session,
    260-315 µs this way). From its third run a statement runs on the driver's cursor (`interviews.reads`).
    Pending changes are flushed first, as the session's own execute would."""
    from interviews.extensions import db  # here: extensions imports this module

    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return reads.run(session.connection(), statement, params or {})


M = TypeVar("M")


def object_columns(model: type[Any]) -> list[Label[Any]]:
    """The model's columns, each labelled with its attribute's name: a plain read of them gives the
    values `loaded` makes the model's object from."""
    return [attribute.columns[0].label(attribute.key) for attribute in sa_inspect(model).column_attrs]


def loaded(model: type[M], values: Mapping[str, Any]) -> M:
    """The session's object of `model` from a plain row of `object_columns(model)`, as the ORM makes a
    loaded one: in the identity map, nothing pending, expired on commit, its relationships lazy.

    For the few objects every request of a busy page starts with (the signed-in account, the race of
    the race page): their rows come on the cursor path (`read_rows`). Sampled with py-spy, reading the
    account was 20% of the staff dashboard's CPU through the ORM and is 14% so (most of the rest is the
    pool's checkout and BEGIN, which a request's first read pays); the race page's race went from 10%
    to 5%. An object the session holds already is the one returned, as the ORM does. Attributes missing
    from `values` are expired: they load when first read."""
    from interviews.extensions import db  # here: extensions imports this module

    session = db.session()
    mapper = class_mapper(model)
    identity = tuple(values[mapper.get_property_by_column(column).key] for column in mapper.primary_key)
    known = session.identity_map.get(mapper.identity_key_from_primary_key(identity))
    if known is not None:
        found: M = known
        return found
    made: M = mapper.class_manager.new_instance()
    made.__dict__.update(values)  # where the ORM keeps an object's loaded values (`InstanceState.dict`)
    make_transient_to_detached(made)  # loaded and unchanged: nothing to flush
    session.add(made)
    return made


def distinct_values(column: InstrumentedAttribute[str]) -> list[str]:
    """The column's distinct values, sorted, for a filter's choices: one probe of its index per value
    (a recursive "next value after this one" query), not a read of every row. `column` must lead an
    index; the audit trail's 50,000 events took 13 ms to list their few entity types, now under 1 ms."""
    from interviews.extensions import db  # here: extensions imports this module

    values = select(func.min(column).label("value")).cte("distinct_values", recursive=True)
    following = select(func.min(column)).where(column > values.c.value).scalar_subquery()
    values = values.union_all(select(following).where(values.c.value.is_not(None)))
    return list(db.session.scalars(select(values.c.value).where(values.c.value.is_not(None))))


# --- a request that wrote nothing ends with COMMIT -------------------------------------------------
#
# psycopg prepares a statement on the server once a connection has run it five times, and then skips
# PostgreSQL's planning of it (0.2-0.9 ms a statement on our pages, more than the statement itself).
# But it forgets every prepared statement on ROLLBACK, and a request's session ends with one: so no
# statement was ever prepared. Ending a request that wrote nothing with COMMIT keeps them. It changes
# nothing in the database: the transaction made no change (the session had nothing pending and ran
# nothing but SELECT), so committing it and rolling it back are the same, locks included.

_READS = ("SELECT", "BEGIN")  # BEGIN: SQLite's BEGIN IMMEDIATE, which opens every transaction there


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
    if not statement.lstrip()[:6].upper().startswith(_READS):
        conn.info["wrote"] = True


@event.listens_for(Session, "after_begin")
def _note_transaction(session: Session, transaction: Any, connection: Connection) -> None:
    connection.info["wrote"] = False
    session.info["connection"] = connection


def end_read_only_transaction(error: BaseException | None = None) -> None:
    """Run when a request ends, before the session is removed: commit what only read (see above)."""
    from interviews.extensions import db  # here: extensions imports this module

    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    connection: Connection | None = session.info.get("connection")
    if (
        not session.in_transaction()
        or connection is None
        or connection.closed
        or connection.info.get("wrote", True)
        or session.new
        or session.dirty
        or session.deleted
    ):
        return  # the session's removal rolls it back, as before
    # Nothing to reload: the session is removed next. And a streamed response (a calendar feed) still
    # reads the objects it loaded after this runs, as it did when the removal only rolled back.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()
    finally:
        session.expire_on_commit = expire


# --- reads shared by the parts of one page ------------------------------------------------------


def request_memo() -> dict[Any, Any]:
    """A dict for what several parts of one page read alike (e.g. a race's stage), kept for the request
    and emptied whenever the session flushes, commits or rolls back, so that nothing read before a
    change is served after it. Outside a request (commands, the worker) each call gets a new dict."""
    if not has_request_context():
        return {}
    memo: dict[Any, Any] | None = g.get("_request_memo")
    if memo is None:
        memo = g._request_memo = {}
    return memo


def forget_request_memo(*_: Any) -> None:
    """Also run when a request ends: `g` outlives it where an app context was already pushed (tests)."""
    if has_app_context():
        g.pop("_request_memo", None)


for _name in ("after_flush", "after_commit", "after_soft_rollback"):
    event.listen(Session, _name, forget_request_memo)
