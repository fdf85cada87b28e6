"""What scheduling does when a race changes: a candidate who withdrew has no interviews left standing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from interviews import signals
from interviews.audit.actors import Actor
from interviews.extensions import db
from interviews.races.models import Candidate
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.services import cancel_interview


@signals.candidate_withdrawn.connect
def cancel_their_interviews(candidate: Candidate, *, actor: Actor, **_: Any) -> dict[str, list[int]]:
    """Each scheduled interview is cancelled: the panel and the campaign get a CANCEL."""
    scheduled = db.session.scalars(
        select(Interview).where(Interview.candidate_id == candidate.id, Interview.status == InterviewStatus.scheduled)
    ).all()
    for interview in scheduled:
        cancel_interview(interview, reason=f"{candidate.name} withdrew from the race.", actor=actor)
    return {"interviews_cancelled": [i.id for i in scheduled]}
