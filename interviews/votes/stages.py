"""What a stage's vote decides, from its own columns and count: pure, so the record and `verify` agree.

A vote that is a stage of a race's decision path (interviews.decisions) copies the stage when it
opens: its mode (choose from the field, ratify a recommendation, rescind an endorsement), where a
failure sends the race, and whether it is the last stage. Its verdict follows from its result:

- a choosing stage carries when an option wins (a candidate, a dual endorsement, an open race, or
  "no endorsement" voted outright); it fails when nothing reaches the threshold or quorum is missed;
- a ratifying or rescinding stage carries when "yes" wins; anything else fails it.

The decision ends with a stage that carries and is last, one that fails where the rule says
"no endorsement", or a rescission that carries.
"""

from __future__ import annotations

from dataclasses import dataclass

from interviews.votes.models import OptionKind, Vote
from interviews.votes.tally import Result

CARRIED = "carried"
FAILED = "failed"

# The words of a yes / no option winning, and of neither carrying, by the stage's mode.
YES_NO_WORDS = {
    OptionKind.ratify: "the recommendation is ratified",
    OptionKind.reject: "the recommendation is rejected",
    OptionKind.rescind: "the endorsement is rescinded",
    OptionKind.keep: "the rescission is defeated: the endorsement stands",
    OptionKind.open: "the race is left open: members are free to choose",
}
NO_WINNER_WORDS = {
    "ratify": "the recommendation is not ratified",
    "rescind": "the rescission is not carried: the endorsement stands",
}


@dataclass(frozen=True)
class Verdict:
    verdict: str  # CARRIED or FAILED
    decides: bool


def verdict_of(vote: Vote, result: Result) -> Verdict:
    """What the counted `result` of the stage vote `vote` does to the race's decision."""
    kinds: dict[object, OptionKind] = {o.id: o.kind for o in vote.options}
    winner_kind = kinds.get(result.winner.key) if result.winner is not None else None
    if vote.stage_mode == "choose":
        carried = winner_kind is not None
    else:
        carried = winner_kind is not None and winner_kind.carries
    if vote.stage_mode == "rescind":
        return Verdict(CARRIED if carried else FAILED, decides=carried)
    if carried:
        return Verdict(CARRIED, decides=bool(vote.stage_is_last))
    return Verdict(FAILED, decides=vote.stage_on_fail == "no_endorsement")
