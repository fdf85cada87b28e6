"""The e-mails of the invitations feature, written for the campaign scheduler who reads them.

Every e-mail is an outbox row added in the caller's transaction; nothing is sent from here.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from flask import current_app, render_template

from interviews.filters import format_datetime
from interviews.invitations.contributions import campaign_tasks
from interviews.invitations.links import candidate_url
from interviews.invitations.models import CandidateRequest, Invitation, InvitationLetter
from interviews.mail.models import OutboxMessage
from interviews.mail.services import enqueue
from interviews.urls import absolute_url

if TYPE_CHECKING:
    from interviews.auth.models import User
    from interviews.scheduling.models import Interview


def letter_content(letter: InvitationLetter) -> str:
    """The part of the invitation every candidate receives word for word: subject, text, topics, deadline.

    Its SHA-256 is stored on each invitation (content_digest), so the ledger can prove equal treatment.
    The deadline is written in the letter's zone and in UTC, so the text names one instant.
    """
    lines = [letter.subject.strip(), "", letter.body.strip()]
    topics = letter.topic_list
    if topics:
        lines += ["", "Topics we will discuss:", *(f"- {topic}" for topic in topics)]
    deadline_utc = letter.respond_by.strftime("%Y-%m-%d %H:%M UTC")
    lines += ["", f"Please respond by {format_datetime(letter.respond_by, letter.timezone)} ({deadline_utc})."]
    return "\n".join(lines)


def content_digest(letter: InvitationLetter) -> str:
    return hashlib.sha256(letter_content(letter).encode("utf-8")).hexdigest()


def _render(name: str, **context: object) -> tuple[str, str]:
    context.setdefault("organization_name", current_app.config["ORGANIZATION_NAME"])
    context.setdefault("organizer_email", current_app.config["ORGANIZER_EMAIL"])
    text = render_template(f"invitations/email/{name}.txt", **context)
    html = render_template(f"invitations/email/{name}.html", **context)
    return text, html


def invitation_email(invitation: Invitation, *, resend: bool = False) -> OutboxMessage:
    letter = invitation.letter
    candidate = invitation.candidate
    text, html = _render(
        "invitation",
        invitation=invitation,
        letter=letter,
        race=letter.race,
        candidate=candidate,
        content=letter_content(letter),
        link=candidate_url(invitation),
        resend=resend,
        # What other features ask of the campaign with the invitation (the questionnaire), with their links.
        tasks=[(task, candidate_url(invitation, task.endpoint)) for task in campaign_tasks(invitation)],
    )
    subject = letter.subject if not resend else f"{letter.subject} (new link)"
    return enqueue(
        to=[candidate.contact_email],
        subject=subject,
        text=text,
        html=html,
        kind="invitation",
        entity=invitation,
        race_id=letter.race_id,
    )


def reminder_email(invitation: Invitation, dedupe_key: str) -> OutboxMessage:
    letter = invitation.letter
    text, html = _render(
        "reminder",
        invitation=invitation,
        letter=letter,
        race=letter.race,
        candidate=invitation.candidate,
        link=candidate_url(invitation),
    )
    return enqueue(
        to=[invitation.candidate.contact_email],
        subject=f"Reminder: please answer by {format_datetime(letter.respond_by, letter.timezone)} — {letter.subject}",
        text=text,
        html=html,
        kind="invitation_reminder",
        entity=invitation,
        dedupe_key=dedupe_key,
        race_id=letter.race_id,
    )


def interview_reminder_for_candidate(interview: Interview, dedupe_key: str) -> OutboxMessage:
    invitation = interview.invitation
    link = candidate_url(invitation) if invitation is not None and invitation.withdrawn_at is None else None
    # The zone the campaign booked in (the union's beside it), as in its calendar e-mails.
    tz = (invitation.campaign_timezone if invitation is not None else None) or interview.timezone
    text, html = _render(
        "interview_reminder",
        interview=interview,
        candidate=interview.candidate,
        link=link,
        tz=tz,
        union_tz=interview.timezone,
    )
    return enqueue(
        to=[interview.candidate.contact_email],
        subject=f"Tomorrow: endorsement interview, {format_datetime(interview.starts_at, tz)}",
        text=text,
        html=html,
        kind="interview_reminder",
        entity=interview,
        dedupe_key=dedupe_key,
    )


def interview_reminder_for_panelist(interview: Interview, member: User, dedupe_key: str) -> OutboxMessage:
    tz = member.timezone or interview.timezone
    link = absolute_url("scheduling.interview_detail", interview_id=interview.id)
    text, html = _render(
        "panel_reminder", interview=interview, candidate=interview.candidate, member=member, link=link, tz=tz
    )
    return enqueue(
        to=[member.email],
        subject=f"Tomorrow: interview with {interview.candidate.name}, {format_datetime(interview.starts_at, tz)}",
        text=text,
        html=html,
        kind="interview_reminder",
        entity=interview,
        dedupe_key=dedupe_key,
    )


def staff_notice(invitation: Invitation, what: str, message: str, request: CandidateRequest | None = None) -> None:
    """Tell the political department what a candidate did (declined, asked for other times, ...)."""
    letter = invitation.letter
    text, html = _render(
        "staff_notice",
        invitation=invitation,
        candidate=invitation.candidate,
        race=letter.race,
        what=what,
        message=message,
        ledger=absolute_url("invitations.ledger", race_id=letter.race_id),
    )
    enqueue(
        to=[current_app.config["ORGANIZER_EMAIL"]],
        subject=f"{invitation.candidate.name} {what} — {letter.race.title}",
        text=text,
        html=html,
        kind="candidate_request",
        entity=request or invitation,
        race_id=letter.race_id,
    )
