"""Messages the app cannot use are kept, listed with the reason, and never stop the pass; copies of one
answer are stored once; nothing else stored changes."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from interviews.audit.actors import ActorKind, System
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.inbox.models import Answer, AttendeeReply, InboxMessage, KeptReason, Outcome
from interviews.inbox.services import Place, read
from interviews.inbox.worker import handle
from tests.conftest import changed_tables, stored_rows
from tests.inbox.messages import (
    calendar_email,
    fold,
    google_ics,
    google_reply,
    outlook_ics,
    outlook_reply,
    plain_email,
)
from tests.inbox.test_replies import CONTACT, ROSA, fetch


def _kept(uid: int) -> tuple[KeptReason | None, str]:
    row = db.session.scalars(select(InboxMessage).where(InboxMessage.uid == uid)).one()
    assert row.outcome is (Outcome.kept if row.reason else Outcome.handled)
    return row.reason, row.detail


def test_junk_is_kept_with_its_reason_and_the_pass_goes_on(imap_app, folder, booked, runner, client, auth, staffer):
    uid = booked.interview.uid
    folder.deliver(
        # 1: an ordinary e-mail to the organiser address
        plain_email(
            sender=f"Scheduler A <{CONTACT}>",
            subject="Parking at the union hall?",
            body="Is there parking near the hall?",
            message_id="<question@campaign.example.com>",
        ),
        # 2: a forged or stale UID: no interview has it
        google_reply(
            google_ics(
                "4f1c2d3e-0000-4000-8000-forged@interviews", email=CONTACT, name="Scheduler A", partstat="DECLINED"
            ),
            sender=f"Scheduler A <{CONTACT}>",
            subject="Declined: something else",
            message_id="<forged@google.com>",
        ),
        # 3: someone who was not invited answers for the interview (the invitation was forwarded)
        google_reply(
            google_ics(uid, email="press@newspaper.example.com", name="A Reporter", partstat="ACCEPTED"),
            sender="A Reporter <press@newspaper.example.com>",
            subject="Accepted: Endorsement interview",
            message_id="<reporter@google.com>",
        ),
        # 4: a calendar part that is not iCalendar at all
        calendar_email(
            "this is not a calendar\r\n", sender=f"<{CONTACT}>", subject="Re: invite", message_id="<garbage@x.example>"
        ),
        # 5: a calendar whose start is not a time
        calendar_email(
            fold(
                f"BEGIN:VCALENDAR\nMETHOD:REPLY\nVERSION:2.0\nBEGIN:VEVENT\nUID:{uid}\nDTSTART:next tuesday\n"
                f"DTSTAMP:20270201T101500Z\nATTENDEE;PARTSTAT=ACCEPTED:mailto:{CONTACT}\nEND:VEVENT\nEND:VCALENDAR"
            ),
            sender=f"<{CONTACT}>",
            subject="Accepted",
            message_id="<broken-dtstart@x.example>",
        ),
        # 6: our own invitation forwarded back (METHOD:REQUEST): a calendar message, but no answer
        calendar_email(
            fold(
                f"BEGIN:VCALENDAR\nMETHOD:REQUEST\nVERSION:2.0\nBEGIN:VEVENT\nUID:{uid}\nSEQUENCE:0\n"
                f"DTSTART:20270315T140000Z\nDTSTAMP:20270201T101500Z\nEND:VEVENT\nEND:VCALENDAR"
            ),
            sender=f"<{CONTACT}>",
            subject="Fwd: Invitation",
            message_id="<forwarded@x.example>",
            method="REQUEST",
        ),
        # 7: an out-of-office reply
        plain_email(
            sender=f"Rosa Delgado <{ROSA}>",
            subject="Automatic reply: Invitation: Endorsement interview",
            body="I am out of the office until Monday.",
            message_id="<ooo@labor.example.org>",
            headers="Auto-Submitted: auto-replied",
        ),
        # 8: and after all that, a real answer, which must still be read
        outlook_reply(
            outlook_ics(uid, email=ROSA, name="Rosa Delgado", partstat="ACCEPTED"),
            sender=f"Rosa Delgado <{ROSA}>",
            subject="Accepted: Endorsement interview",
        ),
    )
    output = runner.invoke(args=["inbox", "fetch"]).output
    db.session.rollback()
    assert "8/8 new message(s) read" in output and "1 answer(s) stored, 7 kept for staff" in output
    assert _kept(1)[0] is KeptReason.not_calendar
    assert _kept(2) == (KeptReason.unknown_uid, "no interview has the UID '4f1c2d3e-0000-4000-8000-forged@interviews'")
    assert _kept(3) == (
        KeptReason.not_invited,
        "press@newspaper.example.com is neither the campaign's contact nor on the panel of this interview",
    )
    assert _kept(4)[0] is KeptReason.malformed
    reason, detail = _kept(5)
    assert reason is KeptReason.malformed and "DTSTART" in detail
    assert _kept(6) == (
        KeptReason.not_a_reply,
        "a calendar message with METHOD:REQUEST, not an answer (REPLY or COUNTER)",
    )
    assert _kept(7) == (KeptReason.automatic, "Auto-Submitted: auto-replied")
    assert _kept(8) == (None, "")
    assert [(r.email, r.answer) for r in db.session.scalars(select(AttendeeReply))] == [(ROSA, Answer.accepted)]
    # Every kept message is audited as the pass's doing; the answer as Rosa's.
    kept_events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "inbox.message_kept")).all()
    assert len(kept_events) == 7
    assert {(e.actor_kind, e.actor_label) for e in kept_events} == {(ActorKind.system, "system (inbox fetch)")}
    # All eight are marked: the next pass finds nothing new.
    assert all("$InterviewsHandled" in flags for flags in folder.keywords().values())
    assert "0/0 new message(s)" in fetch(runner)

    auth.login(staffer)
    inbox = " ".join(unescape(re.sub(r"<[^>]+>", " ", client.get("/inbox/").get_data(as_text=True))).split())
    for subject, why in [
        ("Parking at the union hall?", "No calendar answer in it"),
        ("Declined: something else", "No interview has this calendar UID"),
        ("Accepted: Endorsement interview", "From someone not invited to the interview"),
        ("Fwd: Invitation", "A calendar message, but not an answer"),
        ("Automatic reply: Invitation: Endorsement interview", "An automatic reply"),
    ]:
        assert f"{subject} " in inbox and why in inbox
    kept_id = db.session.scalars(select(InboxMessage.id).where(InboxMessage.uid == 5)).one()
    detail = unescape(client.get(f"/inbox/{kept_id}").get_data(as_text=True))
    assert "The calendar part cannot be read" in detail and "DTSTART:next tuesday" in detail


def test_copies_of_one_answer_are_stored_once(imap_app, folder, booked, runner):
    uid = booked.interview.uid
    google = google_reply(
        google_ics(uid, email=CONTACT, name="Scheduler A", partstat="ACCEPTED"),
        sender=f"Scheduler A <{CONTACT}>",
        subject="Accepted: Endorsement interview",
    )
    outlook = outlook_ics(uid, email=ROSA, name="Rosa Delgado", partstat="DECLINED")
    folder.deliver(
        google,
        google,  # delivered twice (the same Message-ID)
        outlook_reply(outlook, sender=f"<{ROSA}>", subject="Declined", message_id="<first@outlook.example>"),
        # Outlook sending the same answer again under a new Message-ID (same SEQUENCE and DTSTAMP)
        outlook_reply(outlook, sender=f"<{ROSA}>", subject="Declined", message_id="<again@outlook.example>"),
    )
    output = fetch(runner)
    assert "2 answer(s) stored, 2 kept for staff" in output
    assert [(r.email, r.answer) for r in db.session.scalars(select(AttendeeReply).order_by(AttendeeReply.id))] == [
        (CONTACT, Answer.accepted),
        (ROSA, Answer.declined),
    ]
    assert _kept(2) == (KeptReason.duplicate, "the same e-mail (Message-ID) was read before: message #1")
    assert _kept(4) == (KeptReason.duplicate, "the same answer (same version and time stamp) was read before")

    # A pass that stored its messages but stopped before marking them (killed, connection lost):
    # the next one recognises them and only marks them.
    folder.unmark("$InterviewsHandled")
    before = stored_rows()
    assert "4/4 new message(s) read from" in (output := fetch(runner)) and "0 answer(s) stored, 4 read before" in output
    assert changed_tables(before) == []
    assert all("$InterviewsHandled" in flags for flags in folder.keywords().values())


CORPUS = [
    google_reply(
        google_ics("x@interviews", email=CONTACT, name="A", partstat="ACCEPTED", note="n"),
        sender=f"<{CONTACT}>",
        subject="s",
    ),
    outlook_reply(outlook_ics("x@interviews", email=ROSA, name="R", partstat="DECLINED"), sender="<r@x>", subject="s"),
]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(CORPUS),
    st.lists(st.tuples(st.integers(min_value=0, max_value=4000), st.binary(max_size=8)), max_size=6),
)
def test_reading_never_raises_whatever_the_bytes(original: bytes, edits: list[tuple[int, bytes]]) -> None:
    """Hostile or broken input comes back as a reason to keep the message, never as an exception."""
    data = bytearray(original)
    for at, junk in edits:
        position = at % (len(data) + 1)
        data[position : position + len(junk)] = junk
    reading = read(bytes(data))
    assert (reading.answer is None) != (reading.problem is None)


def test_nul_characters_and_undecodable_bytes_are_stored_cleaned(app, booked):
    """PostgreSQL refuses NUL in text and no database takes lone surrogates: such a message must not
    make storing fail (it would stay unmarked and stop every pass). Dovecot itself turns NUL into
    0x80 when it saves a message, so the bytes go straight to the step that stores them, as a server
    that keeps NUL (IMAP BINARY) would hand them over."""
    uid = booked.interview.uid
    answer = google_reply(
        google_ics(uid, email=CONTACT, name="Scheduler A", partstat="ACCEPTED", note="See you\x00 there"),
        sender=f"Scheduler A <{CONTACT}>",
        subject="Accepted",
    ).replace(b"Subject: Accepted", b"Subject: Accepted \x00\xff\xfe caf\xe9")
    stranger = google_reply(
        google_ics("no-such-uid\x00@interviews", email=CONTACT, name="Scheduler A", partstat="DECLINED"),
        sender="Someone <cafe@example.com>",
        subject="Declined",
        message_id="<nul@example.com>",
    ).replace(b"From: Someone", b"From: Caf\xe9 \x00")
    pass_actor = System("inbox fetch")
    handled = handle(answer, Place("test", 1, 1), actor=pass_actor)
    kept = handle(stranger, Place("test", 1, 2), actor=pass_actor)
    assert handled is not None and kept is not None
    db.session.expire_all()
    reply = db.session.scalars(select(AttendeeReply)).one()
    assert reply.comment == "See you there"
    assert handled.outcome is Outcome.handled and handled.subject.startswith("Accepted")
    assert "\x00" not in handled.subject
    assert kept.reason is KeptReason.unknown_uid and "\x00" not in kept.detail + kept.from_address + kept.calendar_text


def test_a_huge_message_is_read_by_its_header_only(imap_app, folder, booked, runner):
    answer = google_reply(
        google_ics(booked.interview.uid, email=CONTACT, name="Scheduler A", partstat="ACCEPTED"),
        sender=f"Scheduler A <{CONTACT}>",
        subject="Accepted, with the candidate's 11 MB video",
    )
    huge = answer.replace(
        b"--0000000000004f8a2f05f1a2b3c5--",
        b"X-Padding: " + b"x" * (11 * 1024 * 1024) + b"\r\n\r\n--0000000000004f8a2f05f1a2b3c5--",
    )
    folder.deliver(
        huge,
        outlook_reply(
            outlook_ics(booked.interview.uid, email=ROSA, name="Rosa Delgado", partstat="ACCEPTED"),
            sender=f"<{ROSA}>",
            subject="Accepted",
        ),
    )
    assert "1 answer(s) stored, 1 kept for staff" in fetch(runner)
    reason, detail = _kept(1)
    assert (reason, detail) == (KeptReason.too_large, "larger than 10 MB: not read")
    kept = db.session.scalars(select(InboxMessage).where(InboxMessage.uid == 1)).one()
    assert kept.subject == "Accepted, with the candidate's 11 MB video"  # the header was read
