"""Pages of bodies: the list, one body's members over time, adding and ending seats, importing a roll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import selectinload
from wtforms import Label

from interviews.access import allow, signed_in_user
from interviews.auth.models import User
from interviews.decisions import bodies as services
from interviews.decisions.body_forms import (
    NO_ACCOUNT,
    AsOfForm,
    BodyForm,
    EndMemberForm,
    ImportForm,
    MemberForm,
    WeightForm,
)
from interviews.decisions.errors import DecisionError
from interviews.decisions.models import Body, BodyMember, seated_on
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.pagination import paginate

bp = Blueprint("bodies", __name__)

MEMBERS_PER_PAGE = 100
# The import page lists at most this many rows of each kind; the counts above it are complete.
REPORT_ROWS_SHOWN = 1000

F = TypeVar("F", bound=FlaskForm)


def get_body_or_404(body_id: int) -> Body:
    return db.get_or_404(Body, body_id)


def get_member_or_404(member_id: int) -> BodyMember:
    return db.get_or_404(BodyMember, member_id)


def _seats(body: Body, *where: ColumnElement[bool]) -> Select[tuple[BodyMember]]:
    return select(BodyMember).options(selectinload(BodyMember.user)).where(BodyMember.body_id == body.id, *where)


def _active_accounts() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.id)))


def _row_form(form_class: type[F], member: BodyMember, **data: object) -> F:
    """A form in one member's row: the same field names in every row (one form to the server), ids of its own."""
    form: F = form_class(formdata=None, **data)
    for field in form:
        field.id = f"{form_class.__name__}-{field.id}-{member.id}"
        field.label = Label(field.id, field.label.text)
    return form


# --- the list of bodies ----------------------------------------------------------------------


def _index_page(form: BodyForm, status: int = 200) -> ResponseReturnValue:
    today = date.today()
    sizes = {
        body_id: (count, weight)
        for body_id, count, weight in db.session.execute(
            select(BodyMember.body_id, func.count(), func.coalesce(func.sum(BodyMember.weight), 0))
            .where(seated_on(today))
            .group_by(BodyMember.body_id)
        ).tuples()
    }
    listed = services.bodies()
    return render_template(
        "decisions/bodies.html",
        bodies=listed,
        sizes=sizes,
        form=form,
        has_default=any(b.is_default for b in listed),
        sync_form=ConfirmForm(),
    ), status


@bp.get("/bodies")
@allow("staff", "admin")
def index() -> ResponseReturnValue:
    return _index_page(BodyForm(formdata=None))


@bp.post("/bodies")
@allow("staff", "admin")
def create() -> ResponseReturnValue:
    form = BodyForm()
    if form.validate_on_submit():
        try:
            body = services.create_body(form.name.data or "", form.description.data or "", actor=signed_in_user())
        except DecisionError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            flash(f"{body.name} created. Add its members one by one, or import its roll.", "success")
            return redirect(url_for("bodies.show", body_id=body.id))
    return _index_page(form, status=400)


@bp.post("/bodies/default/sync")
@allow("staff", "admin")
def sync_default() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    body = services.sync_default_body(today=date.today(), actor=signed_in_user())
    db.session.commit()
    sitting = services.seat_counts([body.id], date.today())[body.id]
    flash(f"{body.name} is up to date with the accounts: {sitting:,} members sit on it today.", "success")
    return redirect(url_for("bodies.show", body_id=body.id))


# --- one body ----------------------------------------------------------------------------------


