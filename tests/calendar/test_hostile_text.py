"""Names, titles and places typed by anyone come out as text: escaped, folded safely, never a property."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews.calendar import ics, notify
from interviews.calendar.ics import Person
from interviews.extensions import db
from interviews.mail.models import OutboxMessage
from tests.calendar.parsers import with_libical, with_vobject
from tests.calendar.test_ics import event

INJECTION = "\r\nATTENDEE:mailto:x@evil"
HOSTILE = [
    "Smith, Jones; and \\ Partners",
    "Line one\nline two\rline three\r\nline four",
    "Eleanor" + INJECTION,
    "Before" + INJECTION + "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil",
    "Élodie Ñúñez 東京都 " + "ü" * 300,
    'Quote " in a name',
    "Tab\tand\x00null\x1bescape\u2028separator",
]


# What each hostile text must read as once inside the calendar, worked out by hand from RFC 5545:
# a one-line value (SUMMARY, LOCATION, a CN parameter) turns every line break and run of blanks into one
# space and a double quote into a single one (a parameter cannot hold one); DESCRIPTION keeps its line
# breaks as LF; both drop the control characters TEXT may not hold (and U+2028, a line break in disguise).
READS_AS = {
    HOSTILE[0]: ("Smith, Jones; and \\ Partners", "Smith, Jones; and \\ Partners"),
    HOSTILE[1]: ("Line one line two line three line four", "Line one\nline two\nline three\nline four"),
    HOSTILE[2]: ("Eleanor ATTENDEE:mailto:x@evil", "Eleanor\nATTENDEE:mailto:x@evil"),
    HOSTILE[3]: (
        "Before ATTENDEE:mailto:x@evil END:VEVENT BEGIN:VEVENT UID:evil",
        "Before\nATTENDEE:mailto:x@evil\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil",
    ),
    HOSTILE[4]: ("Élodie Ñúñez 東京都 " + "ü" * 300, "Élodie Ñúñez 東京都 " + "ü" * 300),  # unchanged
    HOSTILE[5]: ("Quote ' in a name", 'Quote " in a name'),
    HOSTILE[6]: ("Tab andnullescapeseparator", "Tab\tandnullescapeseparator"),
}


def assert_well_formed(payload: bytes) -> None:
    """Every physical line is at most 75 octets and valid UTF-8 on its own (no character split)."""
    assert b"\r\n" in payload
    for line in payload.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold cut a multi-byte character
        assert b"\r" not in line and b"\n" not in line


def property_names(payload: bytes) -> list[str]:
    calendar = icalendar.Calendar.from_ical(payload)
    (vevent,) = calendar.walk("VEVENT")
    return sorted(vevent.keys())


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_inside_its_property(text):
    data = event(
        "Europe/Berlin",
        datetime(2027, 3, 29, 10, 0),
        summary=f"Endorsement interview: {text}",
        location=text,
        description=text,
    )
    data = dataclasses.replace(
        data,
        organizer=Person(text, "endorsements@riverside-labor.example.org"),
        attendees=(Person(text, "scheduler@campaign.example.com"),),
    )
    payload = ics.request(data)
    assert_well_formed(payload)
    calendar = icalendar.Calendar.from_ical(payload)
    (vevent,) = calendar.walk("VEVENT")
    assert len(calendar.walk("VEVENT")) == 1
    attendees = vevent["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:scheduler@campaign.example.com"]
    assert vevent["UID"] == data.uid
    # One-line values lose their line breaks; the description keeps them as text (escaped \n).
    assert str(vevent["SUMMARY"]) == ics.clean_line(f"Endorsement interview: {text}")
    assert str(vevent["LOCATION"]) == ics.clean_line(text)
    assert str(vevent["DESCRIPTION"]) == ics.clean_text(text)
    assert "\x00" not in str(vevent["DESCRIPTION"]) and "\r" not in str(vevent["DESCRIPTION"])
    assert attendees[0].params["CN"] == ics.clean_line(text)
    one_line, multi_line = READS_AS[text]
    assert str(vevent["SUMMARY"]) == f"Endorsement interview: {one_line}"
    assert str(vevent["LOCATION"]) == one_line
    assert str(vevent["DESCRIPTION"]) == multi_line
    assert attendees[0].params["CN"] == one_line
    for parsed in (with_libical(payload), with_vobject(payload)):
        (read,) = parsed["events"]
        assert read["attendees"] == 1
        assert read["uid"] == data.uid
        assert read["summary"] == ics.clean_line(f"Endorsement interview: {text}")
        assert read["summary"] == f"Endorsement interview: {one_line}"


def test_an_address_cannot_smuggle_anything():
    for address in ("x@evil\r\nATTENDEE:mailto:y@evil", 'a"b@evil.org', "a@b;RSVP=TRUE", "no-at-sign"):
        with pytest.raises(ValueError):
            ics.cal_address(Person("X", address), attendee=True)


def _visible(value: str) -> str:
    """What a reader must still find, in order: every character but blanks and those TEXT cannot hold."""
    return "".join(
        ch for ch in value if not ch.isspace() and ord(ch) >= 0x20 and ord(ch) != 0x7F and ch not in "\u2028\u2029"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=0, max_size=400))
def test_any_text_round_trips_through_icalendar(text):
    payload = ics.request(event("Asia/Kolkata", datetime(2027, 3, 29, 10, 0), summary="S" + text, description=text))
    assert_well_formed(payload)
    (vevent,) = icalendar.Calendar.from_ical(payload).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == ics.clean_line("S" + text)
    assert str(vevent.get("DESCRIPTION", "")) == ics.clean_text(text)
    # The same, checked against the rules rather than the code that applies them.
    summary, description = str(vevent["SUMMARY"]), str(vevent.get("DESCRIPTION", ""))
    assert _visible(summary) == _visible("S" + text).replace('"', "'")
    assert summary == summary.strip() and "  " not in summary
    assert all(ch == " " or not ch.isspace() for ch in summary) and '"' not in summary
    assert _visible(description) == _visible(text)
    assert "\r" not in description
    assert description.count("\n") == text.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    assert not any((ord(ch) < 0x20 and ch not in "\t\n") or ord(ch) == 0x7F for ch in description)
    assert str(vevent["ATTENDEE"][0]) == "mailto:scheduling@whitcombe2028.example.com"


def test_hostile_candidate_names_never_reach_a_header(app, make_interview, make_race):
    race = make_race(title="Mayor" + INJECTION)
    candidate = race.candidates[0]
    candidate.name = "Eve\r\nBcc: victim@labor.example.org"
    candidate.contact_name = "Eve\r\nX-Injected: yes"
    db.session.commit()
    interview = make_interview(race=race, candidate=candidate)
    notify.interview_booked(interview)
    db.session.commit()
    rows = db.session.query(OutboxMessage).all()
    assert rows
    for row in rows:
        assert "\r" not in row.subject and "\n" not in row.subject
        assert "\r" not in row.to_addresses and "\n" not in row.to_addresses
        assert_well_formed(row.ics)
        (vevent,) = icalendar.Calendar.from_ical(row.ics).walk("VEVENT")
        assert {str(a) for a in vevent["ATTENDEE"]} <= {
            "mailto:schedulera@campaign.example.com",
            *(f"mailto:{s.user.email}" for s in interview.panel_seats),
        }
