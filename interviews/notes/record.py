"""The race record book: everything about a race, as the viewer may see it, at any size.

The page, the PDF, the JSON and the CSV exports cannot differ in what they show a viewer: notes
always come filtered by `visible_notes(viewer)`, in the same order. The page, the PDF and the JSON
read one `RecordBook`; the CSVs need only the race and the viewer.

A state federation's race can have thousands of candidates and interviews and a hundred thousand
notes, so nothing here loads a race's lists whole. `load_record_book` reads what is bounded (the
race, the letter, the question lists, the polls, the votes) and counts the rest in SQL; the page
then shows one page of the ledger and one page of interviews with their notes
(`ledger_page`, `interviews_page`), and the PDF walks the lists in batches (`ledger_rows`,
`interview_records`), so its memory stays flat whatever the size. The JSON and CSV exports read
plain rows instead of objects: the same filter and order, a few streamed queries merged as they
are read (see "the exports' rows" below).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from interviews.auth.models import User
from interviews.decisions.record import DecisionRecord, decision_json, load_decision, stages_json
from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus
from interviews.notes.models import MemberPoll, Note, PollResult, Question, QuestionList
from interviews.notes.polls import Chart, chart, poll_field, share
from interviews.notes.visibility import visible_notes
from interviews.pagination import Page, count_up_to, paginate
from interviews.questionnaires.exports import commitments_json, questionnaire_json
from interviews.questionnaires.record import QuestionnaireRecord
from interviews.questionnaires.record import load_record as load_questionnaire_record
from interviews.races.models import Candidate, Race, Stage
from interviews.races.stages import facts_of
from interviews.scheduling.models import Interview, Location, PanelSeat
from interviews.spreadsheets import safe_cell
from interviews.types import utcnow
from interviews.votes.chain import Link, chain_head
from interviews.votes.models import Vote
from interviews.votes.rules import describe, rule_of_race

# Interviews (with their notes) on one page of the record book, and per batch in the exports.
INTERVIEWS_PER_PAGE = 20
BATCH = 200
# The book counts the notes a viewer may read up to this many (the page then says "more than"): the
# count of a big race's twenty thousand, each through the visibility rule, cost more than the page.
NOTES_COUNTED = 1000


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
    note_count: int  # the notes this viewer may read, counted up to NOTES_COUNTED
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
    note_count_at_least: bool = False  # more notes than `note_count` may be read

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
    candidate_count, interview_count = db.session.execute(
        select(
            select(func.count()).where(Candidate.race_id == race.id).scalar_subquery(),
            select(func.count()).where(Interview.race_id == race.id).scalar_subquery(),
        )
    ).one()
    # Enough to say "more than" and to tell a PDF built at once from one built in the background.
    note_count, more_notes = count_up_to(
        select(Note.id)
        .join(Interview, Interview.id == Note.interview_id)
        .where(Interview.race_id == race.id, visible_notes(viewer)),
        max(NOTES_COUNTED, current_app.config["RECORD_PDF_AT_ONCE_MAX_NOTES"]),
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
    facts = facts_of(race)
    return RecordBook(
        race=race,
        viewer=viewer,
        letter=letter,
        digests=digests,
        invitation_counts={s: invitation_counts[s] for s in InvitationStatus if s in invitation_counts},
        candidate_count=candidate_count,
        interview_count=interview_count,
        note_count=note_count,
        note_count_at_least=more_notes,
        question_lists=question_lists,
        polls=polls,
        votes=votes,
        locked=any(v.decides_race for v in votes) or facts.decided,
        stage=facts.stage,
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
            # Many-to-one joined into the interviews' query; the seats (one-to-many) in one more.
            joinedload(Interview.candidate),
            joinedload(Interview.location),
            joinedload(Interview.question_list),
            selectinload(Interview.panel_seats).joinedload(PanelSeat.user),
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
        .options(joinedload(Note.author), contains_eager(Note.question))
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


# --- the exports' rows: plain tuples, streamed, merged in one pass ---------------------------------
#
# The exports read every interview of a race with its panel and notes. ORM objects (and a query per
# batch for their notes) cost more than writing the file, so the exports read plain rows: one
# streamed query each for the interviews, their panels and the viewer's notes, all in the same order
# (the interviews' start, then id), merged as they are read. Memory stays flat at any size.

STREAM_BATCH = 1000


def _streamed(stmt: Select[Any]) -> Iterator[Any]:
    """Rows from a database cursor (server-side on PostgreSQL), a batch at a time."""
    yield from db.session.execute(stmt.execution_options(yield_per=STREAM_BATCH))


def _follower(rows: Iterator[Any]) -> Callable[[int], list[Any]]:
    """`take(interview_id)`: the rows of that interview from a stream ordered as the interviews are.

    Each row's first column is its interview's id; interviews without rows get [].
    """
    groups = groupby(rows, key=itemgetter(0))
    pending = next(groups, None)

    def take(interview_id: int) -> list[Any]:
        nonlocal pending
        if pending is None or pending[0] != interview_id:
            return []
        taken = list(pending[1])
        pending = next(groups, None)
        return taken

    return take


def _panel_names(race: Race) -> Callable[[int], list[Any]]:
    """Each interview's panel, by seat (as Interview.panel_seats orders it)."""
    return _follower(
        _streamed(
            select(PanelSeat.interview_id, User.name)
            .join(Interview, Interview.id == PanelSeat.interview_id)
            .join(User, User.id == PanelSeat.user_id)
            .where(Interview.race_id == race.id)
            .order_by(Interview.starts_at, Interview.id, PanelSeat.id)
        )
    )


