"""Pages of a race's decision path: the path and its presets, each stage, preparing a stage's vote, rescission.

One shape for every change, as in the votes feature: try the service, roll back and show its
message on a refusal, else commit once and redirect.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it

from interviews.access import SIGNED_IN, allow, signed_in_user
from interviews.auth.models import User
from interviews.decisions import bodies, paths
from interviews.decisions.errors import DecisionError
from interviews.decisions.forms import PrepareStageForm, PresetForm, RescindForm, StageForm, body_choices, cents_of
from interviews.decisions.models import Body, DecisionStage, OnFail, StageMode
from interviews.decisions.record import load_decision, stages_json
from interviews.decisions.words import decision_words
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.questionnaires.models import Commitment
from interviews.races.models import QuorumKind, Race, VoteBase
from interviews.races.stages import facts_of
from interviews.races.views import get_race_or_404
from interviews.sections import render_part, section
from interviews.votes.rules import describe, rule_of_race

bp = Blueprint("decisions", __name__)


def get_stage_or_404(stage_id: int) -> DecisionStage:
    return db.get_or_404(DecisionStage, stage_id)


def _is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def _stage_form(stage: DecisionStage | None = None) -> StageForm:
    form = StageForm()
    form.body.choices = body_choices(bodies.bodies())
    if not form.is_submitted():
        source = stage
        form.comparison.data = "at_least" if (source.threshold_inclusive if source else False) else "more_than"
        form.threshold_numerator.data = source.threshold_numerator if source else 1
        form.threshold_denominator.data = source.threshold_denominator if source else 2
        form.vote_base.data = (source.vote_base if source else VoteBase.cast).value
        form.weighted.data = source.weighted if source else False
        form.quorum_kind.data = (source.quorum_kind if source else QuorumKind.none).value
        form.quorum_numerator.data = source.quorum_numerator if source else 0
        form.quorum_denominator.data = source.quorum_denominator if source else 1
        form.secret_ballot.data = source.secret_ballot if source else False
        if source is not None:
            form.name.data = source.name
            form.body.data = source.body_id
            form.mode.data = source.mode.value
            form.on_fail.data = source.on_fail.value
            form.dual.data = source.dual
    return form


def _spec(form: StageForm) -> paths.StageSpec | None:
    entered = form.stage_rule()
    body = db.session.get(Body, form.body.data) if form.body.data else None
    if entered is None or body is None:
        if body is None:
            form.body.errors = [*form.body.errors, "Choose the body."]
        return None
    rule, spelled = entered
    return paths.StageSpec(
        name=form.name.data or "",
        body=body,
        mode=StageMode(form.mode.data),
        on_fail=OnFail(form.on_fail.data),
        rule=rule,
        spelled=spelled,
    )


def _path_page(race: Race, *, stage_form: StageForm | None = None, status: int = 200) -> ResponseReturnValue:
    state = paths.path_state(race)
    return render_template(
        "decisions/path.html",
        race=race,
        state=state,
        words=decision_words(state),
        rules={s.id: describe(rule_of_race(s)) for s in state.stages},
        members=bodies.seat_counts(sorted({s.body_id for s in state.stages}), date.today()),
        is_staff=_is_staff(),
        preset_form=PresetForm(),
        stage_form=stage_form or _stage_form(),
        confirm=ConfirmForm(),
    ), status


@bp.get("/races/<int:race_id>/path")
@allow(SIGNED_IN)
def path(race_id: int) -> ResponseReturnValue:
    return _path_page(get_race_or_404(race_id))


@bp.post("/races/<int:race_id>/path/preset")
@allow("staff", "admin")
def apply_preset(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    form = PresetForm()
    if not form.validate_on_submit():
        flash(" ".join(form.procedure.errors) or "Choose one of the procedures offered.", "error")
        return redirect(url_for("decisions.path", race_id=race.id))
    try:
        stages = paths.apply_preset(race, form.procedure.data or "", actor=signed_in_user())
    except DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        seats = bodies.seat_counts([s.body_id for s in stages], date.today())
        empty = [s.body.name for s in stages if not s.body.is_default and not seats[s.body_id]]
        flash("The decision path is set." + (f" Add the members of: {', '.join(empty)}." if empty else ""), "success")
    return redirect(url_for("decisions.path", race_id=race.id))


@bp.post("/races/<int:race_id>/path/stages")
@allow("staff", "admin")
def add_stage(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    form = _stage_form()
    spec = _spec(form) if form.validate_on_submit() else None
    if spec is None:
        return _path_page(race, stage_form=form, status=400)
    try:
        stage = paths.add_stage(race, spec, actor=signed_in_user())
    except DecisionError as error:
        db.session.rollback()
        form.name.errors = [*form.name.errors, str(error)]
        return _path_page(race, stage_form=form, status=400)
    db.session.commit()
    flash(f"Stage {stage.position} added: {stage.name}.", "success")
    return redirect(url_for("decisions.path", race_id=race.id))


@bp.route("/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@allow("staff", "admin")
def edit_stage(stage_id: int) -> ResponseReturnValue:
    stage = get_stage_or_404(stage_id)
    form = _stage_form(stage)
    if form.validate_on_submit() and (spec := _spec(form)) is not None:
        try:
            paths.update_stage(stage, spec, actor=signed_in_user())
        except DecisionError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            flash(f"Saved: {stage.name}.", "success")
            return redirect(url_for("decisions.path", race_id=stage.race_id))
    return render_template("decisions/stage_edit.html", stage=stage, race=stage.race, form=form), (
        400 if form.errors else 200
    )


@bp.post("/stages/<int:stage_id>/remove")
@allow("staff", "admin")
def remove_stage(stage_id: int) -> ResponseReturnValue:
    stage = get_stage_or_404(stage_id)
    race_id = stage.race_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        paths.remove_stage(stage, actor=signed_in_user())
    except DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("The stage is removed.", "success")
    return redirect(url_for("decisions.path", race_id=race_id))


def _commitments(race: Race) -> dict[int, str]:
    return {
        c.id: c.text
        for c in db.session.scalars(
            select(Commitment).where(Commitment.race_id == race.id).order_by(Commitment.position)
        )
    }


@bp.route("/stages/<int:stage_id>/prepare", methods=["GET", "POST"])
@allow("staff", "admin")
def prepare(stage_id: int) -> ResponseReturnValue:
    stage = get_stage_or_404(stage_id)
    race = stage.race
    commitments = _commitments(race)
    form = PrepareStageForm()
    for row in form.motions:
        row.form.candidates.choices = [SelectChoice(c.id, c.name) for c in race.active_candidates]
        row.form.commitments.choices = [SelectChoice(i, text) for i, text in commitments.items()]
    if form.validate_on_submit() and form.held_on.data is not None:
        motions = [
            paths.MotionSpec(
                candidate_ids=list(row.form.candidates.data or []),
                conditions=row.form.conditions.data or "",
                commitment_ids=list(row.form.commitments.data or []),
                contribution_cents=cents_of(row.form.contribution.data) if row.form.contribution.data else None,
                fund=row.form.fund.data or "",
            )
            for row in form.motions
            if not row.form.is_empty()
        ]
        try:
            vote = paths.prepare_stage_vote(
                race,
                stage,
                held_on=form.held_on.data,
                motion=form.motion.data or "",
                actor=signed_in_user(),
                motions=motions if stage.mode is StageMode.choose else None,
                commitments=commitments,
            )
        except DecisionError as error:
            db.session.rollback()
            form.motion.errors = [*form.motion.errors, str(error)]
        else:
            db.session.commit()
            flash(f"The vote of {stage.name} is prepared. Open it when the meeting starts.", "success")
            return redirect(url_for("votes.show", vote_id=vote.id))
    state = paths.path_state(race)
    return render_template(
        "decisions/prepare.html",
        race=race,
        stage=stage,
        state=state,
        form=form,
        rule_words=describe(rule_of_race(stage)),
        recommendation=state.recommendation,
    ), (400 if form.errors else 200)


@bp.route("/races/<int:race_id>/rescind", methods=["GET", "POST"])
@allow("staff", "admin")
def rescind(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    state = paths.path_state(race)
    form = RescindForm()
    form.body.choices = body_choices(bodies.bodies())
    if not form.is_submitted() and state.path:
        form.body.data = state.path[-1].body_id
    if form.validate_on_submit() and form.held_on.data is not None:
        body = db.session.get(Body, form.body.data)
        try:
            if body is None:
                raise DecisionError("Choose the body.")
            vote = paths.start_rescission(
                race, body=body, held_on=form.held_on.data, motion=form.motion.data or "", actor=signed_in_user()
            )
        except DecisionError as error:
            db.session.rollback()
            form.motion.errors = [*form.motion.errors, str(error)]
        else:
            db.session.commit()
            flash("The rescission is prepared as a stage of its own. Open its vote when the meeting starts.", "success")
            return redirect(url_for("votes.show", vote_id=vote.id))
    return render_template("decisions/rescind.html", race=race, state=state, form=form, words=decision_words(state)), (
        400 if form.errors else 200
    )


# --- parts of other pages --------------------------------------------------------------------


@section("race", order=75)
def race_section(race: Race, viewer: object) -> str | None:
    if race is None or not isinstance(viewer, User):
        return None
    # The race's facts are read with it on its page: a race without a path asks for no stages.
    state = paths.path_view(race) if facts_of(race).has_path else paths.PathView(stages=[])
    if not state.stages and not viewer.is_staff:
        return None
    return render_part(
        "decisions/_race_section.html", race=race, state=state, words=decision_words(state), is_staff=viewer.is_staff
    )


@section("record_book", order=85)
def record_book_section(book: Any, viewer: object) -> str | None:
    """The record book hands over the book it loaded, with its decision; a race alone works too."""
    race = getattr(book, "race", book)
    if not isinstance(race, Race) or not isinstance(viewer, User):
        return None
    decision = book.decision if hasattr(book, "decision") else load_decision(race)
    if decision is None:
        return None
    return render_part(
        "decisions/_record_book_section.html", race=race, decision=decision, stages=stages_json(decision)
    )
