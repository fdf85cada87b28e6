"""The vote's lifecycle: prepare, open (freeze the roll and the rule), ballots, close, finalise, publish.

Views call these and commit once. Every change is audited. Concurrency: a ballot takes a shared
lock on the vote and an exclusive lock on the member's roll entry; closing and finalising take an
exclusive lock on the vote. So a ballot racing the close either lands before it or is refused, and
two submissions by one member are serialised (on SQLite, BEGIN IMMEDIATE serialises every write).
Finalising and publishing append to the chain (chain.py), which they lock while they do.

Casting ballots is in ballots.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, exists, select, update
from sqlalchemy.orm import joinedload

from interviews.audit.services import diff, record
from interviews.auth.models import User
from interviews.database import read_rows, request_memo
from interviews.extensions import db
from interviews.races.models import QuorumKind, Race
from interviews.races.stages import known_facts
from interviews.signals import vote_finalised, vote_opening
from interviews.types import utcnow
from interviews.votes import chain, stages, tally
from interviews.votes.models import (
    BallotBoxTotal,
    OptionKind,
    RollEntry,
    Vote,
    VoteOption,
    VotePublication,
    VoteStatus,
    parsed_record,
    result_words,
)
from interviews.votes.record import build_publication_record, build_record, canonical_json, sha256_hex
from interviews.votes.rules import Rule, rule_of_vote


class VoteError(Exception):
    """A refused action, with a message for the person who tried it."""


@dataclass(frozen=True)
class RollMember:
    """Someone to put on a vote's roll: an account, a body's seat, or both; and the weight to freeze."""

    name: str
    weight: int
    user_id: int | None = None
    body_member_id: int | None = None


# --- the race's rule ---------------------------------------------------------------------------


def update_race_rule(
    race: Race, rule: Rule, *, actor: User, spelled: tuple[int, int] | None = None
) -> dict[str, list[Any]]:
    """Write a rule onto the race. Votes already opened keep the rule they copied.

    `spelled` keeps the threshold as typed (58/100 reads better than 29/50) when it has that value.
    """
    if rule.quorum_kind is QuorumKind.count:
        quorum_num, quorum_den = int(rule.quorum), 1
    elif rule.quorum_kind is QuorumKind.fraction:
        quorum_num, quorum_den = rule.quorum.numerator, rule.quorum.denominator
    else:
        quorum_num, quorum_den = 0, 1
    num, den = spelled or (race.threshold_numerator, race.threshold_denominator)
    if not den or Fraction(num, den) != rule.threshold:
        num, den = rule.threshold.numerator, rule.threshold.denominator
    changes = diff(
        race,
        {
            "threshold_numerator": num,
            "threshold_denominator": den,
            "threshold_inclusive": rule.inclusive,
            "vote_base": rule.base,
            "quorum_kind": rule.quorum_kind,
            "quorum_numerator": quorum_num,
            "quorum_denominator": quorum_den,
            "weighted": rule.weighted,
            "secret_ballot": rule.secret,
        },
    )
    if changes:
        record("race.rule_changed", race, changes=changes, summary=f"Voting rule of {race.title} changed", actor=actor)
    return changes


# --- loading -------------------------------------------------------------------------------------


def locked_vote(vote_id: int, *, shared: bool = False) -> Vote:
    """The vote, re-read under a row lock (shared for ballots, exclusive for state changes)."""
    vote = db.session.scalars(
        select(Vote).where(Vote.id == vote_id).with_for_update(read=shared).execution_options(populate_existing=True)
    ).one_or_none()
    if vote is None:
        raise VoteError("There is no such vote.")
    return vote


def result_of(vote: Vote) -> tally.Result:
    """Count the vote from its rows, with its frozen rule and roll."""
    # Ballots may have been added, and the box's totals updated by SQL, since these were loaded.
    db.session.expire(vote, ["ballots", "box"])
    if vote.secret:
        db.session.scalars(
            select(BallotBoxTotal).where(BallotBoxTotal.vote_id == vote.id).execution_options(populate_existing=True)
        ).all()
    options = [
        tally.Option(
            o.id,
            o.label,
            no_endorsement=o.is_no_endorsement,
            words=stages.YES_NO_WORDS.get(o.kind),
        )
        for o in sorted(vote.options, key=lambda o: o.position)
    ]
    if vote.secret:
        ballots = [tally.CastBallot(t.option_id, weight=t.weight, ballots=t.ballots) for t in vote.box if t.ballots]
    else:
        ballots = [tally.CastBallot(b.option_id, weight=b.weight) for b in vote.ballots]
    # Someone who voted took part, whether or not the secretary ticked them present.
    roll = [tally.Member(e.weight, e.present or e.has_voted) for e in vote.roll]
    no_winner_words = stages.NO_WINNER_WORDS.get(vote.stage_mode or "")
    return tally.count(options, ballots, roll, rule_of_vote(vote), no_winner_words=no_winner_words)


def shown_result(vote: Vote) -> tally.Result:
    """The result a page shows: a final vote's as its record states it, else counted from the rows now."""
    if vote.is_final and vote.record_json:
        return _recorded_result(vote.record_json, vote.stage_mode or "")
    return result_of(vote)


