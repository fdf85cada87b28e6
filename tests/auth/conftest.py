"""Fixtures for signing in: a clock the authenticator codes follow, and enrolling an app as a person does."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient

from interviews.auth import two_factor

SECRET_ON_PAGE = re.compile(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY_CODE_ON_PAGE = re.compile(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>")


class Clock:
    """The server's clock for TOTP codes, and the phone's: each code is computed for the time it is typed."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def code(self, secret: str) -> str:
        """What the app shows now; the clock then moves on to the next 30-second step, as time does."""
        shown = pyotp.TOTP(secret).at(self.now)
        self.now += timedelta(seconds=30)
        return shown


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(two_factor, "utcnow", moving)
    return moving


class Enrolment:
    def __init__(self, secret: str, recovery_codes: list[str], page: str) -> None:
        self.secret = secret
        self.recovery_codes = recovery_codes
        self.page = page


def secret_from(page: str) -> str:
    match = SECRET_ON_PAGE.search(page)
    assert match, "no secret on the enrolment page"
    return match[1].replace(" ", "")


def enrol(client: FlaskClient, clock: Clock, path: str = "/account/two-factor") -> Enrolment:
    """Set up the app from what the page shows, as a person with a phone would; the codes it then shows once."""
    page = client.get(path).get_data(as_text=True)
    secret = secret_from(page)
    response = client.post(path, data={"code": clock.code(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_data(as_text=True)
    codes = RECOVERY_CODE_ON_PAGE.findall(shown)
    assert len(codes) == 10
    return Enrolment(secret, codes, page)


def password_step(client: FlaskClient, user: Any, password: str) -> Any:
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
