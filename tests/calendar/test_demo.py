"""The demo leaves one of each calendar message pending in the outbox."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from sqlalchemy import select

from interviews.demo import load_demo
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.types import utcnow


def test_the_demo_outbox_holds_a_request_an_update_and_a_cancellation(app):
    assert load_demo()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)).all()
    by_kind: dict[str, list[OutboxMessage]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for kind, method in (
        ("calendar-request", "REQUEST"),
        ("calendar-update", "REQUEST"),
        ("calendar-cancel", "CANCEL"),
    ):
        assert by_kind.get(kind), f"no pending {kind}"
        row = by_kind[kind][0]
        assert row.ics_method == method
        assert icalendar.Calendar.from_ical(row.ics)["METHOD"] == method
    update = icalendar.Calendar.from_ical(by_kind["calendar-update"][0].ics).walk("VEVENT")[0]
    assert update.decoded("SEQUENCE") >= 1
    # Today's changes in the live governor race; what was sent in earlier weeks has been delivered.
    for kind in ("calendar-request", "calendar-update", "calendar-cancel"):
        event = icalendar.Calendar.from_ical(by_kind[kind][0].ics).walk("VEVENT")[0]
        assert "2027 Governor" in str(event["SUMMARY"])
        assert event.decoded("DTSTART") > utcnow()
    assert all(row.created_at > utcnow() - timedelta(minutes=30) for row in rows)
    assert "invitation" in by_kind
