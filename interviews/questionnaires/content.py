"""The questionnaire as text: what every campaign receives word for word, its digest, and answers in words.

Pure functions of loaded objects (no queries), shared by the pages, the PDF, the CSV, the JSON and e-mails.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from interviews.filters import format_datetime
from interviews.questionnaires.models import YES_NO, QuestionKind, QuestionnaireQuestion, QuestionnaireVersion


def format_number(value: Decimal | None) -> str:
    """12.50 -> '12.5', 3.00 -> '3': a limit as staff typed it, not as the column pads it."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def answer_rule(question: QuestionnaireQuestion) -> str:
    """What kind of answer the question takes, in words (part of the frozen text)."""
    kind = question.kind
    if kind is QuestionKind.yes_no:
        return "yes, no or it depends, with an explanation"
    if kind is QuestionKind.single_choice:
        return "one of: " + "; ".join(question.choices)
    if kind is QuestionKind.multiple_choice:
        return "any of: " + "; ".join(question.choices)
    if kind is QuestionKind.number:
        low, high = format_number(question.min_value), format_number(question.max_value)
        if low and high:
            return f"a number from {low} to {high}"
        if low:
            return f"a number of at least {low}"
        if high:
            return f"a number of at most {high}"
        return "a number"
    return "a short text" if kind is QuestionKind.short_text else "a text"


def version_content(version: QuestionnaireVersion) -> str:
    """The questionnaire every campaign receives: title, introduction, numbered questions, deadline.

    Its SHA-256 is kept on the version when frozen and on each campaign's copy, as the letter's is.
    The deadline is written in the questionnaire's zone and in UTC, so the text names one instant.
    """
    lines = [version.title.strip()]
    if version.intro.strip():
        lines += ["", version.intro.strip()]
    for section in version.sections:
        lines += ["", section.title.strip() or "Questions"]
        for question in section.questions:
            need = "required" if question.required else "optional"
            lines.append(f"{question.position}. {question.text.strip()} ({need}; {answer_rule(question)})")
            if question.help.strip():
                lines.append("   " + " ".join(question.help.split()))
    deadline_utc = version.respond_by.strftime("%Y-%m-%d %H:%M UTC")
    lines += ["", f"Please answer by {format_datetime(version.respond_by, version.timezone)} ({deadline_utc})."]
    return "\n".join(lines)


def version_digest(version: QuestionnaireVersion) -> str:
    return hashlib.sha256(version_content(version).encode("utf-8")).hexdigest()


def answers_digest(answers: dict[str, Any]) -> str:
    """SHA-256 of the answers as sent: one spelling (sorted keys, no spaces) for one set of answers."""
    text = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def answer_words(question: QuestionnaireQuestion, answer: dict[str, Any] | None) -> str:
    """The answer as a reader sees it: 'It depends', 'A; B', '42', or '' when there is none."""
    value = (answer or {}).get("value")
    if value is None or value == "" or value == []:
        return ""
    if question.kind is QuestionKind.yes_no:
        return YES_NO.get(str(value), str(value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def explanation_of(answer: dict[str, Any] | None) -> str:
    return str((answer or {}).get("explanation") or "")


def changed_questions(
    version: QuestionnaireVersion, before: dict[str, Any] | None, after: dict[str, Any]
) -> list[QuestionnaireQuestion]:
    """The questions whose answer differs between two submissions (all answered ones for a first)."""
    before = before or {}
    return [q for q in version.questions if (before.get(q.key) or {}) != (after.get(q.key) or {})]
