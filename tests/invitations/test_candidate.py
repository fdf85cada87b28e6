"""The candidate's page behind the signed link: no account, their own invitation only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.candidate_views import _candidate_page
from interviews.invitations.forms import CancelForm, DeclineForm, OtherTimesForm, RescheduleForm
from interviews.invitations.links import invitation_from_token
from interviews.invitations.models import (
    BookingFailure,
    BookingFailureReason,
    CandidateRequest,
    InvitationStatus,
    RequestKind,
    Slot,
)
from interviews.invitations.reading import open_unbooked
from interviews.mail.models import OutboxMessage
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.types import stopped_clock, utcnow
from tests.conftest import changed_tables, stored_rows


def test_a_tampered_link_gets_a_403_page_with_whom_to_contact(client, sent_race, token):
    _, _, invitations = sent_race()
    good = token(invitations[0])
    before = stored_rows()
    for bad in (good[:-3] + "abc", "no-such-thing", "x" * 600, good.replace(".", "", 1)):
        response = client.get(f"/invitation/{bad}")
        assert response.status_code == 403
        body = response.get_data(as_text=True)
        assert "This link does not work" in body and "scheduling@labor.example.org" in body
        assert "Traceback" not in body
        assert client.post(f"/invitation/{bad}/book", data={"book-slot_id": "1"}).status_code == 403
    assert changed_tables(before) == []  # not even "opened"


def test_an_expired_link_gets_a_410_page(app, client, sent_race, token):
    _, letter, invitations = sent_race()
    letter.respond_by = utcnow() - timedelta(days=app.config["INVITATION_LINK_GRACE_DAYS"] + 1)
    db.session.commit()
    before = stored_rows()
    response = client.get(f"/invitation/{token(invitations[0])}")
    assert response.status_code == 410
    body = response.get_data(as_text=True)
    assert "This link has expired" in body and "scheduling@labor.example.org" in body
    assert changed_tables(before) == []


def test_a_revoked_link_gets_a_410_page(client, sent_race, token):
    _, _, invitations = sent_race()
    old = token(invitations[0])
    invitations[0].link_version += 1
    db.session.commit()
    before = stored_rows()
    response = client.get(f"/invitation/{old}")
    assert response.status_code == 410
    assert "no longer valid" in response.get_data(as_text=True)
    assert client.get(f"/invitation/{old}/interview.ics").status_code == 410
    assert changed_tables(before) == []


def test_the_page_shows_text_topics_panel_deadline_and_free_slots_in_the_chosen_zone(client, sent_race, token):
    race, _letter, invitations = sent_race()
    link = f"/invitation/{token(invitations[0])}"
    ny = client.get(link).get_data(as_text=True)
    # Without a zone from the browser: the letter's zone, named.
    assert "America/New York" in ny and "10:00 E" in ny  # EST or EDT
    la = client.get(f"{link}?tz=America/Los_Angeles").get_data(as_text=True)
    assert "America/Los Angeles" in la
    assert "07:00 P" in la and "10:00 E" not in la  # the 10:00 New York slot, in Pacific time
    assert "Workers&#39; right to organise" in la and "Public transit funding" in la
    assert all(m.name in la for m in race.panel)
    assert "Please respond by" in la
    # Nothing about other candidates.
    assert invitations[1].candidate.name not in la
    # A zone that does not exist falls back to the letter's zone, without an error.
    assert client.get(f"{link}?tz=Not/AZone").status_code == 200
    assert client.get(f"{link}?tz=%00").status_code in (200, 400)  # 400: the app refuses NUL on PostgreSQL
    assert client.get(f"{link}?tz=../../etc/passwd").status_code == 200


def test_the_first_visit_marks_the_invitation_opened_once(client, auth, sent_race, token):
    _, _, invitations = sent_race()
    invitation = invitations[0]
    link = f"/invitation/{token(invitation)}"
    client.get(link)
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.opened
    first = invitation.opened_at
    client.get(link)
    db.session.refresh(invitation)
    assert invitation.opened_at == first
    # Staff previewing another candidate's page do not mark it opened.
    auth.login("staff")
    other = invitations[1]
    assert "not counted" in client.get(f"/invitation/{token(other)}").get_data(as_text=True)
    db.session.refresh(other)
    assert other.opened_at is None and other.status is InvitationStatus.sent


def test_take_a_slot_then_see_the_confirmation_and_download_the_ics(client, sent_race, token):
    race, letter, invitations = sent_race()
    invitation = invitations[0]
    link = f"/invitation/{token(invitation)}"
    slot = letter.slots[1]
    response = client.post(f"{link}/book", data={"book-slot_id": slot.id, "book-tz": "Europe/Berlin"})
    assert response.status_code == 302 and "tz=Europe" in response.headers["Location"]
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.accepted
    interview = invitation.active_interview
    assert interview.slot_id == slot.id and interview.starts_at == slot.starts_at
    assert {u.id for u in interview.panel} == {u.id for u in race.panel}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your interview is booked" in page and "Union Hall, Boardroom A" in page
    assert "CET" in page or "CEST" in page
    ics = client.get(f"{link}/interview.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert b"BEGIN:VCALENDAR" in ics.data and interview.uid.encode() in ics.data
    # One slot at a time.
    before = stored_rows()
    again = client.post(f"{link}/book", data={"book-slot_id": letter.slots[2].id})
    assert again.status_code == 409 and "already have an interview" in again.get_data(as_text=True)
    assert changed_tables(before) == []
    # The other candidate no longer sees the taken slot.
    other = client.get(f"/invitation/{token(invitations[1])}").get_data(as_text=True)
    assert f'name="book-slot_id" value="{slot.id}"' not in other
    before = stored_rows()
    taken = client.post(f"/invitation/{token(invitations[1])}/book", data={"book-slot_id": slot.id})
    assert taken.status_code == 409
    # Nothing was booked; only the failed attempt is kept, for the ledger (and its audit line).
    assert changed_tables(before) == ["audit_events", "booking_failures"]
    failure = db.session.scalar(select(BookingFailure))
    assert failure.invitation_id == invitations[1].id and failure.reason is BookingFailureReason.taken
    assert failure.slot_starts_at == slot.starts_at and not failure.moving
    body = taken.get_data(as_text=True)
    assert "just taken by someone else" in body and f'value="{letter.slots[0].id}"' in body


def test_no_ics_before_booking(client, sent_race, token):
    _, _, invitations = sent_race()
    response = client.get(f"/invitation/{token(invitations[0])}/interview.ics")
    assert response.status_code == 404


def test_decline_with_a_reason_tells_staff(client, sent_race, token):
    _, _, invitations = sent_race()
    invitation = invitations[0]
    link = f"/invitation/{token(invitation)}"
    assert client.post(f"{link}/decline", data={"decline-reason": "Not seeking endorsements"}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.declined
    assert invitation.decline_reason == "Not seeking endorsements"
    notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "candidate_request"))
    assert notice.to_addresses == "scheduling@labor.example.org"
    assert "Not seeking endorsements" in notice.text_body


def test_ask_for_other_times_reaches_the_staff_dashboard(client, auth, sent_race, token):
    _, _, invitations = sent_race()
    invitation = invitations[0]
    link = f"/invitation/{token(invitation)}"
    before = stored_rows()
    empty = client.post(f"{link}/other-times", data={"other-message": "   "})
    assert empty.status_code == 400 and "Tell us which times" in empty.get_data(as_text=True)
    assert changed_tables(before) == []
    client.post(f"{link}/other-times", data={"other-message": "Any Friday afternoon in March"})
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.other_times
    assert invitation.other_times_message == "Any Friday afternoon in March"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "candidate_request"))
    assert "Any Friday afternoon in March" in mail.text_body and mail.to_addresses == "scheduling@labor.example.org"
    auth.login("staff")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Any Friday afternoon in March" in dashboard
    request = db.session.scalar(select(CandidateRequest))
    # Who asked, how to reach their campaign, where its ledger is, and the button that settles it.
    candidate = invitation.candidate
    item = dashboard[dashboard.index("Candidates waiting for an answer") :]
    assert f"<strong>{candidate.name}</strong>" in item and f'href="mailto:{candidate.contact_email}"' in item
    assert f"Contact {candidate.contact_name}," in item
    assert f'href="/races/{invitation.letter.race_id}/invitation/ledger">Ledger</a>' in item
    assert f'action="/invitations/requests/{request.id}/handled"' in item
    client.post(f"/invitations/requests/{request.id}/handled")
    assert "Any Friday afternoon in March" not in client.get("/dashboard").get_data(as_text=True)
    ledger = client.get(f"/races/{invitation.letter.race_id}/invitation/ledger").get_data(as_text=True)
    assert "Asked for other times" in ledger and "Any Friday afternoon in March" in ledger


def test_reschedule_and_cancel_after_booking(client, sent_race, token):
    _, letter, invitations = sent_race()
    invitation = invitations[0]
    link = f"/invitation/{token(invitation)}"
    slot_id = letter.slots[0].id
    client.post(f"{link}/book", data={"book-slot_id": slot_id})
    client.post(f"{link}/reschedule", data={"reschedule-message": "Could we do an hour later?"})
    request = db.session.scalar(select(CandidateRequest))
    assert request.kind is RequestKind.reschedule
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.accepted
    assert client.post(f"{link}/cancel", data={"cancel-reason": "Schedule conflict"}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.declined
    interview = db.session.scalar(select(Interview))
    assert interview.status is InterviewStatus.cancelled
    assert db.session.get(type(letter.slots[0]), slot_id).taken_by_id is None
    # The slot is free again, for anyone (the same campaign included).
    assert client.post(f"{link}/book", data={"book-slot_id": slot_id}).status_code == 302
    db.session.refresh(invitation)
    assert len(invitation.interviews) == 2 and invitation.active_interview.slot_id == slot_id
    page = client.get(link).get_data(as_text=True)
    assert "Your interview is booked" in page


def test_no_booking_after_the_deadline(client, sent_race, token):
    _, letter, invitations = sent_race()
    letter.respond_by = utcnow() - timedelta(hours=1)
    db.session.commit()
    link = f"/invitation/{token(invitations[0])}"
    assert "deadline to choose a time has passed" in client.get(link).get_data(as_text=True)
    before = stored_rows()
    response = client.post(f"{link}/book", data={"book-slot_id": letter.slots[0].id})
    assert response.status_code == 409
    assert changed_tables(before) == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("book", {"book-slot_id": "abc"}),
        ("book", {"book-slot_id": "99999"}),
        ("book", {}),
        ("decline", {"decline-reason": "x" * 5000}),
        ("decline", {"decline-reason": "nul \x00 byte"}),
        ("other-times", {"other-message": "\x00\x00", "other-tz": "Europe/\x00Berlin"}),
        ("other-times", {}),
        ("reschedule", {"reschedule-message": "no booking yet"}),
        ("cancel", {}),
    ],
)
def test_bad_input_never_500(client, sent_race, token, path, data):
    _, _, invitations = sent_race()
    before = stored_rows()
    response = client.post(f"/invitation/{token(invitations[0])}/{path}", data=data)
    assert response.status_code in (302, 400, 409), response.get_data(as_text=True)[:2000]
    assert "Traceback" not in response.get_data(as_text=True)
    assert changed_tables(before) == [], response.status_code


def test_a_nonsense_zone_does_not_spoil_a_booking(client, sent_race, token):
    # The slot is real, so this is a booking; the zone only changes how times are shown, and falls back.
    _, letter, invitations = sent_race()
    slot = letter.slots[0]
    link = f"/invitation/{token(invitations[0])}"
    response = client.post(f"{link}/book", data={"book-slot_id": slot.id, "book-tz": "'; DROP TABLE slots; --"})
    assert response.status_code == 302
    assert "Traceback" not in response.get_data(as_text=True)
    assert "DROP" not in response.headers["Location"] and "tz=America" in response.headers["Location"]
    db.session.refresh(invitations[0])
    assert invitations[0].status is InvitationStatus.accepted
    assert invitations[0].active_interview.slot_id == slot.id
    assert len(db.session.scalars(select(Slot)).all()) == len(letter.slots)


def test_a_slot_that_clashes_with_an_interview_arranged_by_hand_is_refused_and_stays_free(
    client, sent_race, token, staffer
):
    from interviews.scheduling.services import create_interview

    race, letter, invitations = sent_race(candidates=3)
    slot = letter.slots[0]
    # Staff arranged an interview by phone with the same panel at that time.
    create_interview(
        race=race,
        candidate=invitations[2].candidate,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone=slot.timezone,
        location=None,
        panel=race.panel,
        actor=staffer,
    )
    db.session.commit()
    before = stored_rows()
    response = client.post(f"/invitation/{token(invitations[0])}/book", data={"book-slot_id": slot.id})
    assert response.status_code == 409
    assert changed_tables(before) == ["audit_events", "booking_failures"]  # the attempt, kept for staff
    failure = db.session.scalar(select(BookingFailure))
    assert failure.reason is BookingFailureReason.conflict
    assert f"{race.panel[0].name} is already on the panel" in failure.detail
    body = response.get_data(as_text=True)
    assert "no longer available" in body
    # Which board member is busy is staff's business, not the campaign's.
    assert race.panel[0].name + " is already" not in body
    db.session.refresh(slot)
    assert slot.taken_by_id is None
    db.session.refresh(invitations[0])
    assert invitations[0].status is not InvitationStatus.accepted


def test_a_candidate_who_left_the_race_finds_the_link_revoked(client, auth, sent_race, token):
    race, _, invitations = sent_race()
    invitations[0].candidate.withdrawn_at = utcnow()
    db.session.commit()
    before = stored_rows()
    assert client.get(f"/invitation/{token(invitations[0])}").status_code == 410
    assert changed_tables(before) == []
    auth.login("staff")
    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert "Left the race" in ledger


def test_an_unbooked_invitations_page_read_as_rows_is_the_page_its_objects_give(app, client, sent_race, token):
    """Before a booking the page is read as plain rows (interviews/invitations/reading.py): in every state
    such a page has, it must be exactly the page the full read of the invitation's objects renders."""
    _, letter, invitations = sent_race()
    invitation = invitations[0]
    link = token(invitation)

    def both_ways(tz: str) -> tuple[str, str]:
        with app.test_request_context(f"/invitation/{link}?tz={tz}"):
            rows = open_unbooked(link)
            assert rows is not None
            by_rows = _candidate_page(rows, tz)
            by_objects = _candidate_page(invitation_from_token(link), tz)
            db.session.rollback()
        return by_rows, by_objects

    with app.test_request_context(f"/invitation/{link}"):
        assert open_unbooked(link) is None  # never opened: the visit that records it reads the objects
    # Opened the day before it answers: the page names each moment, so the two must not be confused.
    with stopped_clock(utcnow() - timedelta(days=1, hours=3)):
        assert "Take this time" in client.get(f"/invitation/{link}").get_data(as_text=True)
    seen = []
    for step in ("opened", "other times", "declined", "deadline passed"):
        if step == "other times":
            assert client.post(f"/invitation/{link}/other-times", data={"other-message": "Fridays"}).status_code == 302
        elif step == "declined":
            assert client.post(f"/invitation/{link}/decline", data={"decline-reason": "Busy"}).status_code == 302
        elif step == "deadline passed":
            letter.respond_by = utcnow() - timedelta(hours=2)  # within the link's grace days: it still opens
            db.session.commit()
        for tz in ("America/New_York", "Europe/Berlin"):
            by_rows, by_objects = both_ways(tz)
            assert by_rows == by_objects
            seen.append(by_rows[0])
    assert any("You asked for other times" in page for page in seen)
    assert any("You declined this invitation" in page for page in seen)
    assert "The deadline to choose a time has passed" in seen[-1]


