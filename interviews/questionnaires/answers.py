"""Checking a campaign's answers against the version it received: pure, so it is tested without HTTP.

A draft keeps what was typed (bounded) and reports problems as advice; a submission must have none.
Every message is written for the campaign, next to its question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from interviews.questionnaires.content import format_number
from interviews.questionnaires.models import YES_NO, QuestionKind, QuestionnaireQuestion, QuestionnaireVersion

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 10_000
EXPLANATION_MAX = 3_000
NUMBER_MAX_DIGITS = 14  # a number larger than this is a typing slip, not an answer
THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
# A draft may run a little past a limit (the review says so), but not without bound.
DRAFT_SLACK = 2

Raw = dict[str, dict[str, Any]]


@dataclass
class Checked:
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # question key -> message

    @property
    def ok(self) -> bool:
        return not self.problems


def _text(value: Any) -> str:
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _limit(kind: QuestionKind) -> int:
    return SHORT_TEXT_MAX if kind is QuestionKind.short_text else LONG_TEXT_MAX


def bounded(version: QuestionnaireVersion, raw: Raw) -> Raw:
    """What a draft keeps of the posted answers: only this version's questions, texts cut at a bound."""
    kept: Raw = {}
    for question in version.questions:
        entry = raw.get(question.key) or {}
        value = entry.get("value")
        if question.kind is QuestionKind.multiple_choice:
            values = value if isinstance(value, list) else []
            kept_value: Any = [_text(v)[:200] for v in values[: len(question.choices) + 5]]
        else:
            kept_value = _text(value)[: _limit(question.kind) * DRAFT_SLACK]
        kept[question.key] = {"value": kept_value}
        if question.kind is QuestionKind.yes_no:
            kept[question.key]["explanation"] = _text(entry.get("explanation"))[: EXPLANATION_MAX * DRAFT_SLACK]
    return kept


def _number(question: QuestionnaireQuestion, text: str) -> tuple[str | None, str]:
    """(normalised number, problem)."""
    text = text.replace(" ", "")
    if "," in text:
        # "1,000" is a thousand; "1,5" could be one and a half or fifteen: asked again, not guessed.
        if not THOUSANDS.fullmatch(text):
            return None, "Give a number, such as 42 or 3.5 (with a point before any decimals)."
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "Give a number, such as 42 or 3.5."
    if not number.is_finite() or number.adjusted() >= NUMBER_MAX_DIGITS:
        return None, "Give a number, such as 42 or 3.5."
    low, high = question.min_value, question.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return None, f"Give a number from {format_number(low)} to {format_number(high)}."
        if low is not None:
            return None, f"Give a number of at least {format_number(low)}."
        return None, f"Give a number of at most {format_number(high)}."
    return format_number(number), ""


def _one(question: QuestionnaireQuestion, entry: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """One answer checked: (clean answer, problem or '')."""
    kind = question.kind
    value = entry.get("value")
    if kind is QuestionKind.multiple_choice:
        picked = [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []
        strangers = [v for v in picked if v not in question.choices]
        if strangers:
            return {"value": []}, f"“{strangers[0][:80]}” is not one of the choices offered."
        # In the order offered, once each: the same ticks always make the same answer.
        return {"value": [c for c in question.choices if c in picked]}, ""
    text = _text(value).strip()
    if kind in (QuestionKind.short_text, QuestionKind.long_text):
        limit = _limit(kind)
        if len(text) > limit:
            return {"value": text}, f"At most {limit:,} characters; this answer has {len(text):,}."
        return {"value": text or None}, ""
    if kind is QuestionKind.number:
        if not text:
            return {"value": None}, ""
        number, problem = _number(question, text)
        return {"value": number}, problem
    if kind is QuestionKind.single_choice:
        if text and text not in question.choices:
            return {"value": None}, f"“{text[:80]}” is not one of the choices offered."
        return {"value": text or None}, ""
    # yes / no / it depends
    explanation = _text(entry.get("explanation")).strip()
    if text and text not in YES_NO:
        return {"value": None, "explanation": explanation}, "Choose yes, no or it depends."
    if len(explanation) > EXPLANATION_MAX:
        return (
            {"value": text or None, "explanation": explanation},
            f"The explanation can be at most {EXPLANATION_MAX:,} characters; it has {len(explanation):,}.",
        )
    if text == "depends" and not explanation:
        return {"value": text, "explanation": ""}, "Say what it depends on."
    return {"value": text or None, "explanation": explanation}, ""


def is_empty(answer: dict[str, Any]) -> bool:
    value = answer.get("value")
    return value is None or value == "" or value == []


def check(version: QuestionnaireVersion, raw: Raw, *, final: bool) -> Checked:
    """The answers to every question of the version, with a problem for each that cannot be sent.

    `final`: a submission, so a required question left empty is a problem too.
    """
    checked = Checked()
    for question in version.questions:
        answer, problem = _one(question, raw.get(question.key) or {})
        checked.answers[question.key] = answer
        if not problem and final and question.required and is_empty(answer):
            problem = "This question needs an answer."
        if problem:
            checked.problems[question.key] = problem
    return checked


def has_any_answer(raw: Raw) -> bool:
    return any(not is_empty(entry) or str(entry.get("explanation") or "").strip() for entry in raw.values())
