"""Pages of the races feature: races, their candidates and default panels."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from interviews.access import allow, signed_in_user
from interviews.auth.models import User
from interviews.database import loaded, object_columns, read_rows
from interviews.extensions import db
from interviews.forms import ConfirmForm, switch_form
from interviews.invitations.models import Invitation
from interviews.pagination import Page, paginate
from interviews.races import candidates as candidate_services
from interviews.races import services
from interviews.races.attention import races_needing_attention
from interviews.races.forms import CandidateForm, PanelForm, RaceForm, WithdrawForm
from interviews.races.models import Candidate, Race, Stage
from interviews.races.stages import fact_columns, facts_of, remember_facts, running_count, stage_columns, stage_from
from interviews.scheduling.models import Interview, InterviewStatus, Location, PanelSeat
from interviews.sections import render_part, section

bp = Blueprint("races", __name__)
CloseForm = switch_form("closed")


@cache
def _race_by_id(with_letter: bool) -> Select[Any]:
    """Built once per process (bound: `id`): every page of a race opens with it."""
    query: Select[Any] = select(Race).where(Race.id == bindparam("id", type_=Integer))
    return query.options(joinedload(Race.letter)) if with_letter else query


@cache
def _race_with_facts() -> Select[Any]:
    """The race's columns and its `facts_of`, one plain row (bound: `id`), built once per process."""
    return select(*object_columns(Race), *fact_columns()).where(Race.id == bindparam("id", type_=Integer))


def get_race_or_404(race_id: int, *, with_letter: bool = False, with_facts: bool = False) -> Race:
    """`with_letter`: the race's invitation letter read in the same statement, for a page that shows it
    (the ledger), rather than in one more when the page first asks for it. `with_facts`, instead: its
    `facts_of` too, for a page whose parts ask for them (the race page, which reads it as a plain row and
    makes the race's object from it: through the ORM that read was a tenth of the page's CPU)."""
    if with_facts:
        row = read_rows(_race_with_facts(), {"id": race_id}).first()
        if row is None:
            abort(404)
        values = row._asdict()
        race = loaded(Race, {key: values[key] for key in _race_keys()})
        remember_facts(race.id, row)
        return race
    found: Race | None = db.session.scalars(_race_by_id(with_letter), {"id": race_id}).first()
    if found is None:
        abort(404)
    return found


@cache
def _race_keys() -> tuple[str, ...]:
    return tuple(column.key for column in object_columns(Race))


