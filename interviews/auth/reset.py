"""Password reset by e-mail: a signed link, valid for an hour, that works once.

The link carries the account id and a fingerprint of the password hash it was made for. Setting a
password changes the hash (argon2 salts every hash), so the link, and every other link sent before,
stops working the moment one is used; the change is one UPDATE conditional on the old hash, so two
tabs racing with one link cannot both set a password.
"""

from __future__ import annotations

import hashlib

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update

from interviews.audit.actors import System
from interviews.audit.services import record
from interviews.auth.models import User, hash_password
from interviews.auth.passwords import check_password_rules
from interviews.auth.services import find_by_email
from interviews.auth.sessions import end_every_session
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.mail.models import OutboxMessage
from interviews.mail.services import enqueue
from interviews.urls import absolute_url

SALT = "password-reset-link"
# Whoever typed the address into the form is not known: the audit trail names the form.
REQUEST_FORM = System("password reset form")


class ResetLinkError(Exception):
    """Why a reset link does not work: kind is 'invalid', 'expired' or 'used'."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class ResetRefused(ValueError):
    """The new password breaks the rules; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def max_age_seconds() -> int:
    return int(current_app.config.get("PASSWORD_RESET_LINK_MINUTES", 60)) * 60


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "p": _fingerprint(user.password_hash)})


def user_for_token(token: str) -> User:
    """The account a reset link is for, or ResetLinkError saying why it does not work."""
    if not token or len(token) > 500:
        raise ResetLinkError("invalid")
    try:
        payload = _serializer().loads(token, max_age=max_age_seconds())
    except SignatureExpired:
        raise ResetLinkError("expired") from None
    except BadSignature:
        raise ResetLinkError("invalid") from None
    if not isinstance(payload, dict) or type(payload.get("u")) is not int or not isinstance(payload.get("p"), str):
        raise ResetLinkError("invalid")
    user = db.session.get(User, payload["u"])
    if user is None or not user.active:
        raise ResetLinkError("invalid")
    if payload["p"] != _fingerprint(user.password_hash):
        raise ResetLinkError("used")
    return user


def request_reset(email: str) -> OutboxMessage | None:
    """Queue a reset link for the active account using `email`, if there is one; nothing otherwise.

    The caller answers the same either way, so the form does not tell who has an account.
    """
    user = find_by_email(email)
    if user is None or not user.active:
        return None
    context = {
        "user": user,
        "link": absolute_url("auth.reset_link", token=make_token(user)),
        "minutes": max_age_seconds() // 60,
        "organization_name": current_app.config["ORGANIZATION_NAME"],
    }
    message = enqueue(
        to=[user.email],
        subject=f"Reset your password for {current_app.config['ORGANIZATION_NAME']}",
        text=render_template("auth/email/password_reset.txt", **context),
        html=render_template("auth/email/password_reset.html", **context),
        kind="password_reset",
        entity=user,
    )
    record("account.password_reset_requested", user, actor=REQUEST_FORM, summary="Password reset link sent")
    return message


def reset_password(token: str, new_password: str) -> User:
    """Set the password a valid link is for; every session of the account ends (the caller commits)."""
    user = user_for_token(token)
    problems = check_password_rules(new_password, email=user.email, name=user.name)
    if problems:
        raise ResetRefused(problems)
    old_hash = user.password_hash
    changed = rows_changed(
        db.session,
        update(User)
        .where(User.id == user.id, User.password_hash == old_hash)
        .values(password_hash=hash_password(new_password))
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        raise ResetLinkError("used")
    db.session.expire(user, ["password_hash"])
    end_every_session(user)
    # The person who opened the link from the account's mailbox.
    record("account.password_reset", user, actor=user, summary="Password reset through an e-mailed link")
    return user
