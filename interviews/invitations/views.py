"""Staff pages of the invitations feature: the letter and its slots, sending, the ledger, and the
parts it adds to the race page and the dashboard. The candidate's pages are in candidate_views.py."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.forms import ConfirmForm
from interviews.invitations import bulk, services
from interviews.invitations import ledger as ledger_data
from interviews.invitations.contributions import ledger_columns
from interviews.invitations.emails import content_digest, letter_content
from interviews.invitations.forms import BulkSlotForm, LetterForm, SendForm, SlotForm, WithdrawForm
from interviews.invitations.models import CandidateRequest, Invitation, Slot
from interviews.races.models import Race
from interviews.races.views import get_race_or_404
from interviews.scheduling.models import Location
from interviews.sections import render_part, section
from interviews.types import utcnow

bp = Blueprint("invitations", __name__)


# --- loaders --------------------------------------------------------------------------------


def get_invitation_or_404(invitation_id: int) -> Invitation:
    return db.get_or_404(Invitation, invitation_id)


def _location_choices() -> list[tuple[int, str]]:
    locations = db.session.scalars(select(Location).where(Location.active.is_(True)).order_by(Location.name)).all()
    return [(0, "— to be announced —"), *((loc.id, loc.name) for loc in locations)]


# --- the letter and its slots (staff) -------------------------------------------------------


def _letter_page(
    race: Race,
    form: LetterForm,
    slot_form: SlotForm,
    status: int = 200,
    warnings: list[str] | None = None,
    *,
    bulk_form: BulkSlotForm | None = None,
    bulk_plan: bulk.Plan | None = None,
) -> ResponseReturnValue:
    letter = race.letter
    slots = ledger_data.slots_page(letter) if letter else None
    # Free slots a booking would fail on are not offered to campaigns: staff see why, beside each.
    now = utcnow()
    open_slots = [slot for slot in slots.items if slot.taken_by_id is None and slot.starts_at > now] if slots else []
    return (
        render_template(
            "invitations/letter.html",
            race=race,
            letter=letter,
            form=form,
            slot_form=slot_form,
            slot_warnings=warnings or [],
            content=letter_content(letter) if letter else "",
            digest=content_digest(letter) if letter else "",
            confirm=ConfirmForm(),
            send_form=SendForm(),
            summary=ledger_data.summary(race, letter) if letter else None,
            not_invited=ledger_data.not_invited_names(race) if letter else [],
            slots=slots,
            clashes=services.slot_clashes(open_slots, race.panel),
            bulk_form=bulk_form or _new_bulk_form(race),
            bulk_plan=bulk_plan,
        ),
        status,
    )


def _new_bulk_form(race: Race) -> BulkSlotForm:
    form = BulkSlotForm(prefix="bulk")
    form.location_id.choices = [SelectChoice(value, label) for value, label in _location_choices()]
    if request.endpoint != "invitations.add_slots":  # not this form's own POST: start from the letter's values
        letter = race.letter
        form.timezone.data = letter.timezone if letter else current_app.config["DEFAULT_TIMEZONE"]
        form.length.data = letter.duration_minutes if letter else 45
    return form


def _new_slot_form(race: Race) -> SlotForm:
    form = SlotForm(prefix="slot")
    form.location_id.choices = _location_choices()
    if request.method == "GET" or not form.is_submitted():
        letter = race.letter
        form.timezone.data = letter.timezone if letter else current_app.config["DEFAULT_TIMEZONE"]
    return form


@bp.route("/races/<int:race_id>/invitation", methods=["GET", "POST"])
@allow("staff", "admin")
def letter(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    existing = race.letter
    form = LetterForm(prefix="letter")
    if request.method == "GET":
        if existing is not None:
            form.fill(existing)
        else:
            form.subject.data = f"Invitation to an endorsement interview: {race.office}"
            form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
    if form.validate_on_submit() and (data := form.letter_data(existing)) is not None:
        try:
            services.save_letter(race, data, actor=signed_in_user())
        except services.InvitationError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            db.session.commit()
            flash("The invitation is saved.", "success")
            return redirect(url_for("invitations.letter", race_id=race.id))
    status = 400 if form.is_submitted() and form.errors else 200
    return _letter_page(race, form, _new_slot_form(race), status)


@bp.post("/races/<int:race_id>/invitation/slots")
@allow("staff", "admin")
def add_slot(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    letter = race.letter
    if letter is None:
        flash("Write the invitation first; then offer its slots.", "error")
        return redirect(url_for("invitations.letter", race_id=race.id))
    form = _new_slot_form(race)
    warnings: list[str] = []
    if form.validate_on_submit() and (times := form.times(letter)) is not None:
        starts_at, ends_at, timezone = times
        location = db.session.get(Location, form.location_id.data) if form.location_id.data else None
        try:
            slot = services.add_slot(
                letter,
                starts_at=starts_at,
                ends_at=ends_at,
                timezone=timezone,
                location=location,
                confirmed=bool(form.confirm.data),
                actor=signed_in_user(),
            )
        except services.SlotProblem as problem:
            form.starts_at.errors = [*form.starts_at.errors, *problem.errors]
            warnings = problem.warnings if not problem.errors else []
            if problem.errors and problem.warnings:
                form.starts_at.errors = [*form.starts_at.errors, *problem.warnings]
        else:
            db.session.commit()
            flash(f"Slot added: {format_datetime(slot.starts_at, slot.timezone)}.", "success")
            return redirect(url_for("invitations.letter", race_id=race.id) + "#slots")
    letter_form = LetterForm(prefix="letter", formdata=None, obj=None)
    letter_form.fill(letter)
    return _letter_page(race, letter_form, form, 400, warnings)


@bp.post("/races/<int:race_id>/invitation/slots/bulk")
@allow("staff", "admin")
def add_slots(race_id: int) -> ResponseReturnValue:
    """Many slots at once: the first press previews them; “Save these slots” offers them all."""
    race = get_race_or_404(race_id)
    letter = race.letter
    if letter is None:
        flash("Write the invitation first; then offer its slots.", "error")
        return redirect(url_for("invitations.letter", race_id=race.id))
    form = _new_bulk_form(race)
    planned: bulk.Plan | None = None
    status = 400
    if form.validate_on_submit():
        typed, problems = form.typed()
        location = db.session.get(Location, form.location_id.data) if form.location_id.data else None
        planned = bulk.plan(
            letter,
            typed,
            timezone=form.timezone.data or letter.timezone,
            location=location,
            length_minutes=form.length.data or letter.duration_minutes,
            problems=problems,
        )
        status = 200
        fingerprint = form.fingerprint()
        if form.save.data and form.previewed.data != fingerprint:
            planned.problems.append("The slots changed after the preview: check them below, then save.")
        elif form.save.data:
            try:
                added = bulk.add_planned(letter, planned, confirmed=bool(form.confirm.data), actor=signed_in_user())
            except services.SlotProblem as problem:
                db.session.rollback()
                # Checked again at saving, the slots may have changed since the preview: show them as they are now.
                letter = race.letter
                assert letter is not None
                planned = bulk.plan(
                    letter,
                    typed,
                    timezone=planned.timezone,
                    location=db.session.get(Location, location.id) if location else None,
                    length_minutes=form.length.data or letter.duration_minutes,
                    problems=[*problems, *problem.errors],
                )
                if problem.warnings and not problem.errors:
                    form.confirm.errors = list(problem.warnings)
                status = 409 if problem.errors else 400
            else:
                db.session.commit()
                flash(f"{len(added)} slot{'s' if len(added) != 1 else ''} added.", "success")
                return redirect(url_for("invitations.letter", race_id=race.id) + "#slots")
        form.previewed.data = fingerprint
    letter_form = LetterForm(prefix="letter", formdata=None, obj=None)
    letter_form.fill(letter)
    slot_form = SlotForm(prefix="slot", formdata=None)
    slot_form.location_id.choices = _location_choices()
    slot_form.timezone.data = letter.timezone
    return _letter_page(race, letter_form, slot_form, status, bulk_form=form, bulk_plan=planned)


@bp.post("/races/<int:race_id>/invitation/slots/<int:slot_id>/remove")
@allow("staff", "admin")
def remove_slot(race_id: int, slot_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    slot = db.session.get(Slot, slot_id)
    if slot is None or race.letter is None or slot.letter_id != race.letter.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_slot(slot, actor=signed_in_user())
    except services.InvitationError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("The slot is no longer offered.", "success")
    return redirect(url_for("invitations.letter", race_id=race.id) + "#slots")


@bp.post("/races/<int:race_id>/invitation/send")
@allow("staff", "admin")
def send(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    letter = race.letter
    form = SendForm()
    if letter is None or not form.validate_on_submit():
        abort(404 if letter is None else 400)
    to = "all" if form.to.data == "all" else "new"
    try:
        result = services.send(letter, to=to, actor=signed_in_user())
    except services.InvitationError as error:
        flash(str(error), "error")
        return redirect(url_for("invitations.letter", race_id=race.id))
    db.session.commit()
    parts = []
    if result.sent:
        parts.append(f"Invitation sent to {', '.join(i.candidate.name for i in result.sent)}.")
    if result.resent:
        parts.append(f"Sent again, with new links, to {', '.join(i.candidate.name for i in result.resent)}.")
    if result.skipped:
        parts.append(f"Not sent to {', '.join(result.skipped)}.")
    flash(" ".join(parts) or "Everyone has been invited already; nothing was sent.", "success" if parts else "info")
    return redirect(url_for("invitations.ledger", race_id=race.id))


@bp.post("/invitations/<int:invitation_id>/resend")
@allow("staff", "admin")
def resend(invitation_id: int) -> ResponseReturnValue:
    invitation = get_invitation_or_404(invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.resend(invitation, actor=signed_in_user())
    except services.InvitationError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Sent again to {invitation.candidate.name} with a new link; the old link no longer works.", "success")
    return redirect(url_for("invitations.ledger", race_id=invitation.letter.race_id))


@bp.post("/invitations/<int:invitation_id>/withdraw")
@allow("staff", "admin")
def withdraw(invitation_id: int) -> ResponseReturnValue:
    invitation = get_invitation_or_404(invitation_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    services.withdraw(invitation, reason=form.reason.data or "", actor=signed_in_user())
    db.session.commit()
    flash(f"The invitation to {invitation.candidate.name} is withdrawn; their link no longer works.", "success")
    return redirect(url_for("invitations.ledger", race_id=invitation.letter.race_id))


@bp.post("/invitations/requests/<int:request_id>/handled")
@allow("staff", "admin")
def request_handled(request_id: int) -> ResponseReturnValue:
    candidate_request = db.session.get(CandidateRequest, request_id)
    if candidate_request is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.mark_request_handled(candidate_request, actor=signed_in_user())
    db.session.commit()
    flash("Marked as handled.", "success")
    return redirect(url_for("main.dashboard"))


@bp.get("/races/<int:race_id>/invitation/ledger")
@allow("leader", "staff", "admin")
def ledger(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id, with_letter=True)
    letter = race.letter
    status = ledger_data.status_filter(request.args.get("status", ""))
    rows = ledger_data.rows(race, status=status)
    # The figures and whether every invitation carries the letter's text, in one statement.
    figures = ledger_data.summary(race, letter, digest=content_digest(letter)) if letter else None
    return render_template(
        "invitations/ledger.html",
        race=race,
        letter=letter,
        rows=rows,
        # Other features' columns (the questionnaire's), for this page of candidates only.
        columns=ledger_columns(race, [row.candidate.id for row in rows.items]),
        status=status,
        filters=ledger_data.STATUS_FILTERS,
        summary=figures,
        proof=ledger_data.digest_proof(letter, figures) if letter else None,
        confirm=ConfirmForm(),
        withdraw_form=WithdrawForm(),
        send_form=SendForm(),
    )


# --- sections on other pages ----------------------------------------------------------------


@section("race", order=20)
def race_section(race: Race, viewer: object) -> str | None:
    if race is None or not getattr(viewer, "is_authenticated", False):
        return None
    figures = ledger_data.race_figures(race)  # rows: the race page reads the race itself as one too
    letter, summary = figures if figures else (None, None)
    return render_part("invitations/_race_section.html", race=race, letter=letter, summary=summary)


@section("dashboard", order=15)
def dashboard_section(_obj: object, viewer: object) -> str | None:
    if not getattr(viewer, "is_staff", False):
        return None
    requests = ledger_data.open_requests()
    if not requests:
        return None
    return render_part("invitations/_dashboard_section.html", requests=requests)


# The candidate's pages live in their own module, on this blueprint.
from interviews.invitations import candidate_views  # noqa: E402, F401
