"""Two-factor pages: the code step of signing in, enrolling an app, and managing it from one's account."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user

from interviews.access import PUBLIC, SIGNED_IN, allow, signed_in_user
from interviews.auth import sessions, two_factor
from interviews.auth.forms import AppCodeForm, CodeForm, DisableTwoFactorForm, EnrolForm, show_errors
from interviews.auth.models import User
from interviews.auth.views import bp, safe_next
from interviews.extensions import db, limiter

# Every place that checks an account's code draws on one budget, keyed on the account: a six-digit
# code cannot be guessed by spreading tries over addresses, pages or sessions.
CODE_LIMIT = "5 per minute;30 per hour"
ENROLMENT_KEY = "_totp_enrolment"
WRONG_CODE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now (each code works once),"
    " or one of your recovery codes."
)


def code_attempts_key() -> str:
    """The code budget's key: the account signed in, or waiting for its code; else the address."""
    if current_user.is_authenticated:
        return f"two-factor:{current_user.id}"
    user_id = sessions.pending_user_id()
    return f"two-factor:{user_id}" if user_id else f"two-factor-address:{get_remote_address()}"


limit_code_attempts = limiter.shared_limit(
    CODE_LIMIT, scope="two-factor-code", key_func=code_attempts_key, methods=["POST"]
)


def _enrolment(user: User) -> dict[str, object]:
    """The secret, QR code and otpauth address offered to `user`, the same on every reload of the page."""
    state = session.get(ENROLMENT_KEY)
    if not isinstance(state, dict) or state.get("user") != user.id or not isinstance(state.get("nonce"), str):
        state = {"user": user.id, "nonce": two_factor.new_enrolment_nonce()}
        session[ENROLMENT_KEY] = state
    secret = two_factor.enrolment_secret(user, state["nonce"])
    uri = two_factor.provisioning_uri(user, secret)
    return {
        "secret": secret,
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": two_factor.qr_code_svg(uri),
    }


def _confirm_enrolment(user: User, form: EnrolForm, enrolment: dict[str, object]) -> list[str] | None:
    """The code from the authenticator app turns two-factor on: the recovery codes, or None with the error shown."""
    if not form.validate_on_submit():
        return None
    try:
        codes = two_factor.enable(user, str(enrolment["secret"]), form.code.data or "", actor=user)
    except two_factor.TwoFactorError as error:
        db.session.rollback()
        show_errors(form.code, [str(error)])
        return None
    db.session.commit()
    session.pop(ENROLMENT_KEY, None)
    return codes


def _show_recovery_codes(codes: list[str], continue_to: str) -> ResponseReturnValue:
    """The codes, once, in the answer to the POST that made them: they are never stored in the clear."""
    response = make_response(render_template("auth/recovery_codes.html", codes=codes, continue_to=continue_to))
    response.headers["Cache-Control"] = "no-store"
    return response


def _status(form_errors: bool) -> int:
    return 200 if request.method == "GET" or not form_errors else 400


def _signed_in_already() -> ResponseReturnValue | None:
    return redirect(url_for("main.dashboard")) if current_user.is_authenticated else None


def _sign_in_again() -> ResponseReturnValue:
    flash("Please sign in again: the sign-in was not started here, took too long, or was ended.", "info")
    return redirect(url_for("auth.login"))


