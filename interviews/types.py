"""Column types shared by every feature."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Set only by the demo loader (`stopped_clock`), so a story told in the past is stored as it happened.
_stopped_at: datetime | None = None


def utcnow() -> datetime:
    """Now, aware UTC: every service and column default reads the time here."""
    return _stopped_at if _stopped_at is not None else datetime.now(UTC)


@contextmanager
def stopped_clock(moment: datetime) -> Iterator[None]:
    """Make `utcnow()` answer `moment` until the block ends (one process, one CLI command: the demo)."""
    global _stopped_at
    previous, _stopped_at = _stopped_at, moment.astimezone(UTC)
    try:
        yield
    finally:
        _stopped_at = previous


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    PostgreSQL keeps the offset (timestamptz); SQLite keeps none, so we store naive UTC there and
    put the zone back on the way out. Naive datetimes are refused: a time without a zone is a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC time is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"the database returned {type(value).__name__} for a timestamp")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
