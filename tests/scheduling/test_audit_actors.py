"""Who the audit trail names for each write to an interview, done through the scheduling pages."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.scheduling.models import Interview

NY = "America/New_York"
STAFF = "Teresa Nakamura <teresa.nakamura@labor.example.org>"
LEADER = "Ana Ruiz <ana.ruiz@labor.example.org>"


def who_did(action: str) -> list[tuple[ActorKind, int | None, int | None, str]]:
    """The actor of each `action` event, oldest first."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(e.actor_kind, e.actor_id, e.actor_invitation_id, e.actor_label) for e in events]


def _when(start, **extra):  # type: ignore[no-untyped-def]
    local = start.astimezone(ZoneInfo(NY))
    return {
        "day": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "timezone": NY,
        "duration": 45,
        "location": 0,
        **extra,
    }


def test_each_write_to_an_interview_names_the_signed_in_account(client, auth, make_user, make_race, at):  # type: ignore[no-untyped-def]
    staff = make_user("staff", name="Teresa Nakamura", email="teresa.nakamura@labor.example.org")
    ana = make_user("leader", name="Ana Ruiz", email="ana.ruiz@labor.example.org")
    ben = make_user("leader", name="Ben Ode")
    cy = make_user("leader", name="Cy Lam")
    race = make_race("2026 Governor")
    first, second = race.candidates

    auth.login(staff)
    new = f"/interviews/new?race={race.id}"
    assert client.post(new, data=_when(at(10), candidate=first.id, panel=[ana.id, ben.id])).status_code == 302
    assert client.post(new, data=_when(at(14), candidate=second.id, panel=[ana.id])).status_code == 302
    moved, held = db.session.scalars(select(Interview).order_by(Interview.id)).all()
    assert client.post(f"/interviews/{moved.id}/move", data=_when(at(11))).status_code == 302
    assert client.post(f"/interviews/{moved.id}/panel", data={"members": [ana.id, cy.id]}).status_code == 302
    assert client.post(f"/interviews/{moved.id}/cancel", data={"reason": "Hall flooded"}).status_code == 302
    # How an interview went is recorded after it; put this one a month in the past.
    held.starts_at -= timedelta(days=30)
    held.ends_at -= timedelta(days=30)
    db.session.commit()
    assert client.post(f"/interviews/{held.id}/status", data={"status": "completed"}).status_code == 302
    auth.logout()

    auth.login(ana)  # on the panel of the held interview
    assert client.post(f"/interviews/{held.id}/status", data={"status": "no_show"}).status_code == 302

    by_staff = (ActorKind.user, staff.id, None, STAFF)
    by_leader = (ActorKind.user, ana.id, None, LEADER)
    expected = {
        "interview.scheduled": [by_staff, by_staff],
        "interview.moved": [by_staff],
        "interview.panel_changed": [by_staff],
        "interview.cancelled": [by_staff],
        "interview.status_changed": [by_staff, by_leader],
    }
    assert {action: who_did(action) for action in expected} == expected
