"""Forgotten passwords: asking for a link, and setting a new password through it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import logout_user

from interviews.access import PUBLIC, allow
from interviews.auth import reset, sessions
from interviews.auth.forms import ForgotPasswordForm, ResetPasswordForm, show_errors
from interviews.auth.models import normalize_email
from interviews.auth.views import bp
from interviews.extensions import db, limiter

# Per address, against someone trying many addresses; per account, so nobody's mailbox is flooded.
FORGOT_PER_ADDRESS = "5 per minute;30 per hour"
FORGOT_PER_ACCOUNT = "3 per hour"
RESET_TOKEN_KEY = "_password_reset_token"  # noqa: S105  (a session key, not a secret)
SENT = (
    "If an account uses that address, we sent it a link to set a new password."
    " The link works once, within the hour. Check your spam folder if nothing arrives."
)


def submitted_reset_email() -> str:
    return "reset:" + normalize_email(request.form.get("email", ""))[:254]


@bp.route("/password/forgot", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(FORGOT_PER_ADDRESS, methods=["POST"])
@limiter.limit(FORGOT_PER_ACCOUNT, methods=["POST"], key_func=submitted_reset_email)
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer whether or not the address has an account.
        reset.request_reset(form.email.data or "")
        db.session.commit()
        flash(SENT, "info")
        return redirect(url_for("auth.login"))
    status = 200 if request.method == "GET" or not form.errors else 400
    return render_template("auth/forgot_password.html", form=form), status


def _link_error(kind: str) -> ResponseReturnValue:
    session.pop(RESET_TOKEN_KEY, None)
    return render_template("auth/reset_link_error.html", kind=kind), 400


@bp.get("/password/reset/<token>")
@allow(PUBLIC)
def reset_link(token: str) -> ResponseReturnValue:
    """The link in the e-mail: its token moves into the session, out of the address bar, history and Referer."""
    try:
        reset.user_for_token(token)
    except reset.ResetLinkError as error:
        return _link_error(error.kind)
    session[RESET_TOKEN_KEY] = token
    return redirect(url_for("auth.reset_password"))


@bp.route("/password/reset", methods=["GET", "POST"])
@allow(PUBLIC)
def reset_password() -> ResponseReturnValue:
    token = session.get(RESET_TOKEN_KEY)
    if not isinstance(token, str):
        return _link_error("invalid")
    try:
        user = reset.user_for_token(token)
    except reset.ResetLinkError as error:
        return _link_error(error.kind)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset.reset_password(token, form.new_password.data or "")
        except reset.ResetRefused as error:
            db.session.rollback()
            show_errors(form.new_password, error.problems)
        except reset.ResetLinkError as error:
            db.session.rollback()
            return _link_error(error.kind)
        else:
            db.session.commit()
            session.pop(RESET_TOKEN_KEY, None)
            sessions.clear_pending()
            logout_user()  # whoever was signed in on this browser signs in again, as everyone else must
            flash(
                "Your new password is set and every session of your account is signed out. Sign in with it.", "success"
            )
            return redirect(url_for("auth.login"))
    status = 200 if request.method == "GET" or not form.errors else 400
    return render_template("auth/reset_password.html", form=form, user=user), status
