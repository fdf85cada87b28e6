"""Candidates: add, edit, validate, withdraw (kept, marked, interviews cancelled, link revoked)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.races.models import Candidate
from tests.conftest import changed_tables, stored_rows

CANDIDATE = {
    "name": "Diane Kessler",
    "party": "Democratic",
    "incumbent": "y",
    "contact_name": "Owen Park",
    "contact_email": "Schedule@KesslerForColumbia.example.com",
    "contact_phone": "(555) 0110",
    "website": "kesslerforcolumbia.example.com",
}


def test_staff_add_and_edit_a_candidate(client, auth, make_race):
    race = make_race(candidates=0)
    auth.login("staff")
    response = client.post(f"/races/{race.id}/candidates/new", data=CANDIDATE)
    assert response.status_code == 302
    candidate = db.session.scalar(select(Candidate))
    assert candidate.incumbent and candidate.website == "https://kesslerforcolumbia.example.com"
    assert candidate.contact_email == "Schedule@kesslerforcolumbia.example.com"  # the domain is normalised
    edit = client.post(f"/races/{race.id}/candidates/{candidate.id}", data={**CANDIDATE, "party": "Working Families"})
    assert edit.status_code == 302
    db.session.refresh(candidate)
    assert candidate.party == "Working Families" and not candidate.withdrawn
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "Candidate")).all()
    assert actions == ["candidate.added", "candidate.updated"]
    assert "Diane Kessler" in client.get(f"/races/{race.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"contact_email": "owen.park"}, "That e-mail address is not valid"),
        ({"contact_email": "owen@"}, "That e-mail address is not valid"),
        ({"website": "javascript:alert(1)"}, "Give a web address such as https://candidate.example.com."),
        ({"website": "not a site"}, "Give a web address such as https://candidate.example.com."),
        ({"website": "ftp://files.example.com"}, "Give a web address"),
        ({"name": ""}, "This field is required."),
        ({"contact_name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_candidate_input_is_a_clear_message_with_the_data_kept(client, auth, make_race, change, message):
    race = make_race(candidates=0)
    auth.login("staff")
    before = stored_rows()
    response = client.post(f"/races/{race.id}/candidates/new", data={**CANDIDATE, **change})
    assert response.status_code == 400
    assert changed_tables(before) == []
    html = response.get_data(as_text=True)
    assert message in html and "Owen Park" in html if "contact_name" not in change else message in html
    assert db.session.scalar(select(Candidate)) is None


def test_a_candidate_of_another_race_is_404_and_leaders_cannot_edit(client, auth, make_race):
    race, other = make_race("One"), make_race("Two")
    auth.login("staff")
    assert client.get(f"/races/{race.id}/candidates/{other.candidates[0].id}").status_code == 404
    assert client.get(f"/races/{race.id}/candidates/987654").status_code == 404
    auth.logout()
    auth.login("leader")
    before = stored_rows()
    assert client.get(f"/races/{race.id}/candidates/{race.candidates[0].id}").status_code == 403
    assert client.post(f"/races/{race.id}/candidates/{race.candidates[0].id}/withdraw").status_code == 403
    assert changed_tables(before) == []


def test_withdrawing_keeps_the_candidate_cancels_interviews_and_revokes_the_link(
    client, auth, booked_candidate, monkeypatch
):
    from interviews.calendar import notify
    from interviews.invitations.models import Invitation, InvitationStatus
    from interviews.scheduling.models import InterviewStatus

    race, candidate, invitation, slot, interview = booked_candidate()
    cancelled = []
    monkeypatch.setattr(notify, "interview_cancelled", lambda i: cancelled.append(i.id))

    auth.login("staff")
    response = client.post(
        f"/races/{race.id}/candidates/{candidate.id}/withdraw", data={"reason": "Left the race on Monday"}
    )
    assert response.status_code == 302
    db.session.refresh(candidate)
    db.session.refresh(interview)
    db.session.refresh(invitation)
    db.session.refresh(slot)
    assert candidate.withdrawn and candidate in race.candidates and candidate not in race.active_candidates
    assert interview.status is InterviewStatus.cancelled and cancelled == [interview.id]
    assert slot.taken_by_id is None
    assert invitation.status is InvitationStatus.withdrawn and invitation.withdrawn_at is not None
    assert invitation.link_version == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "candidate.withdrawn"))
    assert event.changes["reason"] == "Left the race on Monday"
    assert event.changes["interviews_cancelled"] == [interview.id]
    html = client.get(f"/races/{race.id}").get_data(as_text=True)
    assert "Withdrawn" in html
    # Withdrawing twice says so, and changes nothing.
    again = client.post(f"/races/{race.id}/candidates/{candidate.id}/withdraw", follow_redirects=True)
    assert "has already withdrawn" in again.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.link_version)) == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "\x00", "election_date": "31/31/31", "members": ["x"], "website": "h" * 600, "closed": "maybe"},
        # The same without the NUL, which the app refuses before any form sees it.
        {"name": "", "election_date": "31/31/31", "members": ["x"], "website": "h" * 600, "closed": "maybe"},
    ],
    ids=["empty", "junk", "junk-without-nul"],
)
def test_garbage_posted_to_any_race_page_is_never_a_500(client, auth, make_race, data):
    # With CSRF off in tests, a post without a NUL is a complete withdrawal: it needs no reason.
    withdraws = "\x00" not in data.get("name", "")
    race = make_race()
    candidate = race.candidates[0]
    auth.login("staff")
    for path in (
        "/races/new",
        f"/races/{race.id}/edit",
        f"/races/{race.id}/panel",
        f"/races/{race.id}/stage",
        f"/races/{race.id}/candidates/new",
        f"/races/{race.id}/candidates/{candidate.id}",
        f"/races/{race.id}/candidates/{candidate.id}/withdraw",
    ):
        before = stored_rows()
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)
        changed = changed_tables(before)
        if path.endswith("/withdraw") and withdraws:
            assert response.status_code == 302 and {"candidates", "audit_events"} <= set(changed), (path, changed)
        else:
            assert changed == [], (path, response.status_code)


def test_a_nul_character_in_otherwise_good_input_is_refused_not_a_500(client, auth, make_race):
    race = make_race(candidates=0)
    auth.login("staff")
    before = stored_rows()
    response = client.post(f"/races/{race.id}/candidates/new", data={**CANDIDATE, "name": "Diane\x00 Kessler"})
    assert response.status_code == 400
    response = client.post(
        "/races/new",
        data={"title": "Gov\x00", "office": "Governor", "jurisdiction": "Columbia", "election_date": "2027-11-02"},
    )
    assert response.status_code == 400
    assert changed_tables(before) == []
