"""Turning a local wall-clock time typed by staff into an aware UTC instant, refusing the impossible ones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from interviews.timezones import is_valid_timezone


class LocalTimeError(ValueError):
    """A local time that does not name one instant; str() is fit to show in a form."""


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """2026-03-08 02:30 in New York does not exist (clocks jump); say so rather than guess."""
    if not is_valid_timezone(timezone):
        raise LocalTimeError(f"“{timezone}” is not a time zone we know.")
    zone = ZoneInfo(timezone)
    aware = local.replace(tzinfo=zone)
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeError(
            f"{local:%H:%M} on {local:%d %b %Y} does not exist in {timezone}: the clocks change that night. "
            "Choose another time."
        )
    return as_utc


def utc_to_local(value: datetime, timezone: str) -> datetime:
    """The naive local wall-clock time, for filling a form field."""
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
