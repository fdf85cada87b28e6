"""Sending, resending and withdrawing: every candidate gets the same text, with a personal link."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations import services
from interviews.invitations.emails import letter_content
from interviews.invitations.models import Invitation, InvitationStatus
from interviews.mail.models import OutboxMessage
from interviews.races.models import Candidate
from interviews.scheduling.models import InterviewStatus
from interviews.types import utcnow


def _mails(kind="invitation"):  # type: ignore[no-untyped-def]
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


def test_send_to_all_through_the_page(client, auth, letter_race):
    race, letter = letter_race(candidates=3)
    auth.login("staff")
    response = client.post(f"/races/{race.id}/invitation/send", data={"to": "all"})
    assert response.status_code == 302 and "/ledger" in response.headers["Location"]
    invitations = db.session.scalars(select(Invitation)).all()
    assert len(invitations) == 3
    mails = _mails()
    assert sorted(m.to_addresses for m in mails) == [c.contact_email for c in race.candidates]
    for invitation, mail in zip(
        sorted(invitations, key=lambda i: i.candidate.contact_email),
        sorted(mails, key=lambda m: m.to_addresses),
        strict=True,
    ):
        assert mail.subject == letter.subject
        # The absolute personal link, built from BASE_URL, in both bodies.
        assert "http://interviews.example.org/invitation/" in mail.text_body
        assert "http://interviews.example.org/invitation/" in mail.html_body
        assert mail.entity_id == invitation.id
        # The letter's text, word for word, is in the e-mail: that is what the digest covers.
        assert letter_content(letter) in mail.text_body
        assert "Dear candidate,\n\nOur board invites you to an interview." in mail.text_body
        assert "Topics we will discuss:\n- Workers' right to organise\n- Public transit funding" in mail.text_body
    db.session.refresh(letter)
    assert letter.locked


# The letter_race fixture's letter, with the deadline below, as every candidate must read it: written by hand.
LETTER_AS_SENT = """Invitation to an endorsement interview

Dear candidate,

Our board invites you to an interview.

Topics we will discuss:
- Workers' right to organise
- Public transit funding

