"""The race record book: everything about a race, as the viewer may see it, at any size.

The page, the PDF, the JSON and the CSV exports all read one `RecordBook` and the same loaders, so
they cannot differ in what they show a viewer: notes come from one query shape filtered by
`visible_notes(viewer)`.

A state federation's race can have thousands of candidates and interviews and a hundred thousand
notes, so nothing here loads a race's lists whole. `load_record_book` reads what is bounded (the
race, the letter, the question lists, the polls, the votes) and counts the rest in SQL; the page
then shows one page of the ledger and one page of interviews with their notes
(`ledger_page`, `interviews_page`), and the exports and the PDF walk the lists in batches
(`ledger_rows`, `interview_records`), so their memory stays flat whatever the size.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from interviews.auth.models import User
from interviews.decisions.record import DecisionRecord, decision_json, load_decision, stages_json
from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus
from interviews.notes.models import MemberPoll, Note, PollResult, Question, QuestionList
from interviews.notes.polls import Chart, chart, poll_field, share
from interviews.notes.services import is_locked
from interviews.notes.visibility import visible_notes
from interviews.pagination import Page, paginate
from interviews.questionnaires.exports import commitments_json, questionnaire_json
from interviews.questionnaires.record import QuestionnaireRecord
from interviews.questionnaires.record import load_record as load_questionnaire_record
from interviews.races.models import Candidate, Race, Stage
from interviews.races.stages import stage_of
from interviews.scheduling.models import Interview, PanelSeat
from interviews.spreadsheets import csv_lines
from interviews.types import utcnow
from interviews.votes.chain import Link, chain_head
from interviews.votes.models import Vote
from interviews.votes.rules import describe, rule_of_race

# Interviews (with their notes) on one page of the record book, and per batch in the exports.
INTERVIEWS_PER_PAGE = 20
BATCH = 200


@dataclass
class InterviewRecord:
    interview: Interview
    notes: list[Note]
    note_count: int  # the notes the viewer may read (loaded or only counted)


@dataclass
class LedgerLine:
    candidate: Candidate
    invitation: Invitation | None


@dataclass
class RecordBook:
    race: Race
    viewer: User
    letter: InvitationLetter | None
    digests: dict[str, int]  # content digest -> how many invitations carry it
    invitation_counts: dict[InvitationStatus, int]
    candidate_count: int
    interview_count: int
    note_count: int  # the notes this viewer may read
    question_lists: list[QuestionList]
    polls: list[MemberPoll]
    votes: list[Vote]
    locked: bool
    stage: Stage
    chain_head: Link | None = None  # the chain of final records as it stood when the book was made
    generated_at: datetime = field(default_factory=utcnow)
    # What the campaigns answered and the commitments each candidate made (interviews/questionnaires).
    questionnaire: QuestionnaireRecord | None = None
    # The decision path, stage by stage (interviews/decisions); None when one plain vote decides the race.
    decision: DecisionRecord | None = None

    @property
    def invitation_count(self) -> int:
        return sum(self.digests.values())

    @property
    def same_text(self) -> bool:
        """The proof the ledger shows: every candidate's copy has the same SHA-256 digest."""
        return len(self.digests) == 1

    @property
    def rule_in_words(self) -> str:
        """The race's voting rule as the votes feature words it everywhere else."""
        return describe(rule_of_race(self.race))

    @property
    def chart(self) -> Chart | None:
        return chart(self.polls, poll_field(self.polls))

    @property
    def final_vote(self) -> Vote | None:
        return next((v for v in self.votes if v.decides_race), None)


