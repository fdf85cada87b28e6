"""The questionnaire's part of the record book's exports: the JSON keys and the answers CSV.

Built from a loaded QuestionnaireRecord (record.py): no query here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interviews.questionnaires.content import answer_words, explanation_of, format_number
from interviews.questionnaires.models import (
    QuestionnaireQuestion,
    QuestionnaireResponse,
    QuestionnaireSubmission,
    QuestionnaireVersion,
)
from interviews.questionnaires.record import Matrix, QuestionnaireRecord


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _question_json(q: QuestionnaireQuestion) -> dict[str, Any]:
    return {
        "number": q.position,
        "section": q.section.title,
        "kind": q.kind.value,
        "text": q.text,
        "help": q.help,
        "required": q.required,
        "choices": list(q.choices or []),
        "min": format_number(q.min_value) or None,
        "max": format_number(q.max_value) or None,
    }


def _submission_json(version: QuestionnaireVersion, s: QuestionnaireSubmission, role: str) -> dict[str, Any]:
    return {
        "number": s.number,
        "submitted_at": _iso(s.submitted_at),
        "late": s.late,
        "in_record": role,
        "digest": s.digest,
        "answers": [
            {
                "question": q.position,
                "answer": answer_words(q, s.answers.get(q.key)),
                "value": (s.answers.get(q.key) or {}).get("value"),
                "explanation": explanation_of(s.answers.get(q.key)),
            }
            for q in version.questions
        ],
    }


def submission_role(response: QuestionnaireResponse, submission: QuestionnaireSubmission) -> str:
    """'final' (the answers the record counts), 'late' (sent after the deadline), or 'earlier' (amended since)."""
    if submission is response.record_submission:
        return "final"
    return "late" if submission.late else "earlier"


def questionnaire_json(record: QuestionnaireRecord) -> dict[str, Any] | None:
    if not record.exists:
        return None
    versions = {v.id: v for v in record.versions}
    settings = record.questionnaire
    return {
        "required_before_booking": settings.required_before_booking if settings else False,
        "accept_late": settings.accept_late if settings else False,
        "versions": [
            {
                "version": v.version,
                "title": v.title,
                "respond_by": _iso(v.respond_by),
                "timezone": v.timezone,
                "frozen_at": _iso(v.frozen_at),
                "digest": v.digest or None,
                "questions": [_question_json(q) for q in v.questions],
            }
            for v in record.versions
        ],
        "responses": [
            {
                "candidate": c.name,
                "version": versions[r.version_id].version,
                "digest": r.digest,
                "issued_at": _iso(r.issued_at),
                "status": r.status.value,
                "submissions": [
                    _submission_json(versions[r.version_id], s, submission_role(r, s)) for s in r.submissions
                ],
            }
            for c in record.candidates
            if (r := record.responses.get(c.id)) is not None
        ],
    }


def commitments_json(matrix: Matrix) -> dict[str, Any]:
    return {
        "commitments": [
            {"number": c.position, "text": c.text, "question": c.question.position if c.question else None}
            for c in matrix.commitments
        ],
        "positions": [
            {
                "candidate": candidate.name,
                "commitment": commitment.position,
                "stance": p.stance.value,
                "source": p.source.value,
                "source_date": p.source_date.isoformat(),
                "source_url": p.source_url or None,
                "quote": p.quote or None,
                "recorded_by": p.recorded_by.name,
                "recorded_at": _iso(p.recorded_at),
                "current": p is matrix.cell(candidate, commitment),
            }
            for candidate in matrix.candidates
            for commitment in matrix.commitments
            for p in matrix.positions.get((candidate.id, commitment.id), [])
        ],
    }


ANSWERS_CSV_HEADER = [
    "candidate",
    "questionnaire_version",
    "version_digest",
    "submission",
    "submitted_at_utc",
    "late",
    "in_record",
    "question_number",
    "section",
    "question",
    "answer",
    "explanation",
]


def answers_rows(record: QuestionnaireRecord) -> list[list[Any]]:
    """One row per answer of every submission; the caller writes them through the record book's formula guard."""
    versions = {v.id: v for v in record.versions}
    rows: list[list[Any]] = []
    for candidate in record.candidates:
        response = record.responses.get(candidate.id)
        if response is None:
            continue
        version = versions[response.version_id]
        for submission in response.submissions:
            role = submission_role(response, submission)
            for q in version.questions:
                answer = submission.answers.get(q.key)
                rows.append(
                    [
                        candidate.name,
                        version.version,
                        response.digest,
                        submission.number,
                        _iso(submission.submitted_at),
                        "yes" if submission.late else "no",
                        role,
                        q.position,
                        q.section.title,
                        q.text,
                        answer_words(q, answer),
                        explanation_of(answer),
                    ]
                )
    return rows
