"""Two-factor sign-in: enrolling an app from the page, signing in with its codes or a recovery code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from config import TestConfig
from interviews import create_app
from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.auth import two_factor
from interviews.auth.models import RecoveryCode, User
from interviews.extensions import db
from tests.auth.conftest import RECOVERY_CODE_ON_PAGE, enrol, password_step, secret_from
from tests.auth.test_sessions import copy_of, signed_in
from tests.conftest import PASSWORD, changed_tables, stored_rows

WRONG_CODE = "That code is not right. Enter the 6-digit code your authenticator app shows now"


def events(action: str, user: User) -> list[tuple[ActorKind, int | None]]:
    found = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.entity_type == "User", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id)
    )
    return [(e.actor_kind, e.actor_id) for e in found]


def test_enrolment_with_a_code_from_the_secret_on_the_page(client, auth, clock):  # type: ignore[no-untyped-def]
    user = auth.login("leader")
    page = client.get("/account/two-factor").get_data(as_text=True)
    # The QR code is drawn in the page itself: no image to fetch from anywhere.
    assert '<svg width="' in page and "<img" not in page
    assert "QR code for your authenticator app" in page
    secret = secret_from(page)
    assert len(secret) == 32
    # Reloading shows the same secret, and showing it stored nothing.
    before = stored_rows()
    assert secret_from(client.get("/account/two-factor").get_data(as_text=True)) == secret
    assert changed_tables(before) == []

    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right." in wrong.get_data(as_text=True)
    assert changed_tables(before) == []

    response = client.post("/account/two-factor", data={"code": clock.code(secret)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = response.get_data(as_text=True)
    assert "shown only this once" in shown
    db.session.refresh(user)
    assert user.totp_secret == secret and user.two_factor_since is not None
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    shown_codes = RECOVERY_CODE_ON_PAGE.findall(shown)
    assert len(shown_codes) == 10
    assert not any(code.replace("-", "") in hashed for code in shown_codes for hashed in stored)
    assert events("account.two_factor_enabled", user) == [(ActorKind.user, user.id)]
    assert signed_in(client)  # turning it on here keeps this session
    assert "Recovery codes, or turn it off" in client.get("/account").get_data(as_text=True)


def test_sign_in_then_needs_a_code_and_a_wrong_one_is_refused(client, auth, clock):  # type: ignore[no-untyped-def]
    user = auth.login("leader")
    secret = enrol(client, clock).secret
    client.post("/logout")

    response = password_step(client, user, PASSWORD)
    assert response.headers["Location"] == "/login/code"
    assert not signed_in(client)  # the password alone signs nobody in
    assert "Enter your code" in client.get("/login/code").get_data(as_text=True)

    before = stored_rows()
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 400
    assert WRONG_CODE in wrong.get_data(as_text=True)
    assert not signed_in(client)
    assert changed_tables(before) == []

    right = client.post("/login/code", data={"code": clock.code(secret)})
    assert right.status_code == 302 and right.headers["Location"] == "/dashboard"
    assert signed_in(client)


def test_the_page_asked_for_comes_after_the_code(client, auth, clock):  # type: ignore[no-untyped-def]
    user = auth.login("leader")
    secret = enrol(client, clock).secret
    client.post("/logout")
    response = client.post("/login?next=/races", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/login/code"
    assert client.post("/login/code", data={"code": clock.code(secret)}).headers["Location"] == "/races"


def test_a_code_works_once(app, client, auth, clock):  # type: ignore[no-untyped-def]
    user = auth.login("leader")
    secret = enrol(client, clock).secret
    client.post("/logout")
    code = pyotp.TOTP(secret).at(clock.now)
    password_step(client, user, PASSWORD)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    # Someone who saw it typed, within the same half minute, from another browser:
    onlooker = app.test_client()
    password_step(onlooker, user, PASSWORD)
    assert onlooker.post("/login/code", data={"code": code}).status_code == 400
    assert not signed_in(onlooker)


def test_a_recovery_code_works_once(app, client, auth, clock):  # type: ignore[no-untyped-def]
    user = auth.login("leader")
    codes = enrol(client, clock).recovery_codes
    client.post("/logout")

    password_step(client, user, PASSWORD)
    response = client.post("/login/code", data={"code": codes[3].upper().replace("-", " ")}, follow_redirects=True)
    assert response.status_code == 200
    assert "You signed in with a recovery code, which is now used up; 9 left." in response.get_data(as_text=True)
    assert events("account.recovery_code_used", user) == [(ActorKind.user, user.id)]
    client.post("/logout")

    password_step(client, user, PASSWORD)
    before = stored_rows()
    again = client.post("/login/code", data={"code": codes[3]})
    assert again.status_code == 400 and WRONG_CODE in again.get_data(as_text=True)
    assert changed_tables(before) == []
    assert not signed_in(client)
    used = db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None))
    )
    assert used == 1


def test_new_recovery_codes_replace_the_old_ones(client, auth, clock):  # type: ignore[no-untyped-def]
    user = auth.login("leader")
    enrolment = enrol(client, clock)
    response = client.post("/account/two-factor/recovery-codes", data={"codes-code": clock.code(enrolment.secret)})
    assert response.status_code == 200
    new_codes = [c for c in enrolment.recovery_codes if c in response.get_data(as_text=True)]
    assert new_codes == []  # none of the old ones again
    assert events("account.recovery_codes_replaced", user) == [(ActorKind.user, user.id)]
    client.post("/logout")
    password_step(client, user, PASSWORD)
    assert client.post("/login/code", data={"code": enrolment.recovery_codes[0]}).status_code == 400


def test_turning_it_off_needs_the_password_and_a_code(client, auth, clock):  # type: ignore[no-untyped-def]
    user = auth.login("leader")
    secret = enrol(client, clock).secret
    before = stored_rows()
    response = client.post("/account/two-factor/disable", data={"off-password": "not it at all", "off-code": "1"})
    assert response.status_code == 400 and "The password is not right." in response.get_data(as_text=True)
    response = client.post("/account/two-factor/disable", data={"off-password": PASSWORD, "off-code": "999999"})
    assert response.status_code == 400 and "That code is not right." in response.get_data(as_text=True)
    assert changed_tables(before) == []
    response = client.post(
        "/account/two-factor/disable", data={"off-password": PASSWORD, "off-code": clock.code(secret)}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.totp_secret is None and user.recovery_codes == []
    assert events("account.two_factor_disabled", user) == [(ActorKind.user, user.id)]
    client.post("/logout")
    assert password_step(client, user, PASSWORD).headers["Location"] == "/dashboard"


def test_the_code_step_is_rate_limited_per_account(app_factory, make_user, clock):  # type: ignore[no-untyped-def]
    app = app_factory(RATELIMIT_ENABLED=True)
    user, other = make_user("leader"), make_user("leader")
    secret = pyotp.random_base32()
    for person in (user, other):
        two_factor.enable(person, secret, pyotp.TOTP(secret).at(clock.now), actor=person)
    db.session.commit()
    clock.code(secret)  # the enrolment's code is used

    totp = pyotp.TOTP(secret)
    valid = {totp.at(clock.now.timestamp() + 30 * offset) for offset in (-1, 0, 1)}
    guesses = [code for code in (f"{n:06d}" for n in range(10)) if code not in valid][:5]

    guesser = app.test_client()
    password_step(guesser, user, PASSWORD)
    statuses = [guesser.post("/login/code", data={"code": guess}).status_code for guess in guesses]
    assert statuses == [400] * 5
    # The sixth try is refused before it is checked, even with the right code...
    assert guesser.post("/login/code", data={"code": pyotp.TOTP(secret).at(clock.now)}).status_code == 429
    # ...and starting over from the password, or from another browser, does not reset the count.
    fresh = app.test_client()
    password_step(fresh, user, PASSWORD)
    assert fresh.post("/login/code", data={"code": pyotp.TOTP(secret).at(clock.now)}).status_code == 429
    assert not signed_in(fresh)
    # Another account's sign-in is not held up.
    colleague = app.test_client()
    password_step(colleague, other, PASSWORD)
    assert colleague.post("/login/code", data={"code": clock.code(secret)}).status_code == 302


def test_required_roles_set_it_up_before_they_are_let_in(app_factory, make_user, clock):  # type: ignore[no-untyped-def]
    app = app_factory(TWO_FACTOR_REQUIRED_ROLES="admin,staff")
    staffer, leader = make_user("staff"), make_user("leader")
    client = app.test_client()

    assert password_step(client, staffer, PASSWORD).headers["Location"] == "/login/code"
    assert client.get("/login/code").headers["Location"] == "/login/two-factor"
    assert not signed_in(client)
    assert client.get("/races").headers["Location"].startswith("/login?next=")
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "Your role requires a second step when you sign in." in page
    response = client.post("/login/two-factor", data={"code": clock.code(secret_from(page))})
    assert response.status_code == 200
    assert "Your recovery codes" in response.get_data(as_text=True)
    assert signed_in(client)
    db.session.refresh(staffer)
    assert staffer.two_factor_enabled

    # It cannot be turned off while the role requires it.
    before = stored_rows()
    refused = client.post(
        "/account/two-factor/disable", data={"off-password": PASSWORD, "off-code": clock.code(staffer.totp_secret)}
    )
    assert refused.status_code == 400
    assert "Two-factor sign-in is required for the Staff role." in refused.get_data(as_text=True)
    assert changed_tables(before) == []

    # A leader, whose role is not named, signs in with the password alone.
    other = app.test_client()
    assert password_step(other, leader, PASSWORD).headers["Location"] == "/dashboard"


def test_an_admin_resets_a_lost_device_audited_and_the_sessions_end(app, client, auth, make_user, clock):  # type: ignore[no-untyped-def]
    holder = make_user("leader", name="Kwame Mensah")
    holders_browser = app.test_client()
    password_step(holders_browser, holder, PASSWORD)
    enrol(holders_browser, clock)
    kept = copy_of(holders_browser, app)
    assert signed_in(kept)

    admin = auth.login("admin")
    page = client.get(f"/admin/users/{holder.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page and "10 recovery codes unused" in page
    response = client.post(f"/admin/users/{holder.id}/two-factor/reset")
    assert response.headers["Location"] == f"/admin/users/{holder.id}"
    db.session.refresh(holder)
    assert holder.totp_secret is None and holder.recovery_codes == []
    assert events("account.two_factor_reset", holder) == [(ActorKind.user, admin.id)]
    assert not signed_in(kept)
    # The holder signs in with the password and may set up the new phone.
    fresh = app.test_client()
    assert password_step(fresh, holder, PASSWORD).headers["Location"] == "/dashboard"


def test_an_admin_cannot_reset_their_own_two_factor(client, auth, clock):  # type: ignore[no-untyped-def]
    admin = auth.login("admin")
    enrol(client, clock)
    before = stored_rows()
    response = client.post(f"/admin/users/{admin.id}/two-factor/reset", follow_redirects=True)
    assert "Another admin must reset your own two-factor sign-in." in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_the_code_step_without_a_password_step_sends_to_sign_in(client):  # type: ignore[no-untyped-def]
    before = stored_rows()
    for path in ("/login/code", "/login/two-factor"):
        assert client.get(path).headers["Location"] == "/login"
        assert client.post(path, data={"code": "123456"}).headers["Location"] == "/login"
    assert changed_tables(before) == []


def test_ending_the_sessions_also_ends_a_sign_in_waiting_for_its_code(app, client, auth, make_user, clock):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    browser = app.test_client()
    password_step(browser, user, PASSWORD)
    secret = enrol(browser, clock).secret
    browser.post("/logout")
    password_step(browser, user, PASSWORD)  # waiting for the code
    auth.login("admin")
    client.post(f"/admin/users/{user.id}/sign-out-everywhere")
    response = browser.post("/login/code", data={"code": clock.code(secret)})
    assert response.headers["Location"] == "/login"
    assert not signed_in(browser)


def test_an_unknown_role_in_the_setting_stops_the_app_at_start(app):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown roles: staf"):
        create_app(TestConfig, TWO_FACTOR_REQUIRED_ROLES="admin, staf")


@pytest.mark.parametrize(("env", "expected"), [("production", "admin,staff"), ("development", "")])
def test_production_requires_it_of_admins_and_staff_unless_set(tmp_path: Path, env: str, expected: str) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key not in ("TWO_FACTOR_REQUIRED_ROLES", "FLASK_ENV")
    }
    environment.update(APP_ENV=env, SECRET_KEY="x" * 32, INSTANCE_PATH=str(tmp_path))
    program = "from config import config_from_environment; print(config_from_environment().TWO_FACTOR_REQUIRED_ROLES)"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", program], env=environment, cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == expected