def test_a_booked_revoked_or_expired_invitation_is_not_read_as_rows(app, client, sent_race, token):
    _, letter, invitations = sent_race(candidates=3)
    booked, revoked, other = invitations
    for invitation in invitations:
        client.get(f"/invitation/{token(invitation)}")  # opened
    slot = db.session.scalars(select(Slot).where(Slot.letter_id == letter.id).order_by(Slot.starts_at)).first()
    booking = client.post(
        f"/invitation/{token(booked)}/book", data={"book-slot_id": str(slot.id), "book-tz": "America/New_York"}
    )
    assert booking.status_code == 302
    # The booked page, read the full way (the booking's flash is shown once, on the redirect's page).
    client.get(booking.headers["Location"])
    page = client.get(f"/invitation/{token(booked)}")
    assert page.status_code == 200 and "Add it to your calendar" in page.get_data(as_text=True)
    old = token(revoked)
    revoked.link_version += 1
    db.session.commit()
    with app.test_request_context("/"):
        assert open_unbooked(token(booked)) is None
        assert open_unbooked(old) is None
        assert open_unbooked("not-a-token") is None
        assert open_unbooked(token(other)) is not None
    assert client.get(f"/invitation/{old}").status_code == 410
    letter.respond_by = utcnow() - timedelta(days=app.config["INVITATION_LINK_GRACE_DAYS"] + 1)
    db.session.commit()
    with app.test_request_context("/"):
        assert open_unbooked(token(other)) is None
    expired = client.get(f"/invitation/{token(other)}")
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)


