"""The answer rules, without HTTP: what each kind of question accepts, worked out by hand."""

from __future__ import annotations

from interviews.questionnaires import answers as rules
from tests.questionnaires.conftest import keys

# (typed into "What minimum wage will you fight for ($ an hour)?", 7.25 to 50) -> stored, or the problem
NUMBERS = [
    ("20", "20", ""),
    ("17.50", "17.5", ""),
    (" 7.25 ", "7.25", ""),
    ("1,000", None, "Give a number from 7.25 to 50."),
    ("1,5", None, "Give a number, such as 42 or 3.5 (with a point before any decimals)."),
    ("7.24", None, "Give a number from 7.25 to 50."),
    ("NaN", None, "Give a number, such as 42 or 3.5."),
    ("1e309", None, "Give a number, such as 42 or 3.5."),
    ("twenty", None, "Give a number, such as 42 or 3.5."),
]


def test_numbers(q_race):
    _, version, _ = q_race(send=False)
    key = keys(version)[2]
    found = []
    for typed, _, _ in NUMBERS:
        checked = rules.check(version, {key: {"value": typed}}, final=False)
        found.append((typed, checked.answers[key]["value"], checked.problems.get(key, "")))
    assert found == NUMBERS


def test_choices_are_kept_in_the_order_offered_once_each(q_race):
    _, version, _ = q_race(send=False)
    key = keys(version)[4]
    raw = {key: {"value": ["Social Security", "Pensions", "Social Security"]}}
    assert rules.check(version, raw, final=False).answers[key] == {"value": ["Pensions", "Social Security"]}


def test_a_draft_keeps_only_this_versions_questions_and_bounds_the_text(q_race):
    _, version, _ = q_race(send=False)
    k = keys(version)
    kept = rules.bounded(version, {k[1]: {"value": "x" * 50_000}, "q999999": {"value": "stranger"}})
    assert set(kept) == set(k) and len(kept[k[1]]["value"]) == 2 * rules.LONG_TEXT_MAX
