"""Reading interviews for lists: who sees which, upcoming first, with what each row shows loaded up front."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, select
from sqlalchemy.orm import selectinload

from interviews.auth.models import User
from interviews.database import read_rows
from interviews.pagination import Page, paginate
from interviews.races.models import Candidate, Race
from interviews.scheduling.models import Interview, InterviewStatus, Location, PanelSeat
from interviews.types import utcnow


def _listing(viewer: User, race_id: int | None = None) -> Select[Any]:
    query = select(Interview).options(
        selectinload(Interview.candidate),
        selectinload(Interview.race),
        selectinload(Interview.location),
        selectinload(Interview.panel_seats).selectinload(PanelSeat.user),
    )
    if not viewer.is_staff:
        # Leaders' list is the interviews they sit on.
        query = query.where(
            Interview.id.in_(select(PanelSeat.interview_id).where(PanelSeat.user_id == viewer.id).scalar_subquery())
        )
    if race_id:
        query = query.where(Interview.race_id == race_id)
    return query


def interviews_for(viewer: User, *, race_id: int | None = None) -> tuple[Page[Interview], Page[Interview]]:
    """(upcoming scheduled interviews, soonest first; the rest, most recent first), a page of each."""
    now = utcnow()
    base = _listing(viewer, race_id)
    upcoming = paginate(
        base.where(Interview.status == InterviewStatus.scheduled, Interview.ends_at >= now).order_by(
            Interview.starts_at, Interview.id
        ),
        arg="upcoming",
    )
    past = paginate(
        base.where((Interview.status != InterviewStatus.scheduled) | (Interview.ends_at < now)).order_by(
            Interview.starts_at.desc(), Interview.id.desc()
        ),
        arg="past",
    )
    return upcoming, past


@cache
def _upcoming(on_panel_only: bool) -> Select[Any]:
    """The dashboard's next interviews (bound: `now`, `limit` and, for a leader, `viewer_id`), built once
    per process for each of its two shapes: building it cost as much as running it."""
    query = (
        select(
            Interview.id,
            Interview.starts_at,
            Candidate.name.label("candidate"),
            Race.title.label("race"),
            Location.name.label("location"),
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Race, Race.id == Interview.race_id)
        .outerjoin(Location, Location.id == Interview.location_id)
        .where(Interview.status == InterviewStatus.scheduled, Interview.ends_at >= bindparam("now"))
        .order_by(Interview.starts_at, Interview.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if on_panel_only:
        seats = select(PanelSeat.interview_id).where(PanelSeat.user_id == bindparam("viewer_id", type_=Integer))
        query = query.where(Interview.id.in_(seats.scalar_subquery()))
    return query


def upcoming_for(viewer: User, *, limit: int = 5) -> list[Row[Any]]:
    """The next scheduled interviews the viewer may see, as rows of what the dashboard shows (id, starts_at,
    candidate, race, location): one query, no objects, since the dashboard is the busiest page."""
    params: dict[str, Any] = {"now": utcnow(), "limit": limit}
    if not viewer.is_staff:
        params["viewer_id"] = viewer.id
    return list(read_rows(_upcoming(not viewer.is_staff), params))
