"""Who the audit trail names for each write of the races feature, done through its pages."""

from __future__ import annotations

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.races.models import Candidate, Race
from interviews.scheduling.models import CancelledBy, InterviewStatus

STAFF = "Teresa Nakamura <teresa.nakamura@labor.example.org>"

RACE = {
    "title": "2026 Governor",
    "office": "Governor",
    "jurisdiction": "State of Columbia",
    "election_date": "2027-11-02",
    "description": "Open seat.",
}
CANDIDATE = {
    "name": "Diane Kessler",
    "party": "Democratic",
    "contact_name": "Owen Park",
    "contact_email": "schedule@kessler.example.com",
    "contact_phone": "(555) 0110",
    "website": "kessler.example.com",
}


def who_did(action: str) -> list[tuple[ActorKind, int | None, int | None, str]]:
    """The actor of each `action` event, oldest first."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(e.actor_kind, e.actor_id, e.actor_invitation_id, e.actor_label) for e in events]


def _staff(make_user):  # type: ignore[no-untyped-def]
    return make_user("staff", name="Teresa Nakamura", email="teresa.nakamura@labor.example.org")


def test_each_write_to_a_race_and_its_candidates_names_the_signed_in_staff_member(client, auth, make_user):  # type: ignore[no-untyped-def]
    staff = _staff(make_user)
    leader = make_user("leader", name="Ana Ruiz")
    auth.login(staff)
    assert client.post("/races/new", data=RACE).status_code == 302
    race = db.session.scalars(select(Race)).one()
    assert client.post(f"/races/{race.id}/edit", data={**RACE, "office": "Governor of Columbia"}).status_code == 302
    assert client.post(f"/races/{race.id}/panel", data={"members": [leader.id]}).status_code == 302
    assert client.post(f"/races/{race.id}/stage", data={"closed": "1"}).status_code == 302
    assert client.post(f"/races/{race.id}/stage", data={"closed": "0"}).status_code == 302
    assert client.post(f"/races/{race.id}/candidates/new", data=CANDIDATE).status_code == 302
    candidate = db.session.scalars(select(Candidate)).one()
    edit = {**CANDIDATE, "party": "Working Families"}
    assert client.post(f"/races/{race.id}/candidates/{candidate.id}", data=edit).status_code == 302
    withdraw = client.post(f"/races/{race.id}/candidates/{candidate.id}/withdraw", data={"reason": "Left the race"})
    assert withdraw.status_code == 302

    by_staff = [(ActorKind.user, staff.id, None, STAFF)]
    expected = {
        "race.created": by_staff,
        "race.updated": by_staff,
        "race.panel_changed": by_staff,
        "race.closed": by_staff,
        "race.reopened": by_staff,
        "candidate.added": by_staff,
        "candidate.updated": by_staff,
        "candidate.withdrawn": by_staff,
    }
    assert {action: who_did(action) for action in expected} == expected


def test_withdrawing_a_candidate_names_the_staff_member_on_the_cancellation_and_the_revoked_link(  # type: ignore[no-untyped-def]
    client, auth, make_user, booked_candidate
):
    staff = _staff(make_user)
    race, candidate, _invitation, _slot, interview = booked_candidate()

    auth.login(staff)
    response = client.post(f"/races/{race.id}/candidates/{candidate.id}/withdraw", data={"reason": "Left the race"})
    assert response.status_code == 302
    db.session.refresh(interview)
    assert interview.status is InterviewStatus.cancelled
    assert (interview.cancelled_by, interview.cancelled_by_user_id) == (CancelledBy.staff, staff.id)

    by_staff = [(ActorKind.user, staff.id, None, STAFF)]
    expected = {"candidate.withdrawn": by_staff, "interview.cancelled": by_staff, "invitation.revoked": by_staff}
    assert {action: who_did(action) for action in expected} == expected
