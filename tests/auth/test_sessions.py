"""Sessions end when they should: a cookie copied before the event, replayed after it, is sent to sign in.

Each test copies the session cookie of a signed-in browser into a second client (a thief, or a
forgotten laptop), checks that the copy works, makes the event happen, and replays the copy.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.auth.models import User
from interviews.extensions import db
from tests.conftest import PASSWORD

SIGN_IN_FOR_DASHBOARD = "/login?next=/dashboard"


def copy_of(client: FlaskClient, app: Flask, cookie: str = "session") -> FlaskClient:
    """Another browser holding the same cookie as `client`."""
    stolen = client.get_cookie(cookie)
    assert stolen is not None, f"no {cookie} cookie to copy"
    other = app.test_client()
    other.set_cookie(cookie, stolen.value)
    return other


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/dashboard")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"] == SIGN_IN_FOR_DASHBOARD
    return False


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD, **extra: str) -> None:
    response = client.post("/login", data={"email": user.email, "password": password, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)


def actions_on(user: User) -> list[tuple[str, ActorKind, int | None]]:
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "User", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id)
    )
    return [(e.action, e.actor_kind, e.actor_id) for e in events if e.action != "account.created"]


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, client, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    sign_in(client, user)
    thief = copy_of(client, app)
    assert signed_in(thief)
    assert client.post("/logout").headers["Location"] == "/login"
    assert not signed_in(thief)
    assert not signed_in(client)
    assert actions_on(user) == [("account.signed_out", ActorKind.user, user.id)]


def test_sign_out_ends_the_accounts_other_sessions_too(app, make_user):  # type: ignore[no-untyped-def]
    user = make_user("staff")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user)
    sign_in(phone, user)
    assert laptop.post("/logout").status_code == 302
    assert not signed_in(phone)


def test_a_cookie_copied_before_a_password_change_is_refused_after_it(app, client, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    sign_in(client, user)
    thief = copy_of(client, app)
    assert signed_in(thief)
    response = client.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "ferry lantern oboe quietly",
            "pw-confirm": "ferry lantern oboe quietly",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    assert not signed_in(thief)
    assert signed_in(client)  # the person who changed it stays signed in where they did


def test_a_cookie_copied_before_deactivation_is_refused_after_it(app, client, auth, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    victim_browser = app.test_client()
    sign_in(victim_browser, user)
    assert signed_in(victim_browser)
    auth.login("admin")
    assert client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    assert not signed_in(victim_browser)
    # Reactivating does not bring the old session back.
    assert client.post(f"/admin/users/{user.id}/active", data={"active": "1"}).status_code == 302
    assert not signed_in(victim_browser)


def _account_form(user: User, **overrides: str) -> dict[str, str]:
    data = {
        "name": user.name,
        "email": user.email,
        "title": user.title,
        "role": user.role.value,
        "timezone": user.timezone,
        "vote_weight": str(user.vote_weight),
        "password": "",
    }
    data.update(overrides)
    return data


def test_a_cookie_copied_before_a_role_change_is_refused_after_it(app, client, auth, make_user):  # type: ignore[no-untyped-def]
    user = make_user("staff")
    staff_browser = app.test_client()
    sign_in(staff_browser, user)
    assert signed_in(staff_browser)
    auth.login("admin")
    # An edit that leaves the role alone leaves the sessions alone.
    assert client.post(f"/admin/users/{user.id}", data=_account_form(user, title="Organiser")).status_code == 302
    assert signed_in(staff_browser)
    assert client.post(f"/admin/users/{user.id}", data=_account_form(user, role="leader")).status_code == 302
    assert not signed_in(staff_browser)


def test_a_cookie_copied_before_an_admin_sets_a_password_is_refused_after_it(app, client, auth, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    browser = app.test_client()
    sign_in(browser, user)
    auth.login("admin")
    form = _account_form(user, password="ferry lantern oboe quietly")
    assert client.post(f"/admin/users/{user.id}", data=form).status_code == 302
    assert not signed_in(browser)


def test_an_admins_sign_out_everywhere_is_audited_and_ends_every_session(app, client, auth, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user)
    sign_in(phone, user, remember="y")
    kept_laptop = copy_of(laptop, app)
    admin = auth.login("admin")
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Sign out everywhere" in page
    response = client.post(f"/admin/users/{user.id}/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert [signed_in(c) for c in (laptop, phone, kept_laptop)] == [False, False, False]
    assert actions_on(user) == [("account.sessions_ended", ActorKind.user, admin.id)]
    # The account itself still works: signing in again is all it takes.
    sign_in(laptop, user)
    assert signed_in(laptop)
    assert signed_in(client)  # the admin's own session is untouched


def test_an_admin_cannot_sign_themselves_out_everywhere_from_the_admin_page(client, auth):  # type: ignore[no-untyped-def]
    admin = auth.login("admin")
    response = client.post(f"/admin/users/{admin.id}/sign-out-everywhere", follow_redirects=True)
    assert "To end your own sessions, sign out." in response.get_data(as_text=True)
    assert signed_in(client)


def test_a_remember_me_cookie_follows_the_session_version(app, client, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    sign_in(client, user, remember="y")
    remembered = copy_of(client, app, cookie="remember_token")  # the session cookie gone: a browser restarted
    assert signed_in(remembered)
    other_device = app.test_client()
    sign_in(other_device, user)
    assert other_device.post("/logout").status_code == 302
    assert not signed_in(remembered)


def test_a_cookie_from_before_session_versions_works_until_the_first_revocation(app, make_user):  # type: ignore[no-untyped-def]
    user: Any = make_user("leader")
    old = app.test_client()
    with old.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what cookies held before the version was added
        session["_fresh"] = True
    assert signed_in(old)
    browser = app.test_client()
    sign_in(browser, user)
    browser.post("/logout")
    assert not signed_in(old)


def test_a_forged_or_malformed_id_is_an_anonymous_visitor(app, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    for token in (f"{user.id}:7", f"{user.id}:", f"{user.id}:0:0", "x:0", "99999999999:0", "", "١:0"):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = token
        assert not signed_in(client), token


def test_the_signed_in_account_is_the_sessions_own_unchanged_object(
    app: Flask, client: FlaskClient, auth: Any, count_queries: Any
) -> None:
    """The cookie's account is read as a row and made the session's object (sessions._session_user):
    it must be what loading it gives, a persistent object with the stored values and nothing to write."""
    from sqlalchemy import inspect, text

    from interviews.auth.sessions import user_for_token

    me = auth.login("leader")
    token, user_id = me.get_id(), me.id
    db.session.expunge_all()  # a new request's session holds nothing yet
    with app.test_request_context("/"):
        user = user_for_token(token)
        assert user is not None
        state = inspect(user)
        assert state.persistent and not state.modified and user in db.session
        stored = db.session.execute(text("SELECT * FROM users WHERE id = :id"), {"id": user_id}).mappings().one()
        assert user.email == stored["email"] and user.name == stored["name"]
        assert user.role.value == stored["role"] and user.session_version == stored["session_version"]
        assert user.created_at.tzinfo is not None  # the column's own conversion: an aware time
        assert list(user.recovery_codes) == []  # a relationship still loads
        assert db.session.get(User, user_id) is user  # the identity map holds it: no second object
        assert user_for_token(token) is user  # read again (a sign-in halfway through): the same object
    with count_queries() as queries:
        assert client.get("/dashboard").status_code == 200
    assert not [s for s in queries.statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert queries.reads_of("users") == 1
