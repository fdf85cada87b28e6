"""The questionnaire and commitments of a race as the record shows them, loaded in a fixed number of queries.

One query per kind of row and per race, never per candidate, answer or position, so the record book
costs the same whether ten campaigns answered or none. The record book's page, PDF, JSON and CSV,
the race page and the vote's page all read these objects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, case, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from interviews.auth.models import User
from interviews.database import read_rows
from interviews.extensions import db
from interviews.invitations.models import Invitation
from interviews.questionnaires.models import (
    Commitment,
    CommitmentPosition,
    PositionSource,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireResponse,
    QuestionnaireSection,
    QuestionnaireSubmission,
    QuestionnaireVersion,
    ResponseStatus,
    Stance,
)
from interviews.races.models import Candidate, Race
from interviews.races.stages import figures_of, race_figures


@dataclass
class Matrix:
    """Candidates × commitments: each cell the latest position recorded, with the earlier ones kept.

    Of objects (`load_matrix`: the record book, its exports, the commitments page), or of rows under the
    same names for what the matrix shows (`load_small_matrix`: the race page and the vote's page)."""

    candidates: list[Any]  # Candidate, or CandidateRow
    commitments: list[Any]  # Commitment, or a row of id, position, text
    positions: dict[tuple[int, int], list[Any]] = field(default_factory=dict)  # CommitmentPosition, or PositionRow

    def cell(self, candidate: Any, commitment: Any) -> Any | None:
        history = self.positions.get((candidate.id, commitment.id))
        return history[-1] if history else None

    def earlier(self, candidate: Any, commitment: Any) -> list[Any]:
        return self.positions.get((candidate.id, commitment.id), [])[:-1]

    def has_positions(self, commitment: Any) -> bool:
        return any(commitment_id == commitment.id for _, commitment_id in self.positions)

    @property
    def empty(self) -> bool:
        return not self.commitments


# The three reads below (of objects, for the record book and the commitments page) are built once per
# process (bound: `race_id`, `candidate_ids`): building them cost about as much as running them.


@cache
def _candidates_of_race() -> Select[tuple[Candidate]]:
    return (
        select(Candidate)
        .where(Candidate.race_id == bindparam("race_id", type_=Integer))
        .order_by(Candidate.name, Candidate.id)
    )


def _candidates(race: Race) -> list[Candidate]:
    return list(db.session.scalars(_candidates_of_race(), {"race_id": race.id}))


@cache
def _commitments_of_race() -> Select[tuple[Commitment]]:
    return (
        select(Commitment)
        .where(Commitment.race_id == bindparam("race_id", type_=Integer))
        .order_by(Commitment.position)
        .options(joinedload(Commitment.question))
    )


def _commitments(race: Race) -> list[Commitment]:
    return list(db.session.scalars(_commitments_of_race(), {"race_id": race.id}))


@cache
def _positions_of_candidates() -> Select[tuple[CommitmentPosition]]:
    return (
        select(CommitmentPosition)
        .join(Commitment, Commitment.id == CommitmentPosition.commitment_id)
        .where(
            Commitment.race_id == bindparam("race_id", type_=Integer),
            CommitmentPosition.candidate_id.in_(bindparam("candidate_ids", expanding=True)),
        )
        .order_by(CommitmentPosition.recorded_at, CommitmentPosition.id)
        .options(joinedload(CommitmentPosition.recorded_by))
    )


def _matrix(race: Race, candidates: list[Candidate], commitments: list[Commitment]) -> Matrix:
    positions: dict[tuple[int, int], list[CommitmentPosition]] = defaultdict(list)
    if commitments:
        for position in db.session.scalars(
            _positions_of_candidates(), {"race_id": race.id, "candidate_ids": [c.id for c in candidates]}
        ):
            positions[(position.candidate_id, position.commitment_id)].append(position)
    return Matrix(candidates, commitments, dict(positions))


def load_matrix(race: Race, candidates: list[Candidate] | None = None) -> Matrix:
    """At most five queries: the commitments (and their questions), the positions and who recorded them,
    the candidates unless given. Without commitments, one query."""
    commitments = _commitments(race)
    if not commitments:
        return Matrix([], [])
    return _matrix(race, _candidates(race) if candidates is None else candidates, commitments)


@dataclass(frozen=True, slots=True)
class Recorder:
    name: str


@dataclass(frozen=True, slots=True)
class PositionRow:
    """A position as the matrix shows it (the model's names, `recorded_by` only named)."""

    stance: Stance
    source: PositionSource
    source_date: date
    source_url: str
    quote: str
    recorded_at: datetime
    recorded_by: Recorder


@cache
def _small_matrix_reads() -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The small matrix's three reads, of plain rows, built once per process (bound: `race_id`, `limit`,
    `candidate_ids`): the race page and the vote's page read them on every visit."""
    race_id = bindparam("race_id", type_=Integer)
    commitments = (
        select(Commitment.id, Commitment.position, Commitment.text)
        .where(Commitment.race_id == race_id)
        .order_by(Commitment.position)
    )
    candidates = (
        select(Candidate.id, Candidate.name, Candidate.withdrawn_at.is_not(None).label("withdrawn"))
        .where(Candidate.race_id == race_id)
        .order_by(Candidate.name, Candidate.id)
        .limit(bindparam("limit", type_=Integer))
    )
    positions = (
        select(
            CommitmentPosition.candidate_id,
            CommitmentPosition.commitment_id,
            CommitmentPosition.stance,
            CommitmentPosition.source,
            CommitmentPosition.source_date,
            CommitmentPosition.source_url,
            CommitmentPosition.quote,
            CommitmentPosition.recorded_at,
            User.name.label("recorded_by_name"),
        )
        .join(Commitment, Commitment.id == CommitmentPosition.commitment_id)
        .join(User, User.id == CommitmentPosition.recorded_by_id)
        .where(
            Commitment.race_id == race_id,
            CommitmentPosition.candidate_id.in_(bindparam("candidate_ids", expanding=True)),
        )
        .order_by(CommitmentPosition.recorded_at, CommitmentPosition.id)
    )
    return commitments, candidates, positions


