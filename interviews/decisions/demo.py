"""Demo decisions: three races decided (or deciding) in stages, and the public slate they make.

- The presidential race: the Political Committee recommended Eleanor Whitcombe 4-1; the Executive Board,
  voting by two-thirds weighted per capita, did not ratify it (62.1%), so no endorsement. Published.
- The governor's race: two days ago the Political Committee recommended an early endorsement of the
  incumbent, Diane Kessler, on her record; the board votes once it has heard the interviews still to come.
- 2027 Riverside City Council, Ward 3: the Endorsement Committee recommended a dual endorsement, with a
  $5,000 contribution from the COPE fund, and the convention delegates (people without accounts, their
  ballots recorded by the secretary) ratified it by 76.3%. Published.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from interviews.decisions import bodies, paths
from interviews.decisions.models import DecisionStage
from interviews.demo import DemoContext, clock, local_time
from interviews.extensions import db
from interviews.races.models import Candidate, QuorumKind, Race
from interviews.votes import ballots, services
from interviews.votes.models import OptionKind, Vote
from interviews.votes.rules import rule_of_race

PRESIDENTIAL_COMMITTEE = {
    "Angela Castellanos": "Eleanor Whitcombe",
    "Walter Kowalczyk": "Eleanor Whitcombe",
    "Denise Okafor": "Eleanor Whitcombe",
    "Kwame Mensah": "Marcus Delgado",
    "Raymond Szabo": "Eleanor Whitcombe",
}
# The board on the committee's recommendation, weighted per capita: 18,200 for, 11,100 against.
PRESIDENTIAL_BOARD = {
    "Angela Castellanos": "yes",
    "Walter Kowalczyk": "yes",
    "Denise Okafor": "yes",
    "Tomás Gutiérrez": "yes",
    "Rebecca Lindqvist": "yes",
    "Harold Baptiste": "yes",
    "Mei-Ling Zhao": "no",
    "Samuel Achterberg": "no",
    "Lorraine McAllister": "no",
    "Kwame Mensah": "no",
    "Josephine Delacroix": "no",
    "Raymond Szabo": None,  # abstains
}
GOVERNOR_COMMITTEE = {
    "Angela Castellanos": "Diane Kessler",
    "Walter Kowalczyk": "Diane Kessler",
    "Denise Okafor": "Thomas Reyes",
    "Kwame Mensah": "Diane Kessler",
    "Raymond Szabo": "Diane Kessler",
}
# The Council meets in New York: a meeting's date is its date there.
BOARD_ZONE = ZoneInfo("America/New_York")
COUNCIL = "2027 Riverside City Council, Ward 3"
COUNCIL_CANDIDATES = [
    ("Rosa Delgado-Park", "Riverside Forward", "Ana Ruiz", "schedule@delgadopark.example.com"),
    ("Marcus Bell", "Riverside Forward", "Dev Patel", "team@bellforward.example.com"),
    ("Grace Whitman", "Taxpayers First", "Hal Green", "office@whitman4ward3.example.com"),
]
DUAL = "Rosa Delgado-Park and Marcus Bell (dual endorsement), on conditions, with a contribution of $5,000"
DELEGATES = 40
DELEGATE_BALLOTS = ["yes"] * 29 + ["no"] * 9 + [None] * 2  # 29 of 38 cast: 76.3%
STATEMENT_PRESIDENT = (
    "The Council's Executive Board did not ratify the Political Committee's recommendation by the two-thirds "
    "needed. There is no endorsement in the presidential race; members are free to support the candidate of "
    "their choice."
)
STATEMENT_COUNCIL = (
    "The Riverside Labor Council endorses Rosa Delgado-Park and Marcus Bell for the two-seat Ward 3 race, on "
    "condition that both oppose the privatisation of city transit, and recommends $5,000 to their campaigns "
    "from the COPE fund."
)


def _option(vote: Vote, choice: str | None) -> int | None:
    if choice is None:
        return None
    kinds = {"yes": (OptionKind.ratify,), "no": (OptionKind.reject,)}.get(choice, ())
    return next(o.id for o in vote.options if o.kind in kinds or o.label == choice)


def _seat_accounts(body_name: str, members: list[str], ctx: DemoContext, *, weighted: bool) -> None:
    by_name = {u.name: u for u in ctx.leaders}
    body = bodies.create_body(body_name, actor=ctx.staff[0])
    for name in members:
        user = by_name[name]
        weight = user.vote_weight if weighted else 1
        bodies.add_member(body, name=name, user=user, weight=weight, joined_on=date(2025, 1, 1), actor=ctx.staff[0])


def _hold(
    stage: DecisionStage,
    choices: Mapping[str, str | None] | Sequence[str | None],
    held: datetime,
    ctx: DemoContext,
    *,
    motion: str,
    motions: list[paths.MotionSpec] | None = None,
) -> Vote:
    """Prepare the stage's vote a week before the meeting; open, record, close and finalise it at the meeting.

    `choices` by member name (accounts cast their own ballots), or a list in roll order (the secretary
    records the paper ballots of seats without accounts).
    """
    secretary = ctx.staff[0]
    with clock(held - timedelta(days=7)):
        vote = paths.prepare_stage_vote(
            stage.race,
            stage,
            held_on=held.astimezone(BOARD_ZONE).date(),
            motion=motion,
            actor=secretary,
            motions=motions,
        )
    with clock(held):
        services.open_vote(vote, actor=secretary, now=held)
    entries = sorted(vote.roll, key=lambda e: e.name)
    if not isinstance(choices, Mapping):
        voting = list(zip(entries, choices, strict=True))
    else:
        voting = [(e, choices[e.name]) for e in entries if e.name in choices]
    at = held + timedelta(minutes=10)
    with clock(at):
        for entry, choice in voting:
            if entry.user is not None:
                ballots.cast_ballot(vote, entry.user, _option(vote, choice), actor=entry.user, now=at)
            else:
                ballots.record_seat_ballot(vote, entry.id, _option(vote, choice), actor=secretary, now=at)
        services.set_presence(vote, {e.id for e in vote.roll if e.has_voted}, actor=secretary)
    with clock(held + timedelta(minutes=40)):
        services.close_vote(vote, actor=secretary, now=held + timedelta(minutes=40))
    with clock(held + timedelta(minutes=50)):
        services.finalise_vote(vote, actor=secretary, now=held + timedelta(minutes=50))
    return vote


def _weighted_board(stage: DecisionStage, ctx: DemoContext) -> None:
    """The Executive Board votes weighted per capita, as the Council's constitution says."""
    rule = dataclasses.replace(rule_of_race(stage), weighted=True)
    spec = paths.StageSpec(stage.name, stage.body, stage.mode, stage.on_fail, rule, (2, 3))
    paths.update_stage(stage, spec, actor=ctx.staff[0])


