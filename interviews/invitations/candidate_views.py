"""The candidate's pages, behind their signed link: public, no account (see links.py).

Registered on the invitations blueprint; views.py imports this module so its routes exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from interviews.access import PUBLIC, allow
from interviews.calendar.services import calendar_links_for, ics_for_download
from interviews.extensions import db, limiter
from interviews.filters import format_datetime
from interviews.invitations import candidate as candidate_actions
from interviews.invitations import services
from interviews.invitations.contributions import campaign_tasks
from interviews.invitations.forms import BookForm, CancelForm, DeclineForm, OtherTimesForm, RescheduleForm
from interviews.invitations.links import LinkError, invitation_from_token
from interviews.invitations.models import Invitation
from interviews.invitations.reading import InvitationRow, open_unbooked
from interviews.invitations.views import bp
from interviews.races.services import panel_names
from interviews.timezones import is_valid_timezone, timezone_choices

CANDIDATE_LIMIT = "30 per minute"


def _open_link(token: str) -> Invitation | Response:
    try:
        return invitation_from_token(token)
    except LinkError as error:
        return _link_error(error)


def _link_error(error: LinkError) -> Response:
    status = 403 if error.kind == "tampered" else 410
    response = current_app.make_response(
        render_template(
            "invitations/link_error.html",
            kind=error.kind,
            invitation=error.invitation,
            organizer_email=current_app.config["ORGANIZER_EMAIL"],
        )
    )
    response.status_code = status
    return response


def _viewer_zone(invitation: Invitation | InvitationRow, requested: str | None) -> tuple[str, bool]:
    """The zone to show times in, and whether it came from the browser (or the select)."""
    if requested and len(requested) <= 64 and is_valid_timezone(requested):
        return requested, True
    return invitation.letter.timezone, False


def _candidate_page(
    invitation: Invitation | InvitationRow,
    tz: str,
    status: int = 200,
    message: str = "",
    *,
    tz_chosen: bool = True,
    **forms: FlaskForm,
) -> ResponseReturnValue:
    letter = invitation.letter
    race = letter.race
    tasks = campaign_tasks(invitation)
    interview = invitation.active_interview
    can_move = candidate_actions.can_move_itself(interview)
    # Only the forms this state of the page shows are built (the times' own buttons are plain fields):
    # building all six cost a tenth of the page. A form's prefix is its name less "_form", as on submit.
    shown: dict[str, type[FlaskForm]]
    if interview is None:
        shown = {"other_form": OtherTimesForm, "decline_form": DeclineForm}
    else:
        shown = {"reschedule_form": RescheduleForm, "cancel_form": CancelForm}
        if can_move:
            shown["move_form"] = BookForm
    page_forms: dict[str, FlaskForm] = {
        key: form_class(formdata=None, tz=tz, prefix=key.removesuffix("_form")) for key, form_class in shown.items()
    }
    page_forms.update(forms)
    if interview is None:
        slots = services.offered_slots(letter)
    elif can_move:  # the times it could move to: its own panel, its own interview left out of the check
        slots = services.offered_slots(letter, interview.panel, exclude_interview_id=interview.id)
    else:
        slots = []
    return (
        render_template(
            "invitations/candidate.html",
            invitation=invitation,
            letter=letter,
            race=race,
            candidate=invitation.candidate,
            # Named in the letter's part of the page, shown until a time is booked.
            panel=panel_names(race.id) if interview is None else [],
            tz=tz,
            tz_chosen=tz_chosen,
            zone_abbrev=datetime.now(ZoneInfo(tz)).tzname(),
            zone_choices=timezone_choices(),
            free_slots=slots,
            interview=interview,
            can_move=can_move,
            move_cutoff=candidate_actions.reschedule_cutoff(interview) if interview else None,
            calendar_links=calendar_links_for(interview) if interview else None,
            past_deadline=letter.is_past_deadline(),
            message=message,
            organizer_email=current_app.config["ORGANIZER_EMAIL"],
            staff_preview=current_user.is_authenticated,
            token=request.view_args["token"] if request.view_args else "",
            tasks=tasks,
            booking_blocked=next((t for t in tasks if t.blocks_booking), None),
            **page_forms,
        ),
        status,
    )


@bp.get("/invitation/<token>")
@allow(PUBLIC)
def candidate(token: str) -> ResponseReturnValue:
    # Choosing a time, the visit most campaigns make, and often: read as plain rows (see reading.py).
    unbooked = open_unbooked(token)
    if unbooked is not None:
        tz, chosen = _viewer_zone(unbooked, request.args.get("tz"))
        return _candidate_page(unbooked, tz, tz_chosen=chosen or "tz" in request.args)
    invitation = _open_link(token)
    if isinstance(invitation, Response):
        return invitation
    tz, chosen = _viewer_zone(invitation, request.args.get("tz"))
    # Staff following a link from the outbox are not the candidate: their visit is not "opened".
    if not current_user.is_authenticated and candidate_actions.mark_opened(invitation):
        db.session.commit()
    return _candidate_page(invitation, tz, tz_chosen=chosen or "tz" in request.args)


def _after(invitation: Invitation, token: str, tz: str, done: str) -> ResponseReturnValue:
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("invitations.candidate", token=token, tz=tz))


def _candidate_post(
    token: str, form_class: type[FlaskForm], form_key: str, action: Callable[[Invitation, Any], str]
) -> ResponseReturnValue:
    """The shape every answer shares: open the link, check the form, act, commit or explain."""
    invitation = _open_link(token)
    if isinstance(invitation, Response):
        return invitation
    form = form_class(prefix=form_key.removesuffix("_form"))
    tz, _ = _viewer_zone(invitation, form.tz.data or request.args.get("tz"))
    if not form.validate_on_submit():
        return _candidate_page(invitation, tz, 400, "Please check the form below.", **{form_key: form})
    try:
        done = action(invitation, form)
    except candidate_actions.CandidateActionError as error:
        db.session.rollback()
        invitation = invitation_from_token(token)
        if isinstance(error, candidate_actions.SlotUnavailable) and candidate_actions.record_booking_failure(
            invitation, error
        ):
            db.session.commit()  # the failed attempt stays on the ledger; nothing else was kept
        return _candidate_page(invitation, tz, 409, str(error))
    return _after(invitation, token, tz, done)


@bp.post("/invitation/<token>/book")
@allow(PUBLIC)
@limiter.limit(CANDIDATE_LIMIT)
def candidate_book(token: str) -> ResponseReturnValue:
    def act(invitation: Invitation, form: BookForm) -> str:
        if form.slot_id.data is None:
            raise candidate_actions.CandidateActionError("Choose a time.")
        interview = candidate_actions.book_slot(invitation, form.slot_id.data, timezone=form.tz.data)
        return (
            f"Your interview is booked for {format_datetime(interview.starts_at, form.tz.data or interview.timezone)}."
        )

    return _candidate_post(token, BookForm, "book_form", act)


@bp.post("/invitation/<token>/move")
@allow(PUBLIC)
@limiter.limit(CANDIDATE_LIMIT)
def candidate_move(token: str) -> ResponseReturnValue:
    def act(invitation: Invitation, form: BookForm) -> str:
        if form.slot_id.data is None:
            raise candidate_actions.CandidateActionError("Choose a time.")
        interview = candidate_actions.move_booking(invitation, form.slot_id.data, timezone=form.tz.data)
        when = format_datetime(interview.starts_at, form.tz.data or interview.timezone)
        return f"Your interview is moved to {when}. Everyone on the panel has been sent the new time."

    return _candidate_post(token, BookForm, "move_form", act)


@bp.post("/invitation/<token>/decline")
@allow(PUBLIC)
@limiter.limit(CANDIDATE_LIMIT)
def candidate_decline(token: str) -> ResponseReturnValue:
    def act(invitation: Invitation, form: DeclineForm) -> str:
        candidate_actions.decline(invitation, form.reason.data)
        return "You have declined the invitation. Thank you for letting us know."

    return _candidate_post(token, DeclineForm, "decline_form", act)


@bp.post("/invitation/<token>/other-times")
@allow(PUBLIC)
@limiter.limit(CANDIDATE_LIMIT)
def candidate_other_times(token: str) -> ResponseReturnValue:
    def act(invitation: Invitation, form: OtherTimesForm) -> str:
        candidate_actions.ask_for_other_times(invitation, form.message.data or "")
        return "Your message has gone to our political department; they will reply to your campaign's e-mail."

    return _candidate_post(token, OtherTimesForm, "other_form", act)


@bp.post("/invitation/<token>/reschedule")
@allow(PUBLIC)
@limiter.limit(CANDIDATE_LIMIT)
def candidate_reschedule(token: str) -> ResponseReturnValue:
    def act(invitation: Invitation, form: RescheduleForm) -> str:
        candidate_actions.ask_to_reschedule(invitation, form.message.data or "")
        return (
            "Your request to reschedule has gone to our political department; your interview stands until they reply."
        )

    return _candidate_post(token, RescheduleForm, "reschedule_form", act)


@bp.post("/invitation/<token>/cancel")
@allow(PUBLIC)
@limiter.limit(CANDIDATE_LIMIT)
def candidate_cancel(token: str) -> ResponseReturnValue:
    def act(invitation: Invitation, form: CancelForm) -> str:
        candidate_actions.cancel_booking(invitation, form.reason.data)
        return "Your interview is cancelled and everyone on the panel has been told."

    return _candidate_post(token, CancelForm, "cancel_form", act)


@bp.get("/invitation/<token>/interview.ics")
@allow(PUBLIC)
def candidate_ics(token: str) -> ResponseReturnValue:
    invitation = _open_link(token)
    if isinstance(invitation, Response):
        return invitation
    interview = invitation.active_interview
    if interview is None:
        abort(404, description="There is no interview booked on this invitation, so there is no calendar file.")
    body = ics_for_download(interview)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="interview.ics"', "Cache-Control": "no-store"},
    )
