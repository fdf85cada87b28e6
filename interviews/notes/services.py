"""The rules for question lists, notes, their revisions and drafts. Views call these and commit once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Integer, Select, bindparam, delete, exists, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from interviews.audit.services import record
from interviews.auth.models import User
from interviews.extensions import db
from interviews.notes.models import Note, NoteDraft, NoteRevision, Question, QuestionList, Visibility
from interviews.notes.visibility import can_read_visibility, may_write_notes, on_panel, visible_notes
from interviews.races.models import Race
from interviews.races.stages import figures_of, race_figures
from interviews.scheduling.models import Interview, PanelSeat
from interviews.types import utcnow
from interviews.votes.models import Vote


class NotesError(Exception):
    """A refused change, with a message for the person who asked."""


class RecordLocked(NotesError):
    def __init__(self) -> None:
        super().__init__("The vote on this race is final: its notes and question list are read-only.")


class StaleNote(NotesError):
    def __init__(self, note: Note) -> None:
        super().__init__(
            f"This note was saved elsewhere (version {note.version}, {note.updated_at:%H:%M} UTC) after you "
            "opened it. Your text is kept below: compare it with the saved version, then save again."
        )
        self.note = note


def is_locked(race: Race | int) -> bool:
    """Once the race's vote is final, nothing in its notes or question list changes."""
    race_id = race if isinstance(race, int) else race.id
    return bool(db.session.scalar(select(exists().where(Vote.race_id == race_id, Vote.decided_clause()))))


def _refuse_if_locked(race: Race | int) -> None:
    if is_locked(race):
        raise RecordLocked


# --- question lists -----------------------------------------------------------------------------


@cache
def _latest_question_list() -> Select[tuple[QuestionList]]:
    """The list and its questions in one query (SQLAlchemy applies the LIMIT to the lists, not the joined
    rows). Built once per process (bound: `race_id`): the race page reads it on every visit."""
    return (
        select(QuestionList)
        .where(QuestionList.race_id == bindparam("race_id", type_=Integer))
        .order_by(QuestionList.version.desc())
        .options(joinedload(QuestionList.questions))
        .limit(1)
    )


def latest_question_list(race: Race) -> QuestionList | None:
    return db.session.scalars(_latest_question_list(), {"race_id": race.id}).unique().first()


@race_figures
def _question_list_figures() -> tuple[Any, ...]:
    """The newest list's version and how many questions it has, read with the race's facts."""
    newest = aliased(QuestionList)
    # Correlated with the race's row by name: nested in `questions`, `latest` is not correlated of itself
    # and would take the newest version of any race's lists.
    latest = select(func.max(newest.version)).where(newest.race_id == Race.id).correlate(Race).scalar_subquery()
    questions = (
        select(func.count(Question.id))
        .join(QuestionList, QuestionList.id == Question.question_list_id)
        .where(QuestionList.race_id == Race.id, QuestionList.version == latest)
        .correlate(Race)
        .scalar_subquery()
    )
    return latest.label("notes_list_version"), questions.label("notes_list_questions")


@dataclass(frozen=True)
class ListFigures:
    version: int
    questions: int


def latest_list_figures(race: Race) -> ListFigures | None:
    """The race's latest question list as the race page names it: its `version` and how many
    `questions` it has, counted by the database and read with the race's facts; None before the first."""
    figures = figures_of(race)
    if figures.notes_list_version is None:
        return None
    return ListFigures(figures.notes_list_version, figures.notes_list_questions)


def question_lists(race: Race) -> Sequence[QuestionList]:
    """Every version, newest first."""
    return db.session.scalars(
        select(QuestionList)
        .where(QuestionList.race_id == race.id)
        .order_by(QuestionList.version.desc())
        .options(selectinload(QuestionList.questions), selectinload(QuestionList.created_by))
    ).all()


def questions_for(interview: Interview) -> QuestionList | None:
    """The list the interview used (recorded when it was booked), else the race's latest."""
    return interview.question_list or latest_question_list(interview.race)


@dataclass(frozen=True)
class QuestionInput:
    topic: str
    text: str