def load_record_book(race: Race, viewer: User) -> RecordBook:
    """The bounded parts of the book and the counts of the rest: a fixed number of queries."""
    letter = db.session.scalar(select(InvitationLetter).where(InvitationLetter.race_id == race.id))
    digests: dict[str, int] = {}
    invitation_counts: dict[InvitationStatus, int] = {}
    if letter is not None:
        for digest, status, n in db.session.execute(
            select(Invitation.content_digest, Invitation.status, func.count())
            .where(Invitation.letter_id == letter.id)
            .group_by(Invitation.content_digest, Invitation.status)
        ):
            digests[digest] = digests.get(digest, 0) + n
            invitation_counts[status] = invitation_counts.get(status, 0) + n
    candidate_count = db.session.scalar(select(func.count()).where(Candidate.race_id == race.id)) or 0
    interview_count = db.session.scalar(select(func.count()).where(Interview.race_id == race.id)) or 0
    note_count = (
        db.session.scalar(
            select(func.count())
            .select_from(Note)
            .join(Interview, Interview.id == Note.interview_id)
            .where(Interview.race_id == race.id, visible_notes(viewer))
        )
        or 0
    )
    question_lists = list(
        db.session.scalars(
            select(QuestionList)
            .where(QuestionList.race_id == race.id)
            .order_by(QuestionList.version.desc())
            .options(selectinload(QuestionList.questions), selectinload(QuestionList.created_by))
        )
    )
    polls = list(
        db.session.scalars(
            select(MemberPoll)
            .where(MemberPoll.race_id == race.id)
            .order_by(MemberPoll.closes_on, MemberPoll.id)
            .options(selectinload(MemberPoll.results).selectinload(PollResult.candidate))
        )
    )
    votes = list(
        db.session.scalars(
            select(Vote)
            .where(Vote.race_id == race.id)
            .order_by(Vote.held_on, Vote.id)
            .options(selectinload(Vote.publication))
        )
    )
    return RecordBook(
        race=race,
        viewer=viewer,
        letter=letter,
        digests=digests,
        invitation_counts={s: invitation_counts[s] for s in InvitationStatus if s in invitation_counts},
        candidate_count=candidate_count,
        interview_count=interview_count,
        note_count=note_count,
        question_lists=question_lists,
        polls=polls,
        votes=votes,
        locked=any(v.decides_race for v in votes) or is_locked(race),
        stage=stage_of(race),
        chain_head=chain_head() if any(v.digest for v in votes) else None,
        questionnaire=load_questionnaire_record(race),
        decision=load_decision(race),
    )


# --- the lists, a page or a batch at a time -----------------------------------------------------


def _ledger_stmt(book: RecordBook) -> Select[Any]:
    # A candidate has at most one invitation (one letter per race, one copy per candidate).
    return (
        select(Candidate, Invitation)
        .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
        .where(Candidate.race_id == book.race.id)
        .order_by(Candidate.name, Candidate.id)
    )


def ledger_page(book: RecordBook, *, arg: str = "candidates") -> Page[LedgerLine]:
    page = paginate(_ledger_stmt(book), arg=arg, scalars=False)
    lines = [LedgerLine(row[0], row[1]) for row in page.items]
    return Page(items=lines, number=page.number, per_page=page.per_page, total=page.total, arg=arg)


def ledger_rows(book: RecordBook) -> Iterator[LedgerLine]:
    """Every candidate with their invitation, read in batches (the exports and the PDF)."""
    for candidate, invitation in db.session.execute(_ledger_stmt(book).execution_options(yield_per=BATCH)):
        yield LedgerLine(candidate, invitation)


def _interviews_stmt(race: Race) -> Select[Any]:
    return (
        select(Interview)
        .where(Interview.race_id == race.id)
        .order_by(Interview.starts_at, Interview.id)
        .options(
            selectinload(Interview.candidate),
            selectinload(Interview.panel_seats).selectinload(PanelSeat.user),
            selectinload(Interview.location),
            selectinload(Interview.question_list),
        )
    )


def _notes_of(viewer: User, interviews: Sequence[Interview]) -> dict[int, list[Note]]:
    """The notes the viewer may read on these interviews, in the order the questions were asked."""
    notes: dict[int, list[Note]] = defaultdict(list)
    if not interviews:
        return notes
    for note in db.session.scalars(
        select(Note)
        .outerjoin(Question, Question.id == Note.question_id)
        .where(Note.interview_id.in_([i.id for i in interviews]), visible_notes(viewer))
        .order_by(Note.interview_id, Question.position.is_(None), Question.position, Note.created_at, Note.id)
        .options(selectinload(Note.author), selectinload(Note.question))
    ):
        notes[note.interview_id].append(note)
    return notes


def interviews_page(book: RecordBook, *, arg: str = "page") -> Page[InterviewRecord]:
    page = paginate(_interviews_stmt(book.race), arg=arg, per_page=INTERVIEWS_PER_PAGE)
    notes = _notes_of(book.viewer, page.items)
    records = [InterviewRecord(i, notes.get(i.id, []), len(notes.get(i.id, []))) for i in page.items]
    return Page(items=records, number=page.number, per_page=page.per_page, total=page.total, arg=arg)