@lru_cache(maxsize=16)
def _recorded_result(record_json: str, stage_mode: str) -> tally.Result:
    """A final record's result, read once per process (read-only, like the parsed record it comes from):
    a field of two thousand options made this most of the record book's time."""
    parsed = parsed_record(record_json)
    words = {kind.value: text for kind, text in stages.YES_NO_WORDS.items()}
    return tally.result_from_record(parsed, words_by_kind=words, no_winner_words=stages.NO_WINNER_WORDS.get(stage_mode))


@cache
def _votes_of_race() -> Select[tuple[Vote]]:
    """Built once per process (bound: `race_id`): the race page reads it on every visit."""
    return (
        select(Vote)
        .where(Vote.race_id == bindparam("race_id", type_=Integer))
        .options(joinedload(Vote.publication))
        .order_by(Vote.held_on, Vote.id)
    )


def votes_of_race(race: Race) -> list[Vote]:
    """The race's votes, each with its publication (the pages say which were published), in the order
    they were held. Read once per request: the race page's votes and decision path both list them."""
    return _once_per_request(
        "votes-of-race", race, lambda: list(db.session.scalars(_votes_of_race(), {"race_id": race.id}))
    )


def _once_per_request(kind: str, race: Race, read: Callable[[], list[Any]]) -> list[Any]:
    """The race's votes read once per request by `read`; none read on the race page when its facts
    (read with the race) say no vote was prepared."""
    memo = request_memo()
    key = (kind, race.id)
    if key not in memo:
        facts = known_facts(race.id)
        memo[key] = [] if facts is not None and not facts.has_votes else read()
    return list(memo[key])


@dataclass(frozen=True, slots=True)
class VoteRow:
    """A vote as the race page lists it and its decision path reads it (`decisions.paths.path_view`):
    its own columns and whether it was published, read as a plain row. The names and properties are
    `Vote`'s, so the templates and `path_state`'s logic read either."""

    id: int
    held_on: date
    stage_name: str
    status: VoteStatus
    stage_id: int | None
    stage_mode: str | None
    chain_position: int | None
    verdict: str | None
    decides: bool | None
    record_json: str | None
    is_published: bool

    @property
    def is_final(self) -> bool:
        return self.status is VoteStatus.final

    @property
    def record(self) -> dict[str, Any] | None:
        return parsed_record(self.record_json) if self.record_json else None

    @property
    def result_text(self) -> str:
        return result_words(self.record)


@cache
def _vote_rows_of_race() -> Select[Any]:
    """`VoteRow`'s columns, built once per process (bound: `race_id`): the race page reads it on every visit."""
    published = exists().where(VotePublication.vote_id == Vote.id)
    return (
        select(
            Vote.id,
            Vote.held_on,
            Vote.stage_name,
            Vote.status,
            Vote.stage_id,
            Vote.stage_mode,
            Vote.chain_position,
            Vote.verdict,
            Vote.decides,
            Vote.record_json,
            published.label("is_published"),
        )
        .where(Vote.race_id == bindparam("race_id", type_=Integer))
        .order_by(Vote.held_on, Vote.id)
    )


def vote_rows_of_race(race: Race) -> list[VoteRow]:
    """The race's votes as `VoteRow`s, in the order they were held, read once per request: the race
    page's votes and its decision path both list them, and only show them (services read `Vote`s)."""
    return _once_per_request(
        "vote-rows-of-race",
        race,
        lambda: [VoteRow(*row) for row in read_rows(_vote_rows_of_race(), {"race_id": race.id})],
    )


def final_vote_of_race(race_id: int) -> Vote | None:
    """The race's final vote, if any (notes lock themselves when there is one)."""
    return db.session.scalars(
        select(Vote).where(Vote.race_id == race_id, Vote.status == VoteStatus.final).order_by(Vote.id.desc())
    ).first()


def published_vote_of_race(race_id: int) -> Vote | None:
    """The latest published result: the only one a candidate's page may show."""
    return db.session.scalars(
        select(Vote)
        .join(VotePublication, VotePublication.vote_id == Vote.id)
        .where(Vote.race_id == race_id, Vote.status == VoteStatus.final)
        .order_by(VotePublication.chain_position.desc())
    ).first()


