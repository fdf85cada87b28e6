"""Geometry of the result's bar chart (server-rendered SVG, templates/votes/_chart.html)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from interviews.votes.tally import Result, percent

WIDTH = 660
LABEL_WIDTH = 170
BAR_AREA = 360
ROW = 34
TOP = 28


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: str
    figures: str
    met: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_area: int
    bars: list[Bar]
    threshold_x: str
    threshold_label: str
    hidden: int = 0  # options not drawn: they had no votes (the explanation still lists them)


def _x(share: Fraction) -> str:
    # Drawing coordinates only; decisions were made with exact fractions.
    return f"{float(share * BAR_AREA):.1f}"


def chart_of(result: Result) -> Chart:
    """Bars for the options that had votes (and "no endorsement", always): a field of two thousand
    candidates would otherwise draw two thousand empty bars."""
    drawn = [r for r in result.options if r.votes or r.met or r.option.no_endorsement]
    bars = []
    for i, r in enumerate(drawn):
        share = r.share or Fraction(0)
        figures = f"{r.votes:,} ({percent(share)})" if r.share is not None else f"{r.votes:,}"
        bars.append(Bar(r.option.label, TOP + i * ROW, _x(min(share, Fraction(1))), figures, r.met))
    rule = result.rule
    label = f"{rule.comparison} {rule.threshold.numerator}/{rule.threshold.denominator} ({percent(rule.threshold)})"
    return Chart(
        width=WIDTH,
        height=TOP + len(bars) * ROW + 10,
        label_width=LABEL_WIDTH,
        bar_area=BAR_AREA,
        bars=bars,
        threshold_x=_x(rule.threshold),
        threshold_label=label,
        hidden=len(result.options) - len(drawn),
    )
