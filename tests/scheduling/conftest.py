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