def interview_records(book: RecordBook, *, with_notes: bool = True) -> Iterator[InterviewRecord]:
    """Every interview with the notes the viewer may read, a batch at a time: memory stays flat.

    Without notes, each record's `notes` is empty and only `note_count` is filled: the interviews
    CSV asks the database for the counts instead of loading bodies it would not print.
    """
    batch: list[Interview] = []
    for interview in db.session.scalars(_interviews_stmt(book.race).execution_options(yield_per=BATCH)):
        batch.append(interview)
        if len(batch) == BATCH:
            yield from _records(book, batch, with_notes)
            batch = []
    if batch:
        yield from _records(book, batch, with_notes)


def _records(book: RecordBook, batch: list[Interview], with_notes: bool) -> Iterator[InterviewRecord]:
    if with_notes:
        notes = _notes_of(book.viewer, batch)
        for interview in batch:
            mine = notes.get(interview.id, [])
            yield InterviewRecord(interview, mine, len(mine))
    else:
        counts = _note_counts(book.viewer, batch)
        for interview in batch:
            yield InterviewRecord(interview, [], counts.get(interview.id, 0))


def _note_counts(viewer: User, interviews: Sequence[Interview]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Note.interview_id, func.count())
            .where(Note.interview_id.in_([i.id for i in interviews]), visible_notes(viewer))
            .group_by(Note.interview_id)
        )
        .tuples()
        .all()
    )


# --- JSON, written as it is read ----------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _note_dict(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "author": note.author.name,
        "question": None
        if note.question is None
        else {"position": note.question.position, "topic": note.question.topic, "text": note.question.text},
        "visibility": note.visibility.value,
        "version": note.version,
        "body": note.body,
        "created_at": _iso(note.created_at),
        "updated_at": _iso(note.updated_at),
        "submitted_at": _iso(note.submitted_at),
    }


def _interview_dict(record: InterviewRecord) -> dict[str, Any]:
    i = record.interview
    return {
        "id": i.id,
        "candidate": i.candidate.name,
        "starts_at": _iso(i.starts_at),
        "ends_at": _iso(i.ends_at),
        "timezone": i.timezone,
        "location": i.location.name if i.location else None,
        "status": i.status.value,
        "panel": [seat.user.name for seat in i.panel_seats],
        "question_list_version": i.question_list.version if i.question_list else None,
        "notes": [_note_dict(n) for n in record.notes],
    }


