"""Sessions that end when they should, and the half-finished sign-in between password and code.

Flask-Login keeps `User.get_id()`, "id:version", in the signed session cookie and in the remember-me
cookie. The loader below accepts a cookie only while its version is the account's current
`session_version`, so raising the version (sign-out, a password change or reset, deactivation, a
role change, two-factor sign-in turned on, off or reset, an admin's "sign out everywhere") ends
every session of the account at once, on every device and every server, with nothing stored per
session. A copied cookie replayed afterwards is an anonymous visitor, sent to the sign-in page.
"""

from __future__ import annotations

import re
import time
from functools import cache
from typing import Any

from flask import current_app, request, session
from flask_login import login_user
from sqlalchemy import Integer, Select, bindparam, select, update

from interviews.auth.models import User
from interviews.database import loaded, object_columns, read_rows
from interviews.extensions import db
from interviews.security import MAX_ID

_TOKEN = re.compile(r"([0-9]{1,10})(?::([0-9]{1,10}))?")
PENDING_KEY = "_sign_in_pending"
# How long the code step waits after the password step before asking for the password again.
PENDING_SECONDS = 600


def parse_token(token: str) -> tuple[int, int] | None:
    """(user id, session version) from what the cookie holds, or None if it is not one of ours."""
    match = _TOKEN.fullmatch(token)
    if match is None or int(match[1]) > MAX_ID:
        return None
    # Cookies signed before session versions existed carry the id alone: they count as version 0,
    # so they work until the account's first revocation and never after.
    return int(match[1]), int(match[2] or 0)


@cache
def _user_by_id() -> Select[Any]:
    """The account's columns (bound: `id`). Built once per process: every signed-in request runs it,
    and building it per call (as `Session.get` does) cost more than running it."""
    return select(*object_columns(User)).where(User.id == bindparam("id", type_=Integer))


def user_for_token(token: str) -> User | None:
    """The active account a cookie names, if its session has not been ended since it was issued.
    Read as a plain row and made the session's object (`database.loaded`): every signed-in request
    starts here."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    row = read_rows(_user_by_id(), {"id": parsed[0]}).first()
    if row is None or not row.active or row.session_version != parsed[1]:
        return None
    return loaded(User, row._asdict())


def end_every_session(user: User) -> None:
    """Raise the account's session version, in the caller's transaction: every cookie issued so far stops working.

    One atomic increment, so two revocations at the same moment both count. `updated_at` is kept:
    calendar feeds' validators watch it for changes to the row's text, which this is not.
    """
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1, updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["session_version"])


def renew_session(user: User) -> None:
    """After the view committed `end_every_session` for the person at the keyboard: keep them signed in here.

    The cookie is issued again with the new version; a remember-me cookie is replaced if there was one.
    """
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=cookie in request.cookies)


# --- between the password and the code -----------------------------------------------------------


def begin_pending(user: User, *, remember: bool, next_url: str | None) -> None:
    """The password was right; the account still has to give its second factor (or enrol one).

    Nobody is signed in yet. The pending state names the session version, so ending the account's
    sessions also ends a sign-in halfway through.
    """
    session[PENDING_KEY] = {
        "user": user.get_id(),
        "remember": bool(remember),
        "next": next_url or "",
        "at": time.time(),
    }


def pending() -> dict[str, Any] | None:
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("at"), (int, float)):
        return None
    if time.time() - state["at"] > PENDING_SECONDS:
        return None
    return state


def pending_user() -> User | None:
    """The account whose sign-in waits for its second factor, or None (none, expired or revoked)."""
    state = pending()
    if state is None or not isinstance(state.get("user"), str):
        return None
    return user_for_token(state["user"])


def pending_user_id() -> str | None:
    """The id alone, read without the database: what the code step's rate limit counts by."""
    state = pending()
    parsed = parse_token(state["user"]) if state is not None and isinstance(state.get("user"), str) else None
    return str(parsed[0]) if parsed is not None else None


def complete_sign_in(user: User) -> str:
    """Sign the pending account in; the address it asked for (checked by the caller) or ""."""
    state = session.pop(PENDING_KEY, None) or {}
    login_user(user, remember=bool(state.get("remember")))
    return str(state.get("next") or "")


def clear_pending() -> None:
    session.pop(PENDING_KEY, None)
