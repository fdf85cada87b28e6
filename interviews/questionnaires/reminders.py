"""The questionnaire's reminder, sent by the periodic `flask tick` (through the `tick` signal).

Campaigns that have not submitted get one e-mail the race's chosen number of days before the
deadline. As with the invitation's reminders, each one is claimed with a conditional UPDATE and its
e-mail carries a dedupe key the outbox holds unique, inside a SAVEPOINT, so two ticks at once send
it once; each is committed on its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from interviews.audit.actors import System
from interviews.audit.services import record
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationStatus
from interviews.questionnaires import emails
from interviews.questionnaires.models import Questionnaire, QuestionnaireResponse, QuestionnaireVersion
from interviews.races.models import Candidate

TICK = System("hourly tick")
LONGEST_WINDOW = timedelta(days=60)  # the most days ahead a race may ask for (see Questionnaire)


def _due(now: datetime) -> list[QuestionnaireResponse]:
    candidates = db.session.scalars(
        select(QuestionnaireResponse)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireResponse.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .join(Invitation, Invitation.id == QuestionnaireResponse.invitation_id)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .where(
            QuestionnaireResponse.reminded_at.is_(None),
            ~QuestionnaireResponse.submissions.any(),
            Questionnaire.reminder_days > 0,
            QuestionnaireVersion.respond_by > now,
            QuestionnaireVersion.respond_by <= now + LONGEST_WINDOW,
            Invitation.withdrawn_at.is_(None),
            Invitation.status.not_in([InvitationStatus.declined, InvitationStatus.withdrawn]),
            Candidate.withdrawn_at.is_(None),
        )
        .options(selectinload(QuestionnaireResponse.version).selectinload(QuestionnaireVersion.questionnaire))
        .order_by(QuestionnaireResponse.id)
    ).all()
    # Each race its own window; one given inside the window is still fresh in the inbox: no reminder.
    # (Compared here, not in SQL: date arithmetic between columns differs between SQLite and PostgreSQL.)
    due = []
    for response in candidates:
        window = timedelta(days=response.version.questionnaire.reminder_days)
        if response.version.respond_by - window <= now and response.issued_at < response.version.respond_by - window:
            due.append(response)
    return due


def _claim(response: QuestionnaireResponse, now: datetime) -> bool:
    claimed = rows_changed(
        db.session,
        update(QuestionnaireResponse)
        .where(QuestionnaireResponse.id == response.id, QuestionnaireResponse.reminded_at.is_(None))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False),
    )
    return claimed == 1


def remind_unsubmitted(now: datetime) -> list[str]:
    lines = []
    for response in _due(now):
        name = response.invitation.candidate.name
        try:
            with db.session.begin_nested():
                if not _claim(response, now):
                    continue
                emails.reminder_email(response, dedupe_key=f"questionnaire-reminder:{response.id}")
                record(
                    "questionnaire.reminded",
                    response,
                    summary=f"Questionnaire reminder sent to {name}'s campaign",
                    actor=TICK,
                )
                db.session.flush()
        except IntegrityError:  # the dedupe key is already in the outbox: another tick sent it
            continue
        finally:
            db.session.commit()
        lines.append(f"Reminded {name} (questionnaire not submitted yet).")
    return lines
