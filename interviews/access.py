"""Who may use each page and action, declared once per view and enforced in one place.

Each view carries exactly one policy, set with `@allow(...)`. A request hook reads it before the
view runs; a view without a policy is refused, and the access test (generated from the URL map)
fails for it, so a new route cannot ship undeclared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from interviews.auth.models import User

F = TypeVar("F", bound=Callable[..., object])

PUBLIC = "public"  # anyone, including candidates following their signed link
SIGNED_IN = "signed-in"  # any active account
ROLES = ("leader", "staff", "admin")


def allow(*who: str) -> Callable[[F], F]:
    """Declare who may call a view: PUBLIC, SIGNED_IN, or role names ('leader', 'staff', 'admin')."""
    for name in who:
        if name not in (PUBLIC, SIGNED_IN, *ROLES):
            raise ValueError(f"unknown access policy {name!r}")

    def decorate(view: F) -> F:
        view.access_policy = frozenset(who)  # type: ignore[attr-defined]
        return view

    return decorate


def policy_of(endpoint: str) -> frozenset[str] | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def permits(policy: frozenset[str], role: str | None) -> bool:
    if PUBLIC in policy:
        return True
    if role is None:
        return False
    return SIGNED_IN in policy or role in policy


def signed_in_user() -> User:
    """The account making this request, as the User row: what a view passes to a service as `actor`.

    `current_user` is a proxy for it; a proxy held past the request would name whoever is signed in later.
    """
    user = current_user._get_current_object()
    if not isinstance(user, User):
        abort(403)  # a view open to the public never acts on an account's behalf
    return user


def refuse_nul_characters() -> None:
    """before_request hook: NUL can be typed or pasted but PostgreSQL cannot store it in text."""
    for source in (request.args, request.form):
        for values in source.listvalues():
            if any("\x00" in value for value in values):
                abort(400, description="The form contained an invisible NUL character. Remove it and send again.")


def enforce_access_policy() -> ResponseReturnValue | None:
    """before_request hook: apply the endpoint's declared policy."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    policy = policy_of(endpoint)
    if policy is None:
        abort(403)
    if PUBLIC in policy:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not permits(policy, current_user.role.value):
        abort(403)
    return None
