"""Staff cancelling or moving an interview a campaign booked through its link: the invitation and slot follow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.invitations import services
from interviews.invitations.models import InvitationStatus, RequestKind, Slot
from interviews.scheduling import services as scheduling
from interviews.scheduling.models import CancelledBy, InterviewStatus
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows


def actions(entity: Any) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == type(entity).__name__, AuditEvent.entity_id == entity.id)
            .order_by(AuditEvent.id)
        )
    )


def _book(client: Any, token: Any, invitation: Any, slot: Slot) -> str:
    link = f"/invitation/{token(invitation)}"
    client.get(link)  # the first visit: opened
    assert client.post(f"{link}/book", data={"book-slot_id": slot.id}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.accepted
    return link


def test_staff_cancel_reopens_the_invitation_and_the_campaign_books_again(client, auth, sent_race, token):
    race, letter, invitations = sent_race()
    invitation = invitations[0]
    slot_id = letter.slots[0].id
    link = _book(client, token, invitation, letter.slots[0])
    interview = invitation.active_interview

    staff = auth.login("staff")
    response = client.post(f"/interviews/{interview.id}/cancel", data={"reason": "The hall is flooded"})
    assert response.status_code == 302
    db.session.refresh(invitation)
    db.session.refresh(interview)
    assert interview.status is InterviewStatus.cancelled and interview.slot_id is None
    # Who cancelled is stored with the interview, not inferred afterwards.
    assert interview.cancelled_by is CancelledBy.staff and interview.cancelled_by_user_id == staff.id
    assert invitation.status is InvitationStatus.opened
    assert db.session.get(Slot, slot_id).taken_by_id is None
    assert invitation.staff_cancelled_interview is interview
    assert not invitation.requests  # staff's cancellation is not a message from the campaign
    assert actions(invitation)[-1] == "invitation.reopened"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.reopened"))
    assert event.changes["reason"] == "The hall is flooded" and event.actor_id == staff.id

    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "Interview cancelled by staff" in ledger and "the campaign can choose another time" in ledger

    auth.logout()
    page = client.get(link).get_data(as_text=True)
    assert "Your interview is booked" not in page
    assert "was cancelled by our political department" in page and "Please choose another time below." in page
    assert f'name="book-slot_id" value="{slot_id}"' in page

    # Booking again works, the same slot included; the earlier cancellation stays in the ledger.
    assert client.post(f"{link}/book", data={"book-slot_id": slot_id}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.accepted and len(invitation.interviews) == 2
    assert invitation.staff_cancelled_interview is None
    page = client.get(link).get_data(as_text=True)
    assert "Your interview is booked" in page and "was cancelled by our political department" not in page
    auth.login("staff")
    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "Interview cancelled by staff" in ledger and "Accepted" in ledger
    assert "the campaign can choose another time" not in ledger


def test_after_the_deadline_the_page_says_to_ask_for_other_times(app, client, sent_race, token, staffer):
    _, letter, invitations = sent_race()
    invitation = invitations[0]
    link = _book(client, token, invitation, letter.slots[0])
    letter.respond_by = utcnow() - timedelta(hours=1)
    scheduling.cancel_interview(invitation.active_interview, reason="Panel unavailable", actor=staffer)
    db.session.commit()
    assert invitation.status is InvitationStatus.opened
    page = client.get(link).get_data(as_text=True)
    assert "was cancelled by our political department" in page and "deadline to choose a time has passed" in page
    assert 'name="book-slot_id"' not in page


def test_the_campaigns_own_cancel_still_declines(client, auth, sent_race, token):
    race, letter, invitations = sent_race()
    invitation = invitations[0]
    link = _book(client, token, invitation, letter.slots[0])
    assert client.post(f"{link}/cancel", data={"cancel-reason": "Schedule conflict"}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.declined
    assert [r.kind for r in invitation.requests] == [RequestKind.cancelled]
    cancelled = invitation.latest_interview
    assert cancelled.cancelled_by is CancelledBy.campaign and cancelled.cancelled_by_user_id is None
    assert invitation.staff_cancelled_interview is None
    assert "invitation.reopened" not in actions(invitation)
    assert "was cancelled by our political department" not in client.get(link).get_data(as_text=True)
    auth.login("staff")
    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "Interview cancelled by the campaign" in ledger and "Interview cancelled by staff" not in ledger


def test_withdrawn_invitations_and_candidates_keep_their_state(client, sent_race, token, staffer):
    from interviews.races.candidates import withdraw_candidate

    _, letter, invitations = sent_race()
    first, second = invitations
    _book(client, token, first, letter.slots[0])
    _book(client, token, second, letter.slots[1])
    services.withdraw(first, reason="Invited by mistake", actor=staffer)
    withdraw_candidate(second.candidate, reason="Left the race", actor=staffer)
    db.session.commit()
    assert first.status is InvitationStatus.withdrawn and second.status is InvitationStatus.withdrawn
    assert all(i.latest_interview.status is InterviewStatus.cancelled for i in (first, second))
    assert "invitation.reopened" not in actions(first) + actions(second)
    assert all(slot.taken_by_id is None for slot in letter.slots)


def _move_data(slot: Slot, hour: int) -> dict[str, Any]:
    local = slot.starts_at.astimezone(ZoneInfo("America/New_York"))
    return {
        "day": local.date().isoformat(),
        "start_time": f"{hour:02d}:30",
        "timezone": "America/New_York",
        "duration": 45,
        "location": slot.location_id,
    }


def test_staff_move_releases_the_slot_for_another_campaign(client, auth, sent_race, token):
    race, letter, invitations = sent_race()
    first, second = invitations
    slot = letter.slots[0]
    _book(client, token, first, slot)
    interview = first.active_interview

    auth.login("staff")
    assert client.post(f"/interviews/{interview.id}/move", data=_move_data(slot, 16)).status_code == 302
    db.session.refresh(interview)
    db.session.refresh(slot)
    db.session.refresh(first)
    assert interview.slot_id is None and interview.status is InterviewStatus.scheduled
    assert slot.taken_by_id is None and slot.taken_at is None
    assert first.status is InvitationStatus.accepted and first.active_interview is interview
    assert actions(slot)[-1] == "slot.released"
    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "interview of" in ledger  # accepted, for the new time

    # The campaign that moved cannot take a second slot; another campaign can take the freed one.
    auth.logout()
    before = stored_rows()
    again = client.post(f"/invitation/{token(first)}/book", data={"book-slot_id": letter.slots[1].id})
    assert again.status_code == 409
    assert changed_tables(before) == []
    _book(client, token, second, slot)
    db.session.refresh(slot)
    assert slot.taken_by_id == second.id


def test_moving_only_the_place_keeps_the_slot(client, sent_race, token, staffer):
    _, letter, invitations = sent_race()
    slot = letter.slots[0]
    _book(client, token, invitations[0], slot)
    interview = invitations[0].active_interview
    scheduling.move_interview(
        interview,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone="Europe/London",
        location=None,
        actor=staffer,
    )
    db.session.commit()
    assert interview.slot_id == slot.id and slot.taken_by_id == invitations[0].id
    assert "slot.released" not in actions(slot)