def save_question_list(race: Race, questions: Sequence[QuestionInput], *, actor: User) -> QuestionList:
    """Make a new version of the race's list. Old versions stay, as interviews may point at them."""
    _refuse_if_locked(race)
    questions = [QuestionInput(q.topic.strip(), q.text.strip()) for q in questions if q.text.strip()]
    if not questions:
        raise NotesError("A question list needs at least one question.")
    current = latest_question_list(race)
    if current and [(q.topic, q.text) for q in current.questions] == [(q.topic, q.text) for q in questions]:
        raise NotesError(f"Nothing changed: the list is the same as version {current.version}.")
    # The unique (race, version) constraint makes two simultaneous edits fail rather than share a number.
    version = (
        db.session.scalar(select(func.max(QuestionList.version)).where(QuestionList.race_id == race.id)) or 0
    ) + 1
    new = QuestionList(race_id=race.id, version=version, created_by=actor)
    new.questions = [Question(position=i, topic=q.topic, text=q.text) for i, q in enumerate(questions, start=1)]
    db.session.add(new)
    record(
        "question_list.saved",
        new,
        changes={"version": version, "questions": [f"{q.topic}: {q.text}" if q.topic else q.text for q in questions]},
        summary=f"Question list version {version} for {race.title}",
        actor=actor,
    )
    return new


# --- notes --------------------------------------------------------------------------------------


def get_visible_note(note_id: int, viewer: User) -> Note | None:
    return db.session.scalar(
        select(Note)
        .where(Note.id == note_id, visible_notes(viewer))
        .options(selectinload(Note.revisions).selectinload(NoteRevision.edited_by))
    )


def readable_revisions(note: Note, viewer: User) -> list[NoteRevision]:
    """A version written for a narrower audience stays with that audience, even if the note was opened up later."""
    if note.author_id == viewer.id:
        return list(note.revisions)
    seated = bool(db.session.scalar(select(on_panel(viewer, note.interview_id))))
    return [r for r in note.revisions if can_read_visibility(viewer, r.visibility, seated=seated)]


def notes_on(interview: Interview, viewer: User) -> Sequence[Note]:
    """The notes on an interview that the viewer may read, own first."""
    return db.session.scalars(
        select(Note)
        .where(Note.interview_id == interview.id, visible_notes(viewer))
        .options(selectinload(Note.author))
        .order_by(Note.created_at, Note.id)
    ).all()


def own_note(interview: Interview, author: User, question: Question | None, *, fresh: bool = False) -> Note | None:
    """The author's note; `fresh` re-reads it from the database even if this session loaded it before."""
    return db.session.scalar(
        select(Note)
        .where(
            Note.interview_id == interview.id,
            Note.author_id == author.id,
            Note.question_id.is_(None) if question is None else Note.question_id == question.id,
        )
        .execution_options(populate_existing=fresh)
    )


def _lock_seat(interview: Interview, author: User) -> None:
    """Serialise one author's saves on one interview (PostgreSQL row lock; SQLite writes are serial)."""
    seat = db.session.scalar(
        select(PanelSeat)
        .where(PanelSeat.interview_id == interview.id, PanelSeat.user_id == author.id)
        .with_for_update()
    )
    if seat is None:
        raise NotesError("Only the interview's panel members write notes on it.")


