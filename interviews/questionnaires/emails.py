"""The questionnaire's e-mails: its link, the reminder, the campaign's receipt, and a note to staff.

Every e-mail is an outbox row added in the caller's transaction; nothing is sent from here. The HTML
parts are autoescaped templates and the text parts plain text, so a campaign's answers are only ever text.
"""

from __future__ import annotations

from flask import current_app, render_template

from interviews.filters import format_datetime
from interviews.invitations.links import candidate_url
from interviews.mail.models import OutboxMessage
from interviews.mail.services import enqueue
from interviews.questionnaires.content import answer_words, explanation_of
from interviews.questionnaires.models import QuestionnaireResponse, QuestionnaireSubmission
from interviews.urls import absolute_url

FORM = "questionnaires.campaign_form"


def _render(name: str, **context: object) -> tuple[str, str]:
    context.setdefault("organization_name", current_app.config["ORGANIZATION_NAME"])
    context.setdefault("organizer_email", current_app.config["ORGANIZER_EMAIL"])
    text = render_template(f"questionnaires/email/{name}.txt", **context)
    html = render_template(f"questionnaires/email/{name}.html", **context)
    return text, html


def _deadline(response: QuestionnaireResponse) -> str:
    return format_datetime(response.version.respond_by, response.version.timezone)


def questionnaire_email(response: QuestionnaireResponse) -> OutboxMessage:
    """The questionnaire's link, for a campaign invited before the questionnaire was written."""
    invitation = response.invitation
    candidate = invitation.candidate
    text, html = _render(
        "questionnaire",
        response=response,
        candidate=candidate,
        race=candidate.race,
        version=response.version,
        deadline=_deadline(response),
        link=candidate_url(invitation, FORM),
    )
    return enqueue(
        to=[candidate.contact_email],
        subject=f"Our candidate questionnaire: please answer by {_deadline(response)} — {candidate.race.office}",
        text=text,
        html=html,
        kind="questionnaire",
        entity=response,
    )


def reminder_email(response: QuestionnaireResponse, dedupe_key: str) -> OutboxMessage:
    candidate = response.invitation.candidate
    text, html = _render(
        "reminder",
        response=response,
        candidate=candidate,
        race=candidate.race,
        deadline=_deadline(response),
        link=candidate_url(response.invitation, FORM),
    )
    return enqueue(
        to=[candidate.contact_email],
        subject=f"Reminder: our questionnaire is due {_deadline(response)} — {candidate.race.office}",
        text=text,
        html=html,
        kind="questionnaire_reminder",
        entity=response,
        dedupe_key=dedupe_key,
    )


def _answers(submission: QuestionnaireSubmission) -> list[tuple[str, str, str, str]]:
    """(section, question, answer, explanation) in the order asked."""
    return [
        (
            q.section.title,
            f"{q.position}. {q.text}",
            answer_words(q, submission.answers.get(q.key)) or "(no answer)",
            explanation_of(submission.answers.get(q.key)),
        )
        for q in submission.response.version.questions
    ]


def receipt_email(submission: QuestionnaireSubmission) -> OutboxMessage:
    """What the campaign sent, back to it: its proof of what the union received, and when."""
    response = submission.response
    candidate = response.invitation.candidate
    text, html = _render(
        "receipt",
        submission=submission,
        response=response,
        candidate=candidate,
        race=candidate.race,
        answers=_answers(submission),
        deadline=_deadline(response),
        link=candidate_url(response.invitation, "questionnaires.campaign_sent"),
    )
    what = "amended answers" if submission.number > 1 else "answers"
    return enqueue(
        to=[candidate.contact_email],
        subject=f"Received: {candidate.name}'s {what} to our questionnaire — {candidate.race.office}",
        text=text,
        html=html,
        kind="questionnaire_receipt",
        entity=submission,
    )


def staff_notice(submission: QuestionnaireSubmission) -> OutboxMessage:
    response = submission.response
    candidate = response.invitation.candidate
    text, html = _render(
        "staff_notice",
        submission=submission,
        candidate=candidate,
        race=candidate.race,
        link=absolute_url("questionnaires.responses", race_id=candidate.race_id, candidate_id=candidate.id),
    )
    late = " (late)" if submission.late else ""
    return enqueue(
        to=[current_app.config["ORGANIZER_EMAIL"]],
        subject=f"{candidate.name} sent the questionnaire{late}, "
        f"submission {submission.number} — {candidate.race.title}",
        text=text,
        html=html,
        kind="questionnaire_notice",
        entity=submission,
    )
