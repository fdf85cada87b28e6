"""The password rules: at least 12 characters and hard to guess, with a reason, wherever a password is set."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviews.auth.models import User
from interviews.auth.passwords import check_password_rules
from interviews.extensions import db
from tests.conftest import PASSWORD, changed_tables, stored_rows

EMAIL = "angela.castellanos@labor.example.org"
NAME = "Angela Castellanos"

# password: the first reason given, written out by hand.
REFUSED = {
    "aaaaaaaaaa": "Use at least 12 characters (this one has 10).",
    "short": "Use at least 12 characters (this one has 5).",
    "aaaaaaaaaaaa": 'This password is too common or too easy to guess: Repeats like "aaa" are easy to guess.',
    "password1234": "This password is too common or too easy to guess: This is a very common password.",
    "qwertyuiop123": "This password is too common or too easy to guess: This is a very common password.",
    "angela castellanos": "This password is too easy to guess: it contains your name or e-mail address.",
    "Castellanos2026!": "This password is too easy to guess: it contains your name or e-mail address.",
}


@pytest.mark.parametrize("password", sorted(REFUSED))
def test_weak_passwords_are_refused_with_the_reason(password: str) -> None:
    problems = check_password_rules(password, email=EMAIL, name=NAME)
    assert problems[0] == REFUSED[password]


def test_a_guessable_password_also_gets_advice() -> None:
    assert check_password_rules("password1234", email=EMAIL, name=NAME) == [
        "This password is too common or too easy to guess: This is a very common password.",
        "Add another word or two. Uncommon words are better.",
    ]


@pytest.mark.parametrize(
    "password", ["ferry lantern oboe quietly", "union-demo-2026", PASSWORD, "x" * 7 + "Q7#vL!p2@mZ"]
)
def test_strong_passwords_pass(password: str) -> None:
    assert check_password_rules(password, email=EMAIL, name=NAME) == []


def test_a_very_long_password_is_judged_without_error() -> None:
    # zxcvbn refuses more than 72 characters; the rules look at the first 72 and still answer.
    assert check_password_rules("ferry lantern oboe quietly " * 7, email=EMAIL, name=NAME) == []
    assert check_password_rules("f" * 201, email=EMAIL, name=NAME) == ["Use at most 200 characters."]


def _account(**overrides: str) -> dict[str, str]:
    data = {
        "name": NAME,
        "email": EMAIL,
        "title": "",
        "role": "leader",
        "timezone": "America/Chicago",
        "vote_weight": "1",
        "password": "password1234",
    }
    data.update(overrides)
    return data


def test_an_admin_cannot_give_an_account_a_weak_password(client, auth, make_user):  # type: ignore[no-untyped-def]
    auth.login("admin")
    before = stored_rows()
    response = client.post("/admin/users/new", data=_account())
    assert response.status_code == 200
    assert "This is a very common password." in response.get_data(as_text=True)
    assert changed_tables(before) == []

    leader = make_user("leader")
    before = stored_rows()
    response = client.post(f"/admin/users/{leader.id}", data=_account(email=leader.email, password="aaaaaaaaaaaa"))
    assert response.status_code == 200
    assert "Repeats like &#34;aaa&#34; are easy to guess." in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_changing_ones_password_follows_the_rules(client, auth):  # type: ignore[no-untyped-def]
    user = auth.login("leader", name=NAME, email=EMAIL)
    before = stored_rows()
    response = client.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "Castellanos2026!",
            "pw-confirm": "Castellanos2026!",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 200
    assert "it contains your name or e-mail address." in response.get_data(as_text=True)
    assert changed_tables(before) == []
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_create_user_command_follows_the_rules(runner, app):  # type: ignore[no-untyped-def]
    before = stored_rows()
    result = runner.invoke(
        args=["create-user", "--email", "first@union.example.org", "--name", "First Admin"],
        input="password1234\npassword1234\n",
    )
    assert result.exit_code != 0
    assert "This is a very common password." in result.output
    assert changed_tables(before) == []
    assert db.session.scalar(select(User)) is None


def test_outside_the_suite_passwords_are_hashed_at_argon2s_full_default_cost() -> None:
    """The suite lowers the argon2 cost to save time; every real configuration must keep the default:
    argon2id, 64 MiB, 3 passes, 4 lanes (argon2-cffi's defaults, RFC 9106's second recommendation)."""
    from config import DevelopmentConfig, ProductionConfig
    from interviews import create_app
    from interviews.auth.models import hash_password

    for config in (DevelopmentConfig, ProductionConfig):
        app = create_app(config, SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="x" * 32)
        with app.app_context():
            assert hash_password("correct horse battery staple").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
