"""A race's questionnaire (versioned, frozen once sent), each campaign's answers, and the commitments sought.

The shapes follow the letter's: one `Questionnaire` per race holds staff's settings; its
`QuestionnaireVersion`s hold the text, frozen by the first campaign that receives one; each
invitation's `QuestionnaireResponse` records which version (and its digest) the campaign got, its
draft, and every `QuestionnaireSubmission` it sent. `Commitment`s are what the union asks of the
race's candidates, and `CommitmentPosition`s what each candidate said, every one kept.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.auth.models import User
from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from interviews.invitations.models import Invitation
    from interviews.races.models import Candidate, Race


class QuestionKind(enum.Enum):
    short_text = "short_text"
    long_text = "long_text"
    yes_no = "yes_no"  # yes / no / it depends, with an explanation
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    number = "number"

    @property
    def label(self) -> str:
        return {
            "short_text": "Short text",
            "long_text": "Long text",
            "yes_no": "Yes / no / it depends (with an explanation)",
            "single_choice": "One choice",
            "multiple_choice": "Several choices",
            "number": "A number",
        }[self.value]

    @property
    def has_choices(self) -> bool:
        return self in (QuestionKind.single_choice, QuestionKind.multiple_choice)


# The three answers of a yes / no / it depends question, as stored and as shown.
YES_NO = {"yes": "Yes", "no": "No", "depends": "It depends"}


class Questionnaire(Model):
    """Staff's settings for a race's questionnaire; the text is in its versions."""

    __tablename__ = "questionnaires"
    __table_args__ = (CheckConstraint("reminder_days >= 0 AND reminder_days <= 60", name="reminder_days_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), unique=True)
    # No slot can be taken before the campaign has submitted (the AFL-CIO's forum rule).
    required_before_booking: Mapped[bool] = mapped_column(default=False)
    # After the deadline: refused (False), or accepted and marked late (True).
    accept_late: Mapped[bool] = mapped_column(default=False)
    # Campaigns that have not submitted get one reminder this many days before the deadline (0: none).
    reminder_days: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    race: Mapped[Race] = relationship()
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.version"
    )


class QuestionnaireVersion(Model):
    """One version of the text. Frozen (never changed again) when the first campaign receives it."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    # Raised by every edit before freezing: a save from an editor opened on an older one is refused.
    revision: Mapped[int] = mapped_column(default=1)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the text as frozen (see content.py); every campaign's copy carries it too.
    digest: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
    sections: Mapped[list[QuestionnaireSection]] = relationship(
        back_populates="version", order_by="QuestionnaireSection.position", cascade="all, delete-orphan"
    )
    # Also reachable through the sections (which own them): this is for loading a version in one query.
    questions: Mapped[list[QuestionnaireQuestion]] = relationship(
        back_populates="version", order_by="QuestionnaireQuestion.position"
    )

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) > self.respond_by


class QuestionnaireSection(Model):
    __tablename__ = "questionnaire_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200), default="")

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="sections")
    questions: Mapped[list[QuestionnaireQuestion]] = relationship(
        back_populates="section", order_by="QuestionnaireQuestion.position", cascade="all, delete-orphan"
    )


class QuestionnaireQuestion(Model):
    """One question, numbered across the whole version (`position`), in its section."""

    __tablename__ = "questionnaire_questions"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="range_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The version too, not only the section: a version's questions load in one query.
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_sections.id"), index=True)
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(Enum(QuestionKind, native_enum=False, length=20))
    text: Mapped[str] = mapped_column(Text)
    help: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)  # the options of a choice question
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")
    section: Mapped[QuestionnaireSection] = relationship(back_populates="questions")

    @property
    def key(self) -> str:
        """The name of its field in the campaign's form, and its key in stored answers."""
        return f"q{self.id}"


class ResponseStatus(enum.Enum):
    not_started = "not_started"
    draft = "draft"
    submitted = "submitted"
    late = "late"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "draft": "Draft", "submitted": "Submitted", "late": "Late"}[self.value]

    @property
    def badge(self) -> str:
        return {"not_started": "", "draft": "warn", "submitted": "ok", "late": "bad"}[self.value]


