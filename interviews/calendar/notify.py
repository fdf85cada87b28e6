"""What the calendar feature sends when an interview changes (RFC 5546 iTIP).

Scheduling services call these after making a change, in the same transaction; each one raises the
interview's SEQUENCE where the change needs it and puts the right messages in the outbox.
INTERIM: the calendar feature (issue 4) replaces these bodies; the signatures are the contract.
"""

from __future__ import annotations

from collections.abc import Sequence

from interviews.auth.models import User
from interviews.scheduling.models import Interview


def interview_booked(interview: Interview) -> None:
    """A new interview: REQUEST to the candidate's contact and every panel member."""


def interview_moved(interview: Interview) -> None:
    """Time or place changed: SEQUENCE + 1 and an updated REQUEST to everyone."""


def interview_cancelled(interview: Interview) -> None:
    """Cancelled (or the candidate withdrew): SEQUENCE + 1 and a CANCEL to everyone."""


def panel_changed(interview: Interview, added: Sequence[User], removed: Sequence[User]) -> None:
    """Panel members added get a REQUEST; removed ones get a CANCEL."""
