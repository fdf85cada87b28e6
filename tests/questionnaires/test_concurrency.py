"""Two people of one campaign sending its answers at the same moment, against a running server: one
submission is kept, the other is told someone else saved first."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlencode

from sqlalchemy import func, select

from interviews.extensions import db
from interviews.questionnaires.models import QuestionnaireSubmission
from tests.invitations.conftest import live_app_server  # noqa: F401  (fixture)
from tests.questionnaires.conftest import good_answers, response_of

ROUNDS = 3


def _post(port: int, path: str, data: dict[str, object]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=urlencode(data), headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_two_submissions_from_one_page_at_once_keep_one(live_app_server, q_race, token, post_answers):  # noqa: F811
    _, version, invitations = q_race(candidates=ROUNDS)
    for invitation in invitations:
        post_answers(invitation, good_answers(version))
    db.session.commit()
    for invitation in invitations:
        revision = response_of(invitation).revision
        barrier = threading.Barrier(2)
        results: list[tuple[int, str]] = []
        lock = threading.Lock()
        path = f"/invitation/{token(invitation)}/questionnaire/submit"

        def send(
            barrier: threading.Barrier = barrier,
            results: list[tuple[int, str]] = results,
            lock: threading.Lock = lock,
            path: str = path,
            revision: int = revision,
        ) -> None:
            barrier.wait()
            outcome = _post(live_app_server.port, path, {"revision": revision})
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(status for status, _ in results) == [302, 409], [(s, b[:300]) for s, b in results]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireSubmission)) == ROUNDS
