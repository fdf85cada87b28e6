"""Pages of the notes feature: notes on an interview, question lists, and the parts on other pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from interviews.access import allow, signed_in_user
from interviews.auth.models import User
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.notes import services
from interviews.notes.forms import DraftForm, NoteForm, QuestionListForm
from interviews.notes.models import Note, Question, Visibility
from interviews.notes.polls import chart, poll_field, polls_of, share
from interviews.notes.visibility import may_write_notes, notes_hidden_from
from interviews.races.models import Race
from interviews.races.stages import facts_of
from interviews.races.views import get_race_or_404

__all__ = ["bp", "get_race_or_404"]
from interviews.scheduling.models import Interview, PanelSeat
from interviews.sections import render_part, section

bp = Blueprint("notes", __name__)

READERS = ("leader", "staff", "admin")


def get_interview_or_404(interview_id: int) -> Interview:
    interview = db.session.scalar(
        select(Interview)
        .where(Interview.id == interview_id)
        .options(
            selectinload(Interview.panel_seats).selectinload(PanelSeat.user),
            selectinload(Interview.race),
            selectinload(Interview.candidate),
        )
    )
    if interview is None:
        abort(404)
    return interview


def get_question_or_404(interview: Interview, question_id: int | None) -> Question | None:
    """The question must belong to the list this interview uses."""
    if question_id is None:
        return None
    question_list = services.questions_for(interview)
    question = next((q for q in question_list.questions if q.id == question_id), None) if question_list else None
    if question is None:
        abort(404)
    return question


def interview_context(interview: Interview, viewer: User) -> dict[str, object]:
    """What the notes part of an interview needs: questions, the viewer's notes, the notes they may read."""
    question_list = services.questions_for(interview)
    notes = services.notes_on(interview, viewer)
    mine = {n.question_id: n for n in notes if n.author_id == viewer.id}
    others: dict[int | None, list[Note]] = {}
    for note in notes:
        if note.author_id != viewer.id:
            others.setdefault(note.question_id, []).append(note)
    writer = may_write_notes(viewer, interview)
    asked = {q.id for q in question_list.questions} if question_list else set()
    # Notes under a question of another version of the list (should one exist) are shown, never dropped.
    elsewhere = [n for n in notes if n.question_id is not None and n.question_id not in asked]
    return {
        "elsewhere": elsewhere,
        "interview": interview,
        "question_list": question_list,
        "mine": mine,
        "others": others,
        "can_write": writer,
        "locked": services.is_locked(interview.race_id),
        "hidden": notes_hidden_from(viewer, interview),
        "submitted": writer and services.has_submitted(interview, viewer),
        "hide_rule": interview.race.hide_notes_until_submitted,
        "confirm_form": ConfirmForm(),
    }


@section("interview", order=60)
def interview_notes_section(interview: Interview, viewer: User) -> str | None:
    if interview is None or not getattr(viewer, "is_authenticated", False):
        return None
    return render_part("notes/_interview_notes.html", embedded=True, **interview_context(interview, viewer))


@section("race", order=60)
def race_notes_section(race: Race, viewer: User) -> str | None:
    if race is None or not getattr(viewer, "is_authenticated", False):
        return None
    facts = facts_of(race)  # read with the race on its page: a race without polls asks for none
    polls = polls_of(race) if facts.has_polls else []
    return render_part(
        "notes/_race_section.html",
        race=race,
        question_list=services.latest_list_figures(race),
        polls=polls,
        chart=chart(polls, poll_field(polls)),
        share=share,
        locked=facts.decided,
    )


