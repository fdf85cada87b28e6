"""Offering many slots at once: a range of days with times each day, or lines pasted from a list.

Staff see every slot before anything is saved (`plan`), each with what is wrong with it (an
impossible or past time, an overlap: errors) and what to look at twice (odd hours, a weekend, a
panel member or room already busy: warnings). Saving (`add_planned`) goes through `add_slot`,
so the rules applied are the single-slot ones, checked again at that moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from interviews.audit.actors import Actor
from interviews.filters import format_datetime, format_time
from interviews.invitations.models import InvitationLetter, Slot
from interviews.invitations.services import SlotProblem, add_slot
from interviews.scheduling.rules import Window, check_times, find_conflicts_for_windows
from interviews.times import LocalTimeError, local_to_utc

if TYPE_CHECKING:
    from interviews.scheduling.models import Location

# More than this in one go is a typo in the range (a year instead of a week), not a plan.
MAX_SLOTS = 100
MAX_DAYS = 92

_TIME = r"([01]?\d|2[0-3])[:.h]([0-5]\d)"
_TIME_OR_RANGE = re.compile(rf"^{_TIME}(?:-{_TIME})?$")
_RANGE_MARK = re.compile(r"\s*(?:-|–|—|\bto\b)\s*")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s,]+(.*))?$")


class BulkInputError(ValueError):
    """Input that names no slot at all; str() says what to change."""


@dataclass(frozen=True)
class LocalSlot:
    """A slot as typed: wall-clock times in the batch's zone, and where it came from."""

    source: str
    start: datetime
    end: datetime | None  # None: the batch's length


@dataclass
class PlannedSlot:
    source: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Plan:
    timezone: str
    location: Location | None
    slots: list[PlannedSlot]
    problems: list[str] = field(default_factory=list)  # about the input as a whole

    @property
    def saveable(self) -> list[PlannedSlot]:
        return [slot for slot in self.slots if slot.ok]

    @property
    def with_errors(self) -> int:
        return sum(1 for slot in self.slots if not slot.ok)

    @property
    def with_warnings(self) -> int:
        return sum(1 for slot in self.slots if slot.ok and slot.warnings)


def _clock(text: str) -> tuple[time, time | None]:
    """'10:00' or '10:00-10:45' (also 10.00 and 10h00)."""
    match = _TIME_OR_RANGE.match(text)
    if match is None:
        raise BulkInputError(f"“{text[:40]}” is not a time like 10:00 or 10:00-10:45.")
    hour, minute, end_hour, end_minute = match.groups()
    start = time(int(hour), int(minute))
    end = time(int(end_hour), int(end_minute)) if end_hour is not None else None
    return start, end


def parse_times(text: str) -> list[tuple[time, time | None]]:
    """The times of one day: '10:00, 13:00, 15:30-16:30' (commas, semicolons or spaces between;
    a range's dash may be an en dash or the word 'to')."""
    joined = _RANGE_MARK.sub("-", text.strip())
    return [_clock(piece) for piece in re.split(r"[,;\s]+", joined) if piece]


def _combine(day: date, start: time, end: time | None, source: str) -> LocalSlot:
    local_end = datetime.combine(day, end) if end is not None else None
    return LocalSlot(source=source, start=datetime.combine(day, start), end=local_end)


def from_range(first: date, last: date, times: str, *, weekdays_only: bool) -> list[LocalSlot]:
    """Every day from `first` to `last` (weekdays only, if asked) at each of `times`."""
    if last < first:
        raise BulkInputError("The last day is before the first day.")
    if (last - first).days + 1 > MAX_DAYS:
        raise BulkInputError(f"Choose at most {MAX_DAYS} days at a time.")
    clocks = parse_times(times)
    if not clocks:
        raise BulkInputError("Give the times of each day, for example 10:00, 13:00, 15:30.")
    slots = []
    day = first
    while day <= last:
        if not weekdays_only or day.weekday() < 5:
            for start, end in clocks:
                slots.append(_combine(day, start, end, f"{day:%a} {day.isoformat()} {start:%H:%M}"))
        day += timedelta(days=1)
    return slots


