"""Staff's controls: the questionnaire before booking (the page says so and links to it), and the tick's
reminder to campaigns that have not submitted, once, a chosen number of days before the deadline."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.models import InvitationStatus
from interviews.invitations.reminders import tick
from interviews.mail.models import OutboxMessage
from interviews.scheduling.models import Interview
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows
from tests.questionnaires.conftest import good_answers, response_of


def _book(client, token, invitation):  # type: ignore[no-untyped-def]
    slot = invitation.letter.slots[0]
    return client.post(f"/invitation/{token(invitation)}/book", data={"book-slot_id": str(slot.id), "book-tz": ""})


def test_when_required_the_booking_page_says_so_links_to_it_and_refuses_a_slot(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race(required=True)
    link = token(invitation)  # once: a token made a second later is another (equally valid) string
    page = client.get(f"/invitation/{link}").get_data(as_text=True)
    assert "Please submit our candidate questionnaire before choosing a time" in page
    assert f'href="/invitation/{link}/questionnaire' in page
    assert "Take this time" not in page  # the times are listed, without buttons
    before = stored_rows()
    refused = _book(client, token, invitation)
    assert refused.status_code == 409 and "before choosing a time" in refused.get_data(as_text=True)
    assert changed_tables(before) == []
    # A draft is not enough; a submission is.
    post_answers(invitation, good_answers(version))
    assert _book(client, token, invitation).status_code == 409
    revision = response_of(invitation).revision
    client.post(f"/invitation/{token(invitation)}/questionnaire/submit", data={"revision": str(revision)})
    assert "Take this time" in client.get(f"/invitation/{token(invitation)}").get_data(as_text=True)
    assert _book(client, token, invitation).status_code == 302
    assert db.session.scalar(select(Interview).where(Interview.candidate_id == invitation.candidate_id)) is not None


def test_when_not_required_a_campaign_books_without_answering(q_race, client, token):
    _, _, (invitation, _) = q_race(required=False)
    page = client.get(f"/invitation/{token(invitation)}").get_data(as_text=True)
    assert "Answer the questionnaire" in page and "Take this time" in page
    assert _book(client, token, invitation).status_code == 302


def _outbox():  # type: ignore[no-untyped-def]
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "questionnaire_reminder")).all()


def test_the_tick_reminds_campaigns_that_have_not_submitted_once(q_race, runner, client, token, post_answers):
    # Deadline in 2 days, reminders 3 days ahead; given a week ago (not fresh in the inbox).
    _, version, (drafting, submitted, declined, untouched) = q_race(candidates=4, respond_in=timedelta(days=2))
    for invitation in (drafting, submitted, declined, untouched):
        response_of(invitation).issued_at = utcnow() - timedelta(days=7)
    declined.status = InvitationStatus.declined
    db.session.commit()
    post_answers(drafting, {})
    post_answers(submitted, good_answers(version))
    client.post(
        f"/invitation/{token(submitted)}/questionnaire/submit", data={"revision": str(response_of(submitted).revision)}
    )
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "Reminded Candidate A (questionnaire not submitted yet)." in result.output
    assert "Reminded Candidate D (questionnaire not submitted yet)." in result.output
    reminders = _outbox()
    assert sorted(m.to_addresses for m in reminders) == [
        "schedulera@campaign.example.com",
        "schedulerd@campaign.example.com",
    ]
    assert all("/questionnaire" in m.text_body for m in reminders)
    assert "has a draft saved" in next(m for m in reminders if "schedulera" in m.to_addresses).text_body
    again = runner.invoke(args=["tick"])
    assert "questionnaire" not in again.output and len(_outbox()) == 2


def test_no_questionnaire_reminder_outside_the_window_or_when_switched_off(q_race):
    _, version, invitations = q_race(respond_in=timedelta(days=4))
    for invitation in invitations:
        response_of(invitation).issued_at = utcnow() - timedelta(days=7)
    db.session.commit()
    tick()  # 4 days ahead, 3-day window: not yet
    assert _outbox() == []
    version.questionnaire.reminder_days = 0
    db.session.commit()
    tick(utcnow() + timedelta(days=2))  # inside any window, but reminders are off
    assert _outbox() == []
