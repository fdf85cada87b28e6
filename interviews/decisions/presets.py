"""Decision paths as unions take them, ready to apply to a race and edit. Pure: no database, no Flask.

Each stage names the body by its usual name; applying a preset uses the body of that name, or makes
an empty one for staff to fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from interviews.decisions.models import OnFail, StageMode
from interviews.races.models import VoteBase

MAJORITY = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
NEA_SHARE = Fraction(58, 100)


@dataclass(frozen=True)
class StagePreset:
    name: str
    body: str
    mode: StageMode
    on_fail: OnFail
    threshold: Fraction
    inclusive: bool
    base: VoteBase = VoteBase.cast
    weighted: bool = False
    dual: bool = False

    @property
    def spelled(self) -> tuple[int, int]:
        """The threshold as people write it: 58/100, not 29/50."""
        if self.threshold.denominator > 4 and (self.threshold * 100).denominator == 1:
            return int(self.threshold * 100), 100
        return self.threshold.numerator, self.threshold.denominator


@dataclass(frozen=True)
class PathPreset:
    key: str
    label: str
    stages: tuple[StagePreset, ...]


PATH_PRESETS: dict[str, PathPreset] = {
    p.key: p
    for p in (
        PathPreset(
            "committee_board",
            "Political Committee recommends; the Executive Board ratifies by two-thirds",
            (
                StagePreset(
                    "Committee recommendation",
                    "Political Committee",
                    StageMode.choose,
                    OnFail.no_endorsement,
                    MAJORITY,
                    False,
                ),
                StagePreset(
                    "Board ratification", "Executive Board", StageMode.ratify, OnFail.no_endorsement, TWO_THIRDS, True
                ),
            ),
        ),
        PathPreset(
            "clc_cope",
            "Central labour council: the COPE committee recommends; the delegates ratify by two-thirds",
            (
                StagePreset(
                    "COPE recommendation", "COPE Committee", StageMode.choose, OnFail.no_endorsement, MAJORITY, False
                ),
                StagePreset("Delegates' vote", "Council delegates", StageMode.ratify, OnFail.back, TWO_THIRDS, True),
            ),
        ),
        PathPreset(
            "nea",
            "NEA: the PAC Council recommends; the Board (58%), then the Representative Assembly (58%)",
            (
                StagePreset(
                    "PAC Council recommendation",
                    "PAC Council",
                    StageMode.choose,
                    OnFail.no_endorsement,
                    NEA_SHARE,
                    True,
                ),
                StagePreset("Board of Directors", "Board of Directors", StageMode.ratify, OnFail.back, NEA_SHARE, True),
                StagePreset(
                    "Representative Assembly",
                    "Representative Assembly",
                    StageMode.ratify,
                    OnFail.no_endorsement,
                    NEA_SHARE,
                    True,
                ),
            ),
        ),
        PathPreset(
            "afl_cio",
            "AFL-CIO: the General Board decides by two-thirds, weighted per capita",
            (
                StagePreset(
                    "General Board",
                    "General Board",
                    StageMode.choose,
                    OnFail.no_endorsement,
                    TWO_THIRDS,
                    True,
                    weighted=True,
                ),
            ),
        ),
        PathPreset(
            "teamsters",
            "Teamsters: the General Executive Board decides by a majority",
            (
                StagePreset(
                    "General Executive Board",
                    "General Executive Board",
                    StageMode.choose,
                    OnFail.no_endorsement,
                    MAJORITY,
                    False,
                ),
            ),
        ),
        PathPreset(
            "delegates_dual",
            "Endorsement committee recommends (a dual endorsement allowed); the delegates ratify by two-thirds",
            (
                StagePreset(
                    "Committee recommendation",
                    "Endorsement Committee",
                    StageMode.choose,
                    OnFail.no_endorsement,
                    MAJORITY,
                    False,
                    dual=True,
                ),
                StagePreset(
                    "Delegates' ratification", "Convention delegates", StageMode.ratify, OnFail.back, TWO_THIRDS, True
                ),
            ),
        ),
    )
}
