"""A candidate booked through their invitation, for the tests of withdrawing one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter, Slot
from interviews.scheduling.services import create_interview
from interviews.types import utcnow


@pytest.fixture
def booked_candidate(make_race: Callable[..., Any], make_user: Callable[..., Any]) -> Callable[[], Any]:
    """make() -> (race, candidate, invitation, slot, interview): an interview in five days, booked in a slot,
    committed. The booking is the system's, so whoever withdraws the candidate is a different actor."""

    def make() -> tuple[Any, Any, Invitation, Slot, Any]:
        race = make_race()
        candidate = race.candidates[0]
        start = utcnow() + timedelta(days=5)
        letter = InvitationLetter(race=race, subject="Invitation", body="Meet us", respond_by=start, timezone="UTC")
        invitation = Invitation(letter=letter, candidate=candidate, content_digest="0" * 64)
        slot = Slot(letter=letter, starts_at=start, ends_at=start + timedelta(hours=1), timezone="UTC")
        db.session.add_all([letter, invitation, slot])
        db.session.flush()
        slot.taken_by_id = invitation.id
        interview = create_interview(
            race=race,
            candidate=candidate,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            timezone="UTC",
            location=None,
            panel=[make_user("leader")],
            invitation=invitation,
            slot=slot,
            actor=System("test setup"),
        )
        db.session.commit()
        return race, candidate, invitation, slot, interview

    return make