def _council_race(ctx: DemoContext) -> Race:
    race = Race(
        title=COUNCIL,
        office="City Council member, Ward 3 (two seats)",
        jurisdiction="City of Riverside, Ward 3",
        election_date=date(2027, 11, 2),
        quorum_kind=QuorumKind.none,
        created_by=ctx.staff[0],
    )
    for name, party, contact, email in COUNCIL_CANDIDATES:
        race.candidates.append(Candidate(name=name, party=party, contact_name=contact, contact_email=email))
    db.session.add(race)
    db.session.flush()
    return race


def load(ctx: DemoContext) -> None:
    secretary = ctx.staff[0]
    voting = [u.name for u in ctx.voting_members]
    with clock(ctx.now - timedelta(weeks=12)):
        _seat_accounts("Political Committee", list(PRESIDENTIAL_COMMITTEE), ctx, weighted=False)
        _seat_accounts("Executive Board", voting, ctx, weighted=True)
        delegates = bodies.create_body(
            "Convention delegates",
            "Delegates of the affiliated locals; the secretary records their ballots.",
            actor=secretary,
        )
        for n in range(1, DELEGATES + 1):
            bodies.add_member(
                delegates,
                name=f"Delegate {n:02d}",
                reference=f"Local {100 + n % 9}",
                weight=1,
                joined_on=date(2025, 6, 1),
                actor=secretary,
            )
        _seat_accounts("Endorsement Committee", list(PRESIDENTIAL_COMMITTEE), ctx, weighted=False)

    president = ctx.races["2028 Presidential endorsement"]
    with clock(ctx.now - timedelta(weeks=4)):
        stages = paths.apply_preset(president, "committee_board", actor=secretary)
        _weighted_board(stages[1], ctx)
    committee_met = local_time(ctx.now - timedelta(days=10), 18)
    _hold(
        stages[0],
        PRESIDENTIAL_COMMITTEE,
        committee_met,
        ctx,
        motion="That the Political Committee recommend an endorsement for President of the United States.",
    )
    board_met = local_time(ctx.now - timedelta(days=3), 18)
    board = _hold(
        stages[1],
        PRESIDENTIAL_BOARD,
        board_met,
        ctx,
        motion="That the Executive Board ratify the Political Committee's recommendation.",
    )
    with clock(board_met + timedelta(minutes=90)):
        services.publish_vote(board, STATEMENT_PRESIDENT, actor=secretary, now=board_met + timedelta(minutes=90))

    governor = ctx.races["2027 Governor"]
    with clock(ctx.now - timedelta(weeks=2)):
        stages = paths.apply_preset(governor, "committee_board", actor=secretary)
    _hold(
        stages[0],
        GOVERNOR_COMMITTEE,
        local_time(ctx.now - timedelta(days=2), 18),
        ctx,
        motion="That the Political Committee recommend an endorsement for Governor.",
    )

    with clock(ctx.now - timedelta(weeks=6)):
        council = _council_race(ctx)
        stages = paths.apply_preset(council, "delegates_dual", actor=secretary)
        rosa, marcus = (c.id for c in council.candidates if c.name in ("Rosa Delgado-Park", "Marcus Bell"))
    dual = paths.MotionSpec(
        [rosa, marcus],
        conditions="both oppose the privatisation of city transit",
        contribution_cents=500_000,
        fund="COPE fund",
    )
    committee_votes: dict[str, str | None] = dict.fromkeys(PRESIDENTIAL_COMMITTEE, DUAL)
    committee_votes["Kwame Mensah"] = "Rosa Delgado-Park"
    _hold(
        stages[0],
        committee_votes,
        local_time(ctx.now - timedelta(days=20), 18),
        ctx,
        motion="That the Committee recommend endorsements for City Council, Ward 3.",
        motions=[dual],
    )
    convention = local_time(ctx.now - timedelta(days=13), 10)
    ratified = _hold(
        stages[1],
        DELEGATE_BALLOTS,
        convention,
        ctx,
        motion="That the convention ratify the Committee's recommendation for Ward 3.",
    )
    with clock(convention + timedelta(hours=3)):
        services.publish_vote(ratified, STATEMENT_COUNCIL, actor=secretary, now=convention + timedelta(hours=3))
    db.session.flush()
