"""The calendar follows the interview: every scheduling event puts the right iTIP messages in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interviews import signals
from interviews.auth.models import User
from interviews.calendar import notify
from interviews.scheduling.models import Interview


@signals.interview_booked.connect
def _booked(interview: Interview, **_: Any) -> None:
    notify.interview_booked(interview)


@signals.interview_moved.connect
def _moved(interview: Interview, *, changes: dict[str, Any] | None = None, **_: Any) -> None:
    notify.interview_moved(interview, changes)


@signals.interview_cancelled.connect
def _cancelled(interview: Interview, **_: Any) -> None:
    notify.interview_cancelled(interview)


@signals.panel_changed.connect
def _panel_changed(interview: Interview, *, added: Sequence[User], removed: Sequence[User], **_: Any) -> None:
    notify.panel_changed(interview, added, removed)
