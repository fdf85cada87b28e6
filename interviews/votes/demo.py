"""Demo votes: a final presidential vote that endorsed nobody, and the State Senate vote, open now.

The presidential board met three days ago, after every roundtable and both member polls; the State
Senate vote opened yesterday evening, after both interviews, and some members have voted.
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

# Presidential race (two-thirds, weighted per capita): Whitcombe leads but falls short.
PRESIDENTIAL_BALLOTS = {
    "Angela Castellanos": "Eleanor Whitcombe",
    "Walter Kowalczyk": "Eleanor Whitcombe",
    "Denise Okafor": "Eleanor Whitcombe",
    "Tomás Gutiérrez": "Eleanor Whitcombe",
    "Rebecca Lindqvist": "Eleanor Whitcombe",
    "Harold Baptiste": "Eleanor Whitcombe",
    "Mei-Ling Zhao": "Marcus Delgado",
    "Samuel Achterberg": "Marcus Delgado",
    "Lorraine McAllister": "Marcus Delgado",
    "Kwame Mensah": "Marcus Delgado",
    "Josephine Delacroix": "No endorsement",
    "Raymond Szabo": None,  # abstains
}
PAPER = {"Samuel Achterberg", "Harold Baptiste"}
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

    race = ctx.races["2028 Presidential endorsement"]
    # The board's meeting three days ago at 18:00 New York time.
    held = local_time(ctx.now - timedelta(days=3), 18)
    with clock(held - timedelta(days=7)):
        vote = services.prepare_vote(
            race,
            held_on=held.astimezone(BOARD_ZONE).date(),
            motion="That the Council endorse a candidate for President of the United States.",
            actor=secretary,
        )
    with clock(held):
        services.open_vote(vote, actor=secretary, now=held)
    with clock(held + timedelta(minutes=5)):
        for name, choice in PRESIDENTIAL_BALLOTS.items():
            ballots.cast_ballot(
                vote,
                members[name],
                _option(vote, choice),
                actor=secretary if name in PAPER else members[name],
                paper=name in PAPER,
                now=held + timedelta(minutes=5),
            )
        services.set_presence(
            vote, {e.id for e in vote.roll if e.has_voted or e.name == "Fatima Haddad"}, actor=secretary
        )
    with clock(held + timedelta(minutes=40)):
        services.close_vote(vote, actor=secretary, now=held + timedelta(minutes=40))
    with clock(held + timedelta(minutes=55)):
        services.finalise_vote(vote, actor=secretary, now=held + timedelta(minutes=55))
    with clock(held + timedelta(minutes=90)):
        services.publish_vote(
            vote,
            "The Council's board did not reach the two-thirds needed to endorse in the presidential race. "
            "Members are free to support the candidate of their choice.",
            actor=secretary,
            now=held + timedelta(minutes=90),
        )

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
