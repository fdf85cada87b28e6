"""VTIMEZONE components with yearly rules, the same bytes in every message for a given zone.

Why not icalendar's `add_missing_timezones`: with its default 1970-2038 window it writes
comma-separated RDATE lists that vobject (and so Radicale) read an hour off, and with a window
narrowed to each event every message carries a *different* VTIMEZONE under the same TZID.
vobject keeps the first definition it saw for a TZID for the life of the process, so a CalDAV
server running it (Radicale) files an update moved across a daylight-saving change an hour off.
Outlook and Google send a VTIMEZONE with one STANDARD and one DAYLIGHT observance, each with
a yearly RRULE; every parser reads that form, and it is identical for every event of a zone.

Zones whose changes are not "the n-th (or last) weekday of a month" (or that changed rules
around the event) get None, and the caller writes the times in UTC instead.
"""

from __future__ import annotations

import calendar as monthcalendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    local: datetime  # wall time just before the change, in the offset it changes from
    offset_from: timedelta
    offset_to: timedelta
    name: str

    @property
    def rule(self) -> tuple[int, str]:
        """(month, BYDAY): '2SU' for the second Sunday, '-1SU' for the last one."""
        day = self.local.day
        weekday = WEEKDAYS[self.local.weekday()]
        last = day + 7 > monthcalendar.monthrange(self.local.year, self.local.month)[1]
        return self.local.month, (f"-1{weekday}" if last else f"{(day - 1) // 7 + 1}{weekday}")


def _transitions(zone: ZoneInfo, year: int) -> list[Transition]:
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(days=1)
    while moment < end:
        before, after = moment.astimezone(zone).utcoffset(), (moment + step).astimezone(zone).utcoffset()
        if before != after:
            low, high = moment, moment + step
            while high - low > timedelta(minutes=1):  # the change is on a whole minute
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            instant = high.replace(second=0, microsecond=0)
            assert before is not None and after is not None
            found.append(
                Transition(
                    (instant + before).replace(tzinfo=None), before, after, instant.astimezone(zone).tzname() or ""
                )
            )
        moment += step
    return found


def _nth_weekday(year: int, month: int, byday: str) -> int:
    weekday = WEEKDAYS.index(byday[-2:])
    n = int(byday[:-2])
    days = [
        d
        for d in range(1, monthcalendar.monthrange(year, month)[1] + 1)
        if datetime(year, month, d).weekday() == weekday
    ]
    return days[n - 1] if n > 0 else days[n]


@lru_cache(maxsize=512)
def vtimezone(tzid: str, year: int) -> Timezone | None:
    """The zone's VTIMEZONE as its rules stand in `year` (and the years either side), or None."""
    zone = ZoneInfo(tzid)
    timezone = Timezone()
    timezone.add("tzid", tzid)
    this_year = _transitions(zone, year)
    if not this_year:
        offset = datetime(year, 7, 1, tzinfo=UTC).astimezone(zone).utcoffset()
        if any(_transitions(zone, y) for y in (year - 1, year + 1)):
            return None  # the zone changed its rules around the event: UTC is the safe choice
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", datetime(year, 7, 1, tzinfo=UTC).astimezone(zone).tzname() or tzid)
        timezone.add_component(standard)
        return timezone
    if len(this_year) != 2:
        return None
    for transition in this_year:
        month, byday = transition.rule
        # The yearly rule must give the real changes in the neighbouring years too.
        for other in (year - 1, year + 1):
            if not any(
                t.local.month == month
                and t.local.day == _nth_weekday(other, month, byday)
                and t.local.time() == transition.local.time()
                for t in _transitions(zone, other)
            ):
                return None
        daylight = transition.offset_to > transition.offset_from
        observance = TimezoneDaylight() if daylight else TimezoneStandard()
        start = transition.local.replace(year=1970, day=_nth_weekday(1970, month, byday))
        observance.add("dtstart", start)
        observance.add("rrule", {"freq": "yearly", "bymonth": month, "byday": byday})
        observance.add("tzoffsetfrom", transition.offset_from)
        observance.add("tzoffsetto", transition.offset_to)
        observance.add("tzname", transition.name)
        timezone.add_component(observance)
    return timezone
