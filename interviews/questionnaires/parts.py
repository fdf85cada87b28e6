"""What the questionnaire adds to other features' pages: the race page, the record book, the vote's page.

Each part loads its own rows in a fixed number of queries (see record.py) and renders one template.
"""

from __future__ import annotations

from typing import Any

from interviews.auth.models import User
from interviews.pagination import PER_PAGE
from interviews.questionnaires.commitments import may_record_positions
from interviews.questionnaires.content import answer_words, explanation_of
from interviews.questionnaires.models import QuestionKind, ResponseStatus
from interviews.questionnaires.record import (
    QuestionnaireRecord,
    load_record,
    load_small_matrix,
    race_summary,
)
from interviews.races.models import Race
from interviews.sections import render_part, section
from interviews.votes.models import Vote


@section("race", order=30)
def race_part(race: Race, viewer: object) -> str | None:
    if race is None or not isinstance(viewer, User):
        return None
    return render_part(
        "questionnaires/_race_section.html",
        race=race,
        summary=race_summary(race),
        # A race of more candidates than a page shows its positions on the commitments page only.
        matrix=load_small_matrix(race, most=PER_PAGE),
        statuses=list(ResponseStatus),
        is_staff=viewer.is_staff,
        may_record=may_record_positions(viewer, race),
    )


@section("record_book_positions", order=50)
def record_book_part(book: Any, viewer: object) -> str | None:
    """The record book hands over the book it loaded; its `questionnaire` is this feature's record."""
    if book is None or not isinstance(viewer, User):
        return None
    record = getattr(book, "questionnaire", None)
    if not isinstance(record, QuestionnaireRecord):
        race = getattr(book, "race", book)
        if not isinstance(race, Race):
            return None
        record = load_record(race)
    return render_part(
        "questionnaires/_record_book_section.html",
        record=record,
        race=record.race,
        QuestionKind=QuestionKind,
        answer_words=answer_words,
        explanation_of=explanation_of,
    )


@section("vote", order=40)
def vote_part(vote: Vote, viewer: object) -> str | None:
    """Beside the vote: what each candidate committed to, the board's reasons in one table."""
    if vote is None or not isinstance(viewer, User):
        return None
    # As on the race page: a field of more candidates than a page has its table on the commitments page.
    matrix = load_small_matrix(vote.race, most=PER_PAGE)
    if matrix is not None and matrix.empty:
        return None
    return render_part("questionnaires/_vote_section.html", race=vote.race, matrix=matrix)