def save_note(
    interview: Interview,
    question: Question | None,
    *,
    body: str,
    visibility: Visibility,
    base_version: int,
    actor: User,
) -> Note:
    """Create or edit the actor's own note. `base_version` is the version the form was opened on (0: new).

    A save made from an older version is refused (StaleNote) so that no saved version is silently
    overwritten; every save is kept as a revision. Nobody writes a note for someone else.
    """
    author = actor
    _refuse_if_locked(interview.race_id)
    if not may_write_notes(author, interview):
        raise NotesError("Only the interview's panel members write notes on it.")
    limit = current_app.config["NOTE_MAX_LENGTH"]
    body = body.replace("\r\n", "\n")
    if len(body) > limit:
        raise NotesError(f"A note can be at most {limit:,} characters; this one has {len(body):,}.")
    if not body.strip():
        raise NotesError("The note is empty.")
    _lock_seat(interview, author)
    if question is not None and interview.question_list_id is None:
        # An interview booked before the race had a list: the list its first note answers is the one it used.
        interview.question_list_id = question.question_list_id
    # Read after taking the lock, and past anything this session loaded earlier: the version compared
    # below is the one committed by whoever saved last.
    note = own_note(interview, author, question, fresh=True)
    now = utcnow()
    if note is None:
        if base_version != 0:
            raise NotesError("This note no longer exists.")
        note = Note(
            interview=interview,
            author=author,
            question=question,
            body=body,
            visibility=visibility,
            version=1,
            created_at=now,
            updated_at=now,
            # Once the author has submitted on this interview, later notes count as submitted too.
            submitted_at=now if has_submitted(interview, author) else None,
        )
        db.session.add(note)
        action = "note.created"
        changes: dict[str, object] = {"visibility": visibility}
    else:
        if note.version != base_version:
            raise StaleNote(note)
        if note.body == body and note.visibility is visibility:
            return note
        changes = {"version": [note.version, note.version + 1]}
        if note.visibility is not visibility:
            changes["visibility"] = [note.visibility, visibility]
        note.version += 1
        note.body, note.visibility, note.updated_at = body, visibility, now
        action = "note.edited"
    note.revisions.append(
        NoteRevision(version=note.version, body=body, visibility=visibility, edited_by=author, edited_at=now)
    )
    discard_draft(interview, author, question)
    # The note's text stays out of the audit trail: the trail is read by staff, the note may not be.
    record(action, note, changes=changes, summary=f"Note on {interview.candidate.name}'s interview", actor=author)
    return note


def has_submitted(interview: Interview, author: User) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Note.interview_id == interview.id, Note.author_id == author.id, Note.submitted_at.is_not(None)
                )
            )
        )
    )


def submit_notes(interview: Interview, *, actor: User) -> int:
    """Mark the actor's own notes on the interview submitted (what hide-until-submitted waits for)."""
    author = actor
    _refuse_if_locked(interview.race_id)
    if not may_write_notes(author, interview):
        raise NotesError("Only the interview's panel members submit notes on it.")
    notes = db.session.scalars(
        select(Note).where(Note.interview_id == interview.id, Note.author_id == author.id, Note.submitted_at.is_(None))
    ).all()
    if not notes and not has_submitted(interview, author):
        raise NotesError("Write at least one note before submitting.")
    now = utcnow()
    for note in notes:
        note.submitted_at = now
    record(
        "notes.submitted",
        interview,
        changes={"notes": len(notes)},
        summary=f"Notes submitted on {interview.candidate.name}'s interview",
        actor=author,
    )
    return len(notes)


# --- drafts -------------------------------------------------------------------------------------


def _question_key(question: Question | None) -> int:
    return 0 if question is None else question.id


def get_draft(interview: Interview, author: User, question: Question | None) -> NoteDraft | None:
    return db.session.scalar(
        select(NoteDraft).where(
            NoteDraft.interview_id == interview.id,
            NoteDraft.author_id == author.id,
            NoteDraft.question_key == _question_key(question),
        )
    )


def save_draft(interview: Interview, question: Question | None, body: str, base_version: int, *, actor: User) -> None:
    """Keep what the actor is typing. Drafts are private to their author and not audited (not a record)."""
    author = actor
    _refuse_if_locked(interview.race_id)
    if not may_write_notes(author, interview):
        raise NotesError("Only the interview's panel members write notes on it.")
    limit = current_app.config["NOTE_MAX_LENGTH"]
    # A draft may run a little over the limit (the save will say so), but not without bound.
    body = body.replace("\r\n", "\n")[: limit * 2]
    draft = get_draft(interview, author, question)
    if draft is None:
        draft = NoteDraft(interview_id=interview.id, author_id=author.id, question_key=_question_key(question))
        db.session.add(draft)
    draft.body, draft.base_version, draft.updated_at = body, base_version, utcnow()


def discard_draft(interview: Interview, author: User, question: Question | None) -> None:
    db.session.execute(
        delete(NoteDraft).where(
            NoteDraft.interview_id == interview.id,
            NoteDraft.author_id == author.id,
            NoteDraft.question_key == _question_key(question),
        )
    )
