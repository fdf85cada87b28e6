"""Who the audit trail names for each write to an account: the admin, the account holder, or a command."""

from __future__ import annotations

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.auth.models import User
from interviews.extensions import db
from tests.conftest import PASSWORD

ADMIN = "Rebecca Lindqvist <rebecca.lindqvist@labor.example.org>"
HOLDER = "Kwame Mensah <k.mensah@labor.example.org>"


def who_did(action: str, user: User) -> list[tuple[ActorKind, int | None, str]]:
    """The actor of each `action` event on `user`'s account, oldest first."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.entity_type == "User", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id)
    )
    return [(e.actor_kind, e.actor_id, e.actor_label) for e in events]


def _account(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Kwame Mensah",
        "email": "k.mensah@labor.example.org",
        "title": "Board Member",
        "role": "leader",
        "timezone": "America/Chicago",
        "vote_weight": "1",
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


def test_admin_writes_name_the_admin_and_own_writes_name_the_holder(client, auth, make_user):  # type: ignore[no-untyped-def]
    admin = make_user("admin", name="Rebecca Lindqvist", email="rebecca.lindqvist@labor.example.org")
    auth.login(admin)
    assert client.post("/admin/users/new", data=_account()).status_code == 302
    holder = db.session.scalar(select(User).where(User.email == "k.mensah@labor.example.org"))
    assert client.post(f"/admin/users/{holder.id}", data=_account(title="Trustee", password="")).status_code == 302
    assert client.post(f"/admin/users/{holder.id}/active", data={"active": "0"}).status_code == 302
    assert client.post(f"/admin/users/{holder.id}/active", data={"active": "1"}).status_code == 302
    auth.logout()

    auth.login(holder)
    password = {
        "pw-current_password": PASSWORD,
        "pw-new_password": "a brand new passphrase",
        "pw-confirm": "a brand new passphrase",
        "pw-submit": "1",
    }
    assert client.post("/account", data=password).status_code == 302
    assert client.post("/account", data={"pref-timezone": "Europe/Paris", "pref-submit": "1"}).status_code == 302

    by_admin = [(ActorKind.user, admin.id, ADMIN)]
    by_holder = [(ActorKind.user, holder.id, HOLDER)]
    expected = {
        "account.created": by_admin,
        "account.updated": by_admin,
        "account.deactivated": by_admin,
        "account.activated": by_admin,
        "account.password_changed": by_holder,
        "account.preferences": by_holder,
    }
    assert {action: who_did(action, holder) for action in expected} == expected


def test_replacing_ones_feed_link_names_the_holder(client, auth, make_user):  # type: ignore[no-untyped-def]
    holder = make_user("leader", name="Kwame Mensah", email="k.mensah@labor.example.org")
    auth.login(holder)
    assert client.post("/calendar/rotate").status_code == 302
    assert who_did("account.feed_token_rotated", holder) == [(ActorKind.user, holder.id, HOLDER)]


def test_the_create_user_command_is_named_as_the_system(runner, app):  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=["create-user", "--email", "first@union.example.org", "--name", "First Admin"],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "first@union.example.org"))
    assert who_did("account.created", user) == [(ActorKind.system, None, "system (command create-user)")]