def get_candidate_or_404(race: Race, candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.race_id != race.id:
        abort(404)
    return candidate


@bp.get("/races")
@allow("leader", "staff", "admin")
def index() -> ResponseReturnValue:
    """A page of races, each row with its stage and its candidates counted: one query."""
    withdrawn = select(func.count()).where(Candidate.race_id == Race.id, Candidate.withdrawn_at.is_not(None))
    races = paginate(
        select(
            *stage_columns(),
            Race.title,
            Race.office,
            Race.jurisdiction,
            Race.election_date,
            running_count().label("running"),
            withdrawn.scalar_subquery().label("withdrawn"),
        ).order_by(Race.election_date, Race.title, Race.id),
        scalars=False,
        count=select(func.count()).select_from(Race),
    )
    return render_template("races/index.html", races=races, stages={row.id: stage_from(row) for row in races.items})


# The race page is the busiest page staff and leaders have: its two lists' statements are built once
# per process (bound: `race_id`), since building them cost about as much as running them.


@cache
def _candidates_query() -> tuple[Select[Any], Select[Any]]:
    """The race's candidates as rows of what the table shows, and their count: its status, and the
    earliest booked interview, come with each row from the same query (the busiest page reads no objects)."""
    race_id = bindparam("race_id", type_=Integer)
    booked = (
        select(func.min(Interview.starts_at))
        .where(Interview.candidate_id == Candidate.id, Interview.status == InterviewStatus.scheduled)
        .scalar_subquery()
    )
    rows = (
        select(
            Candidate.id,
            Candidate.name,
            Candidate.party,
            Candidate.incumbent,
            Candidate.website,
            Candidate.contact_name,
            Candidate.contact_email,
            Candidate.contact_phone,
            Candidate.withdrawn_at,
            Invitation.status.label("invitation_status"),
            booked.label("booked_at"),
        )
        .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
        .where(Candidate.race_id == race_id)
        .order_by(Candidate.name, Candidate.id)
    )
    return rows, select(func.count()).where(Candidate.race_id == race_id)


def _candidate_rows(race: Race) -> Page[Any]:
    rows, count = _candidates_query()
    return paginate(rows, arg="candidates", scalars=False, count=count, params={"race_id": race.id})


@cache
def _interviews_query() -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The race's interviews as rows, their count, and the names on the panels of some of them."""
    race_id = bindparam("race_id", type_=Integer)
    rows = (
        select(
            Interview.id,
            Interview.starts_at,
            Interview.status,
            Candidate.name.label("candidate"),
            Location.name.label("location"),
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Location, Location.id == Interview.location_id)
        .where(Interview.race_id == race_id)
        .order_by(Interview.starts_at, Interview.id)
    )
    panels = (
        select(PanelSeat.interview_id, User.name)
        .join(User, User.id == PanelSeat.user_id)
        .where(PanelSeat.interview_id.in_(bindparam("interview_ids", expanding=True)))
        .order_by(PanelSeat.id)
    )
    return rows, select(func.count()).where(Interview.race_id == race_id), panels


def _interview_rows(race: Race) -> tuple[Page[Any], dict[int, list[str]]]:
    """A page of the race's interviews as rows, and the names on each one's panel (one query more)."""
    rows, count, panel_names = _interviews_query()
    page = paginate(rows, arg="interviews", scalars=False, count=count, params={"race_id": race.id})
    panels: dict[int, list[str]] = {row.id: [] for row in page.items}
    if panels:
        for interview_id, name in read_rows(panel_names, {"interview_ids": list(panels)}):
            panels[interview_id].append(name)
    return page, panels


@bp.get("/races/<int:race_id>")
@allow("leader", "staff", "admin")
def detail(race_id: int) -> ResponseReturnValue:
    """The race page: its candidates and its interviews, a page of each (a fixed number of queries)."""
    race = get_race_or_404(race_id, with_facts=True)
    interviews, panels = _interview_rows(race)
    facts = facts_of(race)  # the sections below read it too
    return render_template(
        "races/detail.html",
        race=race,
        panel=services.panel_names(race.id),
        stage=facts.stage,
        candidates=_candidate_rows(race),
        running=facts.running,
        interviews=interviews,
        panels=panels,
        confirm=ConfirmForm(),
    )


def _race_data(form: RaceForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in services.RACE_FIELDS}


@bp.route("/races/new", methods=["GET", "POST"])
@allow("staff", "admin")
def new() -> ResponseReturnValue:
    form = RaceForm()
    if form.validate_on_submit():
        try:
            race = services.create_race(_race_data(form), actor=signed_in_user())
        except services.RaceError as error:
            form.title.errors = [*form.title.errors, str(error)]
        else:
            db.session.commit()
            flash("Race created. Now add its candidates and choose its default panel.", "success")
            return redirect(url_for("races.detail", race_id=race.id))
    return render_template("races/form.html", form=form, race=None), 400 if form.errors else 200


@bp.route("/races/<int:race_id>/edit", methods=["GET", "POST"])
@allow("staff", "admin")
def edit(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    form = RaceForm(obj=race)
    if form.validate_on_submit():
        try:
            services.update_race(race, _race_data(form), actor=signed_in_user())
        except services.RaceError as error:
            form.title.errors = [*form.title.errors, str(error)]
        else:
            db.session.commit()
            flash("Race saved.", "success")
            return redirect(url_for("races.detail", race_id=race.id))
    return render_template("races/form.html", form=form, race=race), 400 if form.errors else 200


@bp.post("/races/<int:race_id>/stage")
@allow("staff", "admin")
def set_closed(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    if form.closed.data == "1":
        services.close_race(race, actor=signed_in_user())
        message = "Race closed."
    else:
        services.reopen_race(race, actor=signed_in_user())
        message = "Race reopened; its stage follows its records again."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("races.detail", race_id=race.id))


@bp.route("/races/<int:race_id>/panel", methods=["GET", "POST"])
@allow("staff", "admin")
def panel(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    leaders = services.leader_choices()
    form = PanelForm()
    form.members.choices = [(u.id, f"{u.name}{' — ' + u.title if u.title else ''}") for u in leaders]
    if request.method == "GET":
        form.members.data = [u.id for u in race.panel]
    if form.validate_on_submit():
        chosen = [u for u in leaders if u.id in set(form.members.data or [])]
        try:
            services.set_default_panel(race, chosen, actor=signed_in_user())
        except services.RaceError as error:
            form.members.errors = [*form.members.errors, str(error)]
        else:
            db.session.commit()
            flash("Default panel saved. New interviews start with these leaders.", "success")
            return redirect(url_for("races.detail", race_id=race.id))
    return render_template("races/panel.html", form=form, race=race, leaders=leaders), 400 if form.errors else 200


# --- candidates ---------------------------------------------------------------------------------


def _candidate_data(form: CandidateForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in candidate_services.CANDIDATE_FIELDS}


def _show_candidate_error(form: CandidateForm, error: candidate_services.CandidateError) -> None:
    getattr(form, error.field or "name").errors.append(str(error))


@bp.route("/races/<int:race_id>/candidates/new", methods=["GET", "POST"])
@allow("staff", "admin")
def candidate_new(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    form = CandidateForm()
    if form.validate_on_submit():
        try:
            candidate = candidate_services.add_candidate(race, _candidate_data(form), actor=signed_in_user())
        except candidate_services.CandidateError as error:
            _show_candidate_error(form, error)
        else:
            db.session.commit()
            flash(f"{candidate.name} added.", "success")
            return redirect(url_for("races.detail", race_id=race.id) + "#candidates")
    status = 400 if form.errors else 200
    return render_template("races/candidate_form.html", form=form, race=race, candidate=None), status


@bp.route("/races/<int:race_id>/candidates/<int:candidate_id>", methods=["GET", "POST"])
@allow("staff", "admin")
def candidate_edit(race_id: int, candidate_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    candidate = get_candidate_or_404(race, candidate_id)
    form = CandidateForm(obj=candidate)
    if form.validate_on_submit():
        try:
            candidate_services.update_candidate(candidate, _candidate_data(form), actor=signed_in_user())
        except candidate_services.CandidateError as error:
            _show_candidate_error(form, error)
        else:
            db.session.commit()
            flash(f"{candidate.name} saved.", "success")
            return redirect(url_for("races.detail", race_id=race.id) + "#candidates")
    status = 400 if form.errors else 200
    return (
        render_template(
            "races/candidate_form.html", form=form, race=race, candidate=candidate, withdraw_form=WithdrawForm()
        ),
        status,
    )


@bp.post("/races/<int:race_id>/candidates/<int:candidate_id>/withdraw")
@allow("staff", "admin")
def candidate_withdraw(race_id: int, candidate_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    candidate = get_candidate_or_404(race, candidate_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash("The reason could not be kept: " + " ".join(form.reason.errors or ["please try again."]), "error")
        return redirect(url_for("races.candidate_edit", race_id=race.id, candidate_id=candidate.id))
    try:
        candidate_services.withdraw_candidate(candidate, reason=form.reason.data or "", actor=signed_in_user())
    except candidate_services.CandidateError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"{candidate.name} is marked withdrawn; their interviews are cancelled and their link revoked.", "success"
        )
    return redirect(url_for("races.detail", race_id=race.id) + "#candidates")


# --- the dashboard --------------------------------------------------------------------------------


@section("dashboard", order=20)
def races_dashboard(_obj: object, viewer: object) -> str | None:
    if not isinstance(viewer, User) or not viewer.is_staff:
        return None
    return render_part("races/_dashboard.html", attention=races_needing_attention(), Stage=Stage)
