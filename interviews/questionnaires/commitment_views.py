"""The commitments page of a race: what the union seeks, the matrix, and recording a candidate's position."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.questionnaires import commitments as services
from interviews.questionnaires.forms import CommitmentForm, PositionForm
from interviews.questionnaires.models import (
    Commitment,
    PositionSource,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    Stance,
)
from interviews.questionnaires.record import load_matrix
from interviews.questionnaires.views import OFFICE, READERS, bp
from interviews.races.models import Candidate, Race
from interviews.races.views import get_race_or_404
from interviews.types import utcnow


def get_commitment_or_404(race: Race, commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None or commitment.race_id != race.id:
        abort(404)
    return commitment


def _question_choices(race: Race) -> list[SelectChoice]:
    questions = db.session.execute(
        select(QuestionnaireQuestion, QuestionnaireVersion.version)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireQuestion.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.race_id == race.id)
        .order_by(QuestionnaireVersion.version.desc(), QuestionnaireQuestion.position)
    ).all()
    return [SelectChoice(0, "— none —")] + [
        SelectChoice(q.id, f"Version {v}, question {q.position}: {q.text[:80]}") for q, v in questions
    ]


def _commitment_form(race: Race, *, posted: bool) -> CommitmentForm:
    form = CommitmentForm() if posted else CommitmentForm(formdata=None)
    form.question_id.choices = _question_choices(race)
    return form


def _position_form(race: Race, commitments: list[Commitment], *, posted: bool) -> PositionForm:
    form = PositionForm() if posted else PositionForm(formdata=None)
    candidates = db.session.scalars(select(Candidate).where(Candidate.race_id == race.id).order_by(Candidate.name))
    form.candidate_id.choices = [
        SelectChoice(c.id, c.name + (" (withdrawn)" if c.withdrawn else "")) for c in candidates
    ]
    form.commitment_id.choices = [SelectChoice(c.id, f"{c.position}. {c.text[:90]}") for c in commitments]
    if not posted:
        form.source_date.data = utcnow().date()
        form.candidate_id.data = request.args.get("candidate", type=int)
        form.commitment_id.data = request.args.get("commitment", type=int)
    return form


def _page(
    race: Race,
    *,
    commitment_form: CommitmentForm | None = None,
    position_form: PositionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    matrix = load_matrix(race)
    viewer = signed_in_user()
    return (
        render_template(
            "questionnaires/commitments.html",
            race=race,
            matrix=matrix,
            commitment_form=commitment_form or _commitment_form(race, posted=False),
            position_form=position_form or _position_form(race, matrix.commitments, posted=False),
            may_record=services.may_record_positions(viewer, race),
            is_staff=viewer.is_staff,
            confirm=ConfirmForm(),
            Stance=Stance,
            PositionSource=PositionSource,
        ),
        status,
    )


@bp.get("/races/<int:race_id>/commitments")
@allow(*READERS)
def commitments(race_id: int) -> ResponseReturnValue:
    return _page(get_race_or_404(race_id))


@bp.post("/races/<int:race_id>/commitments")
@allow(*OFFICE)
def add_commitment(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    form = _commitment_form(race, posted=True)
    if form.validate_on_submit():
        try:
            services.add_commitment(
                race, text=form.text.data or "", question_id=form.question_id.data or None, actor=signed_in_user()
            )
        except services.CommitmentError as error:
            db.session.rollback()
            getattr(form, error.field or "text").errors.append(str(error))
        else:
            db.session.commit()
            flash("The commitment is listed.", "success")
            return redirect(url_for("questionnaires.commitments", race_id=race.id))
    return _page(race, commitment_form=form, status=400 if form.errors else 409)


@bp.post("/races/<int:race_id>/commitments/<int:commitment_id>/edit")
@allow(*OFFICE)
def edit_commitment(race_id: int, commitment_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    commitment = get_commitment_or_404(race, commitment_id)
    form = _commitment_form(race, posted=True)
    if not form.validate_on_submit():
        flash(" ".join([*form.text.errors, *form.question_id.errors]) or "Please try again.", "error")
        return redirect(url_for("questionnaires.commitments", race_id=race.id))
    try:
        services.edit_commitment(
            commitment, text=form.text.data or "", question_id=form.question_id.data or None, actor=signed_in_user()
        )
    except services.CommitmentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("The commitment is saved.", "success")
    return redirect(url_for("questionnaires.commitments", race_id=race.id))


@bp.post("/races/<int:race_id>/commitments/<int:commitment_id>/remove")
@allow(*OFFICE)
def remove_commitment(race_id: int, commitment_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    commitment = get_commitment_or_404(race, commitment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_commitment(commitment, actor=signed_in_user())
    except services.CommitmentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("The commitment is no longer listed.", "success")
    return redirect(url_for("questionnaires.commitments", race_id=race.id))


@bp.post("/races/<int:race_id>/commitments/positions")
@allow(*READERS)
def record_position(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    if not services.may_record_positions(signed_in_user(), race):
        abort(403)
    commitments = services.commitments_of(race)
    form = _position_form(race, commitments, posted=True)
    if form.validate_on_submit() and form.source_date.data is not None:
        commitment = next((c for c in commitments if c.id == form.commitment_id.data), None)
        candidate = db.session.get(Candidate, form.candidate_id.data or 0)
        try:
            if commitment is None or candidate is None:
                raise services.CommitmentError("Choose a candidate and a commitment of this race.", "commitment_id")
            services.record_position(
                commitment,
                candidate,
                services.PositionInput(
                    stance=Stance(form.stance.data),
                    source=PositionSource(form.source.data),
                    source_date=form.source_date.data,
                    source_url=form.source_url.data or "",
                    quote=form.quote.data or "",
                ),
                actor=signed_in_user(),
            )
        except services.CommitmentError as error:
            db.session.rollback()
            getattr(form, error.field or "stance").errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{candidate.name}'s position on “{commitment.text}” is recorded.", "success")
            return redirect(url_for("questionnaires.commitments", race_id=race.id) + "#matrix")
    return _page(race, position_form=form, status=400)