def load_small_matrix(race: Race, most: int) -> Matrix | None:
    """The matrix when the race has at most `most` candidates (at most three queries), else None:
    a page that shows a race at a glance keeps its size whatever the race's. Of plain rows: these pages
    only show it, and its objects cost them more than the rest of the questionnaire's part."""
    commitment_read, candidate_read, position_read = _small_matrix_reads()
    commitments = read_rows(commitment_read, {"race_id": race.id}).all()
    if not commitments:
        return Matrix([], [])
    candidates = read_rows(candidate_read, {"race_id": race.id, "limit": most + 1}).all()
    if len(candidates) > most:
        return None
    positions: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row in read_rows(position_read, {"race_id": race.id, "candidate_ids": [c.id for c in candidates]}):
        positions[(row.candidate_id, row.commitment_id)].append(
            PositionRow(
                row.stance,
                row.source,
                row.source_date,
                row.source_url,
                row.quote,
                row.recorded_at,
                Recorder(row.recorded_by_name),
            )
        )
    return Matrix(list(candidates), list(commitments), dict(positions))


@dataclass
class QuestionnaireRecord:
    race: Race
    questionnaire: Questionnaire | None
    versions: list[QuestionnaireVersion]
    candidates: list[Candidate]
    responses: dict[int, QuestionnaireResponse]  # candidate id -> that campaign's copy
    matrix: Matrix

    @property
    def exists(self) -> bool:
        return bool(self.versions)

    @property
    def latest(self) -> QuestionnaireVersion | None:
        return self.versions[-1] if self.versions else None

    def answered_with(self, version: QuestionnaireVersion) -> list[tuple[Candidate, QuestionnaireResponse]]:
        """The campaigns that received this version, in the candidates' order."""
        return [
            (c, self.responses[c.id])
            for c in self.candidates
            if c.id in self.responses and self.responses[c.id].version_id == version.id
        ]

    @staticmethod
    def late_changes(
        response: QuestionnaireResponse, question: QuestionnaireQuestion
    ) -> list[tuple[QuestionnaireSubmission, dict[str, Any] | None]]:
        """Each late submission after the recorded one that changed this answer, with the new answer."""
        changes = []
        previous = response.record_submission
        for late in response.late_submissions:
            answer = late.answers.get(question.key)
            if previous is None or (previous.answers.get(question.key) or {}) != (answer or {}):
                changes.append((late, answer))
            previous = late
        return changes

    @property
    def not_given(self) -> list[Candidate]:
        """Candidates whose campaign never received the questionnaire."""
        return [c for c in self.candidates if c.id not in self.responses]

    @property
    def given_versions(self) -> list[QuestionnaireVersion]:
        """The versions some campaign received (a version written but never sent is not in the record)."""
        given = {r.version_id for r in self.responses.values()}
        return [v for v in self.versions if v.id in given]


