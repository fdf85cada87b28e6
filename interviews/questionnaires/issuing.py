"""Freezing a questionnaire and giving it to campaigns: with each invitation, or afterwards by e-mail.

The first campaign that receives a version freezes it (a conditional update, so two sends at once
freeze it once); each campaign's copy records the version and the digest of its text.
"""

from __future__ import annotations

from sqlalchemy import select, update

from interviews.audit.actors import Actor
from interviews.audit.services import record
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.invitations.models import Invitation
from interviews.questionnaires import emails
from interviews.questionnaires.content import version_digest
from interviews.questionnaires.models import QuestionnaireResponse, QuestionnaireVersion
from interviews.questionnaires.services import QuestionnaireError, latest_version, questionnaire_of, response_of
from interviews.races.models import Race
from interviews.types import utcnow


def freeze(version: QuestionnaireVersion, *, actor: Actor) -> None:
    """Freeze the text at the first campaign that gets it (idempotent: a conditional update)."""
    if version.frozen:
        return
    digest = version_digest(version)
    frozen = rows_changed(
        db.session,
        update(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == version.id, QuestionnaireVersion.frozen_at.is_(None))
        .values(frozen_at=utcnow(), digest=digest)
        .execution_options(synchronize_session=False),
    )
    db.session.refresh(version, ["frozen_at", "digest"])
    if frozen == 1:
        record(
            "questionnaire.frozen",
            version,
            changes={"version": version.version, "digest": digest},
            summary=f"Questionnaire version {version.version} frozen: the first campaign received it",
            actor=actor,
        )


def issue(invitation: Invitation, *, actor: Actor, notify: bool) -> QuestionnaireResponse | None:
    """Give the campaign the race's newest questionnaire, once; None when there is none it could still answer.

    `notify`: e-mail the campaign its link (when it comes after the invitation, not with it).
    """
    existing = response_of(invitation)
    if existing is not None:
        return existing
    candidate = invitation.candidate
    if candidate.withdrawn or invitation.withdrawn_at is not None:
        return None
    version = latest_version(questionnaire_of(candidate.race_id))
    if version is None or version.is_past_deadline():
        return None
    freeze(version, actor=actor)
    response = QuestionnaireResponse(invitation=invitation, version=version, digest=version.digest, issued_at=utcnow())
    db.session.add(response)
    db.session.flush()
    record(
        "questionnaire.issued",
        response,
        changes={"candidate": candidate.name, "version": version.version, "digest": response.digest},
        summary=f"Questionnaire version {version.version} given to {candidate.name}'s campaign",
        actor=actor,
    )
    if notify:
        emails.questionnaire_email(response)
    return response


def issue_to_invited(race: Race, *, actor: Actor) -> list[QuestionnaireResponse]:
    """The questionnaire for every campaign invited before it existed (each gets an e-mail with its link)."""
    version = latest_version(questionnaire_of(race))
    if version is None:
        raise QuestionnaireError("Write the questionnaire first.")
    if version.is_past_deadline():
        raise QuestionnaireError("The questionnaire's deadline has passed: nobody could answer it in time.")
    if race.letter is None:
        raise QuestionnaireError("No campaign has been invited yet; the questionnaire goes with each invitation.")
    have = set(
        db.session.scalars(
            select(QuestionnaireResponse.invitation_id)
            .join(Invitation, Invitation.id == QuestionnaireResponse.invitation_id)
            .where(Invitation.letter_id == race.letter.id)
        )
    )
    given = []
    for invitation in race.letter.invitations:
        if invitation.id not in have and (response := issue(invitation, actor=actor, notify=True)) is not None:
            given.append(response)
    return given
