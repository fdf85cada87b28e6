"""Issue 4, item 10: calendar invitations end to end, delivered to a real SMTP server.

A campaign books a slot on its candidate page in a browser; the outbox worker delivers to the SMTP
test server; every received message carries the .ics twice (the inline text/calendar part with the
method on its MIME type, and the invite.ics attachment) and both parse, by icalendar and libical.
Staff move the interview: an update with the same UID and a higher SEQUENCE arrives. The campaign
cancels on its page: a CANCEL arrives.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.invitations import services as invitations
from interviews.invitations.links import candidate_url
from interviews.mail.worker import deliver_due
from interviews.races.models import Race
from interviews.scheduling import services as scheduling
from interviews.scheduling.models import Interview, Location, LocationKind
from interviews.types import utcnow
from tests.calendar.parsers import with_libical

NY = ZoneInfo("America/New_York")
CONTACT = "scheduling@santos-for-mayor.example.com"


def _weekday(days: int, hour: int) -> datetime:
    day = (utcnow() + timedelta(days=days)).astimezone(NY).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=NY)


def _deliver(server, smtp_server, before: int, expected: int) -> list:  # type: ignore[no-untyped-def]
    """Run the outbox worker; the new messages that carry a calendar (`expected` of them)."""
    with server.app.app_context():
        report = deliver_due(actor=System("outbox worker"))
        db.session.remove()
    assert report.ok, report
    messages = smtp_server.wait_for(before + expected)[before:]
    # Other mail may go with a change (staff hear that a campaign cancelled): only calendars count here.
    calendars = [m for m in messages if any(p.get_content_type() == "text/calendar" for p in m.walk())]
    assert len(calendars) == expected, [m["Subject"] for m in messages]
    return calendars


def _calendar_parts(message) -> tuple[icalendar.Calendar, icalendar.Calendar, str, bytes]:  # type: ignore[no-untyped-def]
    """(inline calendar, attached calendar, raw Content-Type of the inline part, attached bytes)."""
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    assert len(inline) == 1 and len(attached) == 1, [p.get_content_type() for p in message.walk()]
    inline_bytes = inline[0].get_payload(decode=True)
    attached_bytes = attached[0].get_payload(decode=True)
    assert inline_bytes == attached_bytes
    assert attached[0].get_content_disposition() == "attachment"
    # Both sit beside the text and HTML bodies: Outlook acts on the inline one, others on either.
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    return (
        icalendar.Calendar.from_ical(inline_bytes),
        icalendar.Calendar.from_ical(attached_bytes),
        str(inline[0]["Content-Type"]),
        attached_bytes,
    )


def _check(message, method: str) -> icalendar.Event:  # type: ignore[no-untyped-def]
    inline, attached, content_type, raw = _calendar_parts(message)
    assert re.search(rf"method=\"?{method}\"?", content_type, re.I), content_type
    for calendar in (inline, attached):
        assert calendar["METHOD"] == method
    parsed = with_libical(raw)
    assert parsed["method"] == method
    (vevent,) = inline.walk("VEVENT")
    (read,) = parsed["events"]
    assert read["uid"] == str(vevent["UID"]) and read["sequence"] == vevent.decoded("SEQUENCE")
    assert read["start"] == vevent.decoded("DTSTART").astimezone(ZoneInfo("UTC")).isoformat()
    return vevent


def test_booking_moving_and_cancelling_deliver_request_update_and_cancel(  # type: ignore[no-untyped-def]
    live_server_factory, browser, make_user, smtp_server, mail_settings, staffer
):
    staff = make_user("staff", name="Priya Organizer")
    panel = [make_user("leader", name="Angela Castellanos"), make_user("leader", name="Walter Kowalczyk")]
    room = Location(name="Union Hall, Boardroom A", kind=LocationKind.room, address="1200 Harbor Street")
    race = Race(
        title="2027 Mayor", office="Mayor", jurisdiction="City of Riverside", election_date=datetime(2027, 11, 2).date()
    )
    race.panel = panel
    from interviews.races.models import Candidate

    race.candidates.append(Candidate(name="Maria Santos", contact_name="Jordan Ellis", contact_email=CONTACT))
    db.session.add_all([room, race])
    db.session.flush()
    letter = invitations.save_letter(
        race,
        {
            "subject": "Endorsement interview",
            "body": "Dear candidate, our board invites you to an endorsement interview.",
            "topics": "Transit\nHousing",
            "respond_by": _weekday(6, 17),
            "timezone": "America/New_York",
            "duration_minutes": 45,
        },
        actor=staff,
    )
    first = _weekday(9, 10)
    invitations.add_slot(
        letter,
        starts_at=first,
        ends_at=first + timedelta(minutes=45),
        timezone="America/New_York",
        location=room,
        actor=staffer,
    )
    invitations.send(letter, actor=staff)
    db.session.commit()
    server = live_server_factory(**mail_settings)
    _deliver(server, smtp_server, 0, 0)  # the invitation letter itself (no calendar yet)

    with server.app.test_request_context():
        link = candidate_url(race.candidates[0].invitation)
    db.session.rollback()  # no read transaction of ours may hold SQLite's lock while the server writes
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    context.set_default_timeout(15_000)
    campaign = context.new_page()
    campaign.on("dialog", lambda dialog: dialog.accept())
    campaign.goto(link)
    campaign.get_by_role("button", name=re.compile(r"^Take this time\W")).first.click()
    campaign.get_by_role("heading", name="Your interview is booked").wait_for()

    # --- the booking: a REQUEST to the campaign and to each panel member ----------------------
    booked = _deliver(server, smtp_server, len(smtp_server.messages), 3)
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in booked}
    assert set(by_recipient) == {CONTACT, *(u.email for u in panel)}
    for message in booked:
        assert message["Subject"].startswith("Invitation: ")
        request = _check(message, "REQUEST")
        assert request.decoded("SEQUENCE") == 0
        assert request.decoded("DTSTART") == first
    candidate_copy = _check(by_recipient[CONTACT], "REQUEST")
    assert "/invitation/" in str(candidate_copy["URL"])  # the campaign's own page
    assert "/invitation/" not in str(_check(by_recipient[panel[0].email], "REQUEST").get("URL", ""))
    uid = str(candidate_copy["UID"])

    # --- staff move it: an update, same UID, higher SEQUENCE ---------------------------------
    db.session.rollback()
    interview = db.session.query(Interview).one()
    later = first + timedelta(days=1, hours=2)
    scheduling.move_interview(
        interview,
        starts_at=later,
        ends_at=later + timedelta(minutes=45),
        timezone="America/New_York",
        location=room,
        actor=staffer,
    )
    db.session.commit()
    updates = _deliver(server, smtp_server, len(smtp_server.messages), 3)
    for message in updates:
        assert message["Subject"].startswith("Updated invitation: ")
        update = _check(message, "REQUEST")
        assert str(update["UID"]) == uid
        assert update.decoded("SEQUENCE") == 1
        assert update.decoded("DTSTART") == later

    # --- the campaign cancels on its page: a CANCEL to everyone ------------------------------
    campaign.goto(link)
    campaign.get_by_text("Cancel the interview").first.click()
    campaign.get_by_role("button", name="Cancel the interview").click()
    campaign.get_by_text("Your interview is cancelled").wait_for()
    context.close()
    cancels = _deliver(server, smtp_server, len(smtp_server.messages), 3)
    for message in cancels:
        assert message["Subject"].startswith("Cancelled: ")
        cancel = _check(message, "CANCEL")
        assert str(cancel["UID"]) == uid
        assert cancel.decoded("SEQUENCE") == 2
        assert cancel["STATUS"] == "CANCELLED"
