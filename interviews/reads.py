"""Plain reads run on the driver's cursor, once SQLAlchemy has shown what they compile to.

`database.read_rows` runs the pages' reads of plain columns. Through `Connection.execute` each one
cost 230-290 µs of CPU on our pages (measured on PostgreSQL: the race page's 17 statements, the
dashboards', the campaign's page), of which the driver's own execute and fetch were 110-120 µs: the
rest was SQLAlchemy setting up an execution context and a result for a statement whose SQL, binds
and columns never change. Most reads are built once per process (`functools.cache`), so this keeps,
for each statement object seen again, what it compiles to on the connection's dialect, and from
then on runs that SQL on the DBAPI cursor with the statement's own bind and result processors (the
same conversions: aware UTC times, enums, booleans on SQLite).

What it does not handle goes through SQLAlchemy as before: statements other than a SELECT, column
names that are not plain identifiers or repeat, types whose conversion depends on the driver's
column type (numerics on PostgreSQL). IN lists are rendered for each call's values by SQLAlchemy's
own `construct_expanded_state`. The cursor events still fire, so query
counts and the "this request wrote nothing" check see these statements, and a driver error is raised
as the SQLAlchemy error `Connection.execute` would raise.
"""

from __future__ import annotations

import keyword
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql import CompoundSelect, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

# Both maps are emptied when full: a statement built for one call (a page's filter) is seen once and
# dropped; the pages' own, built once per process, number a few dozen.
_MOST = 512
Processor = Callable[[Any], Any]
# A row of named columns: SQLAlchemy's `Row` the first time a statement runs, a named tuple after.
PlainRow = Any


class Rows(list[Any]):
    """A read's rows, all fetched: what the callers used of SQLAlchemy's `Result`."""

    def all(self) -> list[Any]:
        return list(self)

    def first(self) -> Any:
        return self[0] if self else None

    def one(self) -> Any:
        if not self:
            raise NoResultFound("No row was found when one was required")
        if len(self) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self[0]


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    positions: tuple[str, ...] | None  # bind names in order, for a positional paramstyle (SQLite's "?")
    bind: tuple[tuple[str, Processor], ...]
    compiled: SQLCompiler  # for the statement's own bound values (`construct_params`)
    late: bool  # its SQL depends on the values (an IN list): rendered per call (`construct_expanded_state`)
    row: Callable[[Iterable[Any]], tuple[Any, ...]]
    results: tuple[tuple[int, Processor], ...]


# id(statement) -> (statement, ...): the statement is held, so its id cannot be reused while listed,
# and compared on lookup.
_seen: dict[int, tuple[Executable, tuple[str, ...]]] = {}
_plans: dict[int, tuple[Executable, str, _Plan | None]] = {}


def run(connection: Connection, statement: Executable, params: Mapping[str, Any]) -> Rows:
    """The statement's rows: through SQLAlchemy the first two times (the second keeps its plan), then on
    the cursor."""
    dialect = connection.dialect
    entry = _plans.get(id(statement))
    if entry is not None and entry[0] is statement and entry[1] == dialect.name:
        plan = entry[2]
        if plan is not None:
            return _run_plan(connection, plan, params)
        return Rows(connection.execute(statement, params))
    result = connection.execute(statement, params)
    keys = tuple(result.keys())
    rows = Rows(result)
    seen = _seen.get(id(statement))
    if seen is not None and seen[0] is statement and seen[1] == keys:
        if len(_plans) >= _MOST:
            _plans.clear()
        try:
            plan = _plan(connection, statement, keys)
        except Exception:  # noqa: BLE001  (what it cannot take, e.g. numerics on PostgreSQL, stays with SQLAlchemy)
            plan = None
        _plans[id(statement)] = (statement, dialect.name, plan)
        _seen.pop(id(statement), None)  # pop: a live server's other thread may have emptied it meanwhile
    else:
        if len(_seen) >= _MOST:
            _seen.clear()
        _seen[id(statement)] = (statement, keys)
    return rows


