"""Who the audit trail names for each write of the notes feature, done through its pages."""

from __future__ import annotations

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.notes.models import MemberPoll

STAFF = "Lorraine McAllister <lorraine.mcallister@labor.example.org>"
LEADER = "Kwame Mensah <kwame.mensah@labor.example.org>"


def who_did(action: str) -> list[tuple[ActorKind, int | None, str]]:
    """The actor of each `action` event, oldest first."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(e.actor_kind, e.actor_id, e.actor_label) for e in events]


def _poll(race, title: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {
        "title": title,
        "method": "town_hall",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-01",
        "sample_size": "400",
        "overseen_by": "Recording Secretary",
        "result_kind": "counts",
        "notes": "",
    }
    for i, candidate in enumerate(race.candidates):
        data.update({f"results-{i}-candidate_id": str(candidate.id), f"results-{i}-in_field": "y"})
        data[f"results-{i}-value"] = "150"
    return data


def test_each_write_of_the_notes_feature_names_who_made_it(client, auth, make_user, make_race, make_interview):  # type: ignore[no-untyped-def]
    staff = make_user("staff", name="Lorraine McAllister", email="lorraine.mcallister@labor.example.org")
    leader = make_user("leader", name="Kwame Mensah", email="kwame.mensah@labor.example.org")
    race = make_race()
    interview = make_interview(race, [leader])

    auth.login(staff)
    questions = {"questions-0-position": "1", "questions-0-topic": "Labour", "questions-0-text": "Right to strike?"}
    assert client.post(f"/races/{race.id}/questions/edit", data=questions).status_code == 302
    assert client.post(f"/races/{race.id}/polls/new", data=_poll(race, "Straw poll")).status_code == 302
    poll = db.session.scalars(select(MemberPoll)).one()
    assert client.post(f"/polls/{poll.id}/edit", data=_poll(race, "Town hall straw poll")).status_code == 302
    assert client.post(f"/polls/{poll.id}/delete").status_code == 302
    auth.logout()

    auth.login(leader)
    general = f"/interviews/{interview.id}/notes/general"
    assert client.post(general, data={"body": "Strong.", "visibility": "panel", "version": "0"}).status_code == 302
    assert client.post(general, data={"body": "Strong!", "visibility": "panel", "version": "1"}).status_code == 302
    assert client.post(f"/interviews/{interview.id}/notes/submit").status_code == 302

    by_staff = [(ActorKind.user, staff.id, STAFF)]
    by_leader = [(ActorKind.user, leader.id, LEADER)]
    expected = {
        "question_list.saved": by_staff,
        "poll.created": by_staff,
        "poll.edited": by_staff,
        "poll.deleted": by_staff,
        "note.created": by_leader,
        "note.edited": by_leader,
        "notes.submitted": by_leader,
    }
    assert {action: who_did(action) for action in expected} == expected
