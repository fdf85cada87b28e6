"""Account rules: creating, editing and deactivating accounts, and passwords."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from interviews.audit.actors import Actor
from interviews.audit.services import diff, record
from interviews.auth.models import Role, User, normalize_email
from interviews.auth.passwords import check_password_rules
from interviews.auth.sessions import end_every_session
from interviews.extensions import db


class AccountError(ValueError):
    """A rule about accounts was broken; the message is fit to show."""


class WeakPassword(AccountError):
    """The password breaks the rules (interviews/auth/passwords.py); `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def require_good_password(password: str, *, email: str, name: str) -> None:
    problems = check_password_rules(password, email=email, name=name)
    if problems:
        raise WeakPassword(problems)


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
    actor: Actor,
) -> User:
    """A new active account. `actor` is the admin, or the command that made the first one."""
    email = normalize_email(email)
    if find_by_email(email) is not None:
        raise AccountError(f"An account with the e-mail {email} already exists.")
    require_good_password(password, email=email, name=name)
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


def update_user(user: User, data: dict[str, Any], *, actor: User) -> User:
    data = dict(data)
    password = data.pop("password", None)
    if "email" in data:
        data["email"] = normalize_email(data["email"])
        other = find_by_email(data["email"])
        if other is not None and other.id != user.id:
            raise AccountError(f"An account with the e-mail {data['email']} already exists.")
    if "role" in data:
        data["role"] = Role(data["role"])
    if actor.id == user.id and data.get("role", user.role) is not Role.admin:
        raise AccountError("You cannot take the administrator role away from yourself.")
    if password:
        require_good_password(password, email=data.get("email", user.email), name=data.get("name", user.name))
    changes = diff(user, data)
    if password:
        user.set_password(password)
        changes["password"] = ["(hidden)", "(changed)"]
    if password or "role" in changes:
        # Whoever holds a session made with the old password or for the old role signs in again.
        end_every_session(user)
    if changes:
        record("account.updated", user, actor=actor, changes=changes, summary=f"Account of {user.name} edited")
    return user


def set_active(user: User, active: bool, *, actor: User) -> User:
    if actor.id == user.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    if user.active != active:
        user.active = active
        if not active:
            end_every_session(user)
        record(
            "account.activated" if active else "account.deactivated",
            user,
            actor=actor,
            changes={"active": [not active, active]},
            summary=f"Account of {user.name} {'reactivated' if active else 'deactivated'}",
        )
    return user


def change_password(current: str, new: str, *, actor: User) -> None:
    """The account holder changes their own password (an admin sets one with `update_user`)."""
    if not actor.check_password(current):
        raise AccountError("The current password is not right.")
    require_good_password(new, email=actor.email, name=actor.name)
    actor.set_password(new)
    # Every session ends, a copied cookie's too; the view renews the one at the keyboard.
    end_every_session(actor)
    record("account.password_changed", actor, actor=actor, summary="Password changed; other sessions ended")


def sign_out(*, actor: User) -> None:
    """The account holder signs out: every session of the account ends, not only this browser's."""
    end_every_session(actor)
    record("account.signed_out", actor, actor=actor, summary="Signed out; every session ended")


def sign_out_everywhere(user: User, *, actor: User) -> None:
    """An admin ends every session of another account (a lost laptop, a shared computer)."""
    if actor.id == user.id:
        raise AccountError("To end your own sessions, sign out.")
    end_every_session(user)
    record("account.sessions_ended", user, actor=actor, summary=f"Every session of {user.name} ended")


def set_timezone(timezone: str, *, actor: User) -> None:
    """The account holder's own time zone."""
    changes = diff(actor, {"timezone": timezone})
    if changes:
        record("account.preferences", actor, actor=actor, changes=changes)


def rotate_feed_token(user: User, *, actor: User) -> None:
    """Replace `user`'s calendar feed link (the old one stops working), at their request or an admin's."""
    user.rotate_feed_token()
    record("account.feed_token_rotated", user, actor=actor, summary="Calendar feed link replaced")
