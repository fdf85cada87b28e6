from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.auth.models import Role, User
from interviews.extensions import db
from tests.conftest import changed_tables, stored_rows


def _form(**overrides):
    data = {
        "name": "Kwame Mensah",
        "email": "k.mensah@labor.example.org",
        "title": "Board Member",
        "role": "leader",
        "timezone": "America/Chicago",
        "is_voting_member": "y",
        "vote_weight": "2600",
        "password": "a long enough password",
    }
    data.update(overrides)
    return data


def test_admin_creates_edits_and_deactivates_an_account(client, auth):
    admin = auth.login("admin")
    response = client.post("/admin/users/new", data=_form())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "k.mensah@labor.example.org"))
    assert user.role is Role.leader and user.is_voting_member and user.vote_weight == 2600
    assert user.timezone == "America/Chicago"

    response = client.post(f"/admin/users/{user.id}", data=_form(vote_weight="3000", password="", title="Trustee"))
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.vote_weight == 3000 and user.title == "Trustee"
    assert user.check_password("a long enough password")  # empty password keeps the old one

    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.active

    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == user.id, AuditEvent.entity_type == "User")
    ).all()
    assert actions == ["account.created", "account.updated", "account.deactivated"]
    edit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.updated"))
    assert edit.actor_id == admin.id
    assert edit.changes["vote_weight"] == [2600, 3000]


def test_duplicate_email_in_any_case_is_a_form_error(client, auth, make_user):
    auth.login("admin")
    make_user("leader", email="taken@labor.example.org")
    before = stored_rows()
    response = client.post("/admin/users/new", data=_form(email="TAKEN@Labor.Example.Org"))
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.query(User).filter(User.email == "taken@labor.example.org").count() == 1
    assert changed_tables(before) == []


def test_bad_input_is_explained_and_nothing_is_stored(client, auth):
    auth.login("admin")
    before = stored_rows()
    response = client.post("/admin/users/new", data=_form(email="not-an-email", vote_weight="-3", password="short"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invalid email address" in page
    assert "A weight is a whole number from 1." in page
    assert "Use at least 12 characters (this one has 5)." in page
    assert db.session.query(User).count() == 1
    assert changed_tables(before) == []


def test_admin_cannot_lock_themselves_out(client, auth):
    admin = auth.login("admin")
    before = stored_rows()
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    db.session.refresh(admin)
    assert admin.active
    assert changed_tables(before) == []


def test_create_user_command(runner, app):
    result = runner.invoke(
        args=["create-user", "--email", "First@Union.example.org", "--name", "First Admin"],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "first@union.example.org"))
    assert user.role is Role.admin and user.check_password("a good long password")
    before = stored_rows()
    again = runner.invoke(
        args=["create-user", "--email", "first@union.example.org", "--name", "Again"],
        input="a good long password\na good long password\n",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert changed_tables(before) == []


def test_a_vote_weight_of_zero_or_less_is_refused(client, auth):
    auth.login("admin")
    for weight in ("0", "-5"):
        before = stored_rows()
        response = client.post("/admin/users/new", data=_form(vote_weight=weight))
        assert "A weight is a whole number from 1." in response.get_data(as_text=True)
        assert changed_tables(before) == []
