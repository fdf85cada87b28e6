"""Fixtures for the votes tests: voting members made quickly, a vote run through the services, a chain of
final records, and tampering as an attacker with access to the database would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.races.models import QuorumKind
from interviews.votes import ballots, services
from interviews.votes.models import Vote

# The invitations feature's fixtures (a race with a letter, slots and sent invitations), reused as they are.
from tests.invitations.conftest import letter_race, room, sent_race  # noqa: F401

# The statement published with the first vote of the `chain` fixture.
STATEMENT = "The Council endorses Candidate A."


@pytest.fixture
def make_member(app) -> Callable[..., User]:  # type: ignore[no-untyped-def]
    """A voting member without a usable password (argon2 is slow; most tests never sign them in)."""
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, weight: int = 1, *, voting: bool = True) -> User:
        n = next(counter)
        user = User(
            email=f"member{n}@labor.example.org",
            name=name or f"Member {n:03d}",
            role=Role.leader,
            password_hash="!",
            is_voting_member=voting,
            vote_weight=weight,
        )
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def secretary(make_user):  # type: ignore[no-untyped-def]
    return make_user("staff", name="Walter Secretary")


def tamper(sql: str, **params: Any) -> None:
    """Change the database behind the app's back, as an attacker who can reach it would, and commit.

    On PostgreSQL the guards (interviews/votes/guards.py) refuse such a statement, so the attacker
    here is a superuser who switches triggers off for the transaction (the tests connect as one).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text(sql), params)
    db.session.commit()


def option_id(vote: Vote, label: str | None) -> int | None:
    if label is None:
        return None
    return next(o.id for o in vote.options if o.label == label)


@pytest.fixture
def opened_vote(make_race, secretary) -> Callable[..., Vote]:  # type: ignore[no-untyped-def]
    """Prepare and open a vote on a new race with the given rule fields."""

    def make(candidates: int = 2, **race_fields: Any) -> Vote:
        from datetime import date

        race = make_race(candidates=candidates, **race_fields)
        vote = services.prepare_vote(race, held_on=date(2026, 11, 20), motion="That we endorse.", actor=secretary)
        vote = services.open_vote(vote, actor=secretary)
        db.session.commit()
        return vote

    return make


@pytest.fixture
def chain(make_member, opened_vote, secretary):  # type: ignore[no-untyped-def]
    """Record 1: a named vote that endorsed Candidate A; record 2: its publication; record 3: a secret vote."""
    members = [make_member(weight=w) for w in (5, 3, 2)]
    db.session.commit()
    named = opened_vote(quorum_kind=QuorumKind.none, weighted=True)
    for member, label in zip(members, ("Candidate A", "Candidate A", None), strict=True):
        ballots.cast_ballot(named, member, option_id(named, label), actor=member)
    services.close_vote(named, actor=secretary)
    services.finalise_vote(named, actor=secretary, now=datetime(2026, 11, 20, 19, 0, tzinfo=UTC))
    services.publish_vote(named, STATEMENT, actor=secretary, now=datetime(2026, 11, 20, 20, 0, tzinfo=UTC))
    db.session.commit()
    secret = opened_vote(quorum_kind=QuorumKind.none, secret_ballot=True, weighted=True)
    for member, label in zip(members, ("Candidate A", "Candidate B", None), strict=True):
        ballots.cast_ballot(secret, member, option_id(secret, label), actor=member)
    services.close_vote(secret, actor=secretary)
    services.finalise_vote(secret, actor=secretary, now=datetime(2026, 11, 21, 19, 0, tzinfo=UTC))
    db.session.commit()
    return named, secret
