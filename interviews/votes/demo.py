"""Demo votes: the State Senate vote, one vote of the voting members by the race's rule, open now.

It opened yesterday evening, after both interviews, and some members have voted. The races decided
in stages (the presidential race, the governor's, a city council race) are the decisions feature's demo.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from interviews.demo import DemoContext, clock, local_time
from interviews.extensions import db
from interviews.votes import ballots, services
from interviews.votes.models import Vote, VoteOption

# The board meets in New York: a meeting's date is its date there.
BOARD_ZONE = ZoneInfo("America/New_York")

SENATE_BALLOTS = {
    "Angela Castellanos": "Alicia Moreno",
    "Denise Okafor": "Alicia Moreno",
    "Lorraine McAllister": "Alicia Moreno",
    "Raymond Szabo": "Kenneth Ward",
    "Victor Nakamura": None,
}


def _option(vote: Vote, label: str | None) -> int | None:
    if label is None:
        return None
    return next(o.id for o in vote.options if isinstance(o, VoteOption) and o.label == label)


def load(ctx: DemoContext) -> None:
    secretary = ctx.staff[0]
    members = {u.name: u for u in ctx.voting_members}

    race = ctx.races["State Senate District 12"]
    opened = local_time(ctx.now - timedelta(days=1), 18)
    with clock(opened - timedelta(days=2)):
        vote = services.prepare_vote(
            race,
            held_on=opened.astimezone(BOARD_ZONE).date(),
            motion="That the Council endorse a candidate for State Senator, District 12.",
            actor=secretary,
        )
    with clock(opened):
        services.open_vote(vote, actor=secretary, now=opened)
    for minutes, (name, choice) in enumerate(SENATE_BALLOTS.items(), start=1):
        at = opened + timedelta(minutes=7 * minutes)
        with clock(at):
            ballots.cast_ballot(vote, members[name], _option(vote, choice), actor=members[name], now=at)
    db.session.flush()
