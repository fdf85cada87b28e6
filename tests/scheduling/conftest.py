"""Scheduling fixtures: a ready race with a panel and rooms, and times relative to now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from interviews.extensions import db
from interviews.scheduling.models import Location, LocationKind
from interviews.types import utcnow


def next_weekday_at(hour: int, minute: int = 0, *, tz: str = "America/New_York", days: int = 7) -> datetime:
    """An aware UTC time at least `days` ahead, on a weekday, at the given local hour."""
    local = (utcnow() + timedelta(days=days)).astimezone(ZoneInfo(tz))
    while local.weekday() >= 5:
        local += timedelta(days=1)
    local = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(ZoneInfo("UTC"))


@pytest.fixture
def at() -> Callable[..., datetime]:
    return next_weekday_at


@pytest.fixture
def make_location(app: Any) -> Callable[..., Location]:
    def make(name: str = "Union Hall, Boardroom A", kind: str = "room", **kwargs: Any) -> Location:
        location = Location(
            name=name,
            kind=LocationKind(kind),
            address=kwargs.pop("address", "1200 Harbor Street" if kind == "room" else ""),
            join_url=kwargs.pop("join_url", "https://meet.example.org/board" if kind == "video" else ""),
            **kwargs,
        )
        db.session.add(location)
        db.session.commit()
        return location

    return make


@pytest.fixture
def calendar_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Record what the scheduling services tell the calendar feature (and still let it run)."""
    from interviews.calendar import notify

    calls: list[tuple[Any, ...]] = []
    for name in ("interview_booked", "interview_moved", "interview_cancelled", "panel_changed"):
        real = getattr(notify, name)

        def spy(*args: Any, _name: str = name, _real: Any = real) -> None:
            calls.append((_name, *args))
            _real(*args)

        monkeypatch.setattr(notify, name, spy)
    return calls


def audit_actions(entity: Any) -> list[str]:
    from sqlalchemy import select

    from interviews.audit.models import AuditEvent

    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == type(entity).__name__, AuditEvent.entity_id == entity.id)
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def offered_slot(app: Any, make_location: Callable[..., Location]) -> Callable[..., Any]:
    """A slot of the race's invitation letter, taken by the candidate's invitation."""
    from interviews.invitations.models import Invitation, InvitationLetter, Slot

    def make(race: Any, candidate: Any, starts_at: datetime, minutes: int = 45) -> tuple[Any, Any]:
        letter = race.letter or InvitationLetter(
            race=race, subject="Invitation", body="Please meet our board.", respond_by=starts_at, timezone="UTC"
        )
        invitation = Invitation(letter=letter, candidate=candidate, content_digest="0" * 64)
        slot = Slot(letter=letter, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), timezone="UTC")
        db.session.add_all([letter, invitation, slot])
        db.session.flush()
        slot.taken_by_id, slot.taken_at = invitation.id, utcnow()
        db.session.commit()
        return invitation, slot

    return make


# The live server fixture of the browser tests, reused for the real-concurrency tests.
from tests.e2e.conftest import live_server_factory  # noqa: E402, F401
