"""Demo votes: a final presidential vote that endorsed nobody, and an open secret vote for Governor."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from interviews.demo import DemoContext
from interviews.extensions import db
from interviews.votes import ballots, services
from interviews.votes.models import VoteOption

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
GOVERNOR_BALLOTS = {
    "Angela Castellanos": "Diane Kessler",
    "Denise Okafor": "Thomas Reyes",
    "Fatima Haddad": "Diane Kessler",
    "Victor Nakamura": None,
}


def _option(vote, label: str | None) -> int | None:  # type: ignore[no-untyped-def]
    if label is None:
        return None
    return next(o.id for o in vote.options if isinstance(o, VoteOption) and o.label == label)


def load(ctx: DemoContext) -> None:
    secretary = ctx.staff[0]
    members = {u.name: u for u in ctx.voting_members}

    race = ctx.races["2028 Presidential endorsement"]
    # A few hours ago: after the other demo steps' last events (a candidate withdrew yesterday).
    held = (ctx.now - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    vote = services.prepare_vote(
        race,
        held_on=held.astimezone(BOARD_ZONE).date(),
        motion="That the Council endorse a candidate for President of the United States.",
        actor=secretary,
    )
    services.open_vote(vote, secretary, now=held)
    for name, choice in PRESIDENTIAL_BALLOTS.items():
        ballots.cast_ballot(
            vote,
            members[name],
            _option(vote, choice),
            actor=secretary if name in PAPER else members[name],
            paper=name in PAPER,
            now=held + timedelta(minutes=5),
        )
    services.set_presence(vote, {e.id for e in vote.roll if e.has_voted or e.name == "Fatima Haddad"}, secretary)
    services.close_vote(vote, secretary, now=held + timedelta(minutes=40))
    services.finalise_vote(vote, secretary, now=held + timedelta(minutes=55))
    services.publish_vote(
        vote,
        "The Council's board did not reach the two-thirds needed to endorse in the presidential race.",
        secretary,
        now=held + timedelta(minutes=90),
    )

    race = ctx.races["2026 Governor"]
    vote = services.prepare_vote(
        race,
        held_on=ctx.now.astimezone(BOARD_ZONE).date(),
        motion="That the Council endorse a candidate for Governor of the State of Columbia.",
        actor=secretary,
    )
    services.open_vote(vote, secretary, now=ctx.now - timedelta(hours=2))
    for name, choice in GOVERNOR_BALLOTS.items():
        ballots.cast_ballot(vote, members[name], _option(vote, choice), actor=members[name])
    db.session.flush()
