"""Imports every feature's subscribers, so that each event (interviews.signals) reaches them all."""

from interviews.calendar import subscribers as calendar_subscribers
from interviews.decisions import subscribers as decisions_subscribers
from interviews.invitations import subscribers as invitations_subscribers
from interviews.questionnaires import subscribers as questionnaires_subscribers
from interviews.scheduling import subscribers as scheduling_subscribers

__all__ = [
    "calendar_subscribers",
    "decisions_subscribers",
    "invitations_subscribers",
    "questionnaires_subscribers",
    "scheduling_subscribers",
]
