"""The demo shows an invitation in every state, each where the story puts it, and every page of it opens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.ledger import digest_proof
from interviews.invitations.links import make_token
from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus
from interviews.mail.models import OutboxMessage
from interviews.types import utcnow


def test_the_demo_has_every_state_and_its_pages_open(app, runner, client, auth):
    assert runner.invoke(args=["demo"]).exit_code == 0
    invitations = db.session.scalars(select(Invitation)).all()
    assert {i.status for i in invitations} == set(InvitationStatus)
    presidential = db.session.scalar(
        select(InvitationLetter)
        .join(InvitationLetter.race)
        .where(InvitationLetter.race.has(title="2028 Presidential endorsement"))
    )
    assert {s.taken_by_id is None for s in presidential.slots} == {True, False}
    # The presidential round is over: its deadline passed long ago and no one is left unanswered.
    assert presidential.is_past_deadline()
    assert not {i.status for i in presidential.invitations} & {InvitationStatus.sent, InvitationStatus.opened}
    governor = db.session.scalar(select(InvitationLetter).where(InvitationLetter.race.has(title="2027 Governor")))
    assert not governor.is_past_deadline()
    assert InvitationStatus.no_reply not in {i.status for i in governor.invitations}
    for letter in db.session.scalars(select(InvitationLetter)):
        assert digest_proof(letter).all_same
    kinds = {m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert {"invitation", "candidate_request"} <= kinds

    # The live round's links open; the finished rounds' links expired with their deadline (plus grace).
    grace = timedelta(days=app.config["INVITATION_LINK_GRACE_DAYS"])
    for invitation in invitations:
        response = client.get(f"/invitation/{make_token(invitation)}?tz=Europe/Berlin")
        live = invitation.status is not InvitationStatus.withdrawn and utcnow() < invitation.letter.respond_by + grace
        assert response.status_code == (200 if live else 410), invitation.candidate.name
        if invitation.letter_id == presidential.id:
            assert not live
        elif invitation.letter_id == governor.id:
            assert live
    auth.login("staff")
    for letter in db.session.scalars(select(InvitationLetter)):
        assert client.get(f"/races/{letter.race_id}/invitation").status_code == 200
        assert client.get(f"/races/{letter.race_id}/invitation/ledger").status_code == 200
        assert client.get(f"/races/{letter.race_id}").status_code == 200
    assert client.get("/dashboard").status_code == 200
