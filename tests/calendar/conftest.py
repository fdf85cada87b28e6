"""Fixtures for the calendar tests: interviews with a panel, a place and a candidate contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from interviews.extensions import db
from interviews.scheduling.models import Interview, Location, LocationKind, PanelSeat


@pytest.fixture
def make_location(app) -> Callable[..., Location]:  # type: ignore[no-untyped-def]
    def make(name: str = "Union Hall, Boardroom A", *, video: bool = False, **kwargs: Any) -> Location:
        location = Location(
            name=name,
            kind=LocationKind.video if video else LocationKind.room,
            address=kwargs.pop("address", "" if video else "1200 Harbor Street"),
            join_url=kwargs.pop("join_url", "https://meet.example.org/board" if video else ""),
            capacity=kwargs.pop("capacity", 20),
        )
        db.session.add(location)
        db.session.commit()
        return location

    return make


@pytest.fixture
def make_interview(app, make_race, make_user, make_location) -> Callable[..., Interview]:  # type: ignore[no-untyped-def]
    """An interview stored directly (no notifications), at a local wall time in a zone."""

    def make(
        local: datetime = datetime(2027, 3, 15, 10, 0),
        tz: str = "America/New_York",
        *,
        minutes: int = 45,
        panel: list[Any] | None = None,
        race: Any = None,
        location: Location | None = None,
        candidate: Any = None,
        **kwargs: Any,
    ) -> Interview:
        race = race or make_race()
        members = panel if panel is not None else [make_user("leader"), make_user("leader")]
        location = location if location is not None else make_location()
        start = local.replace(tzinfo=ZoneInfo(tz))
        interview = Interview(
            race=race,
            candidate=candidate or race.candidates[0],
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            timezone=tz,
            location=location,
            **kwargs,
        )
        interview.panel_seats = [PanelSeat(user=u) for u in members]
        db.session.add(interview)
        db.session.commit()
        return interview

    return make
