"""The commitments a union seeks in a race, and each candidate's position on them, with its source.

Staff list the commitments; staff or the race's panel record positions. A position is never edited:
recording a new one supersedes it, and both stay, with who recorded each and when. Once the race's
vote is final its record is locked, commitments included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from urllib.parse import urlsplit

from sqlalchemy import Integer, Select, bindparam, exists, func, or_, select

from interviews.audit.services import record
from interviews.auth.models import User
from interviews.extensions import db
from interviews.questionnaires.models import (
    Commitment,
    CommitmentPosition,
    PositionSource,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    Stance,
)
from interviews.races.models import Candidate, Race, race_panel
from interviews.scheduling.models import Interview, PanelSeat
from interviews.types import utcnow
from interviews.votes.models import Vote

TEXT_MAX = 500
QUOTE_MAX = 5_000
MAX_COMMITMENTS = 40


class CommitmentError(Exception):
    """A refused change; `field` names the form field it belongs to, when one does."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PositionInput:
    stance: Stance
    source: PositionSource
    source_date: date
    source_url: str = ""
    quote: str = ""


def _refuse_if_final(race: Race) -> None:
    # The vote's own model, read here: the record a final vote closes includes what candidates committed to.
    final = db.session.scalar(select(exists().where(Vote.race_id == race.id, Vote.decided_clause())))
    if final:
        raise CommitmentError("The vote on this race is final: its commitments record is locked.")


@cache
def _sits_on_a_panel_of_race() -> Select[tuple[bool]]:
    """Whether the user is on the race's default panel or on the panel of one of its interviews, in one
    statement built once per process (bound: `race_id`, `user_id`): the race page asks it for every leader."""
    race_id = bindparam("race_id", type_=Integer)
    user_id = bindparam("user_id", type_=Integer)
    default_panel = select(race_panel.c.user_id).where(race_panel.c.race_id == race_id, race_panel.c.user_id == user_id)
    seated = (
        select(PanelSeat.interview_id)
        .join(Interview, Interview.id == PanelSeat.interview_id)
        .where(Interview.race_id == race_id, PanelSeat.user_id == user_id)
    )
    return select(or_(exists(default_panel), exists(seated)))


def may_record_positions(user: User, race: Race) -> bool:
    """Staff, or a leader on the race's panel or on the panel of one of its interviews."""
    if user.is_staff:
        return True
    return bool(db.session.scalar(_sits_on_a_panel_of_race(), {"race_id": race.id, "user_id": user.id}))


def commitments_of(race: Race) -> list[Commitment]:
    return list(
        db.session.scalars(select(Commitment).where(Commitment.race_id == race.id).order_by(Commitment.position))
    )


def _question(race: Race, question_id: int | None) -> QuestionnaireQuestion | None:
    """A question of one of this race's questionnaire versions, or None; another race's is refused."""
    if not question_id:
        return None
    question = db.session.scalar(
        select(QuestionnaireQuestion)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireQuestion.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(QuestionnaireQuestion.id == question_id, Questionnaire.race_id == race.id)
    )
    if question is None:
        raise CommitmentError("Choose a question of this race's questionnaire, or none.", "question_id")
    return question


def _text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise CommitmentError("Say what the union asks of the candidates.", "text")
    if len(text) > TEXT_MAX:
        raise CommitmentError(f"At most {TEXT_MAX} characters.", "text")
    return text


def add_commitment(race: Race, *, text: str, question_id: int | None, actor: User) -> Commitment:
    _refuse_if_final(race)
    text = _text(text)
    question = _question(race, question_id)
    count = db.session.scalar(select(func.count()).where(Commitment.race_id == race.id)) or 0
    if count >= MAX_COMMITMENTS:
        raise CommitmentError(f"A race can list at most {MAX_COMMITMENTS} commitments.", "text")
    position = (db.session.scalar(select(func.max(Commitment.position)).where(Commitment.race_id == race.id)) or 0) + 1
    commitment = Commitment(race=race, position=position, text=text, question=question, created_by_id=actor.id)
    db.session.add(commitment)
    db.session.flush()
    record(
        "commitment.added",
        commitment,
        changes={"text": text, "question": question.position if question else None},
        summary=f"Commitment sought in {race.title}: {text}",
        actor=actor,
    )
    return commitment


def edit_commitment(commitment: Commitment, *, text: str, question_id: int | None, actor: User) -> Commitment:
    race = commitment.race
    _refuse_if_final(race)
    text = _text(text)
    question = _question(race, question_id)
    changes: dict[str, object] = {}
    if commitment.text != text:
        changes["text"] = [commitment.text, text]
        commitment.text = text
    if commitment.question_id != (question.id if question else None):
        changes["question"] = [
            commitment.question.position if commitment.question else None,
            question.position if question else None,
        ]
        commitment.question = question
    if changes:
        db.session.flush()
        record("commitment.edited", commitment, changes=changes, summary=f"Commitment edited: {text}", actor=actor)
    return commitment


def remove_commitment(commitment: Commitment, *, actor: User) -> None:
    """Only a commitment nobody has recorded a position on: positions are part of the record."""
    _refuse_if_final(commitment.race)
    if db.session.scalar(select(exists().where(CommitmentPosition.commitment_id == commitment.id))):
        raise CommitmentError("Positions have been recorded on this commitment, so it stays in the record.")
    record(
        "commitment.removed",
        commitment,
        changes={"text": commitment.text},
        summary=f"Commitment no longer sought in {commitment.race.title}: {commitment.text}",
        actor=actor,
    )
    db.session.delete(commitment)
    db.session.flush()


def clean_url(value: str) -> str:
    """An http(s) address, or ''. Anything else (javascript:, data:) could run in a reader's browser."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value or len(value) > 500:
        raise CommitmentError("Give a web address starting with https:// (at most 500 characters).", "source_url")
    return value


def record_position(
    commitment: Commitment, candidate: Candidate, data: PositionInput, *, actor: User
) -> CommitmentPosition:
    race = commitment.race
    _refuse_if_final(race)
    if candidate.race_id != race.id:
        raise CommitmentError("Choose a candidate of this race.", "candidate_id")
    if not may_record_positions(actor, race):
        raise CommitmentError("Only staff and the race's panel record candidates' positions.")
    today = utcnow().date()
    if data.source_date > today + timedelta(days=1) or data.source_date.year < 1900:
        raise CommitmentError("Give the date the candidate said it (not in the future).", "source_date")
    url = clean_url(data.source_url)
    quote = data.quote.replace("\r\n", "\n").strip()
    if len(quote) > QUOTE_MAX:
        raise CommitmentError(f"The quote can be at most {QUOTE_MAX:,} characters.", "quote")
    if not url and not quote and data.stance is not Stance.no_answer:
        raise CommitmentError("Give the source: a link, or a quote of what the candidate said.", "quote")
    position = CommitmentPosition(
        commitment=commitment,
        candidate=candidate,
        stance=data.stance,
        source=data.source,
        source_date=data.source_date,
        source_url=url,
        quote=quote,
        recorded_by=actor,
        recorded_at=utcnow(),
    )
    db.session.add(position)
    db.session.flush()
    record(
        "commitment.position_recorded",
        position,
        changes={
            "commitment": commitment.text,
            "candidate": candidate.name,
            "stance": data.stance,
            "source": data.source,
            "source_date": data.source_date,
            "source_url": url,
        },
        summary=f"{candidate.name}: {data.stance.label.lower()} on “{commitment.text}”",
        actor=actor,
    )
    return position