class QuestionnaireResponse(Model):
    """One campaign's copy of the questionnaire: the version it got (with its digest), its draft, its submissions."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (CheckConstraint("revision >= 0", name="revision_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"), index=True)
    # SHA-256 of exactly the text this campaign received: the proof that every candidate got the same.
    digest: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the campaign has typed and saved but not sent: {question key: {"value": ..., "explanation": ...}}.
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by every save and submission: a save from a page opened on an older one is refused.
    revision: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitation: Mapped[Invitation] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    submissions: Mapped[list[QuestionnaireSubmission]] = relationship(
        back_populates="response", order_by="QuestionnaireSubmission.number", cascade="all, delete-orphan"
    )

    @property
    def last_submission(self) -> QuestionnaireSubmission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def on_time_submission(self) -> QuestionnaireSubmission | None:
        """The last one sent before the deadline: what the record counts as the campaign's answers."""
        return next((s for s in reversed(self.submissions) if not s.late), None)

    @property
    def record_submission(self) -> QuestionnaireSubmission | None:
        """The on-time answers, or (when everything came late) the last late ones, which are marked so."""
        return self.on_time_submission or self.last_submission

    @property
    def late_submissions(self) -> list[QuestionnaireSubmission]:
        """Submissions after the one the record counts, all of them late."""
        record = self.record_submission
        return [s for s in self.submissions if s.late and (record is None or s.number > record.number)]

    @property
    def has_draft(self) -> bool:
        return draft_pending(self.draft_saved_at, self.last_submission)

    @property
    def status(self) -> ResponseStatus:
        return status_of(self.draft_saved_at, self.last_submission)


# The two rules above, for a copy as an object or as a row (the campaign's page reads a row): `last` is
# the last submission, or anything with its `submitted_at` and `late`.
def draft_pending(draft_saved_at: datetime | None, last: Any | None) -> bool:
    """Changes saved since the last submission (or with none sent)."""
    return draft_saved_at is not None and (last is None or draft_saved_at > last.submitted_at)


def status_of(draft_saved_at: datetime | None, last: Any | None) -> ResponseStatus:
    if last is not None:
        return ResponseStatus.late if last.late else ResponseStatus.submitted
    return ResponseStatus.draft if draft_saved_at is not None else ResponseStatus.not_started


class QuestionnaireSubmission(Model):
    """What a campaign sent, once; an amendment is the next number. Never changed afterwards."""

    __tablename__ = "questionnaire_submissions"
    __table_args__ = (UniqueConstraint("response_id", "number"), CheckConstraint("number >= 1", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_responses.id"), index=True)
    number: Mapped[int]
    # {question key: {"value": text | [choices] | None, "explanation": text}}, checked against the version.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(default=False)
    # SHA-256 of the answers as sent (canonical JSON): the campaign's receipt names it.
    digest: Mapped[str] = mapped_column(String(64))

    response: Mapped[QuestionnaireResponse] = relationship(back_populates="submissions")


class Stance(enum.Enum):
    secured = "secured"
    partly = "partly"
    refused = "refused"
    no_answer = "no_answer"

    @property
    def label(self) -> str:
        return {"secured": "Secured", "partly": "Partly", "refused": "Refused", "no_answer": "No answer"}[self.value]

    @property
    def badge(self) -> str:
        return {"secured": "ok", "partly": "warn", "refused": "bad", "no_answer": ""}[self.value]


class PositionSource(enum.Enum):
    questionnaire = "questionnaire"
    interview = "interview"
    public_statement = "public_statement"

    @property
    def label(self) -> str:
        return {
            "questionnaire": "Questionnaire answer",
            "interview": "Interview",
            "public_statement": "Public statement",
        }[self.value]


class Commitment(Model):
    """Something the union asks of every candidate in a race (non-interference in organising, ...)."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))
    # The questionnaire question that asks it, if one does.
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_questions.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    race: Mapped[Race] = relationship()
    question: Mapped[QuestionnaireQuestion | None] = relationship()
    positions: Mapped[list[CommitmentPosition]] = relationship(
        back_populates="commitment", order_by="CommitmentPosition.id"
    )


class CommitmentPosition(Model):
    """A candidate's position on a commitment, as recorded; a later record supersedes it, both are kept."""

    __tablename__ = "commitment_positions"
    __table_args__ = (CheckConstraint("source_url <> '' OR quote <> '' OR stance = 'no_answer'", name="has_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    stance: Mapped[Stance] = mapped_column(Enum(Stance, native_enum=False, length=16))
    source: Mapped[PositionSource] = mapped_column(Enum(PositionSource, native_enum=False, length=20))
    source_date: Mapped[date]
    source_url: Mapped[str] = mapped_column(String(500), default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="positions")
    candidate: Mapped[Candidate] = relationship()
    recorded_by: Mapped[User] = relationship()
