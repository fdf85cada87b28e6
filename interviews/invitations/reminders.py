"""The periodic work behind `flask --app wsgi tick`: reminders and the response deadline.

Safe from cron every minute and from several processes at once. Each piece of work is claimed with
a conditional UPDATE (it only succeeds for one process) and its e-mail carries a dedupe key that
the outbox holds unique, inside a SAVEPOINT: a second process's insert fails there and is skipped,
so nothing is sent twice. Each item is committed on its own, so one failure loses nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from interviews import signals
from interviews.audit.actors import System
from interviews.audit.services import record
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.invitations import emails
from interviews.invitations.models import UNANSWERED, Invitation, InvitationLetter, InvitationStatus
from interviews.races.models import Candidate
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.types import utcnow

INTERVIEW_REMINDER_AHEAD = timedelta(hours=24)


@dataclass
class TickReport:
    invitation_reminders: list[str] = field(default_factory=list)
    interview_reminders: list[str] = field(default_factory=list)
    no_reply: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # what other features did on the tick signal

    def lines(self) -> list[str]:
        out = [f"Reminded {name} (invitation not answered yet)." for name in self.invitation_reminders]
        out += [f"Reminded {what} of tomorrow's interview." for what in self.interview_reminders]
        out += [f"Marked {name} as no reply (deadline passed)." for name in self.no_reply]
        out += self.others
        return out or ["Nothing to do."]


# The hourly `flask tick` acts on its own: reminders and deadlines are nobody's click.
TICK = System("hourly tick")


def _once(claim: Callable[[], bool], send: Callable[[], None]) -> bool:
    """Claim and send inside a savepoint; False when another process got there first."""
    try:
        with db.session.begin_nested():
            if not claim():
                return False
            send()
            db.session.flush()
    except IntegrityError:  # the dedupe key is already in the outbox: someone else sent it
        return False
    return True


def remind_unanswered(report: TickReport, now: datetime) -> None:
    days = timedelta(days=int(current_app.config["INVITATION_REMINDER_DAYS"]))
    due = db.session.scalars(
        select(Invitation)
        .join(InvitationLetter, Invitation.letter_id == InvitationLetter.id)
        .join(Candidate, Invitation.candidate_id == Candidate.id)
        .where(
            Invitation.status.in_(UNANSWERED),
            Invitation.reminded_at.is_(None),
            Invitation.withdrawn_at.is_(None),
            Candidate.withdrawn_at.is_(None),
            InvitationLetter.respond_by > now,
            InvitationLetter.respond_by <= now + days,
        )
        .order_by(Invitation.id)
    ).all()
    # One sent inside the reminder window is still fresh in the inbox: no reminder needed.
    # (Compared here, not in SQL: date arithmetic between columns differs between SQLite and PostgreSQL.)
    due = [i for i in due if i.sent_at < i.letter.respond_by - days]
    for invitation in due:

        def claim(invitation: Invitation = invitation) -> bool:
            result = rows_changed(
                db.session,
                update(Invitation)
                .where(
                    Invitation.id == invitation.id,
                    Invitation.reminded_at.is_(None),
                    Invitation.status.in_(UNANSWERED),
                )
                .values(reminded_at=now)
                .execution_options(synchronize_session=False),
            )
            return result == 1

        def send(invitation: Invitation = invitation) -> None:
            emails.reminder_email(invitation, dedupe_key=f"invitation-reminder:{invitation.id}")
            record(
                "invitation.reminded",
                invitation,
                summary=f"Reminder sent to {invitation.candidate.name} ({invitation.candidate.contact_email})",
                actor=TICK,
            )

        if _once(claim, send):
            report.invitation_reminders.append(invitation.candidate.name)
        db.session.commit()


def remind_interviews(report: TickReport, now: datetime) -> None:
    due = db.session.scalars(
        select(Interview)
        .where(
            Interview.status == InterviewStatus.scheduled,
            Interview.starts_at > now,
            Interview.starts_at <= now + INTERVIEW_REMINDER_AHEAD,
            or_(Interview.reminded_at.is_(None), Interview.reminded_at < now),
        )
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    # Not reminded yet, or reminded of an earlier time (the interview has moved since).
    due = [i for i in due if i.reminded_at is None or i.reminded_at < i.starts_at - INTERVIEW_REMINDER_AHEAD]
    for interview in due:
        previous = interview.reminded_at
        stamp = interview.starts_at.strftime("%Y%m%dT%H%M")

        def claim(interview: Interview = interview, previous: datetime | None = previous) -> bool:
            condition = Interview.reminded_at.is_(None) if previous is None else Interview.reminded_at == previous
            result = rows_changed(
                db.session,
                update(Interview)
                .where(Interview.id == interview.id, Interview.status == InterviewStatus.scheduled, condition)
                .values(reminded_at=now)
                .execution_options(synchronize_session=False),
            )
            return result == 1

        def send(interview: Interview = interview, stamp: str = stamp) -> None:
            key = f"interview-reminder:{interview.id}:{stamp}"
            emails.interview_reminder_for_candidate(interview, f"{key}:candidate")
            for member in interview.panel:
                emails.interview_reminder_for_panelist(interview, member, f"{key}:panel:{member.id}")
            record(
                "interview.reminded",
                interview,
                summary=f"Reminders sent for tomorrow's interview with {interview.candidate.name}",
                actor=TICK,
            )

        if _once(claim, send):
            report.interview_reminders.append(
                f"{interview.candidate.name}'s campaign and {len(interview.panel)} panel member(s)"
            )
        db.session.commit()


def mark_no_reply(report: TickReport, now: datetime) -> None:
    overdue = db.session.scalars(
        select(Invitation)
        .join(InvitationLetter, Invitation.letter_id == InvitationLetter.id)
        .where(Invitation.status.in_(UNANSWERED), InvitationLetter.respond_by < now)
        .order_by(Invitation.id)
    ).all()
    for invitation in overdue:
        result = rows_changed(
            db.session,
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.status.in_(UNANSWERED))
            .values(status=InvitationStatus.no_reply, no_reply_at=now)
            .execution_options(synchronize_session=False),
        )
        if result == 1:
            record(
                "invitation.no_reply",
                invitation,
                changes={"status": ["unanswered", "no_reply"]},
                summary=f"No reply from {invitation.candidate.name} by the deadline",
                actor=TICK,
            )
            report.no_reply.append(invitation.candidate.name)
        db.session.commit()


def tick(now: datetime | None = None) -> TickReport:
    now = now or utcnow()
    report = TickReport()
    remind_unanswered(report, now)
    remind_interviews(report, now)
    mark_no_reply(report, now)
    # The other features' periodic work (the questionnaire's reminder), without this module naming them.
    for _, lines in signals.tick.send(None, now=now):
        report.others += list(lines or [])
    return report
