"""Who the audit trail names for each write of the votes feature, done through its pages."""

from __future__ import annotations

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.votes.models import Vote
from tests.votes.conftest import option_id

SECRETARY = "Walter Secretary <walter.secretary@labor.example.org>"
MEMBER = "Angela Castellanos <angela.castellanos@labor.example.org>"


def who_did(action: str) -> list[tuple[ActorKind, int | None, str]]:
    """The actor of each `action` event, oldest first."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(e.actor_kind, e.actor_id, e.actor_label) for e in events]


def _people(make_user):  # type: ignore[no-untyped-def]
    secretary = make_user("staff", name="Walter Secretary", email="walter.secretary@labor.example.org")
    member = make_user(
        "leader", name="Angela Castellanos", email="angela.castellanos@labor.example.org", is_voting_member=True
    )
    other = make_user("leader", name="Denise Okafor", is_voting_member=True)
    return secretary, member, other


def test_each_write_of_a_named_vote_names_who_made_it(client, auth, make_user, make_race):  # type: ignore[no-untyped-def]
    secretary, member, other = _people(make_user)
    race = make_race()
    auth.login(secretary)
    rule = {
        "preset": "",
        "comparison": "more_than",
        "threshold_numerator": "1",
        "threshold_denominator": "2",
        "vote_base": "cast",
        "quorum_kind": "none",
        "quorum_numerator": "1",
        "quorum_denominator": "2",
    }
    assert client.post(f"/races/{race.id}/rule", data=rule).status_code == 302
    new = {"held_on": "2026-11-20", "motion": "That we endorse."}
    assert client.post(f"/races/{race.id}/votes/new", data=new).status_code == 302
    vote = db.session.scalars(select(Vote).where(Vote.race_id == race.id)).one()
    edit = {"held_on": "2026-11-21", "motion": "That we endorse for Senate."}
    assert client.post(f"/votes/{vote.id}/edit", data=edit).status_code == 302
    assert client.post(f"/votes/{vote.id}/open").status_code == 302
    db.session.refresh(vote)
    a, b = option_id(vote, "Candidate A"), option_id(vote, "Candidate B")
    present = [e.id for e in vote.roll if e.user_id == other.id]
    assert client.post(f"/votes/{vote.id}/presence", data={"present": present}).status_code == 302
    assert client.post(f"/votes/{vote.id}/paper", data={"member": other.id, "choice": str(a)}).status_code == 302
    auth.logout()

    auth.login(member)
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": str(a)}).status_code == 302
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": str(b)}).status_code == 302
    auth.logout()

    auth.login(secretary)
    assert client.post(f"/votes/{vote.id}/close").status_code == 302
    assert client.post(f"/votes/{vote.id}/finalise").status_code == 302
    assert client.post(f"/votes/{vote.id}/publish", data={"statement": "No endorsement."}).status_code == 302

    by_secretary = (ActorKind.user, secretary.id, SECRETARY)
    by_member = (ActorKind.user, member.id, MEMBER)
    expected = {
        "race.rule_changed": [by_secretary],
        "vote.prepared": [by_secretary],
        "vote.edited": [by_secretary],
        "vote.opened": [by_secretary],
        "vote.presence": [by_secretary],
        # The paper ballot is the secretary's act, though the ballot is Denise Okafor's.
        "vote.ballot_cast": [by_secretary, by_member],
        "vote.ballot_changed": [by_member],
        "vote.closed": [by_secretary],
        "vote.finalised": [by_secretary],
        "vote.published": [by_secretary],
    }
    assert {action: who_did(action) for action in expected} == expected


def test_a_secret_ballot_names_who_voted_online_or_who_recorded_it_on_paper(client, auth, make_user, make_race):  # type: ignore[no-untyped-def]
    secretary, member, other = _people(make_user)
    race = make_race(secret_ballot=True)
    auth.login(secretary)
    client.post(f"/races/{race.id}/votes/new", data={"held_on": "2026-11-20", "motion": "That we endorse."})
    vote = db.session.scalars(select(Vote).where(Vote.race_id == race.id)).one()
    assert client.post(f"/votes/{vote.id}/open").status_code == 302
    db.session.refresh(vote)
    a = option_id(vote, "Candidate A")
    assert client.post(f"/votes/{vote.id}/paper", data={"member": other.id, "choice": str(a)}).status_code == 302
    auth.logout()
    auth.login(member)
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": "abstain"}).status_code == 302

    assert who_did("vote.secret_ballot_cast") == [
        (ActorKind.user, secretary.id, SECRETARY),
        (ActorKind.user, member.id, MEMBER),
    ]
