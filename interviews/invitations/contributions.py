"""What other features add to an invitation, asked through signals so invitations never import them.

Invitations owns the campaign's page, the booking and the ledger; another feature (the questionnaire)
may ask something of the campaign there, or show a column in the ledger. The dependency runs one way:
that feature imports these shapes and subscribes to `interviews.signals`; nothing here names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from interviews import signals

if TYPE_CHECKING:
    from interviews.invitations.models import Invitation
    from interviews.invitations.reading import InvitationRow
    from interviews.races.models import Race


@dataclass(frozen=True)
class CampaignTask:
    """Something asked of the campaign on its invitation page, behind the same signed link.

    `endpoint` is a page taking the link's `token`; `blocks_booking` with `refusal`: no slot can be
    taken until it is done, and `refusal` says so (and why) to the campaign.
    """

    title: str
    status: str
    endpoint: str
    link_label: str
    blocks_booking: bool = False
    refusal: str = ""


@dataclass(frozen=True)
class LedgerColumn:
    """A column of the ledger: one cell per candidate id, and an optional line above the table."""

    heading: str
    cells: dict[int, Markup] = field(default_factory=dict)
    summary: Markup | None = None


def campaign_tasks(invitation: Invitation | InvitationRow) -> list[CampaignTask]:
    """Every task the subscribed features ask of this campaign, in the order they answered."""
    return [task for _, task in signals.campaign_tasks.send(invitation) if isinstance(task, CampaignTask)]


def booking_refusal(invitation: Invitation) -> str | None:
    """Why this campaign may not book yet, or None: the first task that blocks booking."""
    return next((task.refusal for task in campaign_tasks(invitation) if task.blocks_booking), None)


def ledger_columns(race: Race, candidate_ids: list[int]) -> list[LedgerColumn]:
    """Extra ledger columns for the candidates on the page (each subscriber answers in a fixed number of queries)."""
    return [
        column
        for _, column in signals.ledger_columns.send(race, candidate_ids=candidate_ids)
        if isinstance(column, LedgerColumn)
    ]
