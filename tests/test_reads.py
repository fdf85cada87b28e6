"""Plain reads run on the driver's cursor (interviews/reads.py) give the rows SQLAlchemy gives.

Each statement is run three times: the first two go through SQLAlchemy (the second makes the plan),
the third runs the plan on the cursor. The expected rows are SQLAlchemy's own, read with
`Connection.execute`, and a few values are also checked against what the fixtures stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, event, exists, func, or_, select
from sqlalchemy.exc import MultipleResultsFound, NoResultFound, SQLAlchemyError

from interviews.auth.models import Role, User
from interviews.database import read_rows
from interviews.extensions import db
from interviews.races.models import Candidate, Race
from interviews.types import UTCDateTime


@pytest.fixture
def stored(app: Flask, make_race: Callable[..., Any], make_user: Callable[..., Any]) -> Race:
    make_user("staff", name="Stella Staff", email="stella@union.example.org")
    make_user("leader", name="Lee Leader", email="lee@union.example.org")
    race = make_race(title="Mayor", candidates=3, election_date=date(2027, 11, 2))
    race.closed_at = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    race.candidates[1].incumbent = True
    race.candidates[2].withdrawn_at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    db.session.commit()
    return race


@pytest.fixture
def executes() -> Iterator[list[str]]:
    """The statements that went through SQLAlchemy's `Connection.execute` (the cursor path does not)."""
    seen: list[str] = []

    def before_execute(conn: Any, clauseelement: Any, *_: Any) -> None:
        seen.append(str(clauseelement))

    event.listen(db.engine, "before_execute", before_execute)
    yield seen
    event.remove(db.engine, "before_execute", before_execute)


def _three_times(statement: Any, params: dict[str, Any]) -> list[list[Any]]:
    return [list(read_rows(statement, params)) for _ in range(3)]


def _typed(rows: list[Any]) -> list[tuple[tuple[str, Any, type], ...]]:
    """Rows as (name, value, type) for every column: equal rows of other types must not pass."""
    return [tuple((name, value, type(value)) for name, value in zip(row._fields, row, strict=True)) for row in rows]


def test_times_dates_booleans_and_labels_come_back_as_sqlalchemy_gives_them(stored: Race, executes: list[str]) -> None:
    statement = (
        select(
            Race.id,
            Race.title,
            Race.election_date,
            Race.closed_at,
            Candidate.name.label("candidate"),
            Candidate.incumbent,
            Candidate.withdrawn_at.is_not(None).label("withdrawn"),
        )
        .join(Candidate, Candidate.race_id == Race.id)
        .where(Race.id == bindparam("race_id", type_=Integer))
        .order_by(Candidate.id)
    )
    expected = list(db.session.connection().execute(statement, {"race_id": stored.id}))
    executes.clear()

    first, second, third = _three_times(statement, {"race_id": stored.id})

    assert len(executes) == 2  # the third run did not go through Connection.execute
    for rows in (first, second, third):
        assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    assert _typed(third) == _typed(second)
    row = third[0]
    assert row.closed_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    assert row.closed_at.utcoffset() == timedelta(0)
    assert row.election_date == date(2027, 11, 2)
    assert [(r.candidate, r.incumbent, r.withdrawn) for r in third] == [
        ("Candidate A", False, False),
        ("Candidate B", True, False),
        ("Candidate C", False, True),
    ]


def test_an_enum_compared_in_the_statement_and_read_back_is_the_enum(stored: Race, executes: list[str]) -> None:
    statement = select(User.email, User.role).where(User.role == Role.staff).order_by(User.id)

    first, second, third = _three_times(statement, {})

    assert len(executes) == 2
    assert first == second == third == [("stella@union.example.org", Role.staff)]
    assert third[0].role is Role.staff


def test_a_bound_time_used_twice_is_converted_once(stored: Race) -> None:
    def moment() -> Any:  # one name, a new parameter each time: as the features' subqueries bind `race_id`
        return bindparam("moment", type_=UTCDateTime())

    statement = select(
        func.count().label("races"),
        exists().where(Candidate.withdrawn_at < moment()).label("withdrew_before"),
    ).where(or_(Race.closed_at.is_(None), Race.closed_at < moment()), Race.created_at < moment())
    later = datetime(2030, 1, 1, tzinfo=UTC)

    rows = _three_times(statement, {"moment": later})

    # On SQLite the time is stored naive: a second conversion of the same value would refuse it.
    assert [list(map(tuple, r)) for r in rows] == [[(1, True)]] * 3
    earlier = datetime(2026, 11, 1, tzinfo=UTC)
    assert tuple(read_rows(statement, {"moment": earlier}).one()) == (0, False)