def load_record(race: Race, candidates: list[Candidate] | None = None) -> QuestionnaireRecord:
    """At most a dozen queries for a race, whatever the number of campaigns, answers and positions.

    A race with neither a questionnaire nor commitments costs two queries and loads no candidate.
    """
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.race_id == race.id))
    commitments = _commitments(race)
    if questionnaire is None and not commitments:
        return QuestionnaireRecord(race, None, [], [], {}, Matrix([], []))
    candidates = _candidates(race) if candidates is None else candidates
    versions: list[QuestionnaireVersion] = []
    responses: dict[int, QuestionnaireResponse] = {}
    if questionnaire is not None:
        versions = list(
            db.session.scalars(
                select(QuestionnaireVersion)
                .where(QuestionnaireVersion.questionnaire_id == questionnaire.id)
                .order_by(QuestionnaireVersion.version)
                .options(
                    selectinload(QuestionnaireVersion.sections).selectinload(QuestionnaireSection.questions),
                    selectinload(QuestionnaireVersion.questions),
                )
            )
        )
        rows = db.session.execute(
            select(QuestionnaireResponse, Invitation.candidate_id)
            .join(Invitation, Invitation.id == QuestionnaireResponse.invitation_id)
            .join(Candidate, Candidate.id == Invitation.candidate_id)
            .where(Candidate.race_id == race.id)
            .options(selectinload(QuestionnaireResponse.submissions))
        ).all()
        responses = {candidate_id: response for response, candidate_id in rows}
    return QuestionnaireRecord(
        race=race,
        questionnaire=questionnaire,
        versions=versions,
        candidates=candidates,
        responses=responses,
        matrix=_matrix(race, candidates, commitments),
    )


@cache
def _responses_of_candidates() -> Select[tuple[QuestionnaireResponse, int]]:
    """Built once per process (bound: `candidate_ids`): the ledger reads it on every visit."""
    return (
        select(QuestionnaireResponse, Invitation.candidate_id)
        .join(Invitation, Invitation.id == QuestionnaireResponse.invitation_id)
        .where(Invitation.candidate_id.in_(bindparam("candidate_ids", expanding=True)))
        .options(selectinload(QuestionnaireResponse.submissions), selectinload(QuestionnaireResponse.version))
    )


def responses_for(candidate_ids: list[int]) -> dict[int, QuestionnaireResponse]:
    """The campaigns' copies for these candidates (the ledger's page of them): three queries."""
    if not candidate_ids:
        return {}
    rows = db.session.execute(_responses_of_candidates(), {"candidate_ids": candidate_ids}).all()
    return {candidate_id: response for response, candidate_id in rows}


@dataclass(frozen=True, slots=True)
class QuestionnaireRow:
    id: int
    required_before_booking: bool


