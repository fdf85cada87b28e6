"""Signing in and out, one's own account, and the admin's account pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from interviews.access import PUBLIC, SIGNED_IN, allow
from interviews.auth import services
from interviews.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm, UserForm
from interviews.auth.models import User
from interviews.extensions import db, limiter, login_manager
from interviews.forms import ConfirmForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def safe_next(target: str | None) -> str:
    """Only ever redirect to a path on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per minute", methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            # One message whether the e-mail is unknown, the password wrong or the account off.
            form.password.errors.append("That e-mail and password do not match an active account.")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.post("/logout")
@allow(SIGNED_IN)
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@allow(SIGNED_IN)
def account():  # type: ignore[no-untyped-def]
    password_form = ChangePasswordForm(prefix="pw")
    preferences_form = PreferencesForm(prefix="pref", timezone=current_user.timezone)
    if "pw-submit" in request.form and password_form.validate_on_submit():
        try:
            services.change_password(
                current_user, password_form.current_password.data or "", password_form.new_password.data or ""
            )
        except services.AccountError as error:
            password_form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your password is changed.", "success")
            return redirect(url_for("auth.account"))
    elif "pref-submit" in request.form and preferences_form.validate_on_submit():
        services.set_timezone(current_user, preferences_form.timezone.data or "UTC")
        db.session.commit()
        flash("Your time zone is saved.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", password_form=password_form, preferences_form=preferences_form)


# --- administration of accounts ---------------------------------------------------------------


def get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/admin/users")
@allow("admin")
def users():  # type: ignore[no-untyped-def]
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
def user_new():  # type: ignore[no-untyped-def]
    form = UserForm(creating=True)
    if request.method == "GET":
        form.timezone.data = current_user.timezone
        form.role.data = "leader"
    if form.validate_on_submit():
        try:
            user = services.create_user(
                **_form_data(form),  # type: ignore[arg-type]
                password=form.password.data or "",
                actor=current_user,
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Account created for {user.name}. Give them their e-mail and password.", "success")
            return redirect(url_for("auth.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@allow("admin")
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
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
            services.update_user(user, data, actor=current_user)
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Saved the account of {user.name}.", "success")
            return redirect(url_for("auth.users"))
    return render_template("admin/user_form.html", form=form, user=user, confirm=ConfirmForm())


@bp.post("/admin/users/<int:user_id>/active")
@allow("admin")
def user_set_active(user_id: int):  # type: ignore[no-untyped-def]
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, actor=current_user)
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{user.name} can {'now' if active else 'no longer'} sign in.", "success")
    return redirect(url_for("auth.users"))
