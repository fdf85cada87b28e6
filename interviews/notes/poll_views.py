"""Recording member polls (staff)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.notes import polls as poll_services
from interviews.notes.forms import PollForm
from interviews.notes.models import MemberPoll
from interviews.notes.views import bp, get_race_or_404
from interviews.races.models import Race


def _form_for(race: Race, poll: MemberPoll | None) -> PollForm:
    """The form with one row per candidate of the race (ticked when they were in the poll's field)."""
    if request.method == "POST":
        form = PollForm()
    else:
        values = {r.candidate_id: r.value for r in poll.results} if poll else {}
        data: dict[str, object] = {
            "results": [
                {"candidate_id": str(c.id), "in_field": poll is None or c.id in values, "value": values.get(c.id)}
                for c in race.candidates
            ]
        }
        if poll is not None:
            data.update(
                title=poll.title,
                method=poll.method.value,
                opens_on=poll.opens_on,
                closes_on=poll.closes_on,
                sample_size=poll.sample_size,
                overseen_by=poll.overseen_by,
                result_kind=poll.result_kind.value,
                notes=poll.notes,
            )
        form = PollForm(data=data)
    return form


def _edit(race: Race, poll: MemberPoll | None) -> ResponseReturnValue:
    form = _form_for(race, poll)
    names = {c.id: c.name for c in race.candidates}
    status = 200
    if form.validate_on_submit():
        try:
            saved = poll_services.save_poll(race, form.poll_input(), poll, actor=signed_in_user())
        except (poll_services.PollError, ValueError) as error:
            field = getattr(error, "field", None)
            target = getattr(form, field, None) if field and field != "results" else None
            if target is not None:
                target.errors.append(str(error))
            else:
                form.form_errors.append(str(error))
            status = 400
        else:
            db.session.commit()
            flash(f"Poll “{saved.title}” saved.", "success")
            return redirect(url_for("notes.record_book", race_id=race.id) + "#polls")
    elif request.method == "POST":
        status = 400
    return render_template("notes/poll_form.html", race=race, poll=poll, form=form, names=names), status


@bp.route("/races/<int:race_id>/polls/new", methods=["GET", "POST"])
@allow("staff", "admin")
def new_poll(race_id: int) -> ResponseReturnValue:
    return _edit(get_race_or_404(race_id), None)


@bp.route("/polls/<int:poll_id>/edit", methods=["GET", "POST"])
@allow("staff", "admin")
def edit_poll(poll_id: int) -> ResponseReturnValue:
    poll = db.get_or_404(MemberPoll, poll_id)
    return _edit(poll.race, poll)


@bp.post("/polls/<int:poll_id>/delete")
@allow("staff", "admin")
def delete_poll(poll_id: int) -> ResponseReturnValue:
    poll = db.get_or_404(MemberPoll, poll_id)
    race_id = poll.race_id
    if ConfirmForm().validate_on_submit():
        poll_services.delete_poll(poll, actor=signed_in_user())
        db.session.commit()
        flash("The poll is deleted.", "success")
    return redirect(url_for("notes.record_book", race_id=race_id) + "#polls")
