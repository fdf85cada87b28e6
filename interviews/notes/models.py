"""Question lists (the interview kit), notes with revisions, and member polls."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.auth.models import User
from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from interviews.races.models import Candidate, Race
    from interviews.scheduling.models import Interview


class QuestionList(Model):
    """One version of a race's question list. Editing makes a new version; old ones stay."""

    __tablename__ = "question_lists"
    __table_args__ = (UniqueConstraint("race_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    version: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    race: Mapped[Race] = relationship()
    created_by: Mapped[User | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="question_list", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Model):
    """One question of one version of the list, in its place, under its topic."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_list_id: Mapped[int] = mapped_column(ForeignKey("question_lists.id"), index=True)
    position: Mapped[int]
    topic: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)

    question_list: Mapped[QuestionList] = relationship(back_populates="questions")


class Visibility(enum.Enum):
    panel = "panel"  # the interview's panel only
    leadership = "leadership"  # all leaders
    staff = "staff"  # leaders and staff

    @property
    def label(self) -> str:
        return {
            "panel": "Panel only",
            "leadership": "All leadership",
            "staff": "Leadership and staff",
        }[self.value]

    @property
    def badge(self) -> str:
        return f"vis-{self.value}"


class Note(Model):
    """One author's note on one interview: under a question, or the general note (question None).

    There is at most one note per (interview, author, question); the services enforce it for the
    general note too, under a lock on the author's panel seat.
    """

    __tablename__ = "notes"
    __table_args__ = (
        UniqueConstraint("interview_id", "author_id", "question_id"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)  # None: the general note
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(Enum(Visibility, native_enum=False, length=16))
    # Optimistic locking: a save names the version it started from; a stale one is refused.
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    interview: Mapped[Interview] = relationship()
    author: Mapped[User] = relationship()
    question: Mapped[Question | None] = relationship()
    revisions: Mapped[list[NoteRevision]] = relationship(
        back_populates="note", order_by="NoteRevision.version", cascade="all, delete-orphan"
    )

    @property
    def is_general(self) -> bool:
        return self.question_id is None


class NoteRevision(Model):
    """Every saved version of a note, kept so that nothing written is ever lost."""

    __tablename__ = "note_revisions"
    __table_args__ = (UniqueConstraint("note_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id"))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(Enum(Visibility, native_enum=False, length=16))
    edited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[Note] = relationship(back_populates="revisions")
    edited_by: Mapped[User] = relationship()


class NoteDraft(Model):
    """What an author has typed but not saved yet, kept server-side so a closed tab loses nothing.

    `base_version` is the note version the text was typed against (0: no note yet): a restored
    draft is saved against it, so it can never silently overwrite a later version.
    """

    __tablename__ = "note_drafts"
    __table_args__ = (UniqueConstraint("interview_id", "author_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The question's id, or 0 for the general note: a real value, so the unique constraint holds.
    question_key: Mapped[int] = mapped_column(default=0)
    body: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollMethod(enum.Enum):
    town_hall = "town_hall"
    electronic = "electronic"
    phone = "phone"

    @property
    def label(self) -> str:
        return {
            "town_hall": "Town-hall straw poll",
            "electronic": "Electronic poll",
            "phone": "Phone poll",
        }[self.value]


class PollResultKind(enum.Enum):
    counts = "counts"
    percentages = "percentages"

    @property
    def label(self) -> str:
        return {"counts": "Counts (people)", "percentages": "Percentages"}[self.value]


class MemberPoll(Model):
    """A poll of the members: who ran it, how, when, how many answered, and the field at the time."""

    __tablename__ = "member_polls"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
        CheckConstraint("sample_size >= 0", name="sample_size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[PollMethod] = mapped_column(Enum(PollMethod, native_enum=False, length=16))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    sample_size: Mapped[int]
    overseen_by: Mapped[str] = mapped_column(String(200))
    result_kind: Mapped[PollResultKind] = mapped_column(Enum(PollResultKind, native_enum=False, length=16))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    race: Mapped[Race] = relationship()
    created_by: Mapped[User | None] = relationship()
    results: Mapped[list[PollResult]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollResult.id"
    )

    @property
    def unit(self) -> str:
        return "%" if self.result_kind is PollResultKind.percentages else ""


class PollResult(Model):
    """One candidate's figure in a poll; the candidates with a row are the field at the time."""

    __tablename__ = "poll_results"
    __table_args__ = (
        UniqueConstraint("poll_id", "candidate_id"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("member_polls.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    poll: Mapped[MemberPoll] = relationship(back_populates="results")
    candidate: Mapped[Candidate] = relationship()


class PdfJobStatus(enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"

    @property
    def label(self) -> str:
        return {"queued": "Waiting for the worker", "running": "Being built", "done": "Ready", "failed": "Failed"}[
            self.value
        ]

    @property
    def badge(self) -> str:
        return {"queued": "", "running": "", "done": "ok", "failed": "bad"}[self.value]


class RecordPdfJob(Model):
    """A large record book's PDF, built by the worker (`flask record-books work`), not in a request.

    The PDF shows the notes its viewer may read, so a job belongs to one viewer and one race.
    `active_key` is set while the job waits or runs and cleared when it ends: being unique, it lets
    two requests for the same PDF start one job, even when they arrive at the same moment.
    """

    __tablename__ = "record_pdf_jobs"
    __table_args__ = (CheckConstraint("progress >= 0 AND total >= 0", name="progress_counts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id"), index=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[PdfJobStatus] = mapped_column(
        Enum(PdfJobStatus, native_enum=False, length=16), default=PdfJobStatus.queued, index=True
    )
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    progress: Mapped[int] = mapped_column(default=0)  # interviews written so far
    total: Mapped[int] = mapped_column(default=0)  # interviews to write
    error: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    race: Mapped[Race] = relationship()
    viewer: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        return 100 if self.status is PdfJobStatus.done else (100 * self.progress // self.total if self.total else 0)