def _interviews_of(race: Race, *columns: Any) -> Select[Any]:
    """The race's interviews as rows (id first), in the record book's order."""
    return (
        select(
            Interview.id,
            Candidate.name,
            Interview.starts_at,
            Interview.ends_at,
            Interview.timezone,
            Location.name,
            Interview.status,
            QuestionList.version,
            *columns,
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Location, Location.id == Interview.location_id)
        .outerjoin(QuestionList, QuestionList.id == Interview.question_list_id)
        .where(Interview.race_id == race.id)
        .order_by(Interview.starts_at, Interview.id)
    )


def _note_rows_stmt(race: Race, viewer: User, *columns: Any) -> Select[Any]:
    """The notes the viewer may read in the race, by interview, in the order the questions were asked."""
    return (
        select(
            Note.interview_id,
            Note.id,
            User.name,
            Question.id,
            Question.position,
            Question.topic,
            Question.text,
            Note.visibility,
            Note.version,
            Note.body,
            Note.created_at,
            Note.updated_at,
            Note.submitted_at,
            *columns,
        )
        .join(Interview, Interview.id == Note.interview_id)
        .join(User, User.id == Note.author_id)
        .outerjoin(Question, Question.id == Note.question_id)
        .where(Interview.race_id == race.id, visible_notes(viewer))
        .order_by(
            Interview.starts_at,
            Interview.id,
            Question.position.is_(None),
            Question.position,
            Note.created_at,
            Note.id,
        )
    )


# --- JSON, written as it is read ----------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# json.dumps(value, ensure_ascii=False) builds an encoder on every call; this is the same encoder, built once.
_encode = json.JSONEncoder(ensure_ascii=False).encode


class RawJSON(str):
    """JSON text already written (an item of a streamed list): `json_chunks` copies it as it is."""


def _members(**values: Any) -> RawJSON:
    """An object as `json_chunks` writes a dict: no spaces between members, each value as json.dumps writes it."""
    return RawJSON("{" + ",".join(f'"{key}":{_encode(value)}' for key, value in values.items()) + "}")


def _candidate_items(book: RecordBook) -> Iterator[RawJSON]:
    # The ledger's join (a candidate has at most one invitation), so the list is the ledger's.
    for _id, name, party, incumbent, withdrawn_at in _streamed(
        select(Candidate.id, Candidate.name, Candidate.party, Candidate.incumbent, Candidate.withdrawn_at)
        .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
        .where(Candidate.race_id == book.race.id)
        .order_by(Candidate.name, Candidate.id)
    ):
        yield _members(id=_id, name=name, party=party, incumbent=incumbent, withdrawn=withdrawn_at is not None)


def _ledger_items(book: RecordBook) -> Iterator[RawJSON]:
    for name, status, digest, sent_at, opened_at, answered_at in _streamed(
        select(
            Candidate.name,
            Invitation.status,
            Invitation.content_digest,
            Invitation.sent_at,
            Invitation.opened_at,
            Invitation.answered_at,
        )
        .join(Invitation, Invitation.candidate_id == Candidate.id)
        .where(Candidate.race_id == book.race.id)
        .order_by(Candidate.name, Candidate.id)
    ):
        yield _members(
            candidate=name,
            status=status.value,
            content_digest=digest,
            sent_at=_iso(sent_at),
            opened_at=_iso(opened_at),
            answered_at=_iso(answered_at),
        )


def _note_json(row: Any) -> dict[str, Any]:
    _, note_id, author, question_id, position, topic, text, visibility, version, body, created, updated, submitted = row
    return {
        "id": note_id,
        "author": author,
        "question": None if question_id is None else {"position": position, "topic": topic, "text": text},
        "visibility": visibility.value,
        "version": version,
        "body": body,
        "created_at": _iso(created),
        "updated_at": _iso(updated),
        "submitted_at": _iso(submitted),
    }