def as_json(book: RecordBook) -> dict[str, Any]:
    """The record as one JSON document. Its long lists are iterators: `json_chunks` streams them."""
    race = book.race
    final = book.final_vote
    return {
        "generated_at": _iso(book.generated_at),
        "generated_for": book.viewer.name,
        "race": {
            "id": race.id,
            "title": race.title,
            "office": race.office,
            "jurisdiction": race.jurisdiction,
            "election_date": _iso(race.election_date),
            "stage": book.stage.value,
            "rule": {
                "threshold": f"{'at least' if race.threshold_inclusive else 'more than'} "
                f"{race.threshold_numerator}/{race.threshold_denominator}",
                "base": race.vote_base.value,
                "weighted": race.weighted,
                "secret_ballot": race.secret_ballot,
                "in_words": book.rule_in_words,
            },
            "hide_notes_until_submitted": race.hide_notes_until_submitted,
            "locked": book.locked,
        },
        "candidates": (
            {
                "id": line.candidate.id,
                "name": line.candidate.name,
                "party": line.candidate.party,
                "incumbent": line.candidate.incumbent,
                "withdrawn": line.candidate.withdrawn,
            }
            for line in ledger_rows(book)
        ),
        "invitation": None
        if book.letter is None
        else {
            "subject": book.letter.subject,
            "respond_by": _iso(book.letter.respond_by),
            "same_text_for_every_candidate": book.same_text,
            "digests": sorted(book.digests),
            "ledger": (
                {
                    "candidate": line.candidate.name,
                    "status": line.invitation.status.value,
                    "content_digest": line.invitation.content_digest,
                    "sent_at": _iso(line.invitation.sent_at),
                    "opened_at": _iso(line.invitation.opened_at),
                    "answered_at": _iso(line.invitation.answered_at),
                }
                for line in ledger_rows(book)
                if line.invitation is not None
            ),
        },
        "question_lists": [
            {
                "version": ql.version,
                "created_at": _iso(ql.created_at),
                "questions": [{"position": q.position, "topic": q.topic, "text": q.text} for q in ql.questions],
            }
            for ql in book.question_lists
        ],
        "interviews": (_interview_dict(record) for record in interview_records(book)),
        "polls": [
            {
                "title": p.title,
                "method": p.method.value,
                "opens_on": _iso(p.opens_on),
                "closes_on": _iso(p.closes_on),
                "sample_size": p.sample_size,
                "overseen_by": p.overseen_by,
                "result_kind": p.result_kind.value,
                "results": [
                    {"candidate": r.candidate.name, "value": str(r.value), "share": str(share(p, r))} for r in p.results
                ],
            }
            for p in book.polls
        ],
        "questionnaire": questionnaire_json(book.questionnaire) if book.questionnaire else None,
        "commitments": commitments_json(book.questionnaire.matrix) if book.questionnaire else None,
        "decision": decision_json(book.decision),
        "stages": stages_json(book.decision) if book.decision else [],
        "vote": None
        if final is None
        else {
            "held_on": _iso(final.held_on),
            "outcome": final.outcome,
            "result": final.result_text,
            "digest": final.digest,
            "finalised_at": _iso(final.finalised_at),
            "chain_position": final.chain_position,
            "previous_digest": final.previous_digest,
            "publication": None
            if final.publication is None
            else {
                "published_at": _iso(final.publication.published_at),
                "statement": final.publication.statement,
                "chain_position": final.publication.chain_position,
                "digest": final.publication.digest,
            },
            "chain_head": None
            if book.chain_head is None
            else {"position": book.chain_head.position, "digest": book.chain_head.digest},
        },
    }


def json_chunks(value: Any) -> Iterator[str]:
    """JSON text for `value`, piece by piece: a generator inside it becomes an array written as
    its items are read, so a race of any size is never held in memory as one document."""
    if isinstance(value, dict):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield ("," if n else "") + json.dumps(str(key)) + ":"
            yield from json_chunks(item)
        yield "}"
    elif isinstance(value, Iterator):
        yield "["
        for n, item in enumerate(value):
            if n:
                yield ","
            yield from json_chunks(item)
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False)


# --- CSV, a row at a time ------------------------------------------------------------------------


INTERVIEWS_CSV_HEADER = [
    "interview_id",
    "candidate",
    "starts_at_utc",
    "ends_at_utc",
    "timezone",
    "location",
    "status",
    "panel",
    "question_list_version",
    "notes_you_can_read",
]

NOTES_CSV_HEADER = [
    "note_id",
    "interview_id",
    "candidate",
    "interview_starts_at_utc",
    "author",
    "question_number",
    "topic",
    "question",
    "visibility",
    "version",
    "updated_at_utc",
    "submitted_at_utc",
    "body",
]


def interviews_csv(book: RecordBook) -> Iterator[str]:
    return csv_lines(
        INTERVIEWS_CSV_HEADER,
        (
            [
                r.interview.id,
                r.interview.candidate.name,
                _iso(r.interview.starts_at),
                _iso(r.interview.ends_at),
                r.interview.timezone,
                r.interview.location.name if r.interview.location else "",
                r.interview.status.value,
                "; ".join(seat.user.name for seat in r.interview.panel_seats),
                r.interview.question_list.version if r.interview.question_list else "",
                r.note_count,
            ]
            for r in interview_records(book, with_notes=False)
        ),
    )


def _note_rows(book: RecordBook) -> Iterator[list[Any]]:
    for record in interview_records(book):
        interview = record.interview
        for note in record.notes:
            q = note.question
            yield [
                note.id,
                interview.id,
                interview.candidate.name,
                _iso(interview.starts_at),
                note.author.name,
                q.position if q else "",
                q.topic if q else "",
                q.text if q else "General note",
                note.visibility.value,
                note.version,
                _iso(note.updated_at),
                _iso(note.submitted_at),
                note.body,
            ]


def notes_csv(book: RecordBook) -> Iterator[str]:
    return csv_lines(NOTES_CSV_HEADER, _note_rows(book))
