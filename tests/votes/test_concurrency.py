"""Races between requests, each thread in its own app context (its own session and connection), as in
production. Runs on SQLite (BEGIN IMMEDIATE) and PostgreSQL (row locks) alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from interviews.auth.models import User
from interviews.extensions import db
from interviews.races.models import QuorumKind
from interviews.votes import ballots, services
from interviews.votes.models import Ballot, BallotBoxTotal, Vote, VoteStatus
from interviews.votes.verify import verify_chain
from tests.votes.conftest import option_id


@pytest.fixture
def server_app(app_factory):  # type: ignore[no-untyped-def]
    """An app like a production worker (on SQLite: every transaction BEGIN IMMEDIATE)."""
    return app_factory()


def race_threads(app, jobs: list[Callable[[], str]], refusals: tuple[type[Exception], ...] = ()) -> list[str]:  # type: ignore[no-untyped-def]
    """Start every job at once, each in its own app context; collect 'ok', a refusal message, or an error.

    A refusal is a VoteError, or one of `refusals` (another feature's refusal, as the decisions tests pass).
    """
    db.session.commit()
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = [""] * len(jobs)

    def run(i: int, job: Callable[[], str]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                outcomes[i] = job()
                db.session.commit()
            except (services.VoteError, *refusals) as error:
                db.session.rollback()
                outcomes[i] = f"refused: {error}"
            except Exception as error:  # reported in the assertion, not swallowed
                db.session.rollback()
                outcomes[i] = f"ERROR {type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.expire_all()
    return outcomes


def cast_job(vote_id: int, member_id: int, label: str | None, *, paper_by: int | None = None) -> Callable[[], str]:
    def job() -> str:
        vote = db.session.get(Vote, vote_id)
        member = db.session.get(User, member_id)
        actor = db.session.get(User, paper_by) if paper_by else member
        ballots.cast_ballot(vote, member, option_id(vote, label), actor=actor, paper=paper_by is not None)
        return "ok"

    return job


@pytest.mark.parametrize("attempts", [2, 4])
def test_a_member_double_submitting_a_named_ballot_ends_with_one_ballot(server_app, make_member, opened_vote, attempts):
    member = make_member(weight=7)
    vote = opened_vote(quorum_kind=QuorumKind.none)
    labels = ["Candidate A", "Candidate B"] * (attempts // 2)
    outcomes = race_threads(server_app, [cast_job(vote.id, member.id, label) for label in labels])
    assert outcomes == ["ok"] * attempts, outcomes
    rows = db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id)).all()
    assert len(rows) == 1 and rows[0].weight == 7


def test_a_member_double_submitting_a_secret_ballot_is_counted_once(server_app, make_member, opened_vote, secretary):
    member = make_member()
    vote = opened_vote(quorum_kind=QuorumKind.none, secret_ballot=True)
    jobs = [
        cast_job(vote.id, member.id, "Candidate A"),
        cast_job(vote.id, member.id, "Candidate B"),
        cast_job(vote.id, member.id, None, paper_by=secretary.id),
    ]
    outcomes = race_threads(server_app, jobs)
    assert outcomes.count("ok") == 1, outcomes
    assert all(o == "ok" or "already voted" in o for o in outcomes), outcomes
    in_box = db.session.scalar(select(func.sum(BallotBoxTotal.ballots)).where(BallotBoxTotal.vote_id == vote.id))
    assert in_box == 1


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_voting_as_the_vote_closes_is_counted_or_refused(server_app, make_member, opened_vote, secretary, secret):
    members = [make_member() for _ in range(6)]
    vote = opened_vote(quorum_kind=QuorumKind.none, secret_ballot=secret)

    vote_id, secretary_id = vote.id, secretary.id  # read here: the test's objects belong to its own session

    def close() -> str:
        services.close_vote(db.session.get(Vote, vote_id), actor=db.session.get(User, secretary_id))
        return "closed"

    jobs: list[Callable[[], Any]] = [cast_job(vote.id, m.id, "Candidate A") for m in members]
    jobs.insert(3, close)
    outcomes = race_threads(server_app, jobs)
    assert "closed" in outcomes
    votes_ok = [o for o in outcomes if o == "ok"]
    assert all(o in ("ok", "closed") or "not open" in o for o in outcomes), outcomes
    db.session.refresh(vote)
    assert vote.status is VoteStatus.closed
    result = services.result_of(vote)
    assert result.ballots == len(votes_ok)
    assert sum(e.has_voted for e in vote.roll) == len(votes_ok)


def test_simultaneous_finalisations_make_one_unbroken_chain(server_app, make_member, opened_vote, secretary):
    member = make_member()
    votes = []
    for _ in range(4):
        vote = opened_vote(quorum_kind=QuorumKind.none)
        ballots.cast_ballot(vote, member, option_id(vote, "Candidate A"), actor=member)
        services.close_vote(vote, actor=secretary)
        votes.append(vote)
    db.session.commit()

    secretary_id = secretary.id

    def finalise(vote_id: int) -> Callable[[], str]:
        def job() -> str:
            services.finalise_vote(db.session.get(Vote, vote_id), actor=db.session.get(User, secretary_id))
            return "ok"

        return job

    outcomes = race_threads(server_app, [finalise(v.id) for v in votes] + [finalise(votes[0].id)])
    assert outcomes.count("ok") == 4, outcomes
    positions = sorted(db.session.scalars(select(Vote.chain_position)).all())
    assert positions == [1, 2, 3, 4]
    checked = verify_chain()
    assert (checked.votes, checked.length, checked.problems) == (4, 4, [])


# --- the same against a running server: real threads, real HTTP -----------------------------------


@pytest.fixture
def live_url(app, app_factory):  # type: ignore[no-untyped-def]
    from tests.conftest import free_port
    from tests.e2e.conftest import LiveServer

    db.session.commit()
    port = free_port()
    server = LiveServer(app_factory(WTF_CSRF_ENABLED=False, BASE_URL=f"http://127.0.0.1:{port}"), port).start()
    try:
        yield server.url
    finally:
        server.stop()


def _opener(base: str, email: str):  # type: ignore[no-untyped-def]
    import http.cookiejar
    import urllib.parse
    import urllib.request

    from tests.conftest import PASSWORD

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
    _post(opener, f"{base}/login", {"email": email, "password": PASSWORD})
    return opener


def _post(opener, url: str, fields: dict[str, object]) -> int:  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.parse

    try:
        with opener.open(url, data=urllib.parse.urlencode(fields, doseq=True).encode(), timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as answer:
        return int(answer.code)


def test_over_http_a_double_submitted_secret_ballot_and_a_racing_close(make_user, make_race, secretary, live_url):
    members = [make_user("leader", is_voting_member=True) for _ in range(4)]
    race = make_race(quorum_kind=QuorumKind.none, secret_ballot=True)
    vote = services.prepare_vote(race, held_on=race.election_date, motion="Endorse?", actor=secretary)
    services.open_vote(vote, actor=secretary)
    db.session.commit()
    vote_id, choice = vote.id, option_id(vote, "Candidate A")

    # The first member submits twice at once (two tabs); the others vote while the secretary closes.
    jobs = [(_opener(live_url, members[0].email), f"/votes/{vote_id}/ballot", {"choice": choice})] * 2
    jobs += [(_opener(live_url, m.email), f"/votes/{vote_id}/ballot", {"choice": choice}) for m in members[1:]]
    jobs.append((_opener(live_url, secretary.email), f"/votes/{vote_id}/close", {}))
    barrier = threading.Barrier(len(jobs))
    codes: list[int] = [0] * len(jobs)

    def run(i: int) -> None:
        opener, path, fields = jobs[i]
        barrier.wait()
        codes[i] = _post(opener, live_url + path, fields)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes == [302] * len(jobs)  # every answer is a page with a message, never an error

    db.session.rollback()
    vote = db.session.get(Vote, vote_id)
    assert vote.status is VoteStatus.closed
    in_box = db.session.scalar(select(func.sum(BallotBoxTotal.ballots)).where(BallotBoxTotal.vote_id == vote_id))
    assert in_box == sum(e.has_voted for e in vote.roll) <= 4
    from interviews.audit.models import AuditEvent

    cast = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.secret_ballot_cast")).all()
    assert len(cast) == in_box
    assert sum(1 for e in cast if e.changes["member"] == members[0].name) <= 1  # the double submission: once