def test_the_forms_hidden_fields_and_buttons_written_by_the_template_are_what_wtforms_writes(app):
    """The campaign's page writes its forms' hidden fields and buttons itself (templates/_forms.html)."""
    tag = re.compile(r"<input [^>]*>")
    with app.test_request_context("/"):
        macros = app.jinja_env.get_template("_forms.html").make_module({"csrf_token": lambda: ""})
        for form_class, prefix in ((OtherTimesForm, "other"), (DeclineForm, "decline"), (RescheduleForm, "x")):
            # With its CSRF token, which the tests' configuration otherwise leaves out.
            form = form_class(formdata=None, tz="Europe/Berlin", prefix=prefix, meta={"csrf": True})
            assert tag.findall(str(macros.hidden_fields(form))) == tag.findall(str(form.hidden_tag()))
            assert len(tag.findall(str(form.hidden_tag()))) == 2  # the zone and the CSRF token
            assert str(macros.submit_button(form.submit, "button danger")) == str(form.submit(class_="button danger"))
        form = CancelForm(formdata=None, prefix="cancel")
        assert str(macros.submit_button(form.submit)) == str(form.submit(class_="button"))


def test_the_page_of_times_costs_the_same_statements_for_few_or_many_times_and_panel_members(
    client, sent_race, token, count_queries
):
    counts = []
    for slots, panel in ((1, 1), (6, 5)):
        _, _, invitations = sent_race(slots=slots, panel=panel)
        link = f"/invitation/{token(invitations[0])}"
        client.get(link)  # the first visit records the opening
        with count_queries() as queries:
            page = client.get(link).get_data(as_text=True)
        assert page.count("Take this time") == slots
        counts.append(len(queries.statements))
    assert counts[0] == counts[1]
