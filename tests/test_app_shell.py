"""The shell: health check, error pages, CSRF, configuration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import ProductionConfig
from interviews import create_app
from interviews.auth.models import User
from interviews.extensions import db
from tests.conftest import PASSWORD, changed_tables, stored_rows


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_healthz_and_pages_say_503_when_the_database_is_unreachable(app_factory, tmp_path):
    broken = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    client = broken.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable", "detail": "OperationalError"}
    page = client.post("/login", data={"email": "a@b.example.org", "password": "whatever it is"})
    assert page.status_code == 503
    assert "database cannot be reached" in page.get_data(as_text=True)


def test_a_signed_in_visitor_gets_the_503_page_when_the_database_is_unreachable(app_factory, tmp_path):
    broken = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    client = broken.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"  # a session cookie from before the outage
        session["_fresh"] = True
    for path in ("/", "/races", "/interviews"):
        page = client.get(path)
        assert page.status_code == 503, path
        assert "database cannot be reached" in page.get_data(as_text=True)


def test_unknown_page_is_a_styled_404(client, auth):
    auth.login("leader")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Not found" in page and "Go to your dashboard" in page


def test_unknown_id_is_404_and_forbidden_page_is_403(client, auth):
    auth.login("admin")
    assert client.get("/admin/users/424242").status_code == 404
    client.post("/logout")
    auth.login("leader")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_missing_csrf_token_gets_a_reload_page(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    user = make_user("staff")
    client = app.test_client()
    before = stored_rows()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please reload the page" in page
    assert "Traceback" not in page
    assert changed_tables(before) == []  # no sign-in recorded, no failed attempt counted
    assert client.get("/dashboard").headers["Location"].startswith("/login?next=")  # and not signed in


def test_csrf_token_round_trip_signs_in(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    user = make_user("staff")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_login_is_rate_limited(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True)
    user = make_user("staff")
    client = app.test_client()
    codes = [
        client.post("/login", data={"email": user.email, "password": "wrong password"}).status_code for _ in range(12)
    ]
    assert codes[:10] == [400] * 10
    assert codes[-1] == 429


def test_navigation_follows_the_role(client, auth):
    auth.login("leader")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Audit trail" not in page and "Accounts" not in page
    client.post("/logout")
    auth.login("admin")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Audit trail" in page and "Accounts" in page


def test_audit_page_lists_and_filters(client, auth, make_user):
    auth.login("admin")
    make_user("leader", name="Walter Kowalczyk")
    page = client.get("/admin/audit/?action=account.created").get_data(as_text=True)
    assert "Account created for Walter Kowalczyk" in page
    page = client.get("/admin/audit/?action=vote.").get_data(as_text=True)
    assert "No events match these filters." in page


def test_demo_is_idempotent_and_prints_logins(runner, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo password 123")
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "password for all: demo password 123" in first.output
    assert "admin@riverside-labor.example.org" in first.output
    count = db.session.query(User).count()
    assert count >= 23
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "already there" in second.output
    assert db.session.query(User).count() == count
    admin = db.session.scalar(select(User).where(User.email == "admin@riverside-labor.example.org"))
    assert admin.check_password("demo password 123")


def test_nul_characters_are_refused_with_a_message(client, auth):
    auth.login("admin")
    before = stored_rows()
    response = client.post("/admin/users/new", data={"name": "Bad\x00Name", "email": "x@labor.example.org"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_fields_without_help_or_errors_carry_no_empty_aria(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'aria-describedby="None"' not in page
    assert 'aria-invalid="None"' not in page
