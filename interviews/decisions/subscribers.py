"""The decisions feature's answers to the votes feature: a stage's vote opens with the stage's rule and body."""

from __future__ import annotations

from datetime import date
from typing import Any

from interviews.decisions.bodies import seated, sync_default_body
from interviews.decisions.models import DecisionStage, StageMode
from interviews.decisions.paths import path_state
from interviews.extensions import db
from interviews.signals import vote_opening
from interviews.votes.models import Vote
from interviews.votes.services import RollMember, VoteError, copy_rule


@vote_opening.connect
def open_stage_vote(vote: Vote, *, actor: Any, **_: Any) -> list[RollMember] | None:
    """Copy the stage onto its vote (rule, names, place on the path) and give the body's roll on this day.

    The roll is who sits on the body on the day the vote opens; a member's weight is the seat's.
    """
    if vote.stage_id is None:
        return None
    stage = db.session.get(DecisionStage, vote.stage_id)
    if stage is None:
        raise VoteError("This vote's stage no longer exists.")
    state = path_state(vote.race)
    if stage.mode is StageMode.ratify and (
        vote.follows_vote_id is None or state.recommendation is None or state.recommendation.id != vote.follows_vote_id
    ):
        raise VoteError(
            "The recommendation this vote would ratify is no longer standing (it was rescinded or sent back); "
            "the vote stays a draft."
        )
    if stage.mode is StageMode.rescind and state.rescinded:
        raise VoteError("The endorsement has been rescinded already.")
    copy_rule(vote, stage)
    later = [s for s in state.path if s.position > stage.position]
    vote.stage_position = stage.position
    vote.stage_name = stage.name
    vote.stage_mode = stage.mode.value
    vote.stage_on_fail = stage.on_fail.value
    vote.stage_is_last = stage.mode is StageMode.rescind or not later
    vote.body_id, vote.body_name = stage.body_id, stage.body.name
    if vote.follows_vote_id is not None:
        follows = db.session.get(Vote, vote.follows_vote_id)
        vote.follows_digest = follows.digest if follows is not None else None
    today = date.today()
    body = sync_default_body(today=today, actor=actor) if stage.body.is_default else stage.body
    return [RollMember(m.name, m.weight, user_id=m.user_id, body_member_id=m.id) for m in seated(body, today)]
