"""The scheduling rules: sensible times, and nobody (and no room) in two interviews at once.

Used by staff scheduling by hand and by candidates booking a slot, so both follow the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, Integer, Select, bindparam, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from interviews.database import read_rows
from interviews.extensions import db
from interviews.filters import format_datetime, format_time
from interviews.scheduling.models import Interview, InterviewStatus, Location, LocationKind, PanelSeat
from interviews.timezones import is_valid_timezone
from interviews.types import UTCDateTime, utcnow

EARLIEST_LOCAL_START = time(7, 0)
LATEST_LOCAL_END = time(21, 0)
# Longer than this is a typo (a wrong date or AM/PM), not an interview.
MAX_DURATION = timedelta(hours=12)


class SchedulingError(Exception):
    """A booking, move or panel change that cannot be made; each of `messages` is fit to show to staff."""

    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


class InvalidTimes(SchedulingError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(*errors)

    @property
    def errors(self) -> list[str]:
        return self.messages


class SchedulingConflict(SchedulingError):
    """Someone on the panel, or the room, is already in another interview at that time (with the buffer)."""

    def __init__(self, conflicts: list[str]) -> None:
        super().__init__(*conflicts)

    @property
    def conflicts(self) -> list[str]:
        return self.messages


@dataclass
class TimeCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_times(starts_at: datetime, ends_at: datetime, timezone: str, *, now: datetime | None = None) -> TimeCheck:
    """Refuse impossible times; warn about ones outside sensible local hours in `timezone`."""
    check = TimeCheck()
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        check.errors.append("The times must carry a time zone.")
        return check
    if not is_valid_timezone(timezone):
        check.errors.append(
            f"“{timezone}” is not a time zone we know. Choose one from the list, e.g. America/New_York."
        )
        return check
    now = now or utcnow()
    if ends_at <= starts_at:
        check.errors.append("The end must be after the start.")
    elif ends_at - starts_at > MAX_DURATION:
        check.errors.append("An interview cannot last more than 12 hours. Check the date and the AM/PM of the times.")
    if starts_at < now:
        check.errors.append(f"The start ({format_datetime(starts_at, timezone)}) is in the past.")
    if check.errors:
        return check

    zone = ZoneInfo(timezone)
    local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    where = timezone.replace("_", " ")
    if local_start.time() < EARLIEST_LOCAL_START:
        check.warnings.append(f"It starts at {local_start:%H:%M} in {where}, before 07:00.")
    if local_end.date() > local_start.date() or local_end.time() > LATEST_LOCAL_END:
        check.warnings.append(f"It ends at {local_end:%H:%M} in {where}, after 21:00.")
    if local_start.weekday() >= 5:
        check.warnings.append(f"It is on a {local_start:%A} in {where}.")
    return check


def buffer() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("SCHEDULING_BUFFER_MINUTES", 0) or 0))


def _when(interview: Interview) -> str:
    start = format_datetime(interview.starts_at, interview.timezone, with_zone=False)
    return f"{start}–{format_time(interview.ends_at, interview.timezone)}"


def find_conflicts(
    starts_at: datetime,
    ends_at: datetime,
    *,
    panel_user_ids: Iterable[int],
    location_id: int | None,
    exclude_interview_id: int | None = None,
) -> list[str]:
    """Messages naming each panel member or room already in a scheduled interview too close to this one.

    Two interviews clash when they overlap once each is widened by the buffer on both ends, so a
    panel member gets the buffer between interviews. Video meetings hold any number of interviews.
    """
    panel_ids = sorted(set(panel_user_ids))
    gap = buffer()
    room_id = None
    if location_id is not None:
        location = db.session.get(Location, location_id)
        if location is not None and location.kind is LocationKind.room:
            room_id = location_id
    clauses: list[ColumnElement[bool]] = []
    if panel_ids:
        clauses.append(_sits_on(panel_ids))
    if room_id is not None:
        clauses.append(Interview.location_id == room_id)
    if not clauses:
        return []
    query = (
        select(Interview)
        .where(
            Interview.status == InterviewStatus.scheduled,
            Interview.starts_at < ends_at + gap,
            Interview.ends_at > starts_at - gap,
            or_(*clauses),
        )
        .options(selectinload(Interview.panel_seats).selectinload(PanelSeat.user), selectinload(Interview.candidate))
        .order_by(Interview.starts_at, Interview.id)
    )
    if exclude_interview_id is not None:
        query = query.where(Interview.id != exclude_interview_id)
    messages: list[str] = []
    for other in db.session.scalars(query):
        messages += _clash_messages(other, starts_at, ends_at, panel_ids=panel_ids, room_id=room_id, gap=gap)
    return messages


def _clash_messages(
    other: Interview,
    starts_at: datetime,
    ends_at: datetime,
    *,
    panel_ids: Iterable[int],
    room_id: int | None,
    gap: timedelta,
) -> list[str]:
    """What keeps `other` from sharing panel members or a room with an interview at starts_at-ends_at."""
    if not (other.starts_at < ends_at + gap and other.ends_at > starts_at - gap):
        return []
    overlaps = other.starts_at < ends_at and other.ends_at > starts_at
    why = "" if overlaps or not gap else f" (interviews need {int(gap.total_seconds() // 60)} minutes between them)"
    what = f"the interview with {other.candidate.name}, {_when(other)}{why}."
    messages = [
        f"{seat.user.name} is already on the panel for {what}"
        for seat in other.panel_seats
        if seat.user_id in panel_ids
    ]
    if room_id is not None and other.location_id == room_id and other.location is not None:
        messages.append(f"{other.location.name} is already booked for {what}")
    return messages


@dataclass(frozen=True)
class Window:
    """A time and place to check: a slot offered, or a line of a bulk preview."""

    starts_at: datetime
    ends_at: datetime
    location_id: int | None = None


def _rooms_among(windows: Sequence[Window], known_rooms: set[int] | None) -> set[int]:
    """Which of the windows' locations are rooms (one query unless the caller knows)."""
    location_ids = {w.location_id for w in windows if w.location_id is not None}
    if known_rooms is not None:
        return known_rooms & location_ids
    if not location_ids:
        return set()
    return set(
        db.session.scalars(select(Location.id).where(Location.id.in_(location_ids), Location.kind == LocationKind.room))
    )


