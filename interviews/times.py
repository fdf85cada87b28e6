"""Wall-clock times typed by people, turned into aware UTC instants (and back), refusing impossible ones.

The one place the app converts local input: staff's forms (the letter's deadline, slots, interviews)
all go through here, so a time the clocks skip is refused the same way everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from interviews.timezones import is_valid_timezone


class LocalTimeError(ValueError):
    """A local time that does not name one instant; str() is fit to show in a form."""


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """A naive wall-clock time in `timezone` as aware UTC.

    2026-03-08 02:30 in New York does not exist (the clocks jump): say so rather than guess. An hour
    that happens twice (fall back) is taken the first time, as calendars do.
    """
    if not is_valid_timezone(timezone):
        raise LocalTimeError(f"“{timezone}” is not a time zone we know.")
    zone = ZoneInfo(timezone)
    as_utc = local.replace(tzinfo=zone).astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeError(
            f"{local:%H:%M} does not exist on {local:%a} {local.day} {local:%b %Y} in {timezone.replace('_', ' ')}: "
            "the clocks go forward that night. Choose another time."
        )
    return as_utc


def day_time_to_utc(day: date, clock: time, timezone: str) -> datetime:
    """`local_to_utc` for a form that asks for the date and the time separately."""
    return local_to_utc(datetime.combine(day, clock), timezone)


def exists_locally(local: datetime, timezone: str) -> bool:
    try:
        local_to_utc(local, timezone)
    except LocalTimeError:
        return False
    return True


def utc_to_local(value: datetime, timezone: str) -> datetime:
    """The naive local wall-clock time, for filling a form field."""
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
