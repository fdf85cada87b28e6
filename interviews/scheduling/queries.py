"""Reading interviews for lists: who sees which, upcoming first, with what each row shows loaded up front."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from interviews.auth.models import User
from interviews.extensions import db
from interviews.pagination import Page, paginate
from interviews.scheduling.models import Interview, InterviewStatus, PanelSeat
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


def upcoming_for(viewer: User, *, limit: int = 5) -> list[Interview]:
    now = utcnow()
    return list(
        db.session.scalars(
            _listing(viewer)
            .where(Interview.status == InterviewStatus.scheduled, Interview.ends_at >= now)
            .order_by(Interview.starts_at, Interview.id)
            .limit(limit)
        )
    )