@bp.get("/interviews/<int:interview_id>/notes")
@allow(*READERS)
def interview_notes(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    return render_template(
        "notes/interview.html",
        embedded=False,
        has_interview_page="scheduling.interview_detail" in current_app.view_functions,
        **interview_context(interview, current_user),
    )


@bp.route("/interviews/<int:interview_id>/notes/general", methods=["GET", "POST"])
@allow("leader", "staff", "admin")
def write_general(interview_id: int) -> ResponseReturnValue:
    return _write(interview_id, None)


@bp.route("/interviews/<int:interview_id>/notes/questions/<int:question_id>", methods=["GET", "POST"])
@allow("leader", "staff", "admin")
def write(interview_id: int, question_id: int) -> ResponseReturnValue:
    return _write(interview_id, question_id)


def _write(interview_id: int, question_id: int | None) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    question = get_question_or_404(interview, question_id)
    if not may_write_notes(current_user, interview):
        abort(403)
    note = services.own_note(interview, current_user, question)
    locked = services.is_locked(interview.race_id)
    form = NoteForm()
    draft = None
    if request.method == "GET":
        draft = services.get_draft(interview, current_user, question)
        if note is not None:
            form.body.data, form.visibility.data, form.version.data = (
                note.body,
                note.visibility.value,
                str(note.version),
            )
        if draft is not None and (note is None or draft.body != note.body):
            form.body.data, form.version.data = draft.body, str(draft.base_version)
        else:
            draft = None
    status = 200
    if form.validate_on_submit():
        try:
            services.save_note(
                interview,
                question,
                body=form.body.data or "",
                visibility=Visibility(form.visibility.data),
                base_version=form.base_version(),
                actor=signed_in_user(),
            )
        except services.StaleNote as error:
            form.body.errors = [*form.body.errors, str(error)]
            status = 409
        except services.NotesError as error:
            form.body.errors = [*form.body.errors, str(error)]
            status = 409 if isinstance(error, services.RecordLocked) else 400
        else:
            db.session.commit()
            flash("Your note is saved.", "success")
            return redirect(
                url_for("notes.interview_notes", interview_id=interview.id) + f"#q-{question_id or 'general'}"
            )
    elif request.method == "POST":
        status = 400
    return render_template(
        "notes/write.html",
        interview=interview,
        question=question,
        note=services.own_note(interview, current_user, question) if status == 409 else note,
        form=form,
        draft=draft,
        locked=locked,
        max_length=current_app.config["NOTE_MAX_LENGTH"],
        draft_form=DraftForm(),
    ), status


@bp.post("/interviews/<int:interview_id>/notes/draft")
@allow("leader", "staff", "admin")
def save_draft(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    raw_question = request.form.get("question_id", "")
    question = get_question_or_404(interview, int(raw_question)) if raw_question.isdigit() else None
    if not may_write_notes(current_user, interview):
        abort(403)
    form = DraftForm()
    if not form.validate_on_submit():
        return jsonify(saved=False, error="The draft could not be saved (reload the page)."), 400
    try:
        services.save_draft(interview, question, form.body.data or "", form.base_version(), actor=signed_in_user())
    except (ValueError, services.NotesError) as error:
        return jsonify(saved=False, error=str(error)), 409
    db.session.commit()
    return jsonify(saved=True)


@bp.post("/interviews/<int:interview_id>/notes/submit")
@allow("leader", "staff", "admin")
def submit(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    if not may_write_notes(current_user, interview):
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            count = services.submit_notes(interview, actor=signed_in_user())
        except services.NotesError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"Your notes are submitted ({count} note{'s' if count != 1 else ''}).", "success")
    return redirect(url_for("notes.interview_notes", interview_id=interview.id))


@bp.get("/notes/<int:note_id>/history")
@allow(*READERS)
def history(note_id: int) -> ResponseReturnValue:
    note = services.get_visible_note(note_id, current_user)
    if note is None:
        # Whether the note exists is itself not for this viewer to learn.
        abort(404)
    return render_template(
        "notes/history.html",
        note=note,
        revisions=services.readable_revisions(note, current_user),
        interview=get_interview_or_404(note.interview_id),
    )


@bp.get("/notes/<int:note_id>/versions/<int:version>")
@allow(*READERS)
def revision(note_id: int, version: int) -> ResponseReturnValue:
    note = services.get_visible_note(note_id, current_user)
    readable = services.readable_revisions(note, current_user) if note else []
    revision = next((r for r in readable if r.version == version), None)
    if note is None or revision is None:
        abort(404)
    return render_template(
        "notes/revision.html", note=note, revision=revision, interview=get_interview_or_404(note.interview_id)
    )


@bp.get("/races/<int:race_id>/questions")
@allow(*READERS)
def questions(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    return render_template(
        "notes/questions.html",
        race=race,
        versions=services.question_lists(race),
        locked=services.is_locked(race),
    )


@bp.route("/races/<int:race_id>/questions/edit", methods=["GET", "POST"])
@allow("staff", "admin")
def edit_questions(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    locked = services.is_locked(race)
    current = services.latest_question_list(race)
    form = QuestionListForm()
    if request.method == "GET":
        rows = [
            {"position": q.position, "topic": q.topic, "text": q.text} for q in (current.questions if current else [])
        ]
        form = QuestionListForm(data={"questions": rows + [{"position": None, "topic": "", "text": ""}] * 3})
    status = 200
    if form.validate_on_submit():
        try:
            new = services.save_question_list(race, form.question_inputs(), actor=signed_in_user())
        except services.NotesError as error:
            form.form_errors.append(str(error))
            status = 409 if locked else 400
        else:
            db.session.commit()
            flash(f"Question list version {new.version} saved.", "success")
            return redirect(url_for("notes.questions", race_id=race.id))
    elif request.method == "POST":
        status = 400
    return render_template("notes/edit_questions.html", race=race, form=form, current=current, locked=locked), status


from interviews.notes import exports, poll_views  # noqa: E402,F401  (routes on this blueprint)
