"""The race record book: everything about a race, loaded in a fixed number of queries, as the viewer may see it.

The page, the PDF, the JSON and the CSV exports all read one `RecordBook`, so they cannot differ in
what they show a viewer: notes come from one query filtered by `visible_notes(viewer)`.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from interviews.auth.models import User
from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter
from interviews.notes.models import MemberPoll, Note, Question, QuestionList
from interviews.notes.polls import Chart, chart, share
from interviews.notes.services import is_locked
from interviews.notes.visibility import visible_notes
from interviews.races.models import Candidate, Race, Stage
from interviews.races.stages import stage_of
from interviews.scheduling.models import Interview, PanelSeat
from interviews.types import utcnow
from interviews.votes.chain import Link, chain_head
from interviews.votes.models import Vote, VoteStatus
from interviews.votes.rules import describe, rule_of_race


@dataclass
class RecordBook:
    race: Race
    viewer: User
    candidates: list[Candidate]
    letter: InvitationLetter | None
    invitations: list[Invitation]
    interviews: list[Interview]
    notes: dict[int, list[Note]]  # interview id -> notes the viewer may read
    question_lists: list[QuestionList]
    polls: list[MemberPoll]
    votes: list[Vote]
    locked: bool
    stage: Stage
    chain_head: Link | None = None  # the chain of final records as it stood when the book was made
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def digests(self) -> set[str]:
        return {i.content_digest for i in self.invitations}

    @property
    def same_text(self) -> bool:
        """The proof the ledger shows: every candidate's copy has the same SHA-256 digest."""
        return len(self.digests) == 1

    @property
    def rule_in_words(self) -> str:
        """The race's voting rule as the votes feature words it everywhere else."""
        return describe(rule_of_race(self.race))

    @property
    def note_count(self) -> int:
        return sum(len(n) for n in self.notes.values())

    @property
    def chart(self) -> Chart | None:
        return chart(self.polls, self.candidates)

    @property
    def final_vote(self) -> Vote | None:
        return next((v for v in self.votes if v.status is VoteStatus.final), None)


def load_record_book(race: Race, viewer: User) -> RecordBook:
    """Every query here is per race, never per interview or note: the count does not grow with the race."""
    candidates = list(
        db.session.scalars(select(Candidate).where(Candidate.race_id == race.id).order_by(Candidate.name))
    )
    letter = db.session.scalar(select(InvitationLetter).where(InvitationLetter.race_id == race.id))
    invitations = (
        list(
            db.session.scalars(
                select(Invitation).where(Invitation.letter_id == letter.id).order_by(Invitation.sent_at, Invitation.id)
            )
        )
        if letter
        else []
    )
    interviews = list(
        db.session.scalars(
            select(Interview)
            .where(Interview.race_id == race.id)
            .order_by(Interview.starts_at, Interview.id)
            .options(
                selectinload(Interview.panel_seats).selectinload(PanelSeat.user),
                selectinload(Interview.location),
                selectinload(Interview.question_list),
            )
        )
    )
    notes: dict[int, list[Note]] = defaultdict(list)
    for note in db.session.scalars(
        select(Note)
        .join(Interview, Interview.id == Note.interview_id)
        .outerjoin(Question, Question.id == Note.question_id)
        .where(Interview.race_id == race.id, visible_notes(viewer))
        # In the order the questions were asked, the general notes last.
        .order_by(Note.interview_id, Question.position.is_(None), Question.position, Note.created_at, Note.id)
        .options(selectinload(Note.author), selectinload(Note.question))
    ):
        notes[note.interview_id].append(note)
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
            .options(selectinload(MemberPoll.results))
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
        candidates=candidates,
        letter=letter,
        invitations=invitations,
        interviews=interviews,
        notes=notes,
        question_lists=question_lists,
        polls=polls,
        votes=votes,
        locked=any(v.status is VoteStatus.final for v in votes) or is_locked(race),
        stage=stage_of(race),
        chain_head=chain_head() if any(v.digest for v in votes) else None,
    )


# --- JSON ----------------------------------------------------------------------------------------


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


def as_json(book: RecordBook) -> dict[str, Any]:
    race = book.race
    candidate_names = {c.id: c.name for c in book.candidates}
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
        "candidates": [
            {"id": c.id, "name": c.name, "party": c.party, "incumbent": c.incumbent, "withdrawn": c.withdrawn}
            for c in book.candidates
        ],
        "invitation": None
        if book.letter is None
        else {
            "subject": book.letter.subject,
            "respond_by": _iso(book.letter.respond_by),
            "same_text_for_every_candidate": book.same_text,
            "digests": sorted(book.digests),
            "ledger": [
                {
                    "candidate": candidate_names.get(i.candidate_id, ""),
                    "status": i.status.value,
                    "content_digest": i.content_digest,
                    "sent_at": _iso(i.sent_at),
                    "opened_at": _iso(i.opened_at),
                    "answered_at": _iso(i.answered_at),
                }
                for i in book.invitations
            ],
        },
        "question_lists": [
            {
                "version": ql.version,
                "created_at": _iso(ql.created_at),
                "questions": [{"position": q.position, "topic": q.topic, "text": q.text} for q in ql.questions],
            }
            for ql in book.question_lists
        ],
        "interviews": [
            {
                "id": i.id,
                "candidate": candidate_names.get(i.candidate_id, ""),
                "starts_at": _iso(i.starts_at),
                "ends_at": _iso(i.ends_at),
                "timezone": i.timezone,
                "location": i.location.name if i.location else None,
                "status": i.status.value,
                "panel": [seat.user.name for seat in i.panel_seats],
                "question_list_version": i.question_list.version if i.question_list else None,
                "notes": [_note_dict(n) for n in book.notes.get(i.id, [])],
            }
            for i in book.interviews
        ],
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
                    {
                        "candidate": candidate_names.get(r.candidate_id, ""),
                        "value": str(r.value),
                        "share": str(share(p, r)),
                    }
                    for r in p.results
                ],
            }
            for p in book.polls
        ],
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


# --- CSV -----------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run: a leading =, +, - or @ would make it a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def interviews_csv(book: RecordBook) -> str:
    names = {c.id: c.name for c in book.candidates}
    return _csv(
        [
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
        ],
        (
            [
                i.id,
                names.get(i.candidate_id, ""),
                _iso(i.starts_at),
                _iso(i.ends_at),
                i.timezone,
                i.location.name if i.location else "",
                i.status.value,
                "; ".join(seat.user.name for seat in i.panel_seats),
                i.question_list.version if i.question_list else "",
                len(book.notes.get(i.id, [])),
            ]
            for i in book.interviews
        ),
    )


def notes_csv(book: RecordBook) -> str:
    names = {c.id: c.name for c in book.candidates}
    rows = []
    for interview in book.interviews:
        for note in book.notes.get(interview.id, []):
            q = note.question
            rows.append(
                [
                    note.id,
                    interview.id,
                    names.get(interview.candidate_id, ""),
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
            )
    return _csv(
        [
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
        ],
        rows,
    )