Please respond by Wed 15 Jan 2031, 17:00 EST (2031-01-15 22:00 UTC)."""


def test_every_invitation_carries_the_same_digest_and_the_ledger_proves_it(client, auth, letter_race, staffer):
    race, letter = letter_race(candidates=3)
    letter.respond_by = datetime(2031, 1, 15, 22, 0, tzinfo=UTC)
    invitations = services.send(letter, to="all", actor=staffer).sent
    db.session.commit()
    expected = hashlib.sha256(letter_content(letter).encode()).hexdigest()
    assert {i.content_digest for i in invitations} == {expected}
    assert expected == hashlib.sha256(LETTER_AS_SENT.encode("utf-8")).hexdigest()
    assert LETTER_AS_SENT in _mails()[0].text_body
    auth.login("leader")
    page = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert f'All 3 invitations carry the same text: sha256 <code class="digest">{expected}</code>' in page

    # Were a row ever to differ, the ledger names it.
    invitations[1].content_digest = "0" * 64
    db.session.commit()
    page = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "these invitations carry another" in page and invitations[1].candidate.name in page


def test_a_candidate_added_later_gets_the_identical_text(client, auth, sent_race):
    race, _letter, invitations = sent_race(candidates=2)
    race.candidates.append(Candidate(name="Late Entrant", contact_name="Pat", contact_email="pat@late.example.com"))
    db.session.commit()
    auth.login("staff")
    client.post(f"/races/{race.id}/invitation/send", data={"to": "new"})
    late = db.session.scalar(select(Invitation).join(Candidate).where(Candidate.name == "Late Entrant"))
    assert late.content_digest == invitations[0].content_digest
    assert len(_mails()) == 3  # the first two were not sent again
    # Sending to the new ones again sends nothing.
    client.post(f"/races/{race.id}/invitation/send", data={"to": "new"})
    assert len(_mails()) == 3


def test_withdrawn_candidates_are_never_sent_to(client, auth, letter_race):
    race, _letter = letter_race(candidates=2)
    race.candidates[1].withdrawn_at = utcnow()
    db.session.commit()
    auth.login("staff")
    client.post(f"/races/{race.id}/invitation/send", data={"to": "all"})
    assert [m.to_addresses for m in _mails()] == [race.candidates[0].contact_email]
    invitation = db.session.scalar(select(Invitation))
    invitation.candidate.withdrawn_at = utcnow()
    db.session.commit()
    client.post(f"/invitations/{invitation.id}/resend")
    assert len(_mails()) == 1


def test_resend_revokes_the_old_link_and_sends_a_new_one(client, auth, sent_race, token):
    _race, _letter, invitations = sent_race()
    invitation = invitations[0]
    old = token(invitation)
    auth.login("staff")
    client.post(f"/invitations/{invitation.id}/resend")
    db.session.refresh(invitation)
    assert invitation.link_version == 2
    assert len(_mails()) == 3
    auth.logout()
    gone = client.get(f"/invitation/{old}")
    assert gone.status_code == 410
    assert client.get(f"/invitation/{token(invitation)}").status_code == 200
    assert invitation.content_digest == invitations[1].content_digest


def test_withdraw_revokes_the_link_and_cancels_the_booked_interview(client, auth, sent_race, token):
    race, letter, invitations = sent_race()
    invitation = invitations[0]
    link = token(invitation)
    slot_id = letter.slots[0].id
    client.post(f"/invitation/{link}/book", data={"book-slot_id": slot_id})
    db.session.refresh(invitation)
    interview = invitation.active_interview
    assert interview is not None and interview.status is InterviewStatus.scheduled
    auth.login("staff")
    client.post(f"/invitations/{invitation.id}/withdraw", data={"reason": "Candidate left the race"})
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.withdrawn
    assert invitation.active_interview is None
    assert invitation.latest_interview.status is InterviewStatus.cancelled
    assert letter.slots[0].taken_by_id is None
    auth.logout()
    assert client.get(f"/invitation/{link}").status_code == 410
    # Sending to all again skips the withdrawn invitation.
    auth.login("staff")
    before = len(_mails())
    client.post(f"/races/{race.id}/invitation/send", data={"to": "all"})
    assert all(m.to_addresses != invitation.candidate.contact_email for m in _mails()[before:])


def test_nothing_is_sent_without_slots_or_after_the_deadline(app, letter_race, staffer):
    from datetime import timedelta

    import pytest

    _race, letter = letter_race(slots=0)
    with pytest.raises(services.InvitationError, match="slot"):
        services.send(letter, actor=staffer)
    _race2, letter2 = letter_race(title="Another race")
    letter2.respond_by = utcnow() - timedelta(minutes=1)
    with pytest.raises(services.InvitationError, match="deadline"):
        services.send(letter2, actor=staffer)
    db.session.rollback()


def test_the_ledger_costs_the_same_queries_for_few_or_many_candidates(client, auth, sent_race, token, count_queries):
    auth.login("leader")

    def queries_for(candidates: int, title: str, slot: int) -> int:
        race, letter, invitations = sent_race(candidates=candidates, title=title)
        for invitation in invitations[:2]:
            client.get(f"/invitation/{token(invitation)}")
        client.post(f"/invitation/{token(invitations[0])}/book", data={"book-slot_id": letter.slots[slot].id})
        assert invitations[0].active_interview is not None
        client.post(f"/invitation/{token(invitations[1])}/other-times", data={"other-message": "Evenings"})
        with count_queries() as q:
            assert client.get(f"/races/{race.id}/invitation/ledger").status_code == 200
        return q.count

    few = queries_for(3, "Race with three", slot=0)
    many = queries_for(9, "Race with nine", slot=1)  # the same room: another time
    assert many == few, (few, many)
