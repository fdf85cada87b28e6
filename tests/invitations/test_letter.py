"""The race's one letter and its slots: the rules staff meet on the letter page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.models import InvitationLetter, Slot
from interviews.times import utc_to_local
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows


def _local(value, tz="America/New_York"):  # type: ignore[no-untyped-def]
    return utc_to_local(value, tz).strftime("%Y-%m-%dT%H:%M")


def _letter_form(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "letter-subject": "Invitation to an endorsement interview",
        "letter-body": "Dear candidate,\n\nWe invite you.",
        "letter-topics": "Wages\n\n  Pensions  \n",
        "letter-respond_by": _local(utcnow() + timedelta(days=10)),
        "letter-timezone": "America/New_York",
        "letter-duration_minutes": "45",
    }
    data.update(overrides)
    return data


def test_staff_write_the_letter_through_the_page(client, auth, make_race):
    race = make_race()
    auth.login("staff")
    page = client.get(f"/races/{race.id}/invitation")
    assert page.status_code == 200
    response = client.post(f"/races/{race.id}/invitation", data=_letter_form())
    assert response.status_code == 302
    letter = db.session.scalar(select(InvitationLetter).where(InvitationLetter.race_id == race.id))
    assert letter.topics == "Wages\nPensions"
    assert letter.topic_list == ["Wages", "Pensions"]
    assert letter.respond_by.tzinfo is not None


def test_a_deadline_in_the_past_or_a_bad_zone_is_refused_with_a_message(client, auth, make_race):
    race = make_race()
    auth.login("staff")
    before = stored_rows()
    past = client.post(
        f"/races/{race.id}/invitation", data=_letter_form(**{"letter-respond_by": _local(utcnow() - timedelta(days=1))})
    )
    assert past.status_code == 400
    assert "must be in the future" in past.get_data(as_text=True)
    zone = client.post(f"/races/{race.id}/invitation", data=_letter_form(**{"letter-timezone": "Mars/Olympus"}))
    assert zone.status_code == 400
    garbage = client.post(f"/races/{race.id}/invitation", data=_letter_form(**{"letter-respond_by": "tomorrow-ish"}))
    assert garbage.status_code == 400
    assert db.session.scalar(select(InvitationLetter)) is None
    assert changed_tables(before) == []


def test_once_sent_the_text_cannot_change_but_the_page_says_why(client, auth, sent_race):
    race, letter, _ = sent_race()
    auth.login("staff")
    page = client.get(f"/races/{race.id}/invitation").get_data(as_text=True)
    assert "can no longer" in page
    before = stored_rows()
    response = client.post(
        f"/races/{race.id}/invitation",
        data=_letter_form(**{"letter-body": "A different text", "letter-respond_by": _local(letter.respond_by)}),
    )
    assert response.status_code == 400
    assert "every candidate must receive the same letter" in response.get_data(as_text=True)
    assert changed_tables(before) == []
    db.session.refresh(letter)
    assert letter.body.startswith("Dear candidate")
    # What is not part of the text may still change.
    same = _letter_form(
        **{
            "letter-subject": letter.subject,
            "letter-body": letter.body,
            "letter-topics": letter.topics,
            "letter-respond_by": _local(letter.respond_by),
            "letter-duration_minutes": "60",
        }
    )
    assert client.post(f"/races/{race.id}/invitation", data=same).status_code == 302
    db.session.refresh(letter)
    assert letter.duration_minutes == 60


def _slot(client, race, start, **extra):  # type: ignore[no-untyped-def]
    data = {"slot-starts_at": start, "slot-timezone": "America/New_York", "slot-location_id": "0", **extra}
    return client.post(f"/races/{race.id}/invitation/slots", data=data)


def test_slot_rules(client, auth, letter_race, at):
    race, _letter = letter_race(slots=0)
    auth.login("staff")
    ten = at(10, days=9)
    assert _slot(client, race, _local(ten)).status_code == 302
    slot = db.session.scalar(select(Slot))
    assert slot.ends_at - slot.starts_at == timedelta(minutes=45)  # the letter's length

    before = stored_rows()
    past = _slot(client, race, _local(utcnow() - timedelta(days=1)))
    assert past.status_code == 400 and "in the past" in past.get_data(as_text=True)

    backwards = _slot(client, race, _local(at(15, days=9)), **{"slot-ends_at": "14:00"})
    assert backwards.status_code == 400 and "The end must be after the start" in backwards.get_data(as_text=True)

    overlap = _slot(client, race, _local(ten + timedelta(minutes=30)))
    assert overlap.status_code == 400 and "cannot overlap" in overlap.get_data(as_text=True)

    nonsense = _slot(client, race, "not a time")
    assert nonsense.status_code == 400
    assert len(db.session.scalars(select(Slot)).all()) == 1
    assert changed_tables(before) == []


def test_odd_hours_are_flagged_and_need_confirming(client, auth, letter_race, at):
    race, _letter = letter_race(slots=0)
    auth.login("staff")
    early = _local(at(6, days=9))
    before = stored_rows()
    warned = _slot(client, race, early)
    assert warned.status_code == 400
    body = warned.get_data(as_text=True)
    assert "before 07:00" in body and "offer this time anyway" in body
    assert db.session.scalar(select(Slot)) is None
    assert changed_tables(before) == []
    confirmed = _slot(client, race, early, **{"slot-confirm": "y"})
    assert confirmed.status_code == 302
    assert db.session.scalar(select(Slot)) is not None


def test_a_booked_slot_cannot_be_removed_a_free_one_can(client, auth, sent_race, token):
    race, letter, invitations = sent_race()
    slot_a, slot_b = letter.slots[0].id, letter.slots[1].id
    client.post(f"/invitation/{token(invitations[0])}/book", data={"book-slot_id": slot_a})
    auth.login("staff")
    client.post(f"/races/{race.id}/invitation/slots/{slot_a}/remove")
    assert db.session.get(Slot, slot_a).taken_by_id == invitations[0].id
    client.post(f"/races/{race.id}/invitation/slots/{slot_b}/remove")
    assert db.session.scalar(select(Slot).where(Slot.id == slot_b)) is None


def test_leaders_cannot_edit_the_letter_but_can_read_the_ledger(client, auth, sent_race):
    race, _, _ = sent_race()
    auth.login("leader")
    before = stored_rows()
    assert client.get(f"/races/{race.id}/invitation").status_code == 403
    assert client.get(f"/races/{race.id}/invitation/ledger").status_code == 200
    assert client.post(f"/races/{race.id}/invitation/send", data={"to": "all"}).status_code == 403
    assert changed_tables(before) == []


def test_bad_staff_input_never_500(client, auth, sent_race):
    race, letter, invitations = sent_race()
    auth.login("staff")
    attempts = [
        (f"/races/{race.id}/invitation", {"letter-duration_minutes": "-5", "letter-respond_by": "2026-02-30T10:00"}),
        (f"/races/{race.id}/invitation", {"letter-subject": "x" * 500}),
        (f"/races/{race.id}/invitation", {"letter-subject": "a\x00b", "letter-body": "\x00"}),
        (f"/races/{race.id}/invitation/slots", {"slot-starts_at": "2030-01-01T10:00", "slot-location_id": "abc"}),
        (f"/races/{race.id}/invitation/slots", {"slot-starts_at": "2030-01-01T10:00", "slot-location_id": "999"}),
        (f"/races/{race.id}/invitation/slots", {"slot-starts_at": "2030-01-01T10:00", "slot-ends_at": "25:99"}),
        (
            f"/races/{race.id}/invitation/slots",
            {"slot-starts_at": "2030-03-10T02:30", "slot-timezone": "America/New_York"},
        ),
        (f"/races/{race.id}/invitation/slots/{letter.slots[0].id + 1000}/remove", {}),
        (f"/races/{race.id}/invitation/send", {"to": "everyone; DROP TABLE"}),
        (f"/invitations/{invitations[0].id}/withdraw", {"reason": "x" * 5000}),
        (f"/invitations/{invitations[1].id}/withdraw", {"reason": "nul\x00"}),
        ("/invitations/requests/12345/handled", {}),
    ]
    for url, data in attempts:
        before = stored_rows()
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, response.status_code)
        assert changed_tables(before) == [], (url, response.status_code)