@cache
def _votes_awaiting() -> Select[Any]:
    """Built once per process (bound: `user_id`): the dashboard is the busiest page, and building this
    statement cost as much as running it."""
    return (
        select(Vote.id, Vote.held_on, Vote.stage_name, Vote.status, Race.title.label("race_title"))
        .join(RollEntry, RollEntry.vote_id == Vote.id)
        .join(Race, Race.id == Vote.race_id)
        .where(
            Vote.status == VoteStatus.open,
            RollEntry.user_id == bindparam("user_id", type_=Integer),
            RollEntry.has_voted.is_(False),
        )
        .order_by(Vote.held_on, Vote.id)
    )


def votes_awaiting(user: User) -> list[Row[Any]]:
    """Open votes on whose roll the member is and where they have not voted yet, as rows of what the
    dashboard shows (id, held_on, stage_name, status, race_title)."""
    return list(read_rows(_votes_awaiting(), {"user_id": user.id}))


# --- the lifecycle -------------------------------------------------------------------------------


def prepare_vote(race: Race, *, held_on: date, motion: str, actor: User) -> Vote:
    vote = Vote(race=race, held_on=held_on, motion=motion.strip(), created_by=actor, status=VoteStatus.draft)
    db.session.add(vote)
    db.session.flush()
    record(
        "vote.prepared",
        vote,
        changes={"held_on": held_on, "motion": vote.motion},
        actor=actor,
        summary=f"Vote prepared for {race.title} on {held_on.isoformat()}",
    )
    return vote


def update_draft(vote: Vote, *, held_on: date, motion: str, actor: User) -> None:
    vote = locked_vote(vote.id)
    if vote.status is not VoteStatus.draft:
        raise VoteError("Only a vote that has not opened yet can be edited.")
    changes = diff(vote, {"held_on": held_on, "motion": motion.strip()})
    if changes:
        record("vote.edited", vote, changes=changes, actor=actor, summary="Vote details edited")


def open_vote(vote: Vote, *, actor: User, now: datetime | None = None) -> Vote:
    """Freeze the options, the roll (with weights) and the rule; ballots can be cast from now on.

    A stage of a decision path is opened by its feature's answer to `vote_opening`: it copies the
    stage's rule and names onto the vote and gives the body's roll. Any other vote takes the race's
    rule and the active voting members.
    """
    vote = locked_vote(vote.id)
    if vote.status is not VoteStatus.draft:
        raise VoteError("This vote has already been opened.")
    race = vote.race
    answers = [roll for _receiver, roll in vote_opening.send(vote, actor=actor) if roll is not None]
    if answers:
        members: list[RollMember] = answers[0]
        if not members:
            raise VoteError(f"{vote.body_name or 'The body'} has no members on {vote.held_on:%d %B %Y} for the roll.")
    elif vote.stage_id is not None:
        raise VoteError("This stage's body could not be read; the vote stays a draft.")
    else:
        members = [
            RollMember(user.name, user.vote_weight, user_id=user.id)
            for user in db.session.scalars(
                select(User).where(User.is_voting_member.is_(True), User.active.is_(True)).order_by(User.name)
            )
        ]
        if not members:
            raise VoteError("There are no active voting members to put on the roll.")
        copy_rule(vote, race)
    rule_of_vote(vote)  # refuses a rule that makes no sense before anything is frozen
    vote.race_label = f"{race.title} ({race.office}, {race.jurisdiction})"
    if not vote.options:  # a stage's vote was given its options when it was prepared
        candidates = race.active_candidates
        for position, candidate in enumerate(candidates, start=1):
            db.session.add(VoteOption(vote=vote, candidate=candidate, label=candidate.name, position=position))
        db.session.add(
            VoteOption(
                vote=vote,
                candidate=None,
                label=tally.NO_ENDORSEMENT,
                position=len(candidates) + 1,
                kind=OptionKind.no_endorsement,
            )
        )
    for member in members:
        db.session.add(
            RollEntry(
                vote=vote,
                user_id=member.user_id,
                body_member_id=member.body_member_id,
                name=member.name,
                weight=member.weight,
            )
        )
    db.session.flush()
    if vote.secret:
        # The box's rows exist from the start, so a ballot only ever updates them (no insert order).
        for option in vote.options:
            db.session.add(BallotBoxTotal(vote=vote, option=option))
        db.session.add(BallotBoxTotal(vote=vote, option=None))
    vote.status = VoteStatus.open
    vote.opened_at = now or utcnow()
    db.session.flush()
    db.session.refresh(vote)
    record(
        "vote.opened",
        vote,
        actor=actor,
        changes={
            "options": [o.label for o in vote.options],
            "roll": [[e.name, e.weight] for e in vote.roll],
            "rule": rule_of_vote(vote).to_record(),
        },
        summary=f"Vote on {race.title} opened with {len(vote.roll)} members on the roll",
    )
    return vote


