"""Account rules: creating, editing and deactivating accounts, and passwords."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from interviews.audit.services import diff, record
from interviews.auth.models import Role, User, normalize_email
from interviews.extensions import db


class AccountError(ValueError):
    """A rule about accounts was broken; the message is fit to show."""


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never saying which was wrong)."""
    user = find_by_email(email)
    if user is None:
        # Hash anyway, so the answer takes as long whether or not the account exists.
        User(password_hash="").set_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def create_user(
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    title: str = "",
    timezone: str = "America/New_York",
    is_voting_member: bool = False,
    vote_weight: int = 1,
    actor: User | None = None,
) -> User:
    email = normalize_email(email)
    if find_by_email(email) is not None:
        raise AccountError(f"An account with the e-mail {email} already exists.")
    user = User(
        email=email,
        name=name.strip(),
        title=title.strip(),
        role=Role(role),
        timezone=timezone,
        is_voting_member=is_voting_member,
        vote_weight=vote_weight,
        active=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(
        "account.created",
        user,
        actor=actor,
        changes={"email": email, "role": user.role.value, "voting": is_voting_member, "weight": vote_weight},
        summary=f"Account created for {user.name}",
    )
    return user


def update_user(user: User, data: dict[str, Any], *, actor: User | None = None) -> User:
    data = dict(data)
    password = data.pop("password", None)
    if "email" in data:
        data["email"] = normalize_email(data["email"])
        other = find_by_email(data["email"])
        if other is not None and other.id != user.id:
            raise AccountError(f"An account with the e-mail {data['email']} already exists.")
    if "role" in data:
        data["role"] = Role(data["role"])
    if actor is not None and actor.id == user.id and data.get("role", user.role) is not Role.admin:
        raise AccountError("You cannot take the administrator role away from yourself.")
    changes = diff(user, data)
    if password:
        user.set_password(password)
        changes["password"] = ["(hidden)", "(changed)"]
    if changes:
        record("account.updated", user, actor=actor, changes=changes, summary=f"Account of {user.name} edited")
    return user


def set_active(user: User, active: bool, *, actor: User | None = None) -> User:
    if actor is not None and actor.id == user.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    if user.active != active:
        user.active = active
        record(
            "account.activated" if active else "account.deactivated",
            user,
            actor=actor,
            changes={"active": [not active, active]},
            summary=f"Account of {user.name} {'reactivated' if active else 'deactivated'}",
        )
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError("The current password is not right.")
    user.set_password(new)
    record("account.password_changed", user, actor=user, summary="Password changed")


def set_timezone(user: User, timezone: str) -> None:
    changes = diff(user, {"timezone": timezone})
    if changes:
        record("account.preferences", user, actor=user, changes=changes)


def rotate_feed_token(user: User, *, actor: User | None = None) -> None:
    user.rotate_feed_token()
    record("account.feed_token_rotated", user, actor=actor or user, summary="Calendar feed link replaced")
