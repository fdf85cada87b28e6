"""A race's decision path: set it (from a preset or by hand), read where the race stands, prepare each stage's vote.

Where the race stands is read from the final votes of its stages, in the order they joined the chain
(`path_state`), never stored beside them: a stage that carries moves the race to the next stage (its
recommendation, if it chose, is what later stages ratify); one that fails sends it where its rule
says; a rescission that carries withdraws the recommendation or the endorsement. A stage's vote is an
ordinary vote (interviews.votes): its options are written here when it is prepared; its rule, body,
roll and place on the path are copied when it opens (decisions.subscribers).

Concurrency: preparing takes a lock on the race row, so two secretaries preparing the same stage at
once make one vote; the other is told. Closing and finalising are the votes feature's (a lock on the vote).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cache
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import joinedload

from interviews.audit.services import diff, record
from interviews.auth.models import User
from interviews.database import read_rows
from interviews.decisions.bodies import create_body, seat_counts
from interviews.decisions.errors import DecisionError
from interviews.decisions.models import Body, DecisionStage, OnFail, StageMode
from interviews.decisions.presets import PATH_PRESETS
from interviews.extensions import db
from interviews.races.models import QuorumKind, Race
from interviews.votes.models import OptionKind, Vote, VoteOption, VoteStatus
from interviews.votes.record import STAGE_RECORD_VERSION, canonical_json
from interviews.votes.rules import Rule
from interviews.votes.services import VoteRow, vote_rows_of_race, votes_of_race
from interviews.votes.stage_words import money
from interviews.votes.tally import NO_ENDORSEMENT

OPEN_RACE = "Open race: members free to choose"


class StageLike(Protocol):
    """What `path_state` and the path's template read of a stage: a `DecisionStage` or a `StageRow`."""

    @property
    def id(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def mode(self) -> StageMode: ...
    @property
    def body_name(self) -> str: ...


class VoteLike(Protocol):
    """What `path_state` and the decision's words read of a stage's vote: a `Vote` or a `VoteRow`."""

    @property
    def id(self) -> int: ...
    @property
    def stage_id(self) -> int | None: ...
    @property
    def stage_mode(self) -> str | None: ...
    @property
    def chain_position(self) -> int | None: ...
    @property
    def verdict(self) -> str | None: ...
    @property
    def decides(self) -> bool | None: ...
    @property
    def is_final(self) -> bool: ...
    @property
    def record(self) -> dict[str, Any] | None: ...


# Bound by Any, not by the protocols above: mypy refused the models as values of type variables bound by
# them, while it takes a model where a protocol is asked for (`_procedure`, `_winner_endorses`).
S = TypeVar("S", bound=Any)
V = TypeVar("V", bound=Any)


@dataclass
class PathOf(Generic[S, V]):
    """Where a race stands on its path, read from its stages' final votes: of objects (`PathState`,
    what the services act on) or of rows (`PathView`, what the race page shows)."""

    stages: list[S]
    finals: list[V] = field(default_factory=list)  # final stage votes, in chain order
    current: S | None = None  # the stage that votes next
    recommendation: V | None = None  # the choosing vote whose winner later stages ratify
    decided_by: V | None = None
    rescinded_by: V | None = None  # a rescission that carried, after the recommendation it withdrew
    pending: V | None = None  # a stage vote not yet final

    @property
    def path(self) -> list[S]:
        """The stages of the procedure itself, without rescissions added after it."""
        return [s for s in self.stages if s.mode is not StageMode.rescind]

    @property
    def decided(self) -> bool:
        return self.decided_by is not None

    @property
    def rescinded(self) -> bool:
        return self.rescinded_by is not None

    @property
    def can_rescind(self) -> bool:
        """A standing recommendation of a candidate, or the endorsement made, may be put to a rescission."""
        if self.pending is not None or self.recommendation is None or not _winner_endorses(self.recommendation):
            return False
        return not self.decided or (self.endorsement is not None and not self.rescinded)

    @property
    def endorsement(self) -> V | None:
        """The choosing vote whose winning option the finished path endorses, if it endorses anyone."""
        if self.decided_by is None or self.decided_by.verdict != "carried" or self.recommendation is None:
            return None
        return self.recommendation if _winner_endorses(self.recommendation) else None


PathState = PathOf[DecisionStage, Vote]


@dataclass(frozen=True, slots=True)
class StageRow:
    """A stage as the race page shows it on the path (`path_view`): a plain row, `DecisionStage`'s names."""

    id: int
    position: int
    name: str
    mode: StageMode
    body_name: str


PathView = PathOf[StageRow, VoteRow]


def _winner_endorses(vote: VoteLike) -> bool:
    record_ = vote.record or {}
    winner = record_.get("result", {}).get("winner")
    return any(o["label"] == winner and o.get("kind") in ("candidate", "joint") for o in record_.get("options", []))


@cache
def _stages_of_race() -> Select[tuple[DecisionStage]]:
    """Built once per process (bound: `race_id`)."""
    return (
        select(DecisionStage)
        .where(DecisionStage.race_id == bindparam("race_id", type_=Integer))
        .options(joinedload(DecisionStage.body))  # every page naming a stage names its body
        .order_by(DecisionStage.position)
    )


@cache
def _stage_rows_of_race() -> Select[Any]:
    """`StageRow`'s columns, built once per process (bound: `race_id`): the race page reads it on every visit."""
    return (
        select(DecisionStage.id, DecisionStage.position, DecisionStage.name, DecisionStage.mode, Body.name)
        .join(Body, Body.id == DecisionStage.body_id)
        .where(DecisionStage.race_id == bindparam("race_id", type_=Integer))
        .order_by(DecisionStage.position)
    )


def stages_of(race: Race) -> list[DecisionStage]:
    return list(db.session.scalars(_stages_of_race(), {"race_id": race.id}))


def stage_votes(race: Race) -> list[Vote]:
    """The votes of the race's path, in the order they were opened (the race's votes, read once a request)."""
    return sorted((v for v in votes_of_race(race) if v.stage_id is not None), key=lambda v: v.id)


def path_state(race: Race) -> PathState:
    """Where the race stands, of objects: for the services that act on it and the pages of its path."""
    stages = stages_of(race)
    return _standing(stages, stage_votes(race) if _procedure(stages) else [])


def path_view(race: Race) -> PathView:
    """Where the race stands, of plain rows: for the race page, which only shows it. Through objects
    its two reads were a sixth of that page's CPU."""
    stages = [StageRow(*row) for row in read_rows(_stage_rows_of_race(), {"race_id": race.id})]
    if not _procedure(stages):
        return PathView(stages=stages)
    votes = sorted((v for v in vote_rows_of_race(race) if v.stage_id is not None), key=lambda v: v.id)
    return _standing(stages, votes)


def _procedure(stages: Sequence[StageLike]) -> bool:
    return any(s.mode is not StageMode.rescind for s in stages)


def _standing(stages: list[S], votes: list[V]) -> PathOf[S, V]:
    """The state of a path of `stages` (in order) from its votes (in the order they were opened)."""
    state: PathOf[S, V] = PathOf(stages=stages)
    path = state.path
    if not path:
        return state
    by_id = {s.id: s for s in stages}
    state.finals = sorted((v for v in votes if v.is_final), key=lambda v: v.chain_position or 0)
    state.pending = next((v for v in reversed(votes) if not v.is_final), None)
    current: S | None = path[0]
    for vote in state.finals:
        stage = by_id.get(vote.stage_id or 0)
        if vote.stage_mode == StageMode.rescind.value:
            if vote.verdict == "carried":
                state.rescinded_by = vote
                if state.decided_by is None and state.recommendation is not None:
                    # A recommendation withdrawn before the path finished: its stage chooses again.
                    current = by_id.get(state.recommendation.stage_id or 0)
                    state.recommendation = None
            continue
        if vote.verdict == "carried":
            if vote.stage_mode == StageMode.choose.value:
                state.recommendation, state.rescinded_by = vote, None
            if vote.decides:
                state.decided_by, current = vote, None
            else:
                current = _after(path, stage)
        elif vote.decides:
            state.decided_by, current = vote, None
        elif vote.stage_mode == StageMode.choose.value:
            current = stage
        else:  # a ratification that failed sends the race back to the stage before it
            current, state.recommendation = _before(path, stage), None
    state.current = current
    return state


def _after(path: list[S], stage: S | None) -> S | None:
    later = [s for s in path if stage is not None and s.position > stage.position]
    return later[0] if later else None


def _before(path: list[S], stage: S | None) -> S | None:
    earlier = [s for s in path if stage is not None and s.position < stage.position]
    return earlier[-1] if earlier else path[0]


# --- setting the path ----------------------------------------------------------------------------


def _refuse_if_voted(race: Race, what: str) -> None:
    if db.session.scalar(select(Vote.id).where(Vote.race_id == race.id, Vote.stage_id.is_not(None)).limit(1)):
        raise DecisionError(f"A stage of this race has a vote already, so {what}; edit the stages still to come.")


def _body_named(name: str, *, actor: User) -> Body:
    body = db.session.scalars(select(Body).where(Body.name == name)).first()
    if body is not None:
        return body
    return create_body(name, "", actor=actor)


def apply_preset(race: Race, key: str, *, actor: User) -> list[DecisionStage]:
    """Replace the race's path by a preset's stages; bodies missing by name are made, empty, for staff to fill."""
    preset = PATH_PRESETS.get(key)
    if preset is None:
        raise DecisionError("Choose one of the procedures offered.")
    _refuse_if_voted(race, "its path can no longer be replaced")
    for old in stages_of(race):
        db.session.delete(old)
    db.session.flush()
    stages = []
    for position, p in enumerate(preset.stages, start=1):
        num, den = p.spelled
        stage = DecisionStage(
            race=race,
            position=position,
            name=p.name,
            body=_body_named(p.body, actor=actor),
            mode=p.mode,
            on_fail=p.on_fail,
            threshold_numerator=num,
            threshold_denominator=den,
            threshold_inclusive=p.inclusive,
            vote_base=p.base,
            quorum_kind=QuorumKind.none,
            weighted=p.weighted,
            secret_ballot=False,
            dual=p.dual,
        )
        db.session.add(stage)
        stages.append(stage)
    db.session.flush()
    record(
        "race.path_set",
        race,
        changes={"preset": key, "stages": [f"{s.name} ({s.body.name})" for s in stages]},
        summary=f"Decision path of {race.title}: {preset.label}",
        actor=actor,
    )
    return stages


@dataclass(frozen=True)
class StageSpec:
    """A stage as entered on its form."""

    name: str
    body: Body
    mode: StageMode
    on_fail: OnFail
    rule: Rule
    spelled: tuple[int, int]


def _write_stage(stage: DecisionStage, spec: StageSpec) -> dict[str, list[object]]:
    rule = spec.rule
    num, den = spec.spelled
    if Fraction(num, den) != rule.threshold:
        num, den = rule.threshold.numerator, rule.threshold.denominator
    if rule.quorum_kind is QuorumKind.count:
        q_num, q_den = int(rule.quorum), 1
    elif rule.quorum_kind is QuorumKind.fraction:
        q_num, q_den = rule.quorum.numerator, rule.quorum.denominator
    else:
        q_num, q_den = 0, 1
    if spec.mode is not StageMode.choose and rule.dual:
        raise DecisionError("Only a stage that chooses from the field can allow a dual endorsement.")
    return diff(
        stage,
        {
            "name": " ".join(spec.name.split()) or stage.name,
            "body_id": spec.body.id,
            "mode": spec.mode,
            "on_fail": spec.on_fail,
            "threshold_numerator": num,
            "threshold_denominator": den,
            "threshold_inclusive": rule.inclusive,
            "vote_base": rule.base,
            "quorum_kind": rule.quorum_kind,
            "quorum_numerator": q_num,
            "quorum_denominator": q_den,
            "weighted": rule.weighted,
            "secret_ballot": rule.secret,
            "dual": rule.dual,
        },
    )


def _has_votes(stage: DecisionStage) -> bool:
    return db.session.scalar(select(Vote.id).where(Vote.stage_id == stage.id).limit(1)) is not None


def add_stage(race: Race, spec: StageSpec, *, actor: User) -> DecisionStage:
    """Add a stage at the end of the path (before any rescission)."""
    if spec.mode is StageMode.rescind:
        raise DecisionError("A rescission is started from a decision taken, not added to the path.")
    stages = stages_of(race)
    if any(s.mode is StageMode.rescind for s in stages):
        raise DecisionError("This race's decision has been put to a rescission; its path is closed.")
    if not stages and spec.mode is StageMode.ratify:
        raise DecisionError("The first stage chooses from the field: there is nothing before it to ratify.")
    state = path_state(race)
    if state.decided:
        raise DecisionError("The decision is taken: a stage added now would never vote.")
    stage = DecisionStage(
        race=race, position=(stages[-1].position + 1) if stages else 1, name=spec.name, body=spec.body
    )
    db.session.add(stage)
    _write_stage(stage, spec)
    db.session.flush()
    record(
        "race.stage_added",
        race,
        changes={"stage": stage.name, "position": stage.position, "body": spec.body.name, "mode": spec.mode.value},
        summary=f"Stage {stage.position} of {race.title}'s decision: {stage.name} ({spec.body.name})",
        actor=actor,
    )
    return stage


def update_stage(stage: DecisionStage, spec: StageSpec, *, actor: User) -> None:
    if _has_votes(stage):
        raise DecisionError(f"{stage.name} has a vote already; its body and rule are frozen in that vote's record.")
    if stage.position == 1 and spec.mode is StageMode.ratify:
        raise DecisionError("The first stage chooses from the field: there is nothing before it to ratify.")
    changes = _write_stage(stage, spec)
    if changes:
        record(
            "race.stage_changed",
            stage.race,
            changes=changes,
            summary=f"Stage {stage.position} ({stage.name}) of {stage.race.title} changed",
            actor=actor,
        )


def remove_stage(stage: DecisionStage, *, actor: User) -> None:
    if _has_votes(stage):
        raise DecisionError(f"{stage.name} has a vote already; it stays on the path and in the record.")
    race, name = stage.race, stage.name
    later = [s for s in stages_of(race) if s.position > stage.position]
    db.session.delete(stage)
    db.session.flush()
    for s in later:  # one at a time, so (race, position) stays unique at every step
        s.position -= 1
        db.session.flush()
    first = stages_of(race)[:1]
    if first and first[0].mode is StageMode.ratify:
        raise DecisionError("The first stage would then be a ratification, with nothing before it to ratify.")
    record("race.stage_removed", race, changes={"stage": name}, summary=f"Stage {name} removed", actor=actor)


# --- preparing a stage's vote --------------------------------------------------------------------


@dataclass(frozen=True)
class MotionSpec:
    """An endorsement put to a choosing stage beyond the plain one per candidate: a dual, or one on terms."""

    candidate_ids: list[int]
    conditions: str = ""
    commitment_ids: list[int] = field(default_factory=list)
    contribution_cents: int | None = None
    fund: str = ""


def _lock_race(race: Race) -> Race:
    locked = db.session.scalars(
        select(Race).where(Race.id == race.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    return locked


def _current_name(state: PathState) -> str:
    return state.current.name if state.current is not None else "the stage before"


def _stage_order_error(state: PathState, stage: DecisionStage) -> str:
    if state.current is None:
        return "The decision is taken; nothing more is prepared on this path (a rescission is its own stage)."
    if stage.position > state.current.position:
        return f"{stage.name} comes later: the race stands at {state.current.name}, which votes first."
    return f"{stage.name} has voted already: the race stands at {state.current.name}."


def prepare_stage_vote(
    race: Race,
    stage: DecisionStage,
    *,
    held_on: date,
    motion: str,
    actor: User,
    motions: list[MotionSpec] | None = None,
    commitments: dict[int, str] | None = None,
) -> Vote:
    """A draft vote for the stage where the race stands, with its options: it opens like any vote.

    `commitments` ({id: text}) are the commitments sought in the race, to which conditions may be linked.
    """
    race = _lock_race(race)
    state = path_state(race)
    if stage.race_id != race.id or stage.mode is StageMode.rescind:
        raise DecisionError("That stage is not on this race's path.")
    if state.pending is not None:
        raise DecisionError(
            f"{state.pending.stage_name or 'A stage'}'s vote is {state.pending.status.label.lower()} already: "
            "finish it before preparing another."
        )
    if stage.mode is StageMode.ratify and state.rescinded_by is not None and state.recommendation is None:
        raise DecisionError(
            f"The recommendation {stage.name} would ratify was rescinded "
            f"({state.rescinded_by.held_on:%d %B %Y}); {_current_name(state)} chooses again first."
        )
    if state.current is None or state.current.id != stage.id:
        raise DecisionError(_stage_order_error(state, stage))
    if not stage.body.is_default and not seat_counts([stage.body_id], max(held_on, date.today()))[stage.body_id]:
        raise DecisionError(f"{stage.body.name} has no members: add them before preparing its vote.")
    motion = motion.strip()
    if not motion:
        raise DecisionError("Write the motion put to the vote.")
    vote = Vote(
        race=race,
        held_on=held_on,
        motion=motion,
        created_by=actor,
        status=VoteStatus.draft,
        record_version=STAGE_RECORD_VERSION,
        stage_id=stage.id,
        stage_name=stage.name,
        stage_mode=stage.mode.value,
        body_id=stage.body_id,
        body_name=stage.body.name,
    )
    db.session.add(vote)
    if stage.mode is StageMode.ratify:
        recommendation = state.recommendation
        if recommendation is None:
            raise DecisionError("There is no recommendation to ratify: the stage before has not carried one.")
        vote.follows_vote_id = recommendation.id
        _add_options(vote, _yes_no(recommendation, OptionKind.ratify, OptionKind.reject))
    else:
        _add_options(vote, _field_options(race, stage, motions or [], commitments or {}))
    db.session.flush()
    record(
        "vote.prepared",
        vote,
        changes={"held_on": held_on, "motion": vote.motion, "stage": stage.name, "body": stage.body.name},
        actor=actor,
        summary=f"Vote prepared for {race.title}, stage {stage.position}: {stage.name}",
    )
    return vote


def _yes_no(follows: Vote, yes: OptionKind, no: OptionKind) -> list[tuple[str, OptionKind, int | None, str | None]]:
    what = follows.result_text.rstrip(".")
    if yes is OptionKind.ratify:
        labels = (f"Yes: ratify the recommendation ({what})", "No: reject the recommendation")
    else:
        labels = (f"Yes: rescind ({what})", "No: keep the endorsement")
    return [(labels[0][:500], yes, None, None), (labels[1], no, None, None)]


def _field_options(
    race: Race, stage: DecisionStage, motions: list[MotionSpec], commitments: dict[int, str]
) -> list[tuple[str, OptionKind, int | None, str | None]]:
    candidates = {c.id: c for c in race.active_candidates}
    options: list[tuple[str, OptionKind, int | None, str | None]] = []
    for c in candidates.values():
        options.append(
            (c.name, OptionKind.candidate, c.id, canonical_json({"candidates": [{"id": c.id, "name": c.name}]}))
        )
    labels = {label for label, *_ in options}
    for motion in motions:
        ids = list(dict.fromkeys(motion.candidate_ids))
        if not ids:
            raise DecisionError("An endorsement on terms names at least one candidate.")
        unknown = [i for i in ids if i not in candidates]
        if unknown:
            raise DecisionError("An endorsement names a candidate who is not (or no longer) in this race.")
        if len(ids) > 1 and not stage.dual:
            raise DecisionError(
                f"{stage.name}'s rule does not allow a dual endorsement: "
                "allow it on the stage, or endorse one candidate."
            )
        bad = [i for i in motion.commitment_ids if i not in commitments]
        if bad:
            raise DecisionError("A condition is linked to a commitment that is not sought in this race.")
        if motion.contribution_cents is not None and motion.contribution_cents <= 0:
            raise DecisionError("A recommended contribution is an amount of more than $0.")
        if motion.contribution_cents is not None and not motion.fund.strip():
            raise DecisionError("Say from which fund the contribution is recommended (for example the PAC fund).")
        names = [candidates[i].name for i in ids]
        terms: dict[str, object] = {"candidates": [{"id": i, "name": candidates[i].name} for i in ids]}
        label = " and ".join(names) + (" (dual endorsement)" if len(ids) > 1 else "")
        if motion.conditions.strip():
            terms["conditions"] = " ".join(motion.conditions.split())
            terms["commitments"] = [{"id": i, "text": commitments[i]} for i in motion.commitment_ids]
            label += ", on conditions"
        if motion.contribution_cents is not None:
            terms["contribution"] = {"cents": motion.contribution_cents, "fund": " ".join(motion.fund.split())}
            label += f", with a contribution of {money(motion.contribution_cents)}"
        if label in labels:
            raise DecisionError(f"“{label}” is on the ballot already.")
        labels.add(label)
        kind = OptionKind.joint if len(ids) > 1 else OptionKind.candidate
        options.append((label[:500], kind, ids[0] if len(ids) == 1 else None, canonical_json(terms)))
    options.append((OPEN_RACE, OptionKind.open, None, None))
    options.append((NO_ENDORSEMENT, OptionKind.no_endorsement, None, None))
    return options


def _add_options(vote: Vote, options: list[tuple[str, OptionKind, int | None, str | None]]) -> None:
    for position, (label, kind, candidate_id, terms) in enumerate(options, start=1):
        db.session.add(
            VoteOption(vote=vote, label=label, kind=kind, candidate_id=candidate_id, terms=terms, position=position)
        )


# --- rescission ----------------------------------------------------------------------------------


def start_rescission(race: Race, *, body: Body, held_on: date, motion: str, actor: User) -> Vote:
    """Put the endorsement (or the standing recommendation) to a rescission: a stage of its own, with its vote."""
    race = _lock_race(race)
    state = path_state(race)
    target = state.recommendation
    if target is None or not _winner_endorses(target):
        raise DecisionError("There is no endorsement or recommendation of a candidate to rescind.")
    if state.pending is not None:
        raise DecisionError(f"{state.pending.stage_name}'s vote is not final yet: finish it first.")
    if not body.is_default and not seat_counts([body.id], max(held_on, date.today()))[body.id]:
        raise DecisionError(f"{body.name} has no members: add them first.")
    if not motion.strip():
        raise DecisionError("Write the motion put to the vote.")
    last = state.path[-1]
    stages = stages_of(race)
    stage = DecisionStage(
        race=race,
        position=stages[-1].position + 1,
        name="Rescission",
        body=body,
        mode=StageMode.rescind,
        on_fail=OnFail.no_endorsement,
        threshold_numerator=last.threshold_numerator,
        threshold_denominator=last.threshold_denominator,
        threshold_inclusive=last.threshold_inclusive,
        vote_base=last.vote_base,
        quorum_kind=last.quorum_kind,
        quorum_numerator=last.quorum_numerator,
        quorum_denominator=last.quorum_denominator,
        weighted=last.weighted,
        secret_ballot=last.secret_ballot,
    )
    db.session.add(stage)
    db.session.flush()
    follows = state.decided_by or target
    vote = Vote(
        race=race,
        held_on=held_on,
        motion=motion.strip(),
        created_by=actor,
        status=VoteStatus.draft,
        record_version=STAGE_RECORD_VERSION,
        stage_id=stage.id,
        stage_name=stage.name,
        stage_mode=StageMode.rescind.value,
        body_id=body.id,
        body_name=body.name,
        follows_vote_id=follows.id,
    )
    db.session.add(vote)
    _add_options(vote, _yes_no(target, OptionKind.rescind, OptionKind.keep))
    db.session.flush()
    record(
        "vote.prepared",
        vote,
        changes={"held_on": held_on, "motion": vote.motion, "stage": "Rescission", "body": body.name},
        actor=actor,
        summary=f"Rescission of {race.title}'s {'endorsement' if state.decided else 'recommendation'} prepared",
    )
    return vote
