"""The commitments page of a race: what the union seeks, the matrix, and recording a candidate's position."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.pagination import paginate
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
from interviews.security import MAX_ID
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


def _candidate_choice(candidate: Candidate) -> SelectChoice:
    return SelectChoice(candidate.id, candidate.name + (" (withdrawn)" if candidate.withdrawn else ""))


def _candidate_of_race(race: Race, candidate_id: int | None) -> Candidate | None:
    candidate = db.session.get(Candidate, candidate_id) if candidate_id and 0 < candidate_id <= MAX_ID else None
    return candidate if candidate is not None and candidate.race_id == race.id else None


def _position_form(
    race: Race, commitments: list[Commitment], *, posted: bool, shown: Sequence[Candidate] = ()
) -> PositionForm:
    """The form to record a position. Its candidates are those of the page shown (a race may have
    thousands), and the one asked for (a cell's "record" link) or posted, if it is in this race."""
    form = PositionForm() if posted else PositionForm(formdata=None)
    wanted = request.form.get("candidate_id", type=int) if posted else request.args.get("candidate", type=int)
    candidates = list(shown)
    extra = _candidate_of_race(race, wanted) if wanted not in {c.id for c in candidates} else None
    if extra is not None:
        candidates.insert(0, extra)
    form.candidate_id.choices = [_candidate_choice(c) for c in candidates]
    form.commitment_id.choices = [SelectChoice(c.id, f"{c.position}. {c.text[:90]}") for c in commitments]
    if not posted:
        form.source_date.data = utcnow().date()
        form.candidate_id.data = wanted
        form.commitment_id.data = request.args.get("commitment", type=int)
    return form


def _page(
    race: Race,
    *,
    commitment_form: CommitmentForm | None = None,
    position_form: PositionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    # A page of the race's candidates at a time: a race of two thousand is forty pages, not one table.
    candidates = paginate(
        select(Candidate).where(Candidate.race_id == race.id).order_by(Candidate.name, Candidate.id),
        arg="candidates",
    )
    matrix = load_matrix(race, candidates=list(candidates.items))
    viewer = signed_in_user()
    if position_form is not None:  # shown again after a refusal: offer this page's candidates too
        offered = {c.value for c in position_form.candidate_id.choices or [] if isinstance(c, SelectChoice)}
        position_form.candidate_id.choices = [
            *(position_form.candidate_id.choices or []),
            *(_candidate_choice(c) for c in candidates.items if c.id not in offered),
        ]
    return (
        render_template(
            "questionnaires/commitments.html",
            race=race,
            matrix=matrix,
            candidates=candidates,
            commitment_form=commitment_form or _commitment_form(race, posted=False),
            position_form=position_form
            or _position_form(race, matrix.commitments, posted=False, shown=candidates.items),
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
