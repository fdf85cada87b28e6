"""What the questionnaire does when invitations act, and what it tells them (interviews/signals.py).

The questionnaire goes out with each invitation (and freezes then); it asks the campaign's page for a
task, may block booking until it is submitted, adds the ledger's column, and sends reminders from the
tick. Invitations only publish and read the answers: they never import this feature.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import get_template_attribute, render_template
from markupsafe import Markup

from interviews import signals
from interviews.audit.actors import Actor
from interviews.filters import format_datetime
from interviews.invitations.contributions import CampaignTask, LedgerColumn
from interviews.invitations.models import Invitation
from interviews.invitations.reading import InvitationRow
from interviews.questionnaires import reminders
from interviews.questionnaires.campaign import takes_answers
from interviews.questionnaires.issuing import issue
from interviews.questionnaires.models import ResponseStatus
from interviews.questionnaires.record import responses_for
from interviews.questionnaires.services import copy_facts
from interviews.races.models import Race


@signals.invitation_sent.connect
def give_the_questionnaire(invitation: Invitation, *, actor: Actor, **_: Any) -> None:
    """The invitation carries the race's questionnaire (the first one to do so freezes its version).

    With the invitation, not in an e-mail of its own: the invitation's e-mail lists it.
    """
    issue(invitation, actor=actor, notify=False)


@signals.campaign_tasks.connect
def questionnaire_task(invitation: Invitation | InvitationRow, **_: Any) -> CampaignTask | None:
    copy = copy_facts(invitation.id)
    if copy is None:
        return None
    deadline = format_datetime(copy.respond_by, copy.timezone)
    last = copy.last
    open_ = takes_answers(copy.respond_by, copy.accept_late)
    if last is not None:
        words = f"Sent {format_datetime(last.submitted_at, copy.timezone)} (submission {last.number})"
        words += ", after the deadline." if last.late else "."
        if copy.has_draft:
            words += " You have changes saved but not sent."
    elif copy.status is ResponseStatus.draft:
        words = f"Draft saved, not sent yet. Please submit it by {deadline}."
    else:
        words = f"Not started. Please answer it by {deadline}."
    if last is None and not open_:
        words = f"The deadline ({deadline}) has passed; the questionnaire no longer takes answers."
    required = copy.required_before_booking and last is None
    return CampaignTask(
        title=copy.title,
        status=words,
        endpoint="questionnaires.campaign_form" if last is None or open_ else "questionnaires.campaign_sent",
        link_label=("Answer the questionnaire" if last is None else "See or amend your answers")
        if open_
        else "See what you sent",
        blocks_booking=required,
        refusal="Please submit our candidate questionnaire before choosing a time: the union asks every campaign "
        "to answer it before the interview."
        if required
        else "",
    )


@signals.ledger_columns.connect
def ledger_column(race: Race, *, candidate_ids: list[int], **_: Any) -> LedgerColumn | None:
    """Who got which version (by digest), and where each campaign is: three queries for the page."""
    responses = responses_for(candidate_ids)
    if not responses:
        return None
    # One macro called per row: a render_template per row (its context processors each time) cost a
    # tenth of the ledger of a race whose campaigns all have the questionnaire.
    cell = get_template_attribute("questionnaires/_ledger_cell.html", "ledger_cell")
    cells = {candidate_id: Markup(cell(response)) for candidate_id, response in responses.items()}  # noqa: S704
    digests = sorted({(r.version.version, r.digest) for r in responses.values()})
    summary = Markup(render_template("questionnaires/_ledger_summary.html", race=race, digests=digests))  # noqa: S704
    return LedgerColumn(heading="Questionnaire", cells=cells, summary=summary)


@signals.tick.connect
def remind(_sender: object, *, now: datetime, **_: Any) -> list[str]:
    return reminders.remind_unsubmitted(now)
