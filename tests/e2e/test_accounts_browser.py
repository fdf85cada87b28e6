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