def _sits_on(panel: Sequence[int] | Select[tuple[int]]) -> ColumnElement[bool]:
    """Whether one of `panel` (user ids, or a subquery of them) sits on the interview of the row."""
    return select(PanelSeat.id).where(PanelSeat.interview_id == Interview.id, PanelSeat.user_id.in_(panel)).exists()


def _near(
    windows: Sequence[Window], gap: timedelta, shares: list[ColumnElement[bool]], exclude_interview_id: int | None
) -> list[ColumnElement[bool]]:
    """Scheduled interviews within the buffer of the windows' whole span that share the panel or a room
    (`shares`), the interview being moved left out: what both checks below read, then compare per window."""
    where = [
        Interview.status == InterviewStatus.scheduled,
        Interview.starts_at < max(w.ends_at for w in windows) + gap,
        Interview.ends_at > min(w.starts_at for w in windows) - gap,
        or_(*shares),
    ]
    if exclude_interview_id is not None:
        where.append(Interview.id != exclude_interview_id)
    return where


def find_conflicts_for_windows(
    windows: Sequence[Window],
    *,
    panel_user_ids: Iterable[int],
    exclude_interview_id: int | None = None,
    known_rooms: set[int] | None = None,
) -> list[list[str]]:
    """`find_conflicts` for many windows at once, in a fixed number of queries whatever their number.

    One list of messages per window, in order (empty: nobody and no room is busy then). Used to
    leave slots that would fail out of what campaigns are offered, and to tell staff why.
    `known_rooms`: which locations are rooms, when the caller has them loaded (else one query asks).
    """
    if not windows:
        return []
    panel_ids = sorted(set(panel_user_ids))
    gap = buffer()
    rooms = _rooms_among(windows, known_rooms)
    shares = [_sits_on(panel_ids)] if panel_ids else []
    if rooms:
        shares.append(Interview.location_id.in_(rooms))
    if not shares:
        return [[] for _ in windows]
    query = (
        select(Interview)
        .where(*_near(windows, gap, shares, exclude_interview_id))
        .options(
            # Many-to-one in the same query; the seats (one-to-many) in one more.
            selectinload(Interview.panel_seats).joinedload(PanelSeat.user),
            joinedload(Interview.candidate),
            joinedload(Interview.location),
        )
        .order_by(Interview.starts_at, Interview.id)
    )
    others = list(db.session.scalars(query))
    result: list[list[str]] = []
    for window in windows:
        room_id = window.location_id if window.location_id in rooms else None
        messages: list[str] = []
        for other in others:
            messages += _clash_messages(
                other, window.starts_at, window.ends_at, panel_ids=panel_ids, room_id=room_id, gap=gap
            )
        result.append(messages)
    return result


