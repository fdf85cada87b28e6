"""A person's first steps: the admin creates a leader account; the leader signs in."""

from __future__ import annotations

from interviews.auth.models import User
from interviews.extensions import db
from tests.conftest import PASSWORD


def test_admin_creates_a_leader_who_then_signs_in(live_server, page, make_user):
    admin = make_user("admin", name="Dolores Admin")
    page.goto(live_server.url + "/")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello, Dolores").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Name").fill("Fatima Haddad")
    page.get_by_label("E-mail").fill("f.haddad@labor.example.org")
    page.get_by_label("Role").select_option("leader")
    page.get_by_label("Voting member of the board").check()
    page.get_by_label("Vote weight").fill("4100")
    page.get_by_label("Password").fill("fatima's own password")
    page.get_by_role("button", name="Save account").click()
    page.get_by_text("Account created for Fatima Haddad").wait_for()
    page.get_by_role("button", name="Sign out").click()

    page.get_by_label("E-mail").fill("f.haddad@labor.example.org")
    page.get_by_label("Password").fill("fatima's own password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello, Fatima").wait_for()
    assert "Leader" in page.locator(".user-menu").inner_text()
    assert page.get_by_role("link", name="Accounts").count() == 0

    db.session.rollback()  # end the test's read snapshot to see what the server wrote
    leader = db.session.query(User).filter_by(email="f.haddad@labor.example.org").one()
    assert leader.is_voting_member and leader.vote_weight == 4100


def test_a_leader_turns_on_two_factor_sign_in_and_then_signs_in_with_a_code(live_server, page, make_user):
    import time

    import pyotp

    leader = make_user("leader", name="Kwame Mensah")
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello, Kwame").wait_for()

    page.get_by_role("link", name="Kwame Mensah").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    qr = page.locator(".qr-code svg")
    assert qr.is_visible() and qr.bounding_box()["width"] > 100
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.get_by_role("button", name="Sign out").click()

    page.get_by_label("E-mail").fill(leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    totp = pyotp.TOTP(secret)
    valid_soon = {totp.at(time.time() + 30 * step) for step in range(-1, 3)}
    page.get_by_label("Code").fill(next(code for code in ("000000", "111111", "222222") if code not in valid_soon))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("That code is not right.").wait_for()
    # The code of the next half minute: the one typed at enrolment cannot be used twice.
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello, Kwame").wait_for()
    assert blocked == []

    db.session.rollback()
    assert db.session.get(User, leader.id).two_factor_enabled