def _plan(connection: Connection, statement: Executable, keys: tuple[str, ...]) -> _Plan | None:
    """What `statement` compiles to on this dialect, or None where the cursor path does not apply."""
    if not isinstance(statement, Select | CompoundSelect):
        return None
    if len(set(keys)) != len(keys) or not all(_plain_name(key) for key in keys):
        return None  # rows built as named tuples need distinct, plain names
    columns = list(statement.selected_columns)
    if len(columns) != len(keys):
        return None
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        return None
    # By name: a bound name used twice in the statement is one value, converted once. A type whose result
    # converter needs the driver's column type raises here, and `run` leaves the statement to SQLAlchemy.
    by_name = {
        name: processor
        for parameter, name in compiled.bind_names.items()
        if (processor := parameter.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    results = tuple(
        (index, processor)
        for index, column in enumerate(columns)
        if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
    )
    positions = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup is not None else None
    # The names are known only here, so the tuple type is made here (mypy wants them written out).
    row_type: Any = namedtuple("Row", keys)  # type: ignore[misc]
    # IN lists (bound, or written in the statement) are rendered for each call's values, as SQLAlchemy does.
    late = bool(compiled.post_compile_params or compiled.literal_execute_params)
    return _Plan(compiled.string, positions, tuple(by_name.items()), compiled, late, row_type._make, results)


def _plain_name(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_")


def _run_plan(connection: Connection, plan: _Plan, params: Mapping[str, Any]) -> Rows:
    sql = plan.sql
    positions: Sequence[str] | None = plan.positions
    values: MutableMapping[str, Any]
    if plan.late:
        state = plan.compiled.construct_expanded_state(dict(params))
        sql, values, positions = state.statement, dict(state.parameters), state.positiontup
        for name, element in state.processors.items():  # those of the IN lists' values
            values[name] = element(values[name])
    else:
        values = plan.compiled.construct_params(dict(params))
    for name, convert in plan.bind:
        if name in values:
            values[name] = convert(values[name])
    bound: Any = tuple(values[name] for name in positions) if positions is not None else values
    cursor = _cursor_of(connection)
    connection.dispatch.before_cursor_execute(connection, cursor, sql, bound, None, False)
    try:
        cursor.execute(sql, bound)
        fetched = cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as error:
        _forget_cursor(connection, cursor)
        raise DBAPIError.instance(
            sql, bound, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error
    except BaseException:
        _forget_cursor(connection, cursor)
        raise
    connection.dispatch.after_cursor_execute(connection, cursor, sql, bound, None, False)
    make, results = plan.row, plan.results
    if not results:
        return Rows(make(fetched_row) for fetched_row in fetched)
    rows = Rows()
    for fetched_row in fetched:
        row = list(fetched_row)
        for index, processor in results:
            row[index] = processor(row[index])
        rows.append(make(row))
    return rows


# One cursor per driver connection, kept in the pool's record of it (`info`, cleared when the pool
# connects it again): psycopg sets up a cursor's type loaders afresh, and a new cursor for each read
# cost 66 µs of CPU where the same one took 52 (a `SELECT 1` takes 39). Reads run one at a time on a
# connection (the session's), each fetching all its rows before the next.
_CURSOR = "interviews.reads.cursor"


def _cursor_of(connection: Connection) -> Any:
    pooled = connection.connection
    dbapi_connection = pooled.dbapi_connection
    if dbapi_connection is None:  # pragma: no cover  (a connection is checked out while the session runs)
        raise RuntimeError("the session's connection has no driver connection")
    cursor = pooled.info.get(_CURSOR)
    if cursor is None or cursor.connection is not dbapi_connection:
        cursor = pooled.info[_CURSOR] = dbapi_connection.cursor()
    return cursor


def _forget_cursor(connection: Connection, cursor: Any) -> None:
    """After an error a fresh cursor is taken next time: whatever state the failed one is left in."""
    connection.connection.info.pop(_CURSOR, None)
    with suppress(Exception):
        cursor.close()
