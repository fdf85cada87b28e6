"""Two campaigns taking the same slot at the same moment, against a running server: one gets it."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlencode

from sqlalchemy import func, select

from interviews.extensions import db
from interviews.invitations.models import InvitationStatus, Slot
from interviews.scheduling.models import Interview, InterviewStatus

ROUNDS = 4


def _post(port: int, path: str, data: dict[str, object]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=urlencode(data), headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_two_candidates_booking_one_slot_at_once_exactly_one_wins(live_app_server, sent_race, token):
    _race, letter, invitations = sent_race(candidates=2 * ROUNDS, slots=ROUNDS + 1)
    slot_ids = [s.id for s in letter.slots]
    links = [token(i) for i in invitations]
    db.session.commit()

    for round_ in range(ROUNDS):
        pair = links[2 * round_ : 2 * round_ + 2]
        slot_id = slot_ids[round_]
        barrier = threading.Barrier(2)
        results: list[tuple[int, str]] = []
        lock = threading.Lock()

        def book(
            link: str,
            slot_id: int = slot_id,
            barrier: threading.Barrier = barrier,
            results: list[tuple[int, str]] = results,
            lock: threading.Lock = lock,
        ) -> None:
            barrier.wait()
            outcome = _post(live_app_server.port, f"/invitation/{link}/book", {"book-slot_id": slot_id})
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=book, args=(link,)) for link in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        statuses = sorted(status for status, _ in results)
        assert statuses == [302, 409], [(s, b[:300]) for s, b in results]
        loser_page = next(body for status, body in results if status == 409)
        assert "just taken by someone else" in loser_page or "no longer available" in loser_page
        # The loser sees the slots still free, and not the one just taken.
        assert f'name="book-slot_id" value="{slot_ids[-1]}"' in loser_page
        assert f'name="book-slot_id" value="{slot_id}"' not in loser_page

    db.session.rollback()
    for slot_id in slot_ids[:ROUNDS]:
        slot = db.session.get(Slot, slot_id)
        assert slot.taken_by_id is not None
        interviews = db.session.scalar(
            select(func.count())
            .select_from(Interview)
            .where(Interview.slot_id == slot_id, Interview.status == InterviewStatus.scheduled)
        )
        assert interviews == 1
    assert db.session.get(Slot, slot_ids[-1]).taken_by_id is None
    accepted = [i for i in invitations if db.session.get(type(i), i.id).status is InvitationStatus.accepted]
    assert len(accepted) == ROUNDS
    # No interview double-books the panel or the room.
    assert db.session.scalar(select(func.count()).select_from(Interview)) == ROUNDS
