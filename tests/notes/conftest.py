"""Fixtures for the notes tests: interviews with panels, question lists and notes, made directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from interviews.extensions import db
from interviews.notes import services
from interviews.notes.models import Visibility
from interviews.scheduling.models import Interview, InterviewStatus, PanelSeat
from interviews.types import utcnow


@pytest.fixture
def make_questions(app: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    def make(race: Any, texts: list[str] | None = None, editor: Any = None):  # type: ignore[no-untyped-def]
        texts = texts or ["Will you support the right to strike?", "How will you fund public transit?"]
        inputs = [services.QuestionInput(f"Topic {i}", t) for i, t in enumerate(texts, start=1)]
        question_list = services.save_question_list(race, inputs, actor=editor or make_user("staff"))
        db.session.commit()
        return question_list

    return make


@pytest.fixture
def make_interview(app: Any) -> Callable[..., Any]:
    def make(race: Any, panel: list[Any], *, candidate: Any = None, days: float = -1, **kwargs: Any):  # type: ignore[no-untyped-def]
        starts = kwargs.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=days))
        interview = Interview(
            race=race,
            candidate=candidate or race.candidates[0],
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            timezone="America/New_York",
            status=kwargs.pop("status", InterviewStatus.completed),
            question_list=kwargs.pop("question_list", services.latest_question_list(race)),
            **kwargs,
        )
        interview.panel_seats = [PanelSeat(user=u) for u in panel]
        db.session.add(interview)
        db.session.commit()
        return interview

    return make


@pytest.fixture
def write_note(app: Any) -> Callable[..., Any]:
    def write(interview: Any, author: Any, body: str, visibility: str = "panel", question: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
        note = services.save_note(
            interview,
            question,
            body=body,
            visibility=Visibility(visibility),
            base_version=kw.pop("base_version", 0),
            actor=author,
        )
        if kw.pop("submit", False):
            db.session.flush()
            services.submit_notes(interview, actor=author)
        db.session.commit()
        return note

    return write