def from_lines(text: str) -> tuple[list[LocalSlot], list[str]]:
    """Pasted lines, one day each: '2026-03-09 10:00', '2026-03-09 10:00-10:45, 14:00'.

    Returns the slots and a message for each line that could not be read (the others still count).
    """
    slots: list[LocalSlot] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _DATE.match(line)
        try:
            if match is None or not match.group(4):
                raise BulkInputError(f"“{line[:80]}” is not a date and a time like 2026-03-09 10:00.")
            year, month, day_of_month = (int(match.group(i)) for i in (1, 2, 3))
            try:
                day = date(year, month, day_of_month)
            except ValueError:
                raise BulkInputError(f"“{line[:80]}” names a day that does not exist.") from None
            for start, end in parse_times(match.group(4)):
                slots.append(_combine(day, start, end, line[:80]))
        except BulkInputError as error:
            problems.append(f"Line {number}: {error}")
    return slots, problems


def plan(
    letter: InvitationLetter,
    typed: list[LocalSlot],
    *,
    timezone: str,
    location: Location | None,
    length_minutes: int,
    problems: list[str] | None = None,
) -> Plan:
    """Each typed slot in UTC with its errors and warnings; nothing is written."""
    result = Plan(timezone=timezone, location=location, slots=[], problems=list(problems or []))
    if len(typed) > MAX_SLOTS:
        result.problems.append(f"That makes {len(typed)} slots; add at most {MAX_SLOTS} at a time.")
        return result
    taken: list[tuple[datetime, datetime]] = [(s.starts_at, s.ends_at) for s in letter.slots]
    for local in typed:
        planned = PlannedSlot(source=local.source)
        result.slots.append(planned)
        try:
            starts_at = local_to_utc(local.start, timezone)
            local_end = local.end if local.end is not None else local.start + timedelta(minutes=length_minutes)
            if local_end <= local.start:  # "22:00-01:00": the end is taken to be on the next day
                local_end += timedelta(days=1)
            ends_at = local_to_utc(local_end, timezone)
        except LocalTimeError as error:
            planned.errors.append(str(error))
            continue
        planned.starts_at, planned.ends_at = starts_at, ends_at
        check = check_times(starts_at, ends_at, timezone)
        planned.errors += check.errors
        planned.warnings += check.warnings
        if check.errors:
            continue
        clash = next(((a, b) for a, b in taken if a < ends_at and b > starts_at), None)
        if clash is not None:
            planned.errors.append(
                f"It overlaps the slot of {format_datetime(clash[0], timezone)}–{format_time(clash[1], timezone)}; "
                "slots of one invitation cannot overlap."
            )
            continue
        taken.append((starts_at, ends_at))
    # Who is busy, for every slot at once (one query, however many slots).
    checked = [
        (p, Window(p.starts_at, p.ends_at, location.id if location else None))
        for p in result.slots
        if p.ok and p.starts_at is not None and p.ends_at is not None
    ]
    found = find_conflicts_for_windows([w for _, w in checked], panel_user_ids=[u.id for u in letter.race.panel])
    for (planned, _), conflicts in zip(checked, found, strict=True):
        planned.warnings += [f"{conflict} Booking this slot will fail unless that changes." for conflict in conflicts]
    return result


def add_planned(letter: InvitationLetter, planned: Plan, *, confirmed: bool, actor: Actor) -> list[Slot]:
    """Offer every slot of the plan, or none: any error (or unconfirmed warning) refuses the batch.

    Each slot is added by `add_slot`, which checks it again now (the preview may be minutes old).
    """
    if not planned.slots:
        raise SlotProblem(["There are no slots to add: give a range of days and times, or paste lines."], [])
    if planned.problems or planned.with_errors:
        raise SlotProblem(["Correct or remove the lines with errors first."], [])
    if planned.with_warnings and not confirmed:
        raise SlotProblem([], ["Some slots have warnings: tick the box to offer them anyway."])
    added = []
    for slot in planned.slots:
        assert slot.starts_at is not None and slot.ends_at is not None
        added.append(
            add_slot(
                letter,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                timezone=planned.timezone,
                location=planned.location,
                confirmed=confirmed,
                actor=actor,
            )
        )
    return added