def windows_busy(
    windows: Sequence[Window],
    *,
    panel_user_ids: Iterable[int] | Select[tuple[int]],
    panel_params: Mapping[str, Any] | None = None,
    exclude_interview_id: int | None = None,
    known_rooms: set[int] | None = None,
) -> list[bool]:
    """For each window, whether `find_conflicts_for_windows` would find a clash: the same rule, in one
    query of plain rows (no interview, seat or candidate objects), for pages that only leave busy times out.

    `panel_user_ids` may be a subquery of user ids (a race's default panel), so the panel need not be
    loaded: one built once per process, its bound values in `panel_params`. The statement itself is
    built once per process for each shape it can take (the campaign's page runs it on every visit).
    """
    if not windows:
        return []
    gap = buffer()
    rooms = _rooms_among(windows, known_rooms)
    panel = panel_user_ids if isinstance(panel_user_ids, Select) else sorted(set(panel_user_ids))
    if not rooms and not (isinstance(panel, Select) or panel):
        return [False for _ in windows]
    params: dict[str, Any] = {
        "lo": min(w.starts_at for w in windows) - gap,
        "hi": max(w.ends_at for w in windows) + gap,
        **(panel_params or {}),
    }
    if isinstance(panel, list) and panel:
        params["panel_ids"] = panel
    if rooms:
        params["room_ids"] = sorted(rooms)
    if exclude_interview_id is not None:
        params["exclude_id"] = exclude_interview_id
    statement = _busy_statement(
        panel if isinstance(panel, Select) else bool(panel), bool(rooms), exclude_interview_id is not None
    )
    others = read_rows(statement, params).all()
    busy = []
    for window in windows:
        room_id = window.location_id if window.location_id in rooms else None
        busy.append(
            any(
                other.starts_at < window.ends_at + gap
                and other.ends_at > window.starts_at - gap
                and (bool(other.on_panel) or (room_id is not None and other.location_id == room_id))
                for other in others
            )
        )
    return busy


@cache
def _busy_statement(panel: Select[tuple[int]] | bool, rooms: bool, exclude: bool) -> Select[Any]:
    """`windows_busy`'s query: scheduled interviews in the windows' whole span (bound: `lo`, `hi`) that
    share the panel (`panel`: a subquery, or True for the bound list `panel_ids`, False for none) or one
    of the rooms (bound: `room_ids`), the interview being moved (bound: `exclude_id`) left out."""
    on_panel: ColumnElement[bool] | None = None
    if isinstance(panel, Select):
        on_panel = _sits_on(panel)
    elif panel:
        on_panel = (
            select(PanelSeat.id)
            .where(
                PanelSeat.interview_id == Interview.id, PanelSeat.user_id.in_(bindparam("panel_ids", expanding=True))
            )
            .exists()
        )
    shares = [on_panel] if on_panel is not None else []
    if rooms:
        shares.append(Interview.location_id.in_(bindparam("room_ids", expanding=True)))
    where = [
        Interview.status == InterviewStatus.scheduled,
        Interview.starts_at < bindparam("hi", type_=UTCDateTime()),
        Interview.ends_at > bindparam("lo", type_=UTCDateTime()),
        or_(*shares),
    ]
    if exclude:
        where.append(Interview.id != bindparam("exclude_id", type_=Integer))
    return select(
        Interview.starts_at,
        Interview.ends_at,
        Interview.location_id,
        (on_panel if on_panel is not None else literal(False)).label("on_panel"),
    ).where(*where)
