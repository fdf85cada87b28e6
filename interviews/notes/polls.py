"""Member polls: recording them (with the checks that keep the figures honest) and charting them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import joinedload

from interviews.audit.services import diff, record
from interviews.auth.models import User
from interviews.extensions import db
from interviews.notes.models import MemberPoll, PollMethod, PollResult, PollResultKind
from interviews.races.models import Candidate, Race


class PollError(Exception):
    """A refused poll, with the field it concerns (or None for the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class PollInput:
    title: str
    method: PollMethod
    opens_on: date
    closes_on: date
    sample_size: int
    overseen_by: str
    result_kind: PollResultKind
    notes: str = ""
    # candidate id -> figure, for the candidates in the field at the time.
    results: dict[int, Decimal] = field(default_factory=dict)


def check_poll(race: Race, data: PollInput) -> None:
    """Refuse figures that cannot be true, with a message naming what is wrong."""
    if data.closes_on < data.opens_on:
        raise PollError("The poll cannot close before it opens.", "closes_on")
    if data.sample_size < 1:
        raise PollError("The sample size must be at least 1.", "sample_size")
    if len(data.results) < 1:
        raise PollError("Tick at least one candidate who was in the field.", "results")
    known = {c.id for c in race.candidates}
    if not set(data.results) <= known:
        raise PollError("A result names a candidate who is not in this race.", "results")
    if any(v < 0 for v in data.results.values()):
        raise PollError("A result cannot be negative.", "results")
    total = sum(data.results.values(), Decimal(0))
    if data.result_kind is PollResultKind.percentages:
        if total > 100:
            raise PollError(f"The percentages add up to {total}%, more than 100%.", "results")
    else:
        if any(v != v.to_integral_value() for v in data.results.values()):
            raise PollError("Counts are whole numbers.", "results")
        if total > data.sample_size:
            raise PollError(
                f"The counts add up to {total:,.0f}, more than the sample size of {data.sample_size:,}.", "results"
            )


@cache
def _polls_of_race() -> Select[tuple[MemberPoll]]:
    """Built once per process (bound: `race_id`): the race page reads it on every visit."""
    return (
        select(MemberPoll)
        .where(MemberPoll.race_id == bindparam("race_id", type_=Integer))
        .order_by(MemberPoll.closes_on, MemberPoll.id)
        .options(joinedload(MemberPoll.results).joinedload(PollResult.candidate))
    )


def polls_of(race: Race) -> Sequence[MemberPoll]:
    """The race's polls with their results and candidates, in one query (a race has a handful of polls)."""
    return db.session.scalars(_polls_of_race(), {"race_id": race.id}).unique().all()


def save_poll(race: Race, data: PollInput, poll: MemberPoll | None = None, *, actor: User) -> MemberPoll:
    """Record a new poll (`poll` None) or correct one; the figures are checked first."""
    check_poll(race, data)
    fields = {
        "title": data.title.strip(),
        "method": data.method,
        "opens_on": data.opens_on,
        "closes_on": data.closes_on,
        "sample_size": data.sample_size,
        "overseen_by": data.overseen_by.strip(),
        "result_kind": data.result_kind,
        "notes": data.notes.strip(),
    }
    if poll is None:
        poll = MemberPoll(race_id=race.id, created_by=actor, **fields)
        db.session.add(poll)
        changes: dict[str, object] = dict(fields)
        action = "poll.created"
    else:
        changes = dict(diff(poll, fields))
        action = "poll.edited"
    before = {r.candidate_id: r.value for r in poll.results}
    if before != data.results:
        changes["results"] = [
            {str(k): str(v) for k, v in before.items()},
            {str(k): str(v) for k, v in data.results.items()},
        ]
        by_candidate = {r.candidate_id: r for r in poll.results}
        poll.results = [
            _result(by_candidate.get(candidate_id), candidate_id, value) for candidate_id, value in data.results.items()
        ]
    record(action, poll, changes=changes, summary=f"Member poll “{poll.title}” in {race.title}", actor=actor)
    return poll


def _result(existing: PollResult | None, candidate_id: int, value: Decimal) -> PollResult:
    if existing is None:
        return PollResult(candidate_id=candidate_id, value=value)
    existing.value = value
    return existing


def delete_poll(poll: MemberPoll, *, actor: User) -> None:
    record(
        "poll.deleted", poll, changes={"title": poll.title}, summary=f"Member poll “{poll.title}” deleted", actor=actor
    )
    db.session.delete(poll)


# --- the chart ----------------------------------------------------------------------------------

PALETTE = ["#1f5fa8", "#c2571a", "#2e7d4f", "#7a3fa0", "#a8323e", "#5b6b1f", "#0f7c8c", "#8a6d1d"]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # for the tooltip (<title>)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    groups: list[tuple[float, str]]  # (centre x, poll label)
    gridlines: list[tuple[float, str]]  # (y, label)
    legend: list[tuple[str, str]]  # (colour, candidate name)


def share(poll: MemberPoll, result: PollResult) -> Decimal:
    """A result as a percentage, so polls reported in counts and percentages compare on one axis."""
    if poll.result_kind is PollResultKind.percentages:
        return result.value
    return (result.value * 100 / poll.sample_size).quantize(Decimal("0.1")) if poll.sample_size else Decimal(0)


def poll_field(polls: Sequence[MemberPoll]) -> list[Candidate]:
    """The candidates who appear in these polls, by name: the chart's colours follow this order, so a
    race of two thousand candidates is never loaded to colour the few that were polled."""
    field = {r.candidate.id: r.candidate for p in polls for r in p.results}
    return sorted(field.values(), key=lambda c: (c.name, c.id))


def chart(polls: Sequence[MemberPoll], candidates: Sequence[Candidate]) -> Chart | None:
    """Grouped bars: one group per poll, one bar per candidate in the field, height = share in %."""
    if not polls:
        return None
    colour = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(candidates)}
    left, top, bottom, plot_height, bar_width, gap = 40.0, 10.0, 40.0, 200.0, 18.0, 28.0
    bars: list[Bar] = []
    groups: list[tuple[float, str]] = []
    x = left + gap / 2
    for poll in polls:
        start = x
        for result in poll.results:
            pct = float(share(poll, result))
            height = plot_height * min(pct, 100.0) / 100.0
            figure = f"{result.value:,.0f}" if poll.result_kind is PollResultKind.counts else f"{result.value}%"
            bars.append(
                Bar(
                    x,
                    top + plot_height - height,
                    bar_width,
                    height,
                    colour.get(result.candidate_id, "#666"),
                    f"{poll.title}: {result.candidate.name} {figure}",
                )
            )
            x += bar_width + 2
        groups.append(((start + x) / 2, poll.title))
        x += gap
    gridlines = [(top + plot_height - plot_height * p / 100, f"{p}%") for p in (0, 25, 50, 75, 100)]
    used = {r.candidate_id for p in polls for r in p.results}
    legend = [(colour[c.id], c.name) for c in candidates if c.id in used]
    return Chart(int(max(x, 320)), int(top + plot_height + bottom), top + plot_height, bars, groups, gridlines, legend)
