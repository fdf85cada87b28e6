"""Invitation fixtures: a race with a panel, a room, a written letter with slots, and tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from interviews.extensions import db
from interviews.invitations import services
from interviews.invitations.links import make_token
from interviews.invitations.models import Invitation, InvitationLetter
from interviews.scheduling.models import Location, LocationKind
from interviews.types import utcnow


def weekday_at(hour: int, minute: int = 0, *, tz: str = "America/New_York", days: int = 7) -> datetime:
    """An aware UTC time at least `days` ahead, on a weekday, at the given local hour."""
    local = (utcnow() + timedelta(days=days)).astimezone(ZoneInfo(tz))
    while local.weekday() >= 5:
        local += timedelta(days=1)
    local = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(ZoneInfo("UTC"))


@pytest.fixture
def at() -> Callable[..., datetime]:
    return weekday_at


@pytest.fixture
def room(app: Any) -> Location:
    location = Location(name="Union Hall, Boardroom A", kind=LocationKind.room, address="1200 Harbor Street")
    db.session.add(location)
    db.session.commit()
    return location


@pytest.fixture
def letter_race(
    make_race: Callable[..., Any], make_user: Callable[..., Any], room: Location, staffer: Any
) -> Callable[..., Any]:
    """make(candidates=2, slots=3, respond_in=timedelta(days=5)) -> (race, letter), committed."""

    def make(
        *, candidates: int = 2, slots: int = 3, respond_in: timedelta = timedelta(days=5), panel: int = 2, **race: Any
    ) -> tuple[Any, InvitationLetter]:
        race_obj = make_race(candidates=candidates, **race)
        race_obj.panel = [make_user("leader", title="Trustee") for _ in range(panel)]
        letter = services.save_letter(
            race_obj,
            {
                "subject": "Invitation to an endorsement interview",
                "body": "Dear candidate,\n\nOur board invites you to an interview.",
                "topics": "Workers' right to organise\nPublic transit funding",
                "respond_by": (utcnow() + respond_in).replace(second=0, microsecond=0),
                "timezone": "America/New_York",
                "duration_minutes": 45,
            },
            actor=staffer,
        )
        for i in range(slots):
            start = weekday_at(10 + 2 * i, days=8)
            services.add_slot(
                letter,
                starts_at=start,
                ends_at=start + timedelta(minutes=45),
                timezone="America/New_York",
                location=room,
                confirmed=True,
                actor=staffer,
            )
        db.session.commit()
        return race_obj, letter

    return make


@pytest.fixture
def sent_race(letter_race: Callable[..., Any], staffer: Any) -> Callable[..., Any]:
    """Like letter_race, with the invitations sent: (race, letter, [invitations])."""

    def make(**kwargs: Any) -> tuple[Any, InvitationLetter, list[Invitation]]:
        race, letter = letter_race(**kwargs)
        result = services.send(letter, to="all", actor=staffer)
        db.session.commit()
        return race, letter, result.sent

    return make


@pytest.fixture
def token() -> Callable[[Invitation], str]:
    return make_token


@pytest.fixture
def live_app_server(app: Any, app_factory: Callable[..., Any]):  # type: ignore[no-untyped-def]
    """A real threaded HTTP server on the test database (CSRF off: the test posts as a script would)."""
    from tests.conftest import free_port
    from tests.e2e.conftest import LiveServer

    db.session.commit()
    port = free_port()
    server = LiveServer(app_factory(WTF_CSRF_ENABLED=False, BASE_URL=f"http://127.0.0.1:{port}"), port).start()
    try:
        yield server
    finally:
        server.stop()
