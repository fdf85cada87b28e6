"""How a request's transaction ends: with COMMIT when it only read, else rolled back as before.

Committing a read-only transaction is what keeps PostgreSQL's prepared statements on the connection
(psycopg forgets them all on ROLLBACK); it must never keep a change that a view left uncommitted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from interviews.access import PUBLIC, allow
from interviews.extensions import db
from interviews.races.models import Race
from tests.conftest import PASSWORD


@pytest.fixture
def server(app: Flask, app_factory: Any, make_race: Any) -> tuple[Flask, Counter[str], int]:
    """A second app on the test database with views that read or change a race and never commit,
    and a count of the transactions its connections ended with COMMIT and with ROLLBACK."""
    race = make_race(title="Mayor")
    db.session.commit()
    race_id = race.id
    served = app_factory()

    @allow(PUBLIC)
    def read() -> str:
        return db.session.get_one(Race, race_id).title

    @allow(PUBLIC)
    def core_write() -> str:
        db.session.execute(update(Race).where(Race.id == race_id).values(title="Changed by an UPDATE"))
        return "changed"

    @allow(PUBLIC)
    def pending_change() -> str:
        db.session.get_one(Race, race_id).title = "Changed in memory only"
        return "changed"

    @allow(PUBLIC)
    def flushed_change() -> str:
        db.session.get_one(Race, race_id).title = "Changed and flushed"
        db.session.flush()
        # A read after the flush: the transaction's last statement is a SELECT, and it still wrote.
        db.session.execute(select(Race.title).where(Race.id == race_id)).scalar_one()
        return "changed"

    for view in (read, core_write, pending_change, flushed_change):
        served.add_url_rule(f"/test/{view.__name__}", view.__name__, view)
    ended: Counter[str] = Counter()
    with served.app_context():
        event.listen(db.engine, "commit", lambda conn: ended.update(["commit"]))
        event.listen(db.engine, "rollback", lambda conn: ended.update(["rollback"]))
    return served, ended, race_id


def _title(race_id: int) -> str:
    db.session.expire_all()
    return db.session.get_one(Race, race_id).title


def test_a_request_that_only_read_commits(server: tuple[Flask, Counter[str], int]) -> None:
    served, ended, _ = server
    response = served.test_client().get("/test/read")
    assert response.get_data(as_text=True) == "Mayor"
    assert ended == Counter(commit=1)


@pytest.mark.parametrize("path", ["/test/core_write", "/test/pending_change", "/test/flushed_change"])
def test_a_change_left_uncommitted_is_rolled_back(server: tuple[Flask, Counter[str], int], path: str) -> None:
    served, ended, race_id = server
    assert served.test_client().get(path).status_code == 200
    assert ended["commit"] == 0
    assert _title(race_id) == "Mayor"


def test_the_race_page_commits_and_the_sign_in_commits_its_session(
    server: tuple[Flask, Counter[str], int], make_user: Any
) -> None:
    served, ended, race_id = server
    staff = make_user("staff")
    db.session.commit()
    client = served.test_client()
    assert client.post("/login", data={"email": staff.email, "password": PASSWORD}).status_code == 302
    assert ended["commit"] >= 1  # the sign-in stored its session
    ended.clear()
    assert client.get(f"/races/{race_id}").status_code == 200
    assert ended == Counter(commit=1)
