"""The demo holds the State Senate vote, open (named ballots, as that race's rule says) with some ballots cast.
(The races decided in stages are tests/decisions/test_demo.py's.)"""

from __future__ import annotations

from sqlalchemy import func, select

from interviews.auth.models import User
from interviews.demo import load_demo
from interviews.extensions import db
from interviews.votes.models import Ballot, Vote, VoteStatus


def test_the_demo_votes(client, auth):  # type: ignore[no-untyped-def]
    assert load_demo()
    open_vote = db.session.scalars(select(Vote).where(Vote.stage_id.is_(None))).one()
    assert open_vote.race.title == "State Senate District 12" and open_vote.status is VoteStatus.open
    assert not open_vote.secret and not open_vote.race.secret_ballot
    cast = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == open_vote.id))
    assert cast == sum(e.has_voted for e in open_vote.roll) > 0

    waiting = next(e for e in open_vote.roll if not e.has_voted)
    auth.login(db.session.get(User, waiting.user_id), password="union-demo-2026")
    assert "Votes awaiting your ballot" in client.get("/dashboard").get_data(as_text=True)
    assert "Cast my ballot" in client.get(f"/votes/{open_vote.id}").get_data(as_text=True)
