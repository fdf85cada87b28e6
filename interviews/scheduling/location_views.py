"""The locations pages (staff): rooms and video meetings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.forms import ConfirmForm, switch_form
from interviews.scheduling import locations as services
from interviews.scheduling.forms import LocationForm
from interviews.scheduling.models import Location
from interviews.scheduling.views import bp

ActiveForm = switch_form("active")


def get_location_or_404(location_id: int) -> Location:
    return db.get_or_404(Location, location_id)


def _data(form: LocationForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in services.LOCATION_FIELDS}


@bp.get("/locations")
@allow("staff", "admin")
def locations() -> ResponseReturnValue:
    rows = db.session.scalars(select(Location).order_by(Location.active.desc(), Location.name)).all()
    return render_template("scheduling/locations.html", locations=rows, confirm=ConfirmForm())


@bp.route("/locations/new", methods=["GET", "POST"])
@allow("staff", "admin")
def location_new() -> ResponseReturnValue:
    form = LocationForm()
    if form.validate_on_submit():
        try:
            location = services.create_location(_data(form), actor=signed_in_user())
        except services.LocationError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{location.name} added.", "success")
            return redirect(url_for("scheduling.locations"))
    return render_template("scheduling/location_form.html", form=form, location=None), 400 if form.errors else 200


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@allow("staff", "admin")
def location_edit(location_id: int) -> ResponseReturnValue:
    location = get_location_or_404(location_id)
    form = LocationForm(obj=location)
    if request.method == "GET":
        form.kind.data = location.kind.value
    if form.validate_on_submit():
        try:
            services.update_location(location, _data(form), actor=signed_in_user())
        except services.LocationError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{location.name} saved.", "success")
            return redirect(url_for("scheduling.locations"))
    status = 400 if form.errors else 200
    return render_template("scheduling/location_form.html", form=form, location=location), status


@bp.post("/locations/<int:location_id>/active")
@allow("staff", "admin")
def location_set_active(location_id: int) -> ResponseReturnValue:
    location = get_location_or_404(location_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    services.set_location_active(location, active, actor=signed_in_user())
    db.session.commit()
    flash(f"{location.name} is {'back in use' if active else 'no longer offered for new interviews'}.", "success")
    return redirect(url_for("scheduling.locations"))