def _show_page(
    body: Body,
    *,
    day: date | None = None,
    as_of: AsOfForm | None = None,
    member_form: MemberForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    today = date.today()
    day = day or today
    sitting = paginate(
        _seats(body, seated_on(day)).order_by(func.lower(BodyMember.name), BodyMember.id),
        per_page=MEMBERS_PER_PAGE,
    )
    total_weight = db.session.scalar(
        select(func.coalesce(func.sum(BodyMember.weight), 0)).where(BodyMember.body_id == body.id, seated_on(day))
    )
    former = paginate(
        _seats(body, BodyMember.left_on <= day).order_by(
            BodyMember.left_on.desc(), func.lower(BodyMember.name), BodyMember.id
        ),
        arg="former",
        per_page=MEMBERS_PER_PAGE,
    )
    later = paginate(
        _seats(body, BodyMember.joined_on > day).order_by(
            BodyMember.joined_on, func.lower(BodyMember.name), BodyMember.id
        ),
        arg="later",
        per_page=MEMBERS_PER_PAGE,
    )
    # Seats still open can be ended or re-weighed, except the default body's: those follow the accounts.
    open_seats = [m for m in [*sitting.items, *later.items] if m.left_on is None and not body.is_default]
    if member_form is None and not body.is_default:
        member_form = MemberForm(formdata=None, accounts=_active_accounts())
    return render_template(
        "decisions/body.html",
        body=body,
        day=day,
        today=today,
        as_of=as_of or AsOfForm(formdata=None),
        sitting=sitting,
        total_weight=total_weight,
        former=former,
        later=later,
        member_form=member_form,
        end_forms={m.id: _row_form(EndMemberForm, m) for m in open_seats},
        weight_forms={m.id: _row_form(WeightForm, m, weight=m.weight) for m in open_seats},
        sync_form=ConfirmForm(),
    ), status


@bp.get("/bodies/<int:body_id>")
@allow("staff", "admin")
def show(body_id: int) -> ResponseReturnValue:
    body = get_body_or_404(body_id)
    as_of = AsOfForm(formdata=request.args)
    if not as_of.validate():
        as_of.on.errors = ["Give the day as year-month-day, such as 2026-03-31."]
        return _show_page(body, as_of=as_of, status=400)
    return _show_page(body, day=as_of.on.data, as_of=as_of)


@bp.post("/bodies/<int:body_id>/members")
@allow("staff", "admin")
def add_member(body_id: int) -> ResponseReturnValue:
    body = get_body_or_404(body_id)
    form = MemberForm(accounts=_active_accounts())
    if form.validate_on_submit() and form.weight.data is not None and form.joined_on.data is not None:
        user = db.session.get(User, int(form.account.data)) if form.account.data != NO_ACCOUNT else None
        try:
            member = services.add_member(
                body,
                name=form.name.data or "",
                weight=form.weight.data,
                joined_on=form.joined_on.data,
                actor=signed_in_user(),
                user=user,
                reference=form.reference.data or "",
            )
        except DecisionError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{member.name} sits on {body.name} from {member.joined_on:%d %B %Y}.", "success")
            return redirect(url_for("bodies.show", body_id=body.id))
    return _show_page(body, member_form=form, status=400)


def _save(change: Callable[[], object], success: str) -> None:
    """Run a change to a seat: a refused one flashes its reason and stores nothing; none is a 500."""
    try:
        change()
    except DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")


def _seat_form_refused(member: BodyMember, form: FlaskForm) -> bool:
    """Flash why a seat's form cannot be applied (the default body's seats follow the accounts)."""
    if member.body.is_default:
        flash(
            f"Seats on {member.body.name} follow the accounts: change {member.name}'s account "
            "(voting member, weight), then bring the body up to date.",
            "error",
        )
        return True
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors) or "The form was incomplete.", "error")
        return True
    return False


@bp.post("/bodies/members/<int:member_id>/end")
@allow("staff", "admin")
def end_member(member_id: int) -> ResponseReturnValue:
    member = get_member_or_404(member_id)
    body_id, form = member.body_id, EndMemberForm()
    if not _seat_form_refused(member, form) and (left_on := form.left_on.data) is not None:
        _save(
            lambda: services.end_membership(member, left_on=left_on, actor=signed_in_user()),
            f"{member.name} leaves {member.body.name}: from {left_on:%d %B %Y} they no longer sit on it.",
        )
    return redirect(url_for("bodies.show", body_id=body_id))


@bp.post("/bodies/members/<int:member_id>/weight")
@allow("staff", "admin")
def change_weight(member_id: int) -> ResponseReturnValue:
    member = get_member_or_404(member_id)
    body_id, form = member.body_id, WeightForm()
    weight, on = form.weight.data, form.on.data
    if not _seat_form_refused(member, form) and weight is not None and on is not None:
        _save(
            lambda: services.change_weight(member, weight, on=on, actor=signed_in_user()),
            f"{member.name}'s weight on {member.body.name} is {weight:,} from {on:%d %B %Y}.",
        )
    return redirect(url_for("bodies.show", body_id=body_id))


# --- importing a roll --------------------------------------------------------------------------


@bp.route("/bodies/<int:body_id>/import", methods=["GET", "POST"])
@allow("staff", "admin")
def import_roll(body_id: int) -> ResponseReturnValue:
    body = get_body_or_404(body_id)
    form = ImportForm()
    report = None
    if form.validate_on_submit() and form.joined_on.data is not None and (roll := form.roll()) is not None:
        try:
            report = services.import_roll(body, roll, joined_on=form.joined_on.data, actor=signed_in_user())
        except DecisionError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
    status = 400 if form.errors else 200
    return render_template(
        "decisions/body_import.html",
        body=body,
        form=form,
        report=report,
        joined_on=form.joined_on.data,
        rows_shown=REPORT_ROWS_SHOWN,
    ), status