def copy_rule(vote: Vote, source_of_rule: Any) -> None:
    """Freeze onto the vote the rule kept in a race's columns (or a decision stage's, which has the same)."""
    for attr, source in (
        ("threshold_numerator", "threshold_numerator"),
        ("threshold_denominator", "threshold_denominator"),
        ("threshold_inclusive", "threshold_inclusive"),
        ("base", "vote_base"),
        ("quorum_kind", "quorum_kind"),
        ("quorum_numerator", "quorum_numerator"),
        ("quorum_denominator", "quorum_denominator"),
        ("weighted", "weighted"),
        ("secret", "secret_ballot"),
    ):
        setattr(vote, attr, getattr(source_of_rule, source))
    vote.dual = bool(getattr(source_of_rule, "dual", False))


def set_presence(vote: Vote, present_entry_ids: set[int], *, actor: User) -> None:
    vote = locked_vote(vote.id)
    if vote.status not in (VoteStatus.open, VoteStatus.closed):
        raise VoteError("Presence is recorded while the vote is open or closed, before it is final.")
    changes = {}
    for entry in vote.roll:
        present = entry.id in present_entry_ids
        if entry.present != present:
            changes[entry.name] = [entry.present, present]
            entry.present = present
    if changes:
        record("vote.presence", vote, changes=changes, actor=actor, summary="Members present recorded")


def close_vote(vote: Vote, *, actor: User, now: datetime | None = None) -> Vote:
    vote = locked_vote(vote.id)
    if vote.status is not VoteStatus.open:
        raise VoteError("Only an open vote can be closed.")
    vote.status = VoteStatus.closed
    vote.closed_at = now or utcnow()
    if vote.secret:
        # Shake the box: rewrite every total in this one transaction, so that no row version says
        # which total the last voter's transaction touched.
        db.session.execute(
            update(BallotBoxTotal)
            .where(BallotBoxTotal.vote_id == vote.id)
            .values(ballots=BallotBoxTotal.ballots)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    result = result_of(vote)
    vote.quorum_met = result.quorum.met
    record(
        "vote.closed",
        vote,
        actor=actor,
        changes={"quorum_met": result.quorum.met, "ballots": result.ballots},
        summary=f"Vote closed with {result.ballots} ballots",
    )
    return vote


def finalise_vote(vote: Vote, *, actor: User, now: datetime | None = None) -> Vote:
    """Count, write the canonical record, chain its digest; nothing in the vote can change afterwards."""
    vote = locked_vote(vote.id)
    if vote.status is not VoteStatus.closed:
        raise VoteError("Only a closed vote can be finalised.")
    position, previous_digest = chain.next_place()
    result = result_of(vote)
    if vote.stage_id is not None:
        verdict = stages.verdict_of(vote, result)
        vote.verdict, vote.decides = verdict.verdict, verdict.decides
    vote.quorum_met = result.quorum.met
    vote.outcome = result.outcome.value
    winner = result.winner
    vote.result_candidate_id = (
        next(o.candidate_id for o in vote.options if o.id == winner.key)
        if result.outcome is tally.Outcome.endorsed and winner is not None
        else None
    )
    vote.status = VoteStatus.final
    vote.finalised_at = now or utcnow()
    vote.chain_position = position
    vote.previous_digest = previous_digest
    vote.record_json = canonical_json(build_record(vote, result))
    vote.digest = sha256_hex(vote.record_json)
    db.session.flush()
    record(
        "vote.finalised",
        vote,
        actor=actor,
        changes={"outcome": vote.outcome, "digest": vote.digest, "previous_digest": vote.previous_digest},
        summary=f"Vote finalised: {result.summary}",
    )
    chain.record_extension(vote, actor=actor)
    vote_finalised.send(vote, actor=actor)
    return vote


def publish_vote(vote: Vote, statement: str, *, actor: User, now: datetime | None = None) -> Vote:
    """Append the publication to the chain as a record of its own; the finalised vote row is not written."""
    vote = locked_vote(vote.id)
    if vote.status is not VoteStatus.final:
        raise VoteError("Only a final result can be published.")
    if vote.publication is not None:
        raise VoteError("This result is already published.")
    position, previous_digest = chain.next_place()
    if previous_digest is None:  # the vote's own final record is in the chain, so never
        raise VoteError("The chain of final records is empty; run `flask votes verify`.")
    publication = VotePublication(
        vote=vote,
        vote_id=vote.id,
        chain_position=position,
        published_at=now or utcnow(),
        statement=statement.strip(),
        previous_digest=previous_digest,
    )
    publication.record_json = canonical_json(build_publication_record(publication))
    publication.digest = sha256_hex(publication.record_json)
    db.session.add(publication)
    db.session.flush()
    record(
        "vote.published",
        vote,
        actor=actor,
        changes={"statement": publication.statement, "digest": publication.digest},
        summary=f"Result published: {vote.result_text}",
    )
    chain.record_extension(publication, actor=actor)
    return vote
