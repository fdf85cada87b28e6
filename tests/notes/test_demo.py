"""The demo gives the record book something to read."""

from __future__ import annotations

from sqlalchemy import select

from interviews.auth.models import User
from interviews.demo import load_demo
from interviews.extensions import db
from interviews.notes.models import MemberPoll, Note, Visibility
from interviews.races.models import Race


def test_the_demo_has_notes_of_every_visibility_and_two_polls(app, client, auth):  # type: ignore[no-untyped-def]
    assert load_demo()
    notes = db.session.scalars(select(Note)).all()
    assert {n.visibility for n in notes} == set(Visibility)
    assert len({n.author_id for n in notes}) >= 3
    assert any(n.version > 1 for n in notes)
    # Notes are written on interviews that were held, after they ended.
    assert all(n.interview.status.value == "completed" and n.created_at > n.interview.ends_at for n in notes)
    polls = db.session.scalars(select(MemberPoll).order_by(MemberPoll.closes_on)).all()
    assert [p.method.value for p in polls] == ["town_hall", "electronic"]
    race = db.session.scalar(select(Race).where(Race.title == "2028 Presidential endorsement"))
    president = db.session.scalar(select(User).where(User.name == "Angela Castellanos"))
    auth.login(president, password="union-demo-2026")
    page = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert "Town hall straw poll" in page and "Member electronic poll" in page
    assert "card check" in page