def _interview_items(book: RecordBook) -> Iterator[RawJSON]:
    """Every interview with its panel and the notes the viewer may read: three streams, merged."""
    panel = _panel_names(book.race)
    notes = _follower(_streamed(_note_rows_stmt(book.race, book.viewer)))
    for interview_id, candidate, starts_at, ends_at, timezone, location, status, version in _streamed(
        _interviews_of(book.race)
    ):
        yield _members(
            id=interview_id,
            candidate=candidate,
            starts_at=_iso(starts_at),
            ends_at=_iso(ends_at),
            timezone=timezone,
            location=location,
            status=status.value,
            panel=[name for _, name in panel(interview_id)],
            question_list_version=version,
            notes=[_note_json(row) for row in notes(interview_id)],
        )


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
        "candidates": _candidate_items(book),
        "invitation": None
        if book.letter is None
        else {
            "subject": book.letter.subject,
            "respond_by": _iso(book.letter.respond_by),
            "same_text_for_every_candidate": book.same_text,
            "digests": sorted(book.digests),
            "ledger": _ledger_items(book),
        },
        "question_lists": [
            {
                "version": ql.version,
                "created_at": _iso(ql.created_at),
                "questions": [{"position": q.position, "topic": q.topic, "text": q.text} for q in ql.questions],
            }
            for ql in book.question_lists
        ],
        "interviews": _interview_items(book),
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


# Items of a streamed list written per response chunk: fewer, larger chunks for the server to send.
ITEMS_PER_CHUNK = 100


def json_chunks(value: Any) -> Iterator[str]:
    """JSON text for `value`, piece by piece: a generator inside it becomes an array written as
    its items are read, so a race of any size is never held in memory as one document."""
    if isinstance(value, RawJSON):
        yield value
    elif isinstance(value, dict):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield ("," if n else "") + json.dumps(str(key)) + ":"
            yield from json_chunks(item)
        yield "}"
    elif isinstance(value, Iterator):
        yield "["
        pieces: list[str] = []
        for n, item in enumerate(value):
            if n:
                pieces.append(",")
            pieces.extend(json_chunks(item))
            if len(pieces) >= 2 * ITEMS_PER_CHUNK:
                yield "".join(pieces)
                pieces = []
        pieces.append("]")
        yield "".join(pieces)
    else:
        yield _encode(value)


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

ROWS_PER_CHUNK = 500


def _csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """What `csv_lines` writes (every cell already guarded by `safe_cell`), a few hundred rows per chunk."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % ROWS_PER_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def interviews_csv(race: Race, viewer: User) -> Iterator[str]:
    """Every interview of the race, with its panel and how many of its notes the viewer may read."""
    readable = (
        select(Note.interview_id, func.count().label("notes"))
        .join(Interview, Interview.id == Note.interview_id)
        .where(Interview.race_id == race.id, visible_notes(viewer))
        .group_by(Note.interview_id)
        .subquery()
    )
    panel = _panel_names(race)
    interviews = _interviews_of(race, readable.c.notes).outerjoin(readable, readable.c.interview_id == Interview.id)
    rows = (
        [
            safe_cell(interview_id),
            safe_cell(candidate),
            _iso(starts_at),
            _iso(ends_at),
            safe_cell(timezone),
            safe_cell(location),
            status.value,
            safe_cell("; ".join(name for _, name in panel(interview_id))),
            safe_cell(version),
            safe_cell(notes or 0),
        ]
        for interview_id, candidate, starts_at, ends_at, timezone, location, status, version, notes in _streamed(
            interviews
        )
    )
    # A generator: nothing is read before the response streams (the request's transaction ends at return).
    yield from _csv_chunks(INTERVIEWS_CSV_HEADER, rows)


def notes_csv(race: Race, viewer: User) -> Iterator[str]:
    """Every note of the race the viewer may read, one row each, with its interview and question."""
    stmt = _note_rows_stmt(race, viewer, Candidate.name, Interview.starts_at).join(
        Candidate, Candidate.id == Interview.candidate_id
    )
    rows = (
        [
            safe_cell(note_id),
            safe_cell(interview_id),
            safe_cell(candidate),
            _iso(starts_at),
            safe_cell(author),
            "" if question_id is None else safe_cell(position),
            "" if question_id is None else safe_cell(topic),
            "General note" if question_id is None else safe_cell(text),
            visibility.value,
            safe_cell(version),
            _iso(updated),
            _iso(submitted),
            safe_cell(body),
        ]
        for (
            interview_id,
            note_id,
            author,
            question_id,
            position,
            topic,
            text,
            visibility,
            version,
            body,
            _created,
            updated,
            submitted,
            candidate,
            starts_at,
        ) in _streamed(stmt)
    )
    return _csv_chunks(NOTES_CSV_HEADER, rows)
