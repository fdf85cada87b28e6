"""The sign-in rate limits, behind one proxy: per visitor address, and per account tried."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORD


@pytest.fixture
def limited(app: Flask, app_factory: Any) -> Flask:
    """The app with rate limits on, behind one reverse proxy that names the visitor in X-Forwarded-For.

    Built after the test's `app`: the limiter is one object, and the last app built sets it up.
    """
    limited_app: Flask = app_factory(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    return limited_app


def attempt(app: Flask, email: str, password: str, address: str) -> int:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password}, headers={"X-Forwarded-For": address})
    return response.status_code


def test_one_visitors_bad_tries_lock_out_nobody_else(limited, make_user):  # type: ignore[no-untyped-def]
    colleague = make_user("staff")
    # Ten bad tries from one address, each on a different account, so no account's own limit is reached.
    tries = [attempt(limited, f"guess{n}@labor.example.org", "not it at all", "203.0.113.9") for n in range(10)]
    assert tries == [400] * 10
    assert attempt(limited, colleague.email, PASSWORD, "203.0.113.9") == 429
    # Everyone else, who comes through the same proxy, signs in.
    assert attempt(limited, colleague.email, PASSWORD, "198.51.100.20") == 302


def test_many_addresses_against_one_account_are_slowed(limited, make_user):  # type: ignore[no-untyped-def]
    target, other = make_user("admin"), make_user("staff")
    tries = [attempt(limited, target.email, f"guess number {n}", f"198.51.100.{n}") for n in range(10)]
    assert tries == [400] * 10
    # The account is held for the minute, whoever asks, the e-mail typed in any case.
    assert attempt(limited, target.email.upper(), "guess number 11", "192.0.2.1") == 429
    assert attempt(limited, target.email, PASSWORD, "192.0.2.2") == 429
    # The same addresses may still sign in to other accounts.
    assert attempt(limited, other.email, PASSWORD, "198.51.100.3") == 302


def test_signing_in_does_not_count_against_the_account(limited, make_user):  # type: ignore[no-untyped-def]
    user = make_user("leader")
    assert [attempt(limited, user.email, PASSWORD, f"192.0.2.{n}") for n in range(12)] == [302] * 12
