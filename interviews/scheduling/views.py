"""Pages of the scheduling feature: the interviews, scheduling by hand, panels and locations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from interviews.access import allow, signed_in_user
from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.filters import to_zone
from interviews.pagination import id_arg
from interviews.races.models import Race
from interviews.scheduling import services
from interviews.scheduling.forms import CancelForm, InterviewForm, MoveForm, PanelForm, StatusForm, WhenWhereForm
from interviews.scheduling.models import Interview, InterviewStatus, Location
from interviews.scheduling.queries import interviews_for, upcoming_for
from interviews.sections import render_part, section

bp = Blueprint("scheduling", __name__)

# The location pages live in their own module; importing it registers them on this blueprint.
from interviews.scheduling import location_views  # noqa: E402, F401


def get_interview_or_404(interview_id: int) -> Interview:
    return db.get_or_404(Interview, interview_id)


def get_race_or_404(race_id: int | None) -> Race:
    race = db.session.get(Race, race_id) if race_id else None
    if race is None:
        abort(404)
    return race


@bp.get("/interviews")
@allow("leader", "staff", "admin")
def index() -> ResponseReturnValue:
    races = (
        db.session.scalars(select(Race).order_by(Race.election_date, Race.title)).all() if current_user.is_staff else []
    )
    race_id = id_arg("race") if current_user.is_staff else None
    upcoming, past = interviews_for(current_user, race_id=race_id)
    return render_template("scheduling/index.html", upcoming=upcoming, past=past, races=races, race_id=race_id)


@bp.get("/interviews/<int:interview_id>")
@allow("leader", "staff", "admin")
def interview_detail(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    status_form = StatusForm()
    return render_template(
        "scheduling/detail.html",
        interview=interview,
        status_form=status_form,
        can_set_status=services.can_set_status(interview, current_user),
        InterviewStatus=InterviewStatus,
    )


# --- scheduling by hand --------------------------------------------------------------------------


def _location_choices(current: Location | None = None) -> list[tuple[int, str]]:
    locations = db.session.scalars(select(Location).order_by(Location.name)).all()
    return [(0, "To be decided")] + [
        (loc.id, f"{loc.name} ({'video' if loc.kind.value == 'video' else 'room'})")
        for loc in locations
        if loc.active or loc is current
    ]


def _panel_choices(extra: list[User]) -> list[User]:
    leaders = db.session.scalars(select(User).where(User.role == Role.leader, User.active).order_by(User.name)).all()
    return list(dict.fromkeys([*leaders, *extra]))


def _location(form: WhenWhereForm) -> Location | None:
    return db.session.get(Location, form.location.data) if form.location.data else None


@bp.route("/interviews/new", methods=["GET", "POST"])
@allow("staff", "admin")
def new() -> ResponseReturnValue:
    race_id = request.args.get("race", type=int)
    if not race_id:
        races = db.session.scalars(select(Race).order_by(Race.election_date, Race.title)).all()
        return render_template("scheduling/choose_race.html", races=races)
    race = get_race_or_404(race_id)
    form = InterviewForm()
    form.candidate.choices = [(c.id, c.name) for c in race.active_candidates]
    form.location.choices = _location_choices()
    leaders = _panel_choices([])
    form.panel.choices = [(u.id, u.name) for u in leaders]
    if request.method == "GET":
        form.candidate.data = request.args.get("candidate", type=int)
        form.timezone.data = current_user.timezone
        form.duration.data = race.letter.duration_minutes if race.letter else 45
        form.panel.data = [u.id for u in race.panel]
    problems: list[str] = []
    if form.validate_on_submit():
        times = form.checked_times()
        if not form.panel.data:
            form.panel.errors = ["Choose at least one leader for the panel."]
        elif times is not None:
            candidate = next(c for c in race.active_candidates if c.id == form.candidate.data)
            chosen = set(form.panel.data)
            try:
                interview = services.create_interview(
                    race=race,
                    candidate=candidate,
                    starts_at=times[0],
                    ends_at=times[1],
                    timezone=form.timezone.data or "UTC",
                    location=_location(form),
                    panel=[u for u in leaders if u.id in chosen],
                    organiser=signed_in_user(),
                    actor=signed_in_user(),
                )
            except services.SchedulingError as error:
                db.session.rollback()
                problems = error.messages
            else:
                db.session.commit()
                flash(f"Interview with {candidate.name} scheduled; the invitations are on their way.", "success")
                return redirect(url_for("scheduling.interview_detail", interview_id=interview.id))
    status = 409 if problems else 400 if form.errors else 200
    return render_template("scheduling/new.html", form=form, race=race, problems=problems), status


def _require_open(interview: Interview) -> None:
    if interview.status is not InterviewStatus.scheduled:
        flash(f"This interview is {interview.status.label.lower()}; it can no longer be changed.", "error")
        abort(redirect(url_for("scheduling.interview_detail", interview_id=interview.id)))


@bp.route("/interviews/<int:interview_id>/move", methods=["GET", "POST"])
@allow("staff", "admin")
def move(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    _require_open(interview)
    form = MoveForm()
    form.location.choices = _location_choices(interview.location)
    if request.method == "GET":
        local = to_zone(interview.starts_at, interview.timezone)
        form.day.data, form.start_time.data = local.date(), local.time().replace(second=0, microsecond=0)
        form.timezone.data = interview.timezone
        form.duration.data = int((interview.ends_at - interview.starts_at).total_seconds() // 60)
        form.location.data = interview.location_id or 0
    problems: list[str] = []
    if form.validate_on_submit() and (times := form.checked_times()) is not None:
        try:
            services.move_interview(
                interview,
                starts_at=times[0],
                ends_at=times[1],
                timezone=form.timezone.data or "UTC",
                location=_location(form),
                actor=signed_in_user(),
            )
        except services.SchedulingError as error:
            db.session.rollback()
            problems = error.messages
        else:
            db.session.commit()
            flash("Interview moved; everyone gets the updated invitation.", "success")
            return redirect(url_for("scheduling.interview_detail", interview_id=interview.id))
    status = 409 if problems else 400 if form.errors else 200
    return render_template("scheduling/move.html", form=form, interview=interview, problems=problems), status


@bp.route("/interviews/<int:interview_id>/cancel", methods=["GET", "POST"])
@allow("staff", "admin")
def cancel(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    _require_open(interview)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_interview(interview, reason=form.reason.data or "", actor=signed_in_user())
        except services.SchedulingError as error:
            form.reason.errors = [str(error)]
        else:
            db.session.commit()
            flash("Interview cancelled; the candidate's contact and the panel get a cancellation.", "success")
            return redirect(url_for("scheduling.interview_detail", interview_id=interview.id))
    return render_template("scheduling/cancel.html", form=form, interview=interview), 400 if form.errors else 200


@bp.route("/interviews/<int:interview_id>/panel", methods=["GET", "POST"])
@allow("staff", "admin")
def panel(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    _require_open(interview)
    people = _panel_choices(interview.panel)
    form = PanelForm()
    form.members.choices = [(u.id, u.name) for u in people]
    if request.method == "GET":
        form.members.data = [seat.user_id for seat in interview.panel_seats]
    problems: list[str] = []
    if form.validate_on_submit():
        chosen = set(form.members.data or [])
        if not chosen:
            form.members.errors = ["Keep at least one leader on the panel."]
        else:
            try:
                services.set_panel(interview, [u for u in people if u.id in chosen], actor=signed_in_user())
            except services.SchedulingError as error:
                db.session.rollback()
                problems = error.messages
            else:
                db.session.commit()
                flash("Panel saved. New members get the invitation; removed ones a cancellation.", "success")
                return redirect(url_for("scheduling.interview_detail", interview_id=interview.id))
    status = 409 if problems else 400 if form.errors else 200
    return render_template("scheduling/panel.html", form=form, interview=interview, problems=problems), status


@bp.post("/interviews/<int:interview_id>/status")
@allow("leader", "staff", "admin")
def set_status(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    if not services.can_set_status(interview, current_user):
        abort(403)
    form = StatusForm()
    if not form.validate_on_submit():
        flash("Choose completed, no-show or scheduled.", "error")
    else:
        try:
            services.set_status(interview, InterviewStatus(form.status.data), actor=signed_in_user())
        except services.SchedulingError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"Interview marked {interview.status.label.lower()}.", "success")
    return redirect(url_for("scheduling.interview_detail", interview_id=interview.id))


# --- the dashboard ------------------------------------------------------------------------------


@section("dashboard", order=10)
def next_interviews(_obj: object, viewer: object) -> str | None:
    if not isinstance(viewer, User):
        return None
    interviews = upcoming_for(viewer, limit=5)
    return render_part("scheduling/_dashboard.html", interviews=interviews)
