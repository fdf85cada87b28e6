"""The demo holds a final "no endorsement" presidential vote under a two-thirds rule, and the State Senate
vote, open (named ballots, as that race's rule says) with some ballots cast."""

from __future__ import annotations

from sqlalchemy import func, select

from interviews.auth.models import User
from interviews.demo import load_demo
from interviews.extensions import db
from interviews.votes import services
from interviews.votes.models import Ballot, Vote, VoteStatus
from interviews.votes.verify import verify_chain


def test_the_demo_votes(client, auth):  # type: ignore[no-untyped-def]
    assert load_demo()
    final, open_vote = db.session.scalars(select(Vote).order_by(Vote.id)).all()
    assert final.race.title == "2028 Presidential endorsement" and final.status is VoteStatus.final
    assert (final.threshold_numerator, final.threshold_denominator, final.weighted) == (2, 3, True)
    result = services.result_of(final)
    assert final.outcome == "no_endorsement" and result.reason == "threshold not reached"
    assert final.published_at is not None
    checked = verify_chain()
    assert (checked.votes, checked.publications, checked.length, checked.problems) == (1, 1, 2, [])

    assert open_vote.race.title == "State Senate District 12" and open_vote.status is VoteStatus.open
    assert not open_vote.secret and not open_vote.race.secret_ballot
    cast = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == open_vote.id))
    assert cast == sum(e.has_voted for e in open_vote.roll) > 0
    assert final.held_on < open_vote.held_on

    waiting = next(e for e in open_vote.roll if not e.has_voted)
    auth.login(db.session.get(User, waiting.user_id), password="union-demo-2026")
    assert "Votes awaiting your ballot" in client.get("/dashboard").get_data(as_text=True)
    assert "Cast my ballot" in client.get(f"/votes/{open_vote.id}").get_data(as_text=True)
    book = client.get(f"/races/{final.race_id}/record").get_data(as_text=True)
    assert final.digest in book and "Result: no endorsement (threshold not reached)." in book
