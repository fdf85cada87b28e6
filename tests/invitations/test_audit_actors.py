"""Who the audit trail names for each write of the invitations feature: the signed-in staff member on
the staff pages, the campaign on its link's pages, and the system for the hourly tick."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.invitations.models import CandidateRequest, Invitation, InvitationStatus
from interviews.invitations.reminders import tick
from interviews.scheduling.models import CancelledBy, InterviewStatus
from interviews.times import utc_to_local
from interviews.types import utcnow

NY = "America/New_York"
STAFF = "Teresa Nakamura <teresa.nakamura@labor.example.org>"
# make_race's candidates and their campaigns' contacts.
CAMPAIGN = {
    "Candidate A": "Campaign of Candidate A <schedulera@campaign.example.com> (invitation link)",
    "Candidate B": "Campaign of Candidate B <schedulerb@campaign.example.com> (invitation link)",
    "Candidate C": "Campaign of Candidate C <schedulerc@campaign.example.com> (invitation link)",
}
TICK = (ActorKind.system, None, None, "system (hourly tick)")


def who_did(action: str) -> list[tuple[ActorKind, int | None, int | None, str]]:
    """The actor of each `action` event, oldest first."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(e.actor_kind, e.actor_id, e.actor_invitation_id, e.actor_label) for e in events]


def by_campaign(invitation: Invitation) -> tuple[ActorKind, None, int, str]:
    """The campaign acting through its link: no account, the invitation is its key."""
    return (ActorKind.campaign, None, invitation.id, CAMPAIGN[invitation.candidate.name])


@pytest.fixture
def staff(make_user):  # type: ignore[no-untyped-def]
    """A staff member other than `staffer`, who made the fixtures: the pages must name this one."""
    return make_user("staff", name="Teresa Nakamura", email="teresa.nakamura@labor.example.org")


@pytest.fixture
def campaign(app):  # type: ignore[no-untyped-def]
    """A browser of its own for the campaigns: never signed in."""
    return app.test_client()


def _local(value):  # type: ignore[no-untyped-def]
    return utc_to_local(value, NY).strftime("%Y-%m-%dT%H:%M")


