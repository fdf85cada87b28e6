"""Fixtures shared by the whole suite.

The database is SQLite (a file, so live servers in other threads and processes share it) unless
TEST_DATABASE_URL names a PostgreSQL server; then each test session makes its own database there,
so parallel runs never meet. Every test starts from empty tables.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.ctx import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from config import TestConfig
from interviews import create_app, extensions
from interviews.extensions import db

PASSWORD = "correct horse battery"


def _postgres_database(base_url: str) -> Iterator[str]:
    url = make_url(base_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"interviews_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url: str) -> str:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return database_url


_SEQUENCE_RESET: dict[str, str] = {}


def _empty_all_tables() -> None:
    """Empty every table between tests, ids starting again from 1, as cheaply as the database allows.

    On PostgreSQL, TRUNCATE of every table costs about 0.2 s a test; DELETE of a test's few rows costs
    a tenth of that. The guards' triggers (which refuse deleting a final vote) and the foreign-key
    triggers are switched off for this one transaction (`session_replication_role`, the tests connect
    as a superuser): everything goes, so nothing is left dangling.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    for table in tables:
        db.session.execute(table.delete())
    if postgresql:
        db.session.execute(text(_sequence_reset(tables)))
    db.session.commit()


def _sequence_reset(tables: list[Any]) -> str:
    """One statement that sets every table's id sequence back to 1 (found once per database)."""
    url = str(db.engine.url)
    if url not in _SEQUENCE_RESET:
        values = ", ".join(f"('{t.name}')" for t in tables if "id" in t.c)
        sequences = [
            name
            for name in db.session.execute(
                text(f"SELECT pg_get_serial_sequence(quote_ident(t), 'id') FROM (VALUES {values}) AS v(t)")
            ).scalars()
            if name
        ]
        _SEQUENCE_RESET[url] = "SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences)
    return _SEQUENCE_RESET[url]


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Tests keep an app context open to use services and factories. Without this, Flask would run
    requests inside that same context, sharing its database session and `g` (and so the signed-in
    user) across requests, which hides real bugs. Pending test data is committed first.
    """

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        outer = _cv_app.get(None)
        if outer is None:
            return super().open(*args, **kwargs)
        db.session.commit()
        token = _cv_app.set(None)  # type: ignore[arg-type]
        # A streamed download is read to its end here, inside the request's own context, as a
        # server would; read later, it would close that context after the test's had returned.
        kwargs.setdefault("buffered", True)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()


@pytest.fixture
def app_factory(_schema: str) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with extra settings."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(TestConfig, **{"SQLALCHEMY_DATABASE_URI": _schema, **overrides})
        app.test_client_class = IsolatedClient
        built.append(app)
        return app

    yield build
    # Close every pool, so no connection is left for the garbage collector (a ResourceWarning).
    for app in built:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


# The `app` of every test, built once per database: building one costs about 0.25 s, a third of a
# typical test. Each test gets it with the test settings as they were (a test may change app.config).
_SHARED_APPS: dict[str, Flask] = {}


@pytest.fixture
def app(_schema: str) -> Iterator[Flask]:
    app = _SHARED_APPS.get(_schema)
    if app is None:
        # The test's own session reads with plain BEGIN on SQLite (see interviews/database.py);
        # live servers built with app_factory keep BEGIN IMMEDIATE, as in production.
        app = create_app(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=_schema,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "execution_options": {"sqlite_immediate": False}},
        )
        app.test_client_class = IsolatedClient
        _SHARED_APPS[_schema] = app
    settings = dict(app.config)
    # The rate limiter is one object that the last app built configures (a test may build one with limits).
    extensions.limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED"))
    with app.app_context():
        _empty_all_tables()
        yield app
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    app.config.clear()
    app.config.update(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


# --- factories -------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    from interviews.audit.actors import System
    from interviews.auth import services

    counter = iter(range(1, 10_000))

    def make(role: str = "leader", *, name: str | None = None, email: str | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        n = next(counter)
        user = services.create_user(
            email=email or f"{role}{n}@labor.example.org",
            name=name or f"{role.capitalize()} Number{n}",
            role=role,
            password=kwargs.pop("password", PASSWORD),
            actor=kwargs.pop("actor", System("test fixture")),
            **kwargs,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def staffer(make_user: Callable[..., Any]) -> Any:
    """The staff member who does what a test does through the services; the audit trail names them."""
    return make_user("staff", name="Sam Organiser", email="sam.organiser@labor.example.org")


class AuthActions:
    def __init__(self, client: FlaskClient, make_user: Callable[..., Any]) -> None:
        self._client = client
        self._make_user = make_user

    def login(self, user_or_role: Any = "staff", password: str = PASSWORD, **kwargs: Any):  # type: ignore[no-untyped-def]
        """Sign in as an existing user, or as a new user of the given role. Returns the user."""
        user = self._make_user(user_or_role, **kwargs) if isinstance(user_or_role, str) else user_or_role
        response = self._client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient, make_user: Callable[..., Any]) -> AuthActions:
    return AuthActions(client, make_user)


@pytest.fixture
def make_race(app: Flask, make_user: Callable[..., Any]) -> Callable[..., Any]:
    from datetime import date

    from interviews.races.models import Candidate, Race

    def make(title: str = "State Senate District 7", *, candidates: int = 2, **kwargs: Any):  # type: ignore[no-untyped-def]
        race = Race(
            title=title,
            office=kwargs.pop("office", "State Senator"),
            jurisdiction=kwargs.pop("jurisdiction", "District 7"),
            election_date=kwargs.pop("election_date", date(2027, 11, 2)),
            **kwargs,
        )
        for i in range(candidates):
            race.candidates.append(
                Candidate(
                    name=f"Candidate {chr(65 + i)}",
                    contact_name=f"Scheduler {chr(65 + i)}",
                    contact_email=f"scheduler{chr(97 + i)}@campaign.example.com",
                )
            )
        db.session.add(race)
        db.session.commit()
        return race

    return make


# --- query counting --------------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def reads_of(self, table: str) -> int:
        """How many statements read rows of `table` itself (a subquery of it inside another does not count)."""
        return sum(1 for s in self.statements if s.lstrip().startswith(f"SELECT {table}."))

    def __repr__(self) -> str:
        return f"<{self.count} queries>\n" + "\n".join(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], contextlib.AbstractContextManager[QueryCounter]]:
    """`with count_queries() as q: ...; assert q.count <= N`: counts SQL statements sent."""

    @contextlib.contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@dataclass
class PageReads:
    page: str
    reads: int  # statements that read rows of the table asked about
    count: int  # statements in all


@pytest.fixture
def race_page_reads(client: FlaskClient, count_queries: Any) -> Callable[[int, str], PageReads]:
    """`race_page_reads(race_id, table)`: the race page as text, with how many of its statements read
    `table` itself and how many it ran, for the tests of parts that skip a read when there is nothing."""

    def read(race_id: int, table: str) -> PageReads:
        with count_queries() as counted:
            response = client.get(f"/races/{race_id}")
        assert response.status_code == 200
        return PageReads(response.get_data(as_text=True), counted.reads_of(table), counted.count)

    return read


# --- what is stored --------------------------------------------------------------------------


def stored_rows() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, the audit trail and the outbox included, as comparable text.

    `before = stored_rows()`, a refused request, then `assert stored_rows() == before`: a refusal
    that still wrote something (an audit event, an e-mail, a changed column) fails.
    """
    from sqlalchemy import select

    db.session.expire_all()
    return {
        table.name: sorted(tuple(map(repr, row)) for row in db.session.execute(select(table)))
        for table in db.metadata.sorted_tables
    }


def changed_tables(before: dict[str, list[tuple[str, ...]]]) -> list[str]:
    """The tables whose rows differ from a `stored_rows()` snapshot: a short message when one does."""
    after = stored_rows()
    return [name for name in after if after[name] != before.get(name)]


# --- a real SMTP server ----------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SMTPSink:
    """An aiosmtpd server on a free local port that keeps every message it receives."""

    def __init__(self) -> None:
        import email
        import email.policy

        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                sink.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 Message accepted for delivery"

        # Controller(port=0) cannot report the port it got, so pick a free one first.
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server() -> Iterator[SMTPSink]:
    server = SMTPSink().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_settings(smtp_server: SMTPSink) -> dict[str, Any]:
    """App settings that deliver to the test SMTP server."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_DEFAULT_SENDER": "Test Labor Council <scheduling@labor.example.org>",
    }
