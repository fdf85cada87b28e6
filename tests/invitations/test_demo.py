"""The demo shows an invitation in every state, and every page of it opens."""

from __future__ import annotations

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.ledger import digest_proof
from interviews.invitations.links import make_token
from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus
from interviews.mail.models import OutboxMessage


def test_the_demo_has_every_state_and_its_pages_open(runner, client, auth):
    assert runner.invoke(args=["demo"]).exit_code == 0
    invitations = db.session.scalars(select(Invitation)).all()
    assert {i.status for i in invitations} == set(InvitationStatus)
    presidential = db.session.scalar(
        select(InvitationLetter)
        .join(InvitationLetter.race)
        .where(InvitationLetter.race.has(title="2028 Presidential endorsement"))
    )
    assert {s.taken_by_id is None for s in presidential.slots} == {True, False}
    for letter in db.session.scalars(select(InvitationLetter)):
        assert digest_proof(letter).all_same
    kinds = {m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert {"invitation", "candidate_request"} <= kinds

    for invitation in invitations:
        response = client.get(f"/invitation/{make_token(invitation)}?tz=Europe/Berlin")
        expected = 410 if invitation.status is InvitationStatus.withdrawn else 200
        assert response.status_code == expected, invitation.candidate.name
    auth.login("staff")
    for letter in db.session.scalars(select(InvitationLetter)):
        assert client.get(f"/races/{letter.race_id}/invitation").status_code == 200
        assert client.get(f"/races/{letter.race_id}/invitation/ledger").status_code == 200
        assert client.get(f"/races/{letter.race_id}").status_code == 200
    assert client.get("/dashboard").status_code == 200
