from interviews.audit.models import AuditEvent
from interviews.auth.models import User
from interviews.extensions import db
from tests.conftest import PASSWORD, changed_tables, stored_rows


def test_login_and_logout(client, make_user):
    user = make_user("leader", name="Angela Castellanos")
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Hello, Angela" in page
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    user = make_user("staff")
    before = stored_rows()
    wrong = client.post("/login", data={"email": user.email, "password": "not it at all"})
    unknown = client.post("/login", data={"email": "nobody@labor.example.org", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 400
    assert changed_tables(before) == []
    message = "That e-mail and password do not match an active account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user("leader")
    user.active = False
    db.session.commit()
    before = stored_rows()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert changed_tables(before) == []
    assert client.get("/dashboard").headers["Location"].startswith("/login?next=")


def test_next_is_followed_only_when_local(client, make_user):
    user = make_user("staff")
    response = client.post("/login?next=/admin/audit/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/audit/"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def test_change_password(client, auth):
    user = auth.login("leader")
    before = stored_rows()
    response = client.post(
        "/account",
        data={
            "pw-current_password": "wrong one",
            "pw-new_password": "a brand new passphrase",
            "pw-confirm": "a brand new passphrase",
            "pw-submit": "1",
        },
    )
    assert "The current password is not right." in response.get_data(as_text=True)
    assert changed_tables(before) == []
    response = client.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a brand new passphrase",
            "pw-confirm": "a brand new passphrase",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password("a brand new passphrase")
    assert not user.check_password(PASSWORD)
    assert db.session.query(AuditEvent).filter_by(action="account.password_changed", entity_id=user.id).count() == 1


def test_password_is_hashed_with_argon2(make_user):
    user = make_user("leader")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_time_zone_preference(client, auth):
    user = auth.login("leader")
    response = client.post("/account", data={"pref-timezone": "Europe/Berlin", "pref-submit": "1"})
    assert response.status_code == 302
    assert db.session.get(User, user.id).timezone == "Europe/Berlin"
    before = stored_rows()
    response = client.post("/account", data={"pref-timezone": "Mars/Olympus", "pref-submit": "1"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert changed_tables(before) == []
