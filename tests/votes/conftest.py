"""Fixtures for the votes tests: voting members made quickly, and a vote run through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.votes import services
from interviews.votes.models import Vote

# The invitations feature's fixtures (a race with a letter, slots and sent invitations), reused as they are.
from tests.invitations.conftest import letter_race, room, sent_race  # noqa: F401


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
        vote = services.open_vote(vote, secretary)
        db.session.commit()
        return vote

    return make
