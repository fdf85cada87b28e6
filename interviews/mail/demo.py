"""Demo: other features fill the outbox; this adds one message that failed, so the Failed tab shows one."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from interviews.demo import DemoContext
from interviews.mail.models import OutboxStatus
from interviews.mail.services import enqueue


def load(ctx: DemoContext) -> None:
    race = ctx.races["2027 Governor"]
    candidate = next(c for c in race.candidates if c.name == "Gregory Hale")
    organization = current_app.config["ORGANIZATION_NAME"]
    message = enqueue(
        to=[f"{candidate.contact_name} <{candidate.contact_email}>"],
        subject=f"Reminder: {organization} endorsement interview for {candidate.name}",
        text=(
            f"Dear {candidate.contact_name},\n\n"
            f"The {organization} has not yet heard whether {candidate.name} will take part in the endorsement "
            f"interviews for {race.office}. Please use the link in our invitation to choose a time, or reply to "
            "this e-mail if none of the offered times work.\n\n"
            f"With thanks,\nThe political department, {organization}\n"
        ),
        kind="invitation.reminder",
        entity=candidate,
    )
    # As if the campaign's mail server had turned us away all week.
    message.status = OutboxStatus.failed
    message.attempts = 8
    message.created_at = ctx.now - timedelta(days=3)
    message.last_attempt_at = ctx.now - timedelta(hours=20)
    message.next_attempt_at = message.last_attempt_at
    message.last_error = (
        f"the recipients were refused for now: {candidate.contact_email}: 450 4.2.1 <{candidate.contact_email}>: "
        "Recipient address rejected: mailbox temporarily unavailable, try again later (gave up after 8 attempts)"
    )
