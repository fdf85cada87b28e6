"""Password reset by e-mail: the link arrives through the outbox and a real SMTP server, works once, for an hour."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.auth import reset
from interviews.auth.models import User
from interviews.extensions import db
from interviews.mail.models import OutboxMessage
from tests.auth.conftest import enrol, password_step
from tests.auth.test_sessions import copy_of, signed_in
from tests.conftest import PASSWORD, changed_tables, stored_rows

NEW_PASSWORD = "ferry lantern oboe quietly"
SENT = "If an account uses that address, we sent it a link to set a new password."
LINK = re.compile(r"http://interviews\.example\.org(/password/reset/[A-Za-z0-9_.\-]+)")


def ask_for_link(client: FlaskClient, email: str) -> Any:
    response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/login"
    return response


def delivered_link(runner: Any, smtp_server: Any, count: int) -> tuple[str, Any]:
    """Run the outbox worker, as `flask outbox send` does, and read the link from the message that arrived."""
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    message = smtp_server.wait_for(count)[count - 1]
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    return match[1], message


def set_new_password(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> Any:
    opened = client.get(path)
    assert opened.status_code == 302 and opened.headers["Location"] == "/password/reset"
    return client.post("/password/reset", data={"new_password": password, "confirm": password})


def test_a_reset_link_by_email_sets_the_password_once_and_ends_every_session(  # type: ignore[no-untyped-def]
    app: Flask, runner, smtp_server, mail_settings, make_user
):
    app.config.update(mail_settings)
    user = make_user("leader", name="Angela Castellanos", email="angela.castellanos@labor.example.org")
    laptop = app.test_client()
    password_step(laptop, user, PASSWORD)
    left_signed_in = copy_of(laptop, app)
    assert signed_in(left_signed_in)

    visitor = app.test_client()
    assert "Forgot your password?" in visitor.get("/login").get_data(as_text=True)
    assert SENT in ask_for_link(visitor, "Angela.Castellanos@Labor.Example.Org ").get_data(as_text=True)
    path, message = delivered_link(runner, smtp_server, 1)
    assert message["To"] == "angela.castellanos@labor.example.org"
    assert message["Subject"] == "Reset your password for Test Labor Council"
    assert "within 60 minutes" in message.get_body(preferencelist=("plain",)).get_content()
    assert path in message.get_body(preferencelist=("html",)).get_content()

    # The page says whose password it is; a weak one is refused with the reason.
    opened = visitor.get(path)
    assert opened.headers["Location"] == "/password/reset"
    page = visitor.get("/password/reset").get_data(as_text=True)
    assert "For angela.castellanos@labor.example.org." in page
    weak = visitor.post("/password/reset", data={"new_password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "This is a very common password." in weak.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)

    done = visitor.post("/password/reset", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    # Every session made before, the laptop's included, is over.
    assert not signed_in(left_signed_in)
    assert not signed_in(laptop)
    assert not signed_in(visitor)

    # The link does not work a second time, in any browser.
    before = stored_rows()
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "The link was already used" in again.get_data(as_text=True)
    assert changed_tables(before) == []

    actions = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "User", AuditEvent.entity_id == user.id)
    ).all()
    trail = [(e.action, e.actor_kind, e.actor_id, e.actor_label) for e in actions if e.action != "account.created"]
    assert trail == [
        ("account.password_reset_requested", ActorKind.system, None, "system (password reset form)"),
        (
            "account.password_reset",
            ActorKind.user,
            user.id,
            "Angela Castellanos <angela.castellanos@labor.example.org>",
        ),
    ]
    assert password_step(app.test_client(), user, NEW_PASSWORD).headers["Location"] == "/dashboard"


def test_an_unknown_or_deactivated_address_gets_the_same_answer_and_no_mail(client, make_user):  # type: ignore[no-untyped-def]
    known = make_user("leader")
    off = make_user("leader")
    off.active = False
    db.session.commit()
    answers = {}
    for email in ("nobody@labor.example.org", off.email):
        before = stored_rows()
        response = client.post("/password/forgot", data={"email": email})
        answers[email] = (response.status_code, response.headers["Location"])
        assert changed_tables(before) == []  # no e-mail queued, nothing recorded
        flashed = client.get("/login").get_data(as_text=True)
        assert SENT in flashed
    response = client.post("/password/forgot", data={"email": known.email})
    assert set(answers.values()) == {(response.status_code, response.headers["Location"])} == {(302, "/login")}
    assert SENT in client.get("/login").get_data(as_text=True)
    assert db.session.scalars(select(OutboxMessage.kind)).all() == ["password_reset"]


def test_a_link_older_than_an_hour_is_refused(app, client, make_user, monkeypatch):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    made_at = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: made_at)
    path = "/password/reset/" + reset.make_token(user)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: made_at + 59 * 60)
    assert client.get(path).status_code == 302  # 59 minutes on: still good
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: made_at + 60 * 60 + 1)
    before = stored_rows()
    expired = app.test_client().get(path)
    assert expired.status_code == 400 and "The link is more than an hour old." in expired.get_data(as_text=True)
    # The browser that opened it in time cannot use it past the hour either.
    late = client.post("/password/reset", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert late.status_code == 400 and "more than an hour old" in late.get_data(as_text=True)
    assert changed_tables(before) == []


def test_using_one_link_stops_every_link_sent_before(app, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    first, second = (reset.make_token(user) for _ in range(2))
    assert set_new_password(app.test_client(), f"/password/reset/{second}").status_code == 302
    response = app.test_client().get(f"/password/reset/{first}")
    assert response.status_code == 400 and "already used" in response.get_data(as_text=True)


def test_a_tampered_link_is_refused(app, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    token = reset.make_token(user)
    before = stored_rows()
    for path in (f"/password/reset/{token[:-2]}xx", "/password/reset/not-a-token", "/password/reset/" + "a" * 600):
        response = app.test_client().get(path)
        assert response.status_code == 400 and "not one of ours" in response.get_data(as_text=True), path
    assert app.test_client().post("/password/reset", data={"new_password": NEW_PASSWORD}).status_code == 400
    assert changed_tables(before) == []


def test_a_reset_does_not_skip_the_code_step(app, client, auth, make_user, clock):  # type: ignore[no-untyped-def]
    user: User = auth.login("leader")
    enrol(client, clock)
    assert set_new_password(app.test_client(), "/password/reset/" + reset.make_token(user)).status_code == 302
    assert password_step(app.test_client(), user, NEW_PASSWORD).headers["Location"] == "/login/code"


def test_the_request_form_is_rate_limited(app_factory, make_user):  # type: ignore[no-untyped-def]
    app = app_factory(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    user = make_user("leader")
    # Per account: three links an hour at most, from however many addresses.
    statuses = [
        app.test_client()
        .post("/password/forgot", data={"email": user.email}, headers={"X-Forwarded-For": f"198.51.100.{n}"})
        .status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3
    # Per address: five a minute, whatever the addresses typed.
    one_address = app.test_client()
    statuses = [
        one_address.post(
            "/password/forgot", data={"email": f"n{n}@labor.example.org"}, headers={"X-Forwarded-For": "203.0.113.7"}
        ).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_staff_reading_the_outbox_never_see_a_reset_link(client, auth, make_user):  # type: ignore[no-untyped-def]
    """Otherwise a staff member could ask for a leader's reset, open it in the outbox and sign in as them."""
    from interviews.mail.models import OutboxMessage

    leader = make_user("leader")
    assert client.post("/password/forgot", data={"email": leader.email}).status_code == 302
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    assert message is not None and "/password/reset/" in message.text_body
    auth.login("staff")
    listing = client.get("/outbox/").get_data(as_text=True)
    page = client.get(f"/outbox/{message.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and leader.email in html and "Contents not shown" in html
    assert "/password/reset/" not in html and "/password/reset/" not in listing
    assert client.get(f"/outbox/{message.id}/invite.ics").status_code == 404