def _book(campaign, token, invitation, slot) -> str:  # type: ignore[no-untyped-def]
    link = f"/invitation/{token(invitation)}"
    assert campaign.post(f"{link}/book", data={"book-slot_id": slot.id}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.accepted
    return link


# --- staff, on the staff pages ----------------------------------------------------------------


def test_each_staff_write_names_the_signed_in_staff_member(  # type: ignore[no-untyped-def]
    client, auth, campaign, make_race, make_user, staff, token, at
):
    race = make_race(candidates=2)
    race.panel = [make_user("leader")]
    db.session.commit()
    auth.login(staff)
    letter = {
        "letter-subject": "Invitation to an endorsement interview",
        "letter-body": "Dear candidate,\n\nWe invite you.",
        "letter-topics": "Wages",
        "letter-respond_by": _local(utcnow() + timedelta(days=5)),
        "letter-timezone": NY,
        "letter-duration_minutes": "45",
    }
    assert client.post(f"/races/{race.id}/invitation", data=letter).status_code == 302
    longer = {**letter, "letter-duration_minutes": "60"}
    assert client.post(f"/races/{race.id}/invitation", data=longer).status_code == 302
    for hour in (10, 14):
        slot = {"slot-starts_at": _local(at(hour, days=8)), "slot-timezone": NY, "slot-location_id": "0"}
        assert client.post(f"/races/{race.id}/invitation/slots", data=slot).status_code == 302
    db.session.refresh(race)
    kept, removed = race.letter.slots
    assert client.post(f"/races/{race.id}/invitation/slots/{removed.id}/remove").status_code == 302
    assert client.post(f"/races/{race.id}/invitation/send", data={"to": "new"}).status_code == 302
    first, second = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    # Sent again: to everyone from the letter page, then to one campaign from the ledger.
    assert client.post(f"/races/{race.id}/invitation/send", data={"to": "all"}).status_code == 302
    assert client.post(f"/invitations/{first.id}/resend").status_code == 302
    db.session.refresh(first)

    # The campaigns answer (their acts are the next test's); staff then deal with the answers.
    _book(campaign, token, first, kept)
    other = campaign.post(f"/invitation/{token(second)}/other-times", data={"other-message": "Evenings"})
    assert other.status_code == 302
    candidate_request = db.session.scalars(select(CandidateRequest)).one()
    assert client.post(f"/invitations/requests/{candidate_request.id}/handled").status_code == 302
    # Withdrawing the booked invitation also cancels its interview, in the staff member's name.
    for invitation in (first, second):
        response = client.post(f"/invitations/{invitation.id}/withdraw", data={"reason": "Invited by mistake"})
        assert response.status_code == 302

    by_staff = (ActorKind.user, staff.id, None, STAFF)
    expected = {
        "invitation_letter.created": [by_staff],
        "invitation_letter.updated": [by_staff],
        "slot.added": [by_staff, by_staff],
        "slot.removed": [by_staff],
        "invitation.sent": [by_staff, by_staff],
        "invitation.resent": [by_staff, by_staff, by_staff],
        "candidate_request.handled": [by_staff],
        "invitation.withdrawn": [by_staff, by_staff],
        "interview.cancelled": [by_staff],
    }
    assert {action: who_did(action) for action in expected} == expected


# --- the campaign, through its link -----------------------------------------------------------


def test_each_answer_through_the_link_names_the_campaign(client, sent_race, token):  # type: ignore[no-untyped-def]
    _race, letter, invitations = sent_race(candidates=3)
    booker, decliner, asker = invitations
    links = {i.id: f"/invitation/{token(i)}" for i in invitations}
    for invitation in invitations:
        assert client.get(links[invitation.id]).status_code == 200

    link = links[booker.id]
    assert client.post(f"{link}/book", data={"book-slot_id": letter.slots[0].id}).status_code == 302
    reschedule = client.post(f"{link}/reschedule", data={"reschedule-message": "Could we meet an hour later?"})
    assert reschedule.status_code == 302
    assert client.post(f"{link}/cancel", data={"cancel-reason": "Schedule conflict"}).status_code == 302
    decline = client.post(f"{links[decliner.id]}/decline", data={"decline-reason": "Not seeking endorsements"})
    assert decline.status_code == 302
    other = client.post(f"{links[asker.id]}/other-times", data={"other-message": "Evenings after six"})
    assert other.status_code == 302

    expected = {
        "invitation.opened": [by_campaign(booker), by_campaign(decliner), by_campaign(asker)],
        "invitation.accepted": [by_campaign(booker)],
        "interview.scheduled": [by_campaign(booker)],
        "invitation.reschedule_requested": [by_campaign(booker)],
        "invitation.interview_cancelled": [by_campaign(booker)],
        "interview.cancelled": [by_campaign(booker)],
        "invitation.declined": [by_campaign(decliner)],
        "invitation.other_times": [by_campaign(asker)],
    }
    assert {action: who_did(action) for action in expected} == expected


# --- staff changing what a campaign booked ----------------------------------------------------


def test_reopening_and_releasing_after_staff_cancel_or_move_name_the_staff_member(  # type: ignore[no-untyped-def]
    client, auth, campaign, sent_race, staff, token
):
    _race, letter, invitations = sent_race()
    cancelled, moved = invitations
    _book(campaign, token, cancelled, letter.slots[0])
    _book(campaign, token, moved, letter.slots[1])

    auth.login(staff)
    interview = cancelled.active_interview
    assert client.post(f"/interviews/{interview.id}/cancel", data={"reason": "Hall flooded"}).status_code == 302
    slot = letter.slots[1]
    day = slot.starts_at.astimezone(ZoneInfo(NY)).date().isoformat()
    later = {"day": day, "start_time": "16:30", "timezone": NY, "duration": 45, "location": slot.location_id}
    assert client.post(f"/interviews/{moved.active_interview.id}/move", data=later).status_code == 302

    by_staff = (ActorKind.user, staff.id, None, STAFF)
    expected = {
        "interview.cancelled": [by_staff],
        "invitation.reopened": [by_staff],
        "interview.moved": [by_staff],
        "slot.released": [by_staff],
    }
    assert {action: who_did(action) for action in expected} == expected


# Who calls off a booked interview, where, and what the interview then stores about it.
CANCELS = [
    pytest.param("staff", "/interviews/{interview}/cancel", {"reason": "Hall flooded"}, CancelledBy.staff, id="staff"),
    pytest.param(
        "campaign", "{link}/cancel", {"cancel-reason": "Schedule conflict"}, CancelledBy.campaign, id="campaign"
    ),
    pytest.param(
        "staff",
        "/races/{race}/candidates/{candidate}/withdraw",
        {"reason": "Left the race"},
        CancelledBy.staff,
        id="candidate-withdrawn",
    ),
    pytest.param(
        "staff",
        "/invitations/{invitation}/withdraw",
        {"reason": "Invited by mistake"},
        CancelledBy.staff,
        id="invitation-withdrawn",
    ),
]


@pytest.mark.parametrize("who, path, data, cancelled_by", CANCELS)
def test_the_interview_stores_who_cancelled_it(  # type: ignore[no-untyped-def]
    client, auth, campaign, sent_race, staff, token, who, path, data, cancelled_by
):
    race, letter, invitations = sent_race()
    invitation = invitations[0]
    link = _book(campaign, token, invitation, letter.slots[0])
    interview = invitation.active_interview
    auth.login(staff)

    url = path.format(
        interview=interview.id, link=link, race=race.id, candidate=invitation.candidate_id, invitation=invitation.id
    )
    browser = client if who == "staff" else campaign
    assert browser.post(url, data=data).status_code == 302
    db.session.refresh(interview)
    assert interview.status is InterviewStatus.cancelled
    by_user_id = staff.id if who == "staff" else None
    assert (interview.cancelled_by, interview.cancelled_by_user_id) == (cancelled_by, by_user_id)
    actor = (ActorKind.user, staff.id, None, STAFF) if who == "staff" else by_campaign(invitation)
    assert who_did("interview.cancelled") == [actor]


# --- the hourly tick --------------------------------------------------------------------------


def test_the_ticks_reminders_and_deadline_name_the_system(campaign, sent_race, token):  # type: ignore[no-untyped-def]
    _race, letter, invitations = sent_race()
    booked, silent = invitations
    _book(campaign, token, booked, letter.slots[0])
    interview = booked.active_interview

    report = tick(now=letter.respond_by - timedelta(days=2))  # inside the reminder window
    assert report.invitation_reminders == [silent.candidate.name]
    report = tick(now=letter.respond_by + timedelta(minutes=1))  # the deadline has passed
    assert report.no_reply == [silent.candidate.name]
    report = tick(now=interview.starts_at - timedelta(hours=20))  # the interview is tomorrow
    assert len(report.interview_reminders) == 1

    expected = {"invitation.reminded": [TICK], "invitation.no_reply": [TICK], "interview.reminded": [TICK]}
    assert {action: who_did(action) for action in expected} == expected
