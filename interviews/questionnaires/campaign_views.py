"""The campaign's questionnaire pages, behind its invitation's signed link: public, no account.

Fill in (drafts saved by a button, and by questionnaires.js as one types), review, send, see and
download what was sent, amend. Registered on the questionnaires blueprint by views.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from interviews.access import PUBLIC, allow
from interviews.extensions import db, limiter
from interviews.filters import format_datetime
from interviews.invitations.links import LinkError, invitation_from_token
from interviews.invitations.models import Invitation
from interviews.questionnaires import answers as rules
from interviews.questionnaires import campaign
from interviews.questionnaires.content import answer_rule, answer_words, explanation_of
from interviews.questionnaires.forms import AnswersForm, SubmitAnswersForm, raw_answers
from interviews.questionnaires.models import YES_NO, QuestionKind, QuestionnaireResponse, QuestionnaireSubmission
from interviews.questionnaires.pdf import submission_pdf
from interviews.questionnaires.services import response_of
from interviews.questionnaires.views import bp
from interviews.timezones import is_valid_timezone, timezone_choices

CAMPAIGN_LIMIT = "30 per minute"
# The page autosaves while people type: a draft every couple of seconds at most.
AUTOSAVE_LIMIT = "60 per minute"


def _link_error(error: LinkError) -> Response:
    response = current_app.make_response(
        render_template(
            "invitations/link_error.html",
            kind=error.kind,
            invitation=error.invitation,
            organizer_email=current_app.config["ORGANIZER_EMAIL"],
        )
    )
    response.status_code = 403 if error.kind == "tampered" else 410
    return response


def _open(token: str) -> tuple[Invitation, QuestionnaireResponse] | Response:
    """The invitation the link opens and its questionnaire, or the page that says why not."""
    try:
        invitation = invitation_from_token(token)
    except LinkError as error:
        return _link_error(error)
    response = response_of(invitation)
    if response is None:
        page = current_app.make_response(
            render_template(
                "questionnaires/campaign_none.html",
                invitation=invitation,
                token=token,
                organizer_email=current_app.config["ORGANIZER_EMAIL"],
            )
        )
        page.status_code = 404
        return page
    return invitation, response


def _zone(response: QuestionnaireResponse, requested: str | None) -> str:
    if requested and len(requested) <= 64 and is_valid_timezone(requested):
        return requested
    return response.version.timezone


def _current_values(response: QuestionnaireResponse) -> dict[str, Any]:
    """What the form shows: the saved draft, else the last answers sent, else nothing."""
    if response.has_draft:
        return dict(response.draft)
    last = response.last_submission
    return dict(last.answers) if last is not None else {}


def _form_page(
    response: QuestionnaireResponse,
    token: str,
    tz: str,
    *,
    values: dict[str, Any] | None = None,
    saved: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    message: str = "",
    status: int = 200,
    revision: int | None = None,
) -> ResponseReturnValue:
    version = response.version
    values = _current_values(response) if values is None else values
    if problems is None and response.has_draft:
        problems = rules.check(version, values, final=False).problems
    form = AnswersForm(formdata=None, revision=str(response.revision if revision is None else revision), tz=tz)
    return (
        render_template(
            "questionnaires/campaign_form.html",
            **_context(response, token, tz),
            form=form,
            values=values,
            saved=saved or {},
            problems=problems or {},
            message=message,
        ),
        status,
    )


def _context(response: QuestionnaireResponse, token: str, tz: str) -> dict[str, Any]:
    invitation = response.invitation
    version = response.version
    return {
        "response": response,
        "invitation": invitation,
        "candidate": invitation.candidate,
        "race": invitation.candidate.race,
        "version": version,
        "token": token,
        "tz": tz,
        "zone_abbrev": datetime.now(ZoneInfo(tz)).tzname(),
        "zone_choices": timezone_choices(),
        "is_open": campaign.is_open(response),
        "past_deadline": version.is_past_deadline(),
        "accept_late": campaign.settings_of(response).accept_late,
        "staff_preview": current_user.is_authenticated,
        "organizer_email": current_app.config["ORGANIZER_EMAIL"],
        "QuestionKind": QuestionKind,
        "YES_NO": YES_NO,
        "answer_rule": answer_rule,
        "answer_words": answer_words,
        "explanation_of": explanation_of,
    }


@bp.route("/invitation/<token>/questionnaire", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(CAMPAIGN_LIMIT, methods=["POST"])
def campaign_form(token: str) -> ResponseReturnValue:
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    _, response = opened
    if request.method == "GET":
        return _form_page(response, token, _zone(response, request.args.get("tz")))
    form = AnswersForm()
    tz = _zone(response, form.tz.data)
    raw = raw_answers(response.version, request.form)
    if not form.validate_on_submit():
        return _form_page(response, token, tz, values=raw, message="Please send the form again.", status=400)
    try:
        saved = campaign.save_draft(response, raw, base_revision=form.base_revision())
    except campaign.StaleAnswers:
        db.session.rollback()
        return _stale(token, tz, raw)
    except campaign.CampaignError as error:
        db.session.rollback()
        return _form_page(response, token, tz, values=raw, message=str(error), status=409)
    db.session.commit()
    if form.review.data:
        return redirect(url_for("questionnaires.campaign_review", token=token, tz=tz))
    when = format_datetime(response.draft_saved_at, tz)
    advice = " Some answers need attention before you can submit: see below." if saved.problems else ""
    flash(f"Your draft is saved ({when}). Nothing is sent until you review and submit it.{advice}", "success")
    return redirect(url_for("questionnaires.campaign_form", token=token, tz=tz))


def _stale(token: str, tz: str, raw: rules.Raw) -> ResponseReturnValue:
    """Someone else saved first: their answers beside each question, what this person typed in the form."""
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    _, response = opened
    saved = _current_values(response)
    error = campaign.StaleAnswers(response)
    return _form_page(response, token, tz, values=raw, saved=saved, message=str(error), status=409)


@bp.post("/invitation/<token>/questionnaire/draft")
@allow(PUBLIC)
@limiter.limit(AUTOSAVE_LIMIT)
def campaign_draft(token: str) -> ResponseReturnValue:
    """The autosave questionnaires.js posts (the whole form, with its CSRF token): JSON back."""
    opened = _open(token)
    if isinstance(opened, Response):
        return jsonify(saved=False, error="This link no longer opens the questionnaire. Reload the page."), 403
    _, response = opened
    form = AnswersForm()
    if not form.validate_on_submit():
        return jsonify(saved=False, error="The draft could not be saved here; use “Save draft”."), 400
    try:
        saved = campaign.save_draft(
            response, raw_answers(response.version, request.form), base_revision=form.base_revision()
        )
    except campaign.StaleAnswers as error:
        db.session.rollback()
        return jsonify(saved=False, stale=True, error=str(error)), 409
    except campaign.CampaignError as error:
        db.session.rollback()
        return jsonify(saved=False, error=str(error)), 409
    db.session.commit()
    tz = _zone(response, form.tz.data)
    return jsonify(
        saved=True,
        revision=saved.revision,
        saved_at=format_datetime(response.draft_saved_at, tz),
        problems=len(saved.problems),
    )


def _review_page(
    response: QuestionnaireResponse, token: str, tz: str, *, message: str = "", status: int = 200
) -> ResponseReturnValue:
    values = _current_values(response)
    checked = rules.check(response.version, values, final=True)
    return (
        render_template(
            "questionnaires/campaign_review.html",
            **_context(response, token, tz),
            values=values,
            problems=checked.problems,
            form=SubmitAnswersForm(formdata=None, revision=str(response.revision), tz=tz),
            message=message,
        ),
        status,
    )


@bp.get("/invitation/<token>/questionnaire/review")
@allow(PUBLIC)
def campaign_review(token: str) -> ResponseReturnValue:
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    _, response = opened
    return _review_page(response, token, _zone(response, request.args.get("tz")))


@bp.post("/invitation/<token>/questionnaire/submit")
@allow(PUBLIC)
@limiter.limit(CAMPAIGN_LIMIT)
def campaign_submit(token: str) -> ResponseReturnValue:
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    _, response = opened
    form = SubmitAnswersForm()
    tz = _zone(response, form.tz.data)
    if not form.validate_on_submit():
        return _review_page(response, token, tz, message="Please send the form again.", status=400)
    try:
        submission = campaign.submit(response, base_revision=form.base_revision())
    except campaign.CampaignError as error:
        db.session.rollback()
        opened = _open(token)
        if isinstance(opened, Response):
            return opened
        status = 400 if isinstance(error, campaign.AnswersIncomplete) else 409
        return _review_page(opened[1], token, tz, message=str(error), status=status)
    db.session.commit()
    late = " It arrived after the deadline, so it is marked late." if submission.late else ""
    flash(
        f"Your answers are sent (submission {submission.number}, "
        f"{format_datetime(submission.submitted_at, tz)}).{late} "
        f"A copy is on its way to {response.invitation.candidate.contact_email}.",
        "success",
    )
    return redirect(url_for("questionnaires.campaign_sent", token=token, tz=tz))


def _submission(response: QuestionnaireResponse) -> QuestionnaireSubmission | None:
    number = request.args.get("n", type=int)
    if number is None:
        return response.last_submission
    return next((s for s in response.submissions if s.number == number), None)


@bp.get("/invitation/<token>/questionnaire/sent")
@allow(PUBLIC)
def campaign_sent(token: str) -> ResponseReturnValue:
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    _, response = opened
    tz = _zone(response, request.args.get("tz"))
    submission = _submission(response)
    status = 200 if submission is not None or request.args.get("n") is None else 404
    return (
        render_template("questionnaires/campaign_sent.html", **_context(response, token, tz), submission=submission),
        status,
    )


@bp.get("/invitation/<token>/questionnaire/sent.pdf")
@allow(PUBLIC)
def campaign_sent_pdf(token: str) -> ResponseReturnValue:
    opened = _open(token)
    if isinstance(opened, Response):
        return opened
    _, response = opened
    submission = _submission(response)
    if submission is None:
        return redirect(url_for("questionnaires.campaign_sent", token=token))
    pdf = submission_pdf(submission, current_app.config["ORGANIZATION_NAME"], _zone(response, request.args.get("tz")))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="questionnaire-submission-{submission.number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
