"""Reading interviews for lists: who sees which, upcoming first, with what each row shows loaded up front."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from interviews.auth.models import User
from interviews.extensions import db
from interviews.scheduling.models import Interview, InterviewStatus, PanelSeat
from interviews.types import utcnow

LIST_LIMIT = 200


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


def interviews_for(viewer: User, *, race_id: int | None = None) -> tuple[list[Interview], list[Interview]]:
    """(upcoming scheduled interviews, soonest first; the rest, most recent first)."""
    now = utcnow()
    base = _listing(viewer, race_id)
    upcoming = db.session.scalars(
        base.where(Interview.status == InterviewStatus.scheduled, Interview.ends_at >= now)
        .order_by(Interview.starts_at, Interview.id)
        .limit(LIST_LIMIT)
    ).all()
    past = db.session.scalars(
        base.where((Interview.status != InterviewStatus.scheduled) | (Interview.ends_at < now))
        .order_by(Interview.starts_at.desc(), Interview.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return list(upcoming), list(past)


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
