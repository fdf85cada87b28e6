"""What a campaign does with its questionnaire through its signed link: save a draft, submit, amend.

The campaign has no account: the audit trail names it `Campaign.of(invitation)`. Several people of a
campaign may share the link, so every save names the revision its page was opened on and a save from
an older page is refused (StaleAnswers), the way a stale note is: nobody's saved answers are overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from interviews.audit.actors import Campaign
from interviews.audit.services import record
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.questionnaires import answers as rules
from interviews.questionnaires import emails
from interviews.questionnaires.content import answers_digest, changed_questions
from interviews.questionnaires.models import Questionnaire, QuestionnaireResponse, QuestionnaireSubmission
from interviews.types import utcnow


class CampaignError(Exception):
    """Something the campaign asked for that cannot be done; str() is written for them."""


class QuestionnaireClosed(CampaignError):
    pass


class StaleAnswers(CampaignError):
    def __init__(self, response: QuestionnaireResponse) -> None:
        when = format_datetime(response.draft_saved_at or utcnow(), response.version.timezone)
        super().__init__(
            "Someone else using your campaign's link saved these answers "
            f"({when}) after you opened this page. What you typed is kept below, beside each saved answer: "
            "compare them, then save again."
        )
        self.response = response


class AnswersIncomplete(CampaignError):
    def __init__(self, problems: dict[str, str]) -> None:
        n = len(problems)
        super().__init__(f"{n} answer{'s' if n != 1 else ''} must be completed or corrected before you can submit.")
        self.problems = problems


@dataclass(frozen=True)
class DraftSaved:
    revision: int
    problems: dict[str, str]


def settings_of(response: QuestionnaireResponse) -> Questionnaire:
    return response.version.questionnaire


def is_open(response: QuestionnaireResponse) -> bool:
    """Answers are accepted: before the deadline, or after it when staff accept late answers."""
    return takes_answers(response.version.respond_by, settings_of(response).accept_late)


def takes_answers(respond_by: datetime, accept_late: bool) -> bool:
    """`is_open`'s rule, for a copy read as a row."""
    return utcnow() <= respond_by or accept_late


def _require_open(response: QuestionnaireResponse) -> None:
    invitation = response.invitation
    if invitation.withdrawn_at is not None or invitation.candidate.withdrawn:
        raise CampaignError("This invitation was withdrawn, so the questionnaire is closed.")
    if not is_open(response):
        version = response.version
        raise QuestionnaireClosed(
            f"The deadline for the questionnaire was {format_datetime(version.respond_by, version.timezone)}; "
            "it no longer takes answers. What you sent before then is what we keep."
        )


def _claim(response: QuestionnaireResponse, base_revision: int, **values: object) -> int:
    """Raise the revision (and write `values`) only if nobody saved since the page was opened."""
    claimed = rows_changed(
        db.session,
        update(QuestionnaireResponse)
        .where(QuestionnaireResponse.id == response.id, QuestionnaireResponse.revision == base_revision)
        .values(revision=QuestionnaireResponse.revision + 1, **values)
        .execution_options(synchronize_session=False),
    )
    db.session.refresh(response)
    if claimed != 1:
        raise StaleAnswers(response)
    return response.revision


def save_draft(response: QuestionnaireResponse, raw: rules.Raw, *, base_revision: int) -> DraftSaved:
    """Keep what the campaign typed. Problems are reported, not refused: a draft is work in progress.

    Drafts are not audited (the trail would fill with every keystroke's autosave): they are not what
    the campaign sent. Its submissions are.
    """
    _require_open(response)
    kept = rules.bounded(response.version, raw)
    revision = _claim(response, base_revision, draft=kept, draft_saved_at=utcnow())
    return DraftSaved(revision, rules.check(response.version, kept, final=False).problems)


def submit(response: QuestionnaireResponse, *, base_revision: int) -> QuestionnaireSubmission:
    """Send the saved draft as the campaign's answers: a new submission, late if past the deadline."""
    _require_open(response)
    invitation = response.invitation
    actor = Campaign.of(invitation)
    if response.revision != base_revision:
        raise StaleAnswers(response)
    last = response.last_submission
    if not response.has_draft:
        if last is not None:
            raise CampaignError(f"Nothing has changed since you sent submission {last.number}.")
        raise CampaignError("There is nothing to send yet: answer the questions and save them first.")
    version = response.version
    checked = rules.check(version, response.draft, final=True)
    if not checked.ok:
        raise AnswersIncomplete(checked.problems)
    if last is not None and last.answers == checked.answers:
        raise CampaignError(f"These answers are the same as submission {last.number}; nothing new to send.")
    now = utcnow()
    _claim(response, base_revision, draft={}, draft_saved_at=None)
    submission = QuestionnaireSubmission(
        response=response,
        number=(last.number if last else 0) + 1,
        answers=checked.answers,
        submitted_at=now,
        late=version.is_past_deadline(now),
        digest=answers_digest(checked.answers),
    )
    db.session.add(submission)
    db.session.flush()
    changed = [q.position for q in changed_questions(version, last.answers if last else None, checked.answers)]
    record(
        "questionnaire.amended" if last else "questionnaire.submitted",
        submission,
        changes={
            "number": submission.number,
            "version": version.version,
            "late": submission.late,
            "digest": submission.digest,
            "questions_changed": changed,
        },
        summary=f"{invitation.candidate.name}'s campaign sent the questionnaire"
        + (f" (amendment {submission.number})" if last else "")
        + (", after the deadline" if submission.late else ""),
        actor=actor,
    )
    emails.receipt_email(submission)
    emails.staff_notice(submission)
    return submission