@dataclass(frozen=True, slots=True)
class VersionRow:
    """The latest version as the race page names it (the model's names; `frozen`: sent, its text fixed)."""

    title: str
    version: int
    frozen: bool
    respond_by: datetime
    timezone: str


@dataclass
class RaceSummary:
    """The questionnaire of a race in figures, for the race page, counted by the database: read with the
    race's facts, and the campaigns' statuses in one query more."""

    questionnaire: QuestionnaireRow | None
    latest: VersionRow | None
    counts: dict[str, int]  # status label -> campaigns
    given: int


@cache
def _status_counts() -> Select[tuple[str, int]]:
    """Campaigns per status of one questionnaire (bound as `questionnaire_id`). A campaign's status
    (QuestionnaireResponse.status) in SQL: its last submission late or not, else a draft saved, else not
    started. Built once per process: building it (an alias, a subquery, a CASE) cost 3 ms a race page,
    three times what running it costs."""
    questionnaire_id = bindparam("questionnaire_id", type_=Integer)
    last_number = (
        select(QuestionnaireSubmission.response_id, func.max(QuestionnaireSubmission.number).label("number"))
        .join(QuestionnaireResponse, QuestionnaireResponse.id == QuestionnaireSubmission.response_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireResponse.version_id)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)  # this race's, not every race's
        .group_by(QuestionnaireSubmission.response_id)
        .subquery()
    )
    last = aliased(QuestionnaireSubmission)
    status = case(
        (last.late.is_(True), ResponseStatus.late.value),
        (last.id.is_not(None), ResponseStatus.submitted.value),
        (QuestionnaireResponse.draft_saved_at.is_not(None), ResponseStatus.draft.value),
        else_=ResponseStatus.not_started.value,
    )
    return (
        select(status.label("status"), func.count().label("campaigns"))
        .select_from(QuestionnaireResponse)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireResponse.version_id)
        .outerjoin(last_number, last_number.c.response_id == QuestionnaireResponse.id)
        .outerjoin(last, and_(last.response_id == QuestionnaireResponse.id, last.number == last_number.c.number))
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .group_by(status)
    )


@race_figures
def _questionnaire_figures() -> tuple[Any, ...]:
    """The race's questionnaire and its latest version's fields (a questionnaire may have no version
    yet), read with the race's facts: the race page read them in a statement of their own. Each a
    subquery one level deep, correlated with the race's row."""
    of_race = Questionnaire.race_id == Race.id
    newest = (
        (
            select(column)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(of_race)
            .order_by(QuestionnaireVersion.version.desc())
            .limit(1)
            .scalar_subquery()
            .label(f"questionnaire_{column.key}")
        )
        for column in (
            QuestionnaireVersion.title,
            QuestionnaireVersion.version,
            QuestionnaireVersion.frozen_at,
            QuestionnaireVersion.respond_by,
            QuestionnaireVersion.timezone,
        )
    )
    return (
        select(Questionnaire.id).where(of_race).scalar_subquery().label("questionnaire_id"),
        select(Questionnaire.required_before_booking).where(of_race).scalar_subquery().label("questionnaire_required"),
        *newest,
    )


def race_summary(race: Race) -> RaceSummary:
    found = figures_of(race)
    if found.questionnaire_id is None:
        return RaceSummary(None, None, {}, 0)
    questionnaire = QuestionnaireRow(found.questionnaire_id, bool(found.questionnaire_required))
    latest = (
        VersionRow(
            found.questionnaire_title,
            found.questionnaire_version,
            found.questionnaire_frozen_at is not None,
            found.questionnaire_respond_by,
            found.questionnaire_timezone,
        )
        if found.questionnaire_version is not None
        else None
    )
    rows = read_rows(_status_counts(), {"questionnaire_id": questionnaire.id}).all()
    counts = {row.status: row.campaigns for row in rows}
    return RaceSummary(questionnaire, latest, counts, sum(counts.values()))