# --- signing in -----------------------------------------------------------------------------------


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
@limit_code_attempts
def login_code() -> ResponseReturnValue:
    if (done := _signed_in_already()) is not None:
        return done
    user = sessions.pending_user()
    if user is None:
        return _sign_in_again()
    if not user.two_factor_enabled:
        return redirect(url_for("auth.login_enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        kind = two_factor.check_code(user, form.code.data or "")
        if kind is None:
            db.session.rollback()
            show_errors(form.code, [WRONG_CODE])
        else:
            db.session.commit()
            next_url = sessions.complete_sign_in(user)
            if kind == "recovery code":
                left = two_factor.unused_recovery_codes(user)
                flash(
                    f"You signed in with a recovery code, which is now used up; {left} left."
                    " Make new ones from your account page if you are running out.",
                    "warning",
                )
            return redirect(safe_next(next_url))
    return render_template("auth/login_code.html", form=form), _status(bool(form.errors))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@allow(PUBLIC)
@limit_code_attempts
def login_enrol() -> ResponseReturnValue:
    """Where the role requires two-factor sign-in, an account without it sets it up before it is let in."""
    if (done := _signed_in_already()) is not None:
        return done
    user = sessions.pending_user()
    if user is None:
        return _sign_in_again()
    if user.two_factor_enabled:
        return redirect(url_for("auth.login_code"))
    form = EnrolForm()
    enrolment = _enrolment(user)
    if (codes := _confirm_enrolment(user, form, enrolment)) is not None:
        next_url = sessions.complete_sign_in(user)
        return _show_recovery_codes(codes, continue_to=safe_next(next_url))
    return render_template(
        "auth/enrol.html", form=form, enrolment=enrolment, signing_in=True, required=two_factor.is_required_for(user)
    ), _status(bool(form.errors))


# --- one's own account ------------------------------------------------------------------------------


def _manage_page(codes_form: AppCodeForm, disable_form: DisableTwoFactorForm, status: int = 200) -> ResponseReturnValue:
    user = signed_in_user()
    return render_template(
        "auth/two_factor.html",
        user=user,
        codes_form=codes_form,
        disable_form=disable_form,
        recovery_codes_left=two_factor.unused_recovery_codes(user),
        required=two_factor.is_required_for(user),
    ), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@allow(SIGNED_IN)
@limit_code_attempts
def two_factor_settings() -> ResponseReturnValue:
    user = signed_in_user()
    if user.two_factor_enabled:
        return _manage_page(AppCodeForm(prefix="codes"), DisableTwoFactorForm(prefix="off"))
    form = EnrolForm()
    enrolment = _enrolment(user)
    if (codes := _confirm_enrolment(user, form, enrolment)) is not None:
        sessions.renew_session(user)
        flash("Two-factor sign-in is on. Your other sessions are signed out.", "success")
        return _show_recovery_codes(codes, continue_to=url_for("auth.two_factor_settings"))
    return render_template(
        "auth/enrol.html", form=form, enrolment=enrolment, signing_in=False, required=two_factor.is_required_for(user)
    ), _status(bool(form.errors))


@bp.post("/account/two-factor/recovery-codes")
@allow(SIGNED_IN)
@limit_code_attempts
def two_factor_recovery_codes() -> ResponseReturnValue:
    codes_form = AppCodeForm(prefix="codes")
    if codes_form.validate_on_submit():
        try:
            codes = two_factor.regenerate_recovery_codes(
                signed_in_user(), codes_form.code.data or "", actor=signed_in_user()
            )
        except two_factor.TwoFactorError as error:
            db.session.rollback()
            show_errors(codes_form.code, [str(error)])
        else:
            db.session.commit()
            return _show_recovery_codes(codes, continue_to=url_for("auth.two_factor_settings"))
    return _manage_page(codes_form, DisableTwoFactorForm(prefix="off"), status=400)


@bp.post("/account/two-factor/disable")
@allow(SIGNED_IN)
@limit_code_attempts
def two_factor_disable() -> ResponseReturnValue:
    disable_form = DisableTwoFactorForm(prefix="off")
    if disable_form.validate_on_submit():
        user = signed_in_user()
        try:
            two_factor.disable(user, disable_form.password.data or "", disable_form.code.data or "", actor=user)
        except two_factor.TwoFactorError as error:
            db.session.rollback()
            show_errors(disable_form.code, [str(error)])
        else:
            db.session.commit()
            sessions.renew_session(user)
            flash("Two-factor sign-in is off. Your other sessions are signed out.", "success")
            return redirect(url_for("auth.two_factor_settings"))
    return _manage_page(AppCodeForm(prefix="codes"), disable_form, status=400)
