"""The demo leaves one of each calendar message pending in the outbox."""

from __future__ import annotations

import icalendar
from sqlalchemy import select

from interviews.demo import load_demo
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus


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
