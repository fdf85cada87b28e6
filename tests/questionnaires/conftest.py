"""Questionnaire fixtures: a race whose letter and questionnaire go out together, and posting answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from interviews.extensions import db
from interviews.invitations import services as invitations
from interviews.questionnaires import services
from interviews.questionnaires.models import QuestionKind, QuestionnaireResponse
from interviews.questionnaires.services import QuestionInput, QuestionnaireInput
from interviews.types import utcnow
from tests.invitations.conftest import letter_race, room, token  # noqa: F401  (fixtures shared with invitations)

# The questionnaire of these tests, as staff would type it: (section, kind, text, required, choices, min, max).
QUESTIONS = [
    ("Organising", QuestionKind.yes_no, "Will you support card check?", True, (), None, None),
    ("Organising", QuestionKind.long_text, "What penalties should union busting carry?", False, (), None, None),
    ("Wages", QuestionKind.number, "What minimum wage will you fight for ($ an hour)?", True, (), "7.25", "50"),
    (
        "Wages",
        QuestionKind.single_choice,
        "Will you sign the PLA pledge?",
        True,
        ("Yes", "No", "Undecided"),
        None,
        None,
    ),
    (
        "Wages",
        QuestionKind.multiple_choice,
        "Which will you protect?",
        False,
        ("Pensions", "Social Security", "Health care"),
        None,
        None,
    ),
    ("Wages", QuestionKind.short_text, "Who should our staff follow up with?", False, (), None, None),
]


def question_inputs(rows: list[tuple[Any, ...]] = QUESTIONS) -> list[QuestionInput]:
    return [
        QuestionInput(
            section=section,
            kind=kind,
            text=text,
            required=required,
            choices=tuple(choices),
            min_value=Decimal(low) if low else None,
            max_value=Decimal(high) if high else None,
        )
        for section, kind, text, required, choices, low, high in rows
    ]


def questionnaire_input(respond_in: timedelta = timedelta(days=4), **overrides: Any) -> QuestionnaireInput:
    data: dict[str, Any] = {
        "title": "Candidate questionnaire 2027",
        "intro": "Please answer in writing before your interview.",
        "respond_by": (utcnow() + respond_in).replace(second=0, microsecond=0),
        "timezone": "America/New_York",
        "questions": question_inputs(),
    }
    data.update(overrides)
    return QuestionnaireInput(**data)


@pytest.fixture
def q_race(letter_race: Callable[..., Any], staffer: Any) -> Callable[..., Any]:  # noqa: F811
    """make(candidates=2, required=False, accept_late=False, send=True) -> (race, version, [invitations]).

    The questionnaire is written before the invitations go out, so each invitation carries it.
    """

    def make(
        *,
        candidates: int = 2,
        required: bool = False,
        accept_late: bool = False,
        send: bool = True,
        respond_in: timedelta = timedelta(days=4),
        **race_kwargs: Any,
    ) -> tuple[Any, Any, list[Any]]:
        race, letter = letter_race(candidates=candidates, **race_kwargs)
        saved = services.save_questionnaire(race, questionnaire_input(respond_in), base=(0, 0), actor=staffer)
        services.save_settings(
            saved.version.questionnaire,
            required_before_booking=required,
            accept_late=accept_late,
            reminder_days=3,
            actor=staffer,
        )
        sent = invitations.send(letter, to="all", actor=staffer).sent if send else []
        db.session.commit()
        return race, saved.version, sent

    return make


def response_of(invitation: Any) -> QuestionnaireResponse:
    response = services.response_of(invitation)
    assert response is not None
    return response


def keys(version: Any) -> list[str]:
    """The form field name of each question, in order."""
    return [q.key for q in version.questions]


def good_answers(version: Any) -> dict[str, str | list[str]]:
    k = keys(version)
    return {
        k[0]: "yes",
        f"{k[0]}-explanation": "I co-sponsored the card-check bill.",
        k[1]: "Fines per worker, and debarment from public contracts.",
        k[2]: "20",
        k[3]: "Yes",
        k[4]: ["Pensions", "Social Security"],
        k[5]: "Jordan Ellis",
    }


@pytest.fixture
def post_answers(client: Any, token: Callable[[Any], str]) -> Callable[..., Any]:  # noqa: F811
    """post(invitation, answers, revision=None, button="save") -> the response of the campaign's form."""

    def post(invitation: Any, answers: dict[str, Any], *, revision: int | None = None, button: str = "save") -> Any:
        if revision is None:
            revision = response_of(invitation).revision
        data: dict[str, Any] = {**answers, "revision": str(revision), button: "1"}
        return client.post(f"/invitation/{token(invitation)}/questionnaire", data=data)

    return post
