"""Two staff members schedule clashing interviews at the same moment against a running server.

Real threads, real HTTP, a real database (SQLite here; PostgreSQL with TEST_DATABASE_URL): exactly one
interview is created and the other request gets the conflict message.
"""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from interviews.extensions import db
from interviews.scheduling.models import Interview
from tests.conftest import PASSWORD

NY = "America/New_York"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def signed_in_opener(base: str, email: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    try:
        opener.open(f"{base}/login", data=data, timeout=30)
    except urllib.error.HTTPError as redirect:  # 302 after signing in
        assert redirect.code == 302, redirect.read()
    return opener


def post(opener: urllib.request.OpenerDirector, url: str, fields: dict[str, object]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields, doseq=True).encode()
    try:
        with opener.open(url, data=data, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode()


@pytest.mark.parametrize("shared_by", ["panel member", "room"])
def test_two_simultaneous_clashing_bookings_exactly_one_wins(
    app, make_race, make_user, make_location, at, live_server_factory, shared_by
):
    race = make_race("2026 Governor")
    shared = make_user("leader", name="Angela Castellanos")
    others = [make_user("leader", name="Walter Kowalczyk"), make_user("leader", name="Denise Okafor")]
    room = make_location("Union Hall, Boardroom A")
    staff = [make_user("staff"), make_user("staff")]
    race_id, candidate_ids = race.id, [c.id for c in race.candidates]
    if shared_by == "room":
        panels, location_id = [[others[0].id], [others[1].id]], room.id
        expected = "Union Hall, Boardroom A is already booked for the interview with"
    else:
        panels, location_id = [[shared.id, others[0].id], [shared.id, others[1].id]], 0
        expected = "Angela Castellanos is already on the panel for the interview with"
    db.session.commit()
    server = live_server_factory(WTF_CSRF_ENABLED=False)

    start = at(10).astimezone(ZoneInfo(NY))
    forms = [
        {
            "candidate": candidate_ids[i],
            "day": start.date().isoformat(),
            "start_time": (start + timedelta(minutes=20 * i)).strftime("%H:%M"),
            "timezone": NY,
            "duration": 45,
            "location": location_id,
            "panel": panels[i],
        }
        for i in range(2)
    ]
    openers = [signed_in_opener(server.url, user.email) for user in staff]
    barrier = threading.Barrier(2)
    results: list[tuple[int, str]] = [(0, ""), (0, "")]

    def book(i: int) -> None:
        barrier.wait()
        results[i] = post(openers[i], f"{server.url}/interviews/new?race={race_id}", forms[i])

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)

    statuses = sorted(code for code, _ in results)
    assert statuses == [302, 409], statuses
    loser = next(body for code, body in results if code == 409)
    assert expected in loser
    db.session.rollback()
    assert len(db.session.scalars(select(Interview)).all()) == 1
