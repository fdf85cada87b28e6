"""Signing in and out, one's own account, and the admin's account pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from interviews.access import PUBLIC, SIGNED_IN, allow, signed_in_user
from interviews.auth import services, sessions, two_factor
from interviews.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm, UserForm, show_errors
from interviews.auth.models import User, normalize_email
from interviews.extensions import db, limiter, login_manager
from interviews.forms import ConfirmForm

bp = Blueprint("auth", __name__)

# Per address, so one visitor cannot try passwords quickly; per account, so that many addresses
# together cannot either, and so that one address's bad tries lock out nobody else.
SIGN_IN_PER_ADDRESS = "10 per minute"
SIGN_IN_PER_ACCOUNT = "10 per minute;60 per hour"


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    """A misspelt role in TWO_FACTOR_REQUIRED_ROLES stops the app at start, rather than requiring nothing."""
    two_factor.parse_roles(state.app.config.get("TWO_FACTOR_REQUIRED_ROLES", ""))


# Flask-Login asks this for the account named by a session or remember-me cookie, on every request.
login_manager.user_loader(sessions.user_for_token)


def submitted_account() -> str:
    """The per-account limit's key: the e-mail as the form sent it, normalised as accounts store it."""
    return "account:" + normalize_email(request.form.get("email", ""))[:254]


def failed_sign_in(response: Response) -> bool:
    """Only a refused password counts against the account, so its holder signing in costs nothing."""
    return response.status_code == 400


def safe_next(target: str | None) -> str:
    """Only ever redirect to a path on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
@limiter.limit(SIGN_IN_PER_ACCOUNT, methods=["POST"], key_func=submitted_account, deduct_when=failed_sign_in)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            # One message whether the e-mail is unknown, the password wrong or the account off.
            show_errors(form.password, ["That e-mail and password do not match an active account."])
        elif user.two_factor_enabled or two_factor.is_required_for(user):
            # Not signed in yet: the code (or enrolling an app, where the role requires one) comes first.
            sessions.begin_pending(user, remember=bool(form.remember.data), next_url=request.args.get("next"))
            return redirect(url_for("auth.login_code"))
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.post("/logout")
@allow(SIGNED_IN)
def logout() -> ResponseReturnValue:
    services.sign_out(actor=signed_in_user())
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@allow(SIGNED_IN)
def account() -> ResponseReturnValue:
    password_form = ChangePasswordForm(prefix="pw")
    preferences_form = PreferencesForm(prefix="pref", timezone=current_user.timezone)
    if "pw-submit" in request.form and password_form.validate_on_submit():
        try:
            services.change_password(
                password_form.current_password.data or "",
                password_form.new_password.data or "",
                actor=signed_in_user(),
            )
        except services.WeakPassword as error:
            show_errors(password_form.new_password, error.problems)
        except services.AccountError as error:
            show_errors(password_form.current_password, [str(error)])
        else:
            db.session.commit()
            sessions.renew_session(signed_in_user())
            flash("Your password is changed. Every other session of your account is signed out.", "success")
            return redirect(url_for("auth.account"))
    elif "pref-submit" in request.form and preferences_form.validate_on_submit():
        services.set_timezone(preferences_form.timezone.data or "UTC", actor=signed_in_user())
        db.session.commit()
        flash("Your time zone is saved.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", password_form=password_form, preferences_form=preferences_form)


# --- administration of accounts ---------------------------------------------------------------


def get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/admin/users")
@allow("admin")
def users() -> ResponseReturnValue:
    people = db.session.scalars(select(User).order_by(User.active.desc(), User.role, User.name)).all()
    return render_template("admin/users.html", users=people, confirm=ConfirmForm())


def _form_data(form: UserForm) -> dict[str, object]:
    return {
        "name": form.name.data or "",
        "email": form.email.data or "",
        "title": form.title.data or "",
        "role": form.role.data,
        "timezone": form.timezone.data,
        "is_voting_member": bool(form.is_voting_member.data),
        "vote_weight": form.vote_weight.data or 0,
    }


@bp.route("/admin/users/new", methods=["GET", "POST"])
@allow("admin")
def user_new() -> ResponseReturnValue:
    form = UserForm(creating=True)
    if request.method == "GET":
        form.timezone.data = current_user.timezone
        form.role.data = "leader"
    if form.validate_on_submit():
        try:
            user = services.create_user(
                **_form_data(form),  # type: ignore[arg-type]
                password=form.password.data or "",
                actor=signed_in_user(),
            )
        except services.WeakPassword as error:
            show_errors(form.password, error.problems)
        except services.AccountError as error:
            show_errors(form.email, [str(error)])
        else:
            db.session.commit()
            flash(f"Account created for {user.name}. Give them their e-mail and password.", "success")
            return redirect(url_for("auth.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@allow("admin")
def user_edit(user_id: int) -> ResponseReturnValue:
    user = get_user_or_404(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.password.data = ""
    if form.validate_on_submit():
        data = _form_data(form)
        if form.password.data:
            data["password"] = form.password.data
        try:
            services.update_user(user, data, actor=signed_in_user())
        except services.WeakPassword as error:
            show_errors(form.password, error.problems)
        except services.AccountError as error:
            show_errors(form.email, [str(error)])
        else:
            db.session.commit()
            if user.id == signed_in_user().id:
                sessions.renew_session(user)  # an admin who set their own password stays signed in here
            flash(f"Saved the account of {user.name}.", "success")
            return redirect(url_for("auth.users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        confirm=ConfirmForm(),
        recovery_codes_left=two_factor.unused_recovery_codes(user),
        two_factor_required=two_factor.is_required_for(user),
    )


@bp.post("/admin/users/<int:user_id>/active")
@allow("admin")
def user_set_active(user_id: int) -> ResponseReturnValue:
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, actor=signed_in_user())
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{user.name} can {'now' if active else 'no longer'} sign in.", "success")
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<int:user_id>/sign-out-everywhere")
@allow("admin")
def user_sign_out_everywhere(user_id: int) -> ResponseReturnValue:
    user = get_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.sign_out_everywhere(user, actor=signed_in_user())
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Every session of {user.name} is signed out.", "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/two-factor/reset")
@allow("admin")
def user_reset_two_factor(user_id: int) -> ResponseReturnValue:
    user = get_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        two_factor.reset(user, actor=signed_in_user())
    except two_factor.TwoFactorError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Two-factor sign-in of {user.name} is reset and their sessions are signed out.", "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))


from interviews.auth import reset_views, two_factor_views  # noqa: E402, F401  (routes on this blueprint)