def test_in_lists_are_rendered_for_each_calls_values(stored: Race, executes: list[str]) -> None:
    statement = (
        select(Candidate.name, User.role)
        .join(User, User.role.in_([Role.staff, Role.admin]))  # a list written in the statement
        .where(Candidate.id.in_(bindparam("ids", expanding=True)))
        .order_by(Candidate.id)
    )
    ids = [c.id for c in stored.candidates]
    executes.clear()

    def names(chosen: list[int]) -> list[tuple[str, Role]]:
        return [tuple(row) for row in read_rows(statement, {"ids": chosen})]

    assert names(ids[:1]) == [("Candidate A", Role.staff)]
    assert names(ids[1:]) == [("Candidate B", Role.staff), ("Candidate C", Role.staff)]
    assert len(executes) == 2
    assert names(ids) == [("Candidate A", Role.staff), ("Candidate B", Role.staff), ("Candidate C", Role.staff)]
    assert names(ids[2:]) == [("Candidate C", Role.staff)]
    assert names([]) == []
    assert len(executes) == 2  # the three runs after the second went on the cursor


def test_statements_on_the_cursor_are_counted_as_queries(stored: Race, count_queries: Any) -> None:
    statement = select(Race.title).where(Race.id == bindparam("race_id", type_=Integer))
    for _ in range(2):
        read_rows(statement, {"race_id": stored.id})

    with count_queries() as counted:
        assert read_rows(statement, {"race_id": stored.id}).one().title == "Mayor"

    assert counted.count == 1


def test_first_and_one_answer_as_sqlalchemy_results_do(stored: Race) -> None:
    statement = select(Candidate.name).where(Candidate.race_id == bindparam("race_id", type_=Integer))
    for _ in range(2):
        read_rows(statement, {"race_id": stored.id})

    assert read_rows(statement, {"race_id": stored.id + 1}).first() is None
    with pytest.raises(NoResultFound):
        read_rows(statement, {"race_id": stored.id + 1}).one()
    with pytest.raises(MultipleResultsFound):
        read_rows(statement, {"race_id": stored.id}).one()


def test_a_driver_error_on_the_cursor_is_the_error_sqlalchemy_raises(stored: Race) -> None:
    scratch = Table("reads_scratch", MetaData(), Column("id", Integer, primary_key=True))
    connection = db.session.connection()
    scratch.create(connection)
    statement = select(scratch.c.id)
    for _ in range(2):
        assert read_rows(statement).all() == []
    scratch.drop(connection)

    with pytest.raises(SQLAlchemyError) as through_cursor:
        read_rows(statement)
    db.session.rollback()
    with pytest.raises(SQLAlchemyError) as through_sqlalchemy:
        db.session.connection().execute(statement)
    db.session.rollback()

    assert type(through_cursor.value) is type(through_sqlalchemy.value)
    assert "reads_scratch" in str(through_cursor.value)

    # The connection goes on: reads after the error, on the cursor path again, get their own rows.
    names = select(Candidate.name).where(Candidate.race_id == bindparam("race_id", type_=Integer))
    names = names.order_by(Candidate.name)
    titles = select(Race.title).where(Race.id == bindparam("id", type_=Integer))
    expected_names = [c.name for c in sorted(stored.candidates, key=lambda c: c.name)]
    for _ in range(3):
        assert [row.name for row in read_rows(names, {"race_id": stored.id})] == expected_names
        assert read_rows(titles, {"id": stored.id}).one().title == "Mayor"
        assert read_rows(names, {"race_id": stored.id + 1000}).all() == []


# --- objects made from plain rows (database.loaded) ------------------------------------------------


def test_an_object_made_from_its_row_is_what_loading_it_gives(stored: Race, count_queries: Any) -> None:
    """`loaded` makes the session's object from a row of `object_columns`: the expected values are the
    ORM's own load of the same race, in another session."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    from interviews.database import loaded, object_columns

    race_id, names = stored.id, sorted(c.name for c in stored.candidates)
    with Session(db.engine) as other:
        expected = other.get(Race, race_id)
        assert expected is not None
        columns = {attribute.key: getattr(expected, attribute.key) for attribute in inspect(Race).column_attrs}
    db.session.expunge_all()
    statement = select(*object_columns(Race)).where(Race.id == bindparam("id", type_=Integer))
    for _ in range(3):  # the third on the cursor path
        race = loaded(Race, read_rows(statement, {"id": race_id}).one()._asdict())
        state = inspect(race)
        assert state.persistent and not state.modified
        assert {key: getattr(race, key) for key in columns} == columns
        assert race.closed_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
        assert db.session.get(Race, race_id) is race  # one object for the row, as the ORM keeps
    assert sorted(c.name for c in race.candidates) == names  # its relationships load

    with count_queries() as queries:
        race.title = "Mayor of Springfield"
        db.session.commit()
    writes = [s for s in queries.statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(writes) == 1 and "title" in writes[0] and "office" not in writes[0]  # only what changed
    with Session(db.engine) as other:
        assert other.get(Race, race_id).title == "Mayor of Springfield"  # type: ignore[union-attr]
