"""Staff's pages of the questionnaire: writing it, its settings, its versions, the answers, the CSV.

The commitments pages are in commitment_views.py and the campaign's pages in campaign_views.py, on
this blueprint; the parts this feature adds to other pages are in parts.py.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.questionnaires import issuing, services
from interviews.questionnaires.content import answer_rule, answer_words, explanation_of, version_content
from interviews.questionnaires.exports import ANSWERS_CSV_HEADER, answers_rows
from interviews.questionnaires.forms import CopyForm, QuestionnaireForm, SettingsForm
from interviews.questionnaires.models import QuestionKind, Questionnaire, QuestionnaireVersion
from interviews.questionnaires.record import load_record
from interviews.races.models import Candidate, Race
from interviews.races.views import get_race_or_404
from interviews.spreadsheets import csv_text
from interviews.times import utc_to_local

bp = Blueprint("questionnaires", __name__)

OFFICE = ("staff", "admin")
READERS = ("leader", "staff", "admin")


def get_version_or_404(race: Race, number: int) -> QuestionnaireVersion:
    version = db.session.scalar(
        select(QuestionnaireVersion)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.race_id == race.id, QuestionnaireVersion.version == number)
    )
    if version is None:
        abort(404)
    return version


def _other_races(race: Race) -> list[Race]:
    """Races with a questionnaire to copy from."""
    return list(
        db.session.scalars(
            select(Race)
            .join(Questionnaire, Questionnaire.race_id == Race.id)
            .where(Race.id != race.id, Questionnaire.versions.any())
            .order_by(Race.title)
        )
    )


def _copy_form(race: Race) -> CopyForm:
    form = CopyForm(formdata=None)
    form.copy_from.choices = [SelectChoice(r.id, r.title) for r in _other_races(race)]
    return form


@bp.get("/races/<int:race_id>/questionnaire")
@allow(*OFFICE)
def manage(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    record = load_record(race)
    questionnaire = record.questionnaire
    settings_form = SettingsForm(formdata=None, obj=questionnaire)
    if questionnaire is None:
        settings_form.reminder_days.data = 3
    invited = race.letter.invitations if race.letter else []
    without = [i for i in invited if i.candidate_id not in record.responses and not i.candidate.withdrawn]
    return render_template(
        "questionnaires/manage.html",
        race=race,
        record=record,
        settings_form=settings_form,
        copy_form=_copy_form(race),
        confirm=ConfirmForm(),
        without=without,
    )


@bp.route("/races/<int:race_id>/questionnaire/edit", methods=["GET", "POST"])
@allow(*OFFICE)
def edit(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    latest = services.latest_version(services.questionnaire_of(race))
    form = QuestionnaireForm()
    copied_from: Race | None = None
    status = 200
    message = ""
    if request.method == "GET":
        source_id = request.args.get("copy_from", type=int)
        # Bounded as the URL converter bounds ids: a number past the column's range is no race.
        copied_from = db.session.get(Race, source_id) if source_id and 0 < source_id < 2**31 else None
        source = services.latest_version(services.questionnaire_of(copied_from)) if copied_from else None
        if source_id and source is None:
            flash("That race has no questionnaire to copy.", "error")
            return redirect(url_for("questionnaires.manage", race_id=race.id))
        if source is not None and copied_from is not None:
            form.fill(source)
            form.copied_from.data = str(copied_from.id)
            # The deadline is this race's own: its current one, or the invitation's.
            deadline = latest or race.letter
            if deadline is not None:
                form.respond_by.data = utc_to_local(deadline.respond_by, deadline.timezone)
                form.timezone.data = deadline.timezone
        elif latest is not None:
            form.fill(latest)
        else:
            _new_form(form, race)
        form.base_version.data = str(latest.version if latest else 0)
        form.base_revision.data = str(latest.revision if latest else 0)
    elif form.validate_on_submit() and (data := form.questionnaire_input()) is not None:
        copied_id = form.copied_from.data or ""
        copied_from = db.session.get(Race, int(copied_id)) if copied_id.isdigit() and len(copied_id) < 10 else None
        try:
            saved = services.save_questionnaire(
                race, data, base=form.base(), copied_from=copied_from, actor=signed_in_user()
            )
        except services.StaleEdit as error:
            db.session.rollback()
            message, status = str(error), 409
            latest = services.latest_version(services.questionnaire_of(race))
            # Saving again (after comparing) is now a save on top of what is stored.
            form.base_version.data = str(latest.version if latest else 0)
            form.base_revision.data = str(latest.revision if latest else 0)
        except services.QuestionnaireError as error:
            db.session.rollback()
            message, status = str(error), 400
        else:
            db.session.commit()
            flash(saved.message, "success")
            return redirect(url_for("questionnaires.manage", race_id=race.id))
    else:
        status = 400
        message = "Please check the form below."
    return (
        render_template(
            "questionnaires/edit.html",
            race=race,
            form=form,
            latest=latest,
            message=message,
            copied_from=copied_from,
        ),
        status,
    )


def _new_form(form: QuestionnaireForm, race: Race) -> None:
    form.title.data = f"Candidate questionnaire: {race.office}"
    letter = race.letter
    form.timezone.data = letter.timezone if letter else current_app.config["DEFAULT_TIMEZONE"]
    if letter is not None:
        form.respond_by.data = utc_to_local(letter.respond_by, letter.timezone)
    while len(form.questions.entries) < 4:
        form.questions.append_entry()


@bp.post("/races/<int:race_id>/questionnaire/settings")
@allow(*OFFICE)
def settings(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    questionnaire = services.questionnaire_of(race)
    if questionnaire is None:
        flash("Write the questionnaire first; then choose its settings.", "error")
        return redirect(url_for("questionnaires.manage", race_id=race.id))
    form = SettingsForm()
    if not form.validate_on_submit() or form.reminder_days.data is None:
        flash(" ".join(form.reminder_days.errors) or "The settings could not be saved; please try again.", "error")
        return redirect(url_for("questionnaires.manage", race_id=race.id) + "#settings")
    try:
        changed = services.save_settings(
            questionnaire,
            required_before_booking=bool(form.required_before_booking.data),
            accept_late=bool(form.accept_late.data),
            reminder_days=form.reminder_days.data,
            actor=signed_in_user(),
        )
    except services.QuestionnaireError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("The settings are saved." if changed else "Nothing changed.", "success" if changed else "info")
    return redirect(url_for("questionnaires.manage", race_id=race.id) + "#settings")


@bp.post("/races/<int:race_id>/questionnaire/send")
@allow(*OFFICE)
def send(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        given = issuing.issue_to_invited(race, actor=signed_in_user())
    except services.QuestionnaireError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("questionnaires.manage", race_id=race.id))
    db.session.commit()
    if given:
        names = ", ".join(r.invitation.candidate.name for r in given)
        flash(f"The questionnaire is on its way to {names}, each with their own link.", "success")
    else:
        flash("Every invited campaign already has the questionnaire; nothing was sent.", "info")
    return redirect(url_for("questionnaires.manage", race_id=race.id))


@bp.get("/races/<int:race_id>/questionnaire/versions/<int:number>")
@allow(*READERS)
def version(race_id: int, number: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    version = get_version_or_404(race, number)
    return render_template(
        "questionnaires/version.html",
        race=race,
        version=version,
        content=version_content(version),
        answer_rule=answer_rule,
        QuestionKind=QuestionKind,
    )


@bp.get("/races/<int:race_id>/questionnaire/answers/<int:candidate_id>")
@allow(*READERS)
def responses(race_id: int, candidate_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.race_id != race.id:
        abort(404)
    record = load_record(race)
    response = record.responses.get(candidate.id)
    return render_template(
        "questionnaires/responses.html",
        race=race,
        candidate=candidate,
        response=response,
        version=next((v for v in record.versions if response and v.id == response.version_id), None),
        answer_words=answer_words,
        explanation_of=explanation_of,
    )


@bp.get("/races/<int:race_id>/answers.csv")
@allow(*READERS)
def answers_csv(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    slug = re.sub(r"[^a-z0-9]+", "-", race.title.lower()).strip("-") or "race"
    response = Response(csv_text(ANSWERS_CSV_HEADER, answers_rows(load_record(race))), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="record-{slug}-answers.csv"'
    # The campaigns' answers: never let a shared cache keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Routes of the same blueprint, in their own modules.
from interviews.questionnaires import campaign_views, commitment_views, parts  # noqa: E402, F401
