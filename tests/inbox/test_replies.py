"""Answers from Google Calendar, Outlook and Apple Calendar, delivered to a real IMAP server and read by
`flask inbox fetch`: stored against the right person, shown beside them, audited with the right actor.

Expected values are written by hand: who answered, the note as the person typed it, and times worked
out on paper (the interview is Mon 15 Mar 2027, 10:00-10:45 in New York: 14:00-14:45 UTC, US summer
time having begun on 14 Mar; Berlin is still on winter time, UTC+1, until 28 Mar).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.inbox.models import Answer, AttendeeReply, InboxMessage, Outcome, Party, ReplyKind
from interviews.invitations.models import CandidateRequest, InvitationStatus, RequestKind
from interviews.mail import compose
from interviews.mail.models import OutboxMessage
from interviews.scheduling import services as scheduling
from tests.inbox.messages import (
    apple_ics,
    apple_reply,
    google_ics,
    google_reply,
    outlook_ics,
    outlook_reply,
)

CONTACT = "schedulera@campaign.example.com"
ROSA = "rosa.delgado@labor.example.org"
TOM = "tom.becker@labor.example.org"


def fetch(runner) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["inbox", "fetch"])
    assert result.exit_code == 0, result.output
    db.session.rollback()  # see what the command committed
    return result.output


def answers_on_page(html: str) -> dict[str, str]:
    """The "Calendar answers" card of the interview page: person's name -> the text beside them."""
    card = html[html.index('id="calendar-answers-heading"') :]
    card = card[: card.index("</section>")]
    found = {}
    for name, text in re.findall(r"<dt>(.*?)<br>.*?</dt>\s*<dd>(.*?)</dd>", card, flags=re.S):
        found[unescape(name.strip())] = " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())
    return found


def test_google_calendar_yes_with_a_note_is_the_contacts_answer(
    imap_app, folder, booked, runner, client, auth, staffer
):
    folder.deliver(
        google_reply(
            google_ics(
                booked.interview.uid,
                email=CONTACT,
                name="Scheduler A",
                partstat="ACCEPTED",
                note="Happy to come; it&#39\\;s in our calendar",
            ),
            sender=f"Scheduler A <{CONTACT}>",
            subject="Accepted: Endorsement interview: Candidate A (State Senate District 7) @ Mon Mar 15, 2027 "
            "10am - 10:45am (EDT) (scheduling@labor.example.org)",
        )
    )
    output = fetch(runner)
    assert "1/1 new message(s) read" in output and "1 answer(s) stored" in output

    reply = db.session.scalars(select(AttendeeReply)).one()
    assert (reply.kind, reply.party, reply.user_id, reply.answer) == (
        ReplyKind.reply,
        Party.contact,
        None,
        Answer.accepted,
    )
    assert reply.email == CONTACT
    assert reply.comment == "Happy to come; it's in our calendar"
    assert reply.sequence == 0
    assert reply.dtstamp == datetime(2027, 2, 1, 10, 15, tzinfo=UTC)
    assert reply.event_starts_at == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    message = db.session.scalars(select(InboxMessage)).one()
    assert (message.outcome, message.reason, message.interview_id) == (Outcome.handled, None, booked.interview.id)

    # The campaign answered: the audit trail names it, through its invitation.
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.reply_received")).one()
    assert event.actor_kind is ActorKind.campaign
    assert event.actor_invitation_id == booked.invitation.id
    # The message is marked in the mailbox, so no later pass reads it again.
    assert "$InterviewsHandled" in folder.keywords()[1]
    assert "0/0 new message(s)" in fetch(runner)

    auth.login(staffer)
    page = answers_on_page(client.get(f"/interviews/{booked.interview.id}").get_data(as_text=True))
    assert page["Scheduler A"].startswith("Accepted from their calendar, Mon 1 Feb 2027, 07:00 EST")
    assert "Happy to come; it's in our calendar" in page["Scheduler A"]
    assert page["Rosa Delgado"] == "No answer yet"
    assert page["Tom Becker"] == "No answer yet"


def test_outlook_no_from_a_panel_member_reaches_the_dashboard(imap_app, folder, booked, runner, client, auth, staffer):
    folder.deliver(
        outlook_reply(
            outlook_ics(
                booked.interview.uid,
                email="Rosa.Delgado@labor.example.org",  # Outlook keeps the capitals the person typed
                name="Rosa Delgado",
                partstat="DECLINED",
                comment="I am at the state convention that week\\, sorry.\\n",
            ),
            sender=f"Rosa Delgado <{ROSA}>",
            subject="Declined: Endorsement interview: Candidate A (State Senate District 7)",
        )
    )
    fetch(runner)
    reply = db.session.scalars(select(AttendeeReply)).one()
    rosa = booked.panel[0]
    assert (reply.party, reply.user_id, reply.answer, reply.email) == (Party.panel, rosa.id, Answer.declined, ROSA)
    assert reply.comment == "I am at the state convention that week, sorry."
    # 10:00 in "Eastern Standard Time" (Outlook's name, with its own VTIMEZONE) is 14:00 UTC in March.
    assert reply.event_starts_at == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.reply_received")).one()
    assert (event.actor_kind, event.actor_id) == (ActorKind.user, rosa.id)

    auth.login(staffer)
    dashboard = " ".join(unescape(re.sub(r"<[^>]+>", " ", client.get("/dashboard").get_data(as_text=True))).split())
    assert "Answers from calendars" in dashboard
    assert "Rosa Delgado (panel) , interview with Candidate A" in dashboard
    assert "Declined" in dashboard and "I am at the state convention that week, sorry." in dashboard
    page = answers_on_page(client.get(f"/interviews/{booked.interview.id}").get_data(as_text=True))
    assert page["Rosa Delgado"].startswith("Declined")

    # Staff take her off the panel: the decline no longer needs them, and leaves the dashboard.
    scheduling.set_panel(booked.interview, [booked.panel[1]], actor=staffer)
    db.session.commit()
    assert "Answers from calendars" not in client.get("/dashboard").get_data(as_text=True)


def test_apple_calendar_maybe_via_icloud_is_matched_by_attendee_not_sender(imap_app, folder, booked, runner):
    booked.interview.candidate.contact_name = "Zoë Martín-Sánchez"
    db.session.commit()
    folder.deliver(
        apple_reply(
            apple_ics(booked.interview.uid, email=CONTACT, name="Zoë Martín-Sánchez", partstat="TENTATIVE"),
            # iCloud sends the answer from its own address: only the ATTENDEE says who answered.
            sender="=?utf-8?Q?Zo=C3=AB_Mart=C3=ADn-S=C3=A1nchez?= <noreply@email.apple.com>",
            subject="Invitation: Endorsement interview: Candidate A (State Senate District 7)",
        )
    )
    fetch(runner)
    reply = db.session.scalars(select(AttendeeReply)).one()
    assert (reply.party, reply.answer, reply.email, reply.name) == (
        Party.contact,
        Answer.tentative,
        CONTACT,
        "Zoë Martín-Sánchez",
    )
    assert reply.event_starts_at == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    assert db.session.scalars(select(InboxMessage)).one().from_address == "noreply@email.apple.com"


def test_outlook_counter_from_the_campaign_is_a_request_for_other_times(
    imap_app, folder, booked, runner, client, auth, make_user
):
    folder.deliver(
        outlook_reply(
            outlook_ics(
                booked.interview.uid,
                email=CONTACT,
                name="Scheduler A",
                partstat="TENTATIVE",
                method="COUNTER",
                start="20270316T140000",  # Tue 16 Mar, 14:00 New York = 18:00 UTC = 19:00 in Berlin
                end="20270316T144500",
                comment="Could we do Tuesday afternoon?",
            ),
            sender=f"Scheduler A <{CONTACT}>",
            subject="New Time Proposed: Endorsement interview: Candidate A (State Senate District 7)",
            method="COUNTER",
        )
    )
    fetch(runner)
    reply = db.session.scalars(select(AttendeeReply)).one()
    assert reply.kind is ReplyKind.counter
    assert (reply.proposed_starts_at, reply.proposed_ends_at) == (
        datetime(2027, 3, 16, 18, 0, tzinfo=UTC),
        datetime(2027, 3, 16, 18, 45, tzinfo=UTC),
    )
    request = db.session.scalars(select(CandidateRequest)).one()
    assert (request.invitation_id, request.kind, request.message) == (
        booked.invitation.id,
        RequestKind.other_times,
        "Could we do Tuesday afternoon?",
    )
    assert (request.proposed_starts_at, request.proposed_ends_at) == (reply.proposed_starts_at, reply.proposed_ends_at)
    assert request.handled_at is None
    # The interview still stands: the invitation stays accepted, the request is to move it.
    db.session.refresh(booked.invitation)
    assert booked.invitation.status is InvitationStatus.accepted
    notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "candidate_request")).one()
    assert "proposed another time from their calendar (Tue 16 Mar 2027, 14:00 EDT–14:45 EDT)" in notice.subject

    # A staff member in Berlin sees the proposal in their own zone, on the ledger and the dashboard.
    berlin = make_user("staff", name="Greta Vogel", timezone="Europe/Berlin")
    auth.login(berlin)
    ledger = unescape(client.get(f"/races/{booked.interview.race_id}/invitation/ledger").get_data(as_text=True))
    assert "proposed Tue 16 Mar 2027, 19:00 CET–19:45 CET from their calendar: Could we do Tuesday afternoon?" in ledger
    dashboard = unescape(client.get("/dashboard").get_data(as_text=True))
    assert "Proposed from their calendar: Tue 16 Mar 2027, 19:00 CET–19:45 CET" in dashboard

    # The notice to staff goes to the organiser address, the mailbox being read: it comes back, and is
    # recognised as our own e-mail rather than listed as one the app could not use.
    folder.deliver(compose.email_bytes(compose.build_email(notice)))
    assert "1 of our own" in fetch(runner)
    came_back = db.session.scalars(select(InboxMessage).where(InboxMessage.outcome == Outcome.ignored)).one()
    assert came_back.message_id == notice.message_id


def test_a_panel_members_counter_stays_on_the_interview(imap_app, folder, booked, runner, client, auth, staffer):
    folder.deliver(
        outlook_reply(
            outlook_ics(
                booked.interview.uid,
                email=TOM,
                name="Tom Becker",
                partstat="TENTATIVE",
                method="COUNTER",
                start="20270315T150000",
                end="20270315T154500",
            ),
            sender=f"Tom Becker <{TOM}>",
            subject="New Time Proposed: Endorsement interview: Candidate A",
            method="COUNTER",
        )
    )
    fetch(runner)
    assert db.session.scalars(select(AttendeeReply)).one().party is Party.panel
    assert db.session.scalars(select(CandidateRequest)).all() == []
    auth.login(staffer)
    page = answers_on_page(client.get(f"/interviews/{booked.interview.id}").get_data(as_text=True))
    # 15:00 New York is 19:00 UTC: the staff member (New York) sees 15:00 EDT.
    assert page["Tom Becker"].startswith("Proposed another time Mon 15 Mar 2027, 15:00 EDT–15:45 EDT")
    dashboard = unescape(client.get("/dashboard").get_data(as_text=True))
    assert "Proposed another time" in dashboard and "Tom Becker" in dashboard


def test_an_answer_to_an_earlier_sequence_is_kept_and_shown_as_about_an_earlier_time(
    imap_app, folder, booked, runner, client, auth, staffer
):
    interview = booked.interview
    scheduling.move_interview(
        interview,
        starts_at=interview.starts_at + timedelta(days=1),
        ends_at=interview.ends_at + timedelta(days=1),
        timezone=interview.timezone,
        location=None,
        actor=staffer,
    )
    db.session.commit()
    assert interview.sequence == 1
    # Rosa answers the invitation she had before the move (SEQUENCE 0, Monday 10:00).
    folder.deliver(
        google_reply(
            google_ics(interview.uid, email=ROSA, name="Rosa Delgado", partstat="ACCEPTED", sequence=0),
            sender=f"Rosa Delgado <{ROSA}>",
            subject="Accepted: Endorsement interview",
        )
    )
    fetch(runner)
    reply = db.session.scalars(select(AttendeeReply)).one()
    assert (reply.sequence, reply.answer) == (0, Answer.accepted)
    auth.login(staffer)
    page = answers_on_page(client.get(f"/interviews/{interview.id}").get_data(as_text=True))
    assert "About an earlier time they answered for Mon 15 Mar 2027, 10:00 EDT" in page["Rosa Delgado"]
    assert "(version 0, now 1)" in page["Rosa Delgado"]


def test_delegation_and_the_delegates_answer_are_shown_as_such(imap_app, folder, booked, runner, client, auth, staffer):
    uid = booked.interview.uid
    delegate = "maria.lopez@labor.example.org"
    folder.deliver(
        google_reply(
            google_ics(
                uid,
                email=TOM,
                name="Tom Becker",
                partstat="DELEGATED",
                attendee_params=f';DELEGATED-TO="mailto:{delegate}"',
                # The delegate's line, still to answer (RFC 5546 4.2.5).
                extra_attendee=f'ATTENDEE;PARTSTAT=NEEDS-ACTION;DELEGATED-FROM="mailto:{TOM}";CN=Maria Lopez:'
                f"mailto:{delegate}\n",
            ),
            sender=f"Tom Becker <{TOM}>",
            subject="Delegated: Endorsement interview",
            message_id="<delegation-1@mail.example.org>",
        ),
        google_reply(
            google_ics(
                uid,
                email=delegate,
                name="Maria Lopez",
                partstat="ACCEPTED",
                attendee_params=f';DELEGATED-FROM="mailto:{TOM}"',
                stamp="20270201T110000Z",
            ),
            sender=f"Maria Lopez <{delegate}>",
            subject="Accepted: Endorsement interview",
            message_id="<delegation-2@mail.example.org>",
        ),
    )
    fetch(runner)
    delegation, acceptance = db.session.scalars(select(AttendeeReply).order_by(AttendeeReply.id)).all()
    tom = booked.panel[1]
    assert (delegation.user_id, delegation.answer, delegation.delegated_to) == (tom.id, Answer.delegated, delegate)
    assert (acceptance.user_id, acceptance.answer, acceptance.email, acceptance.delegated_from) == (
        tom.id,
        Answer.accepted,
        delegate,
        TOM,
    )
    auth.login(staffer)
    page = answers_on_page(client.get(f"/interviews/{booked.interview.id}").get_data(as_text=True))
    assert page["Tom Becker"].startswith(f"Accepted by their delegate Maria Lopez <{delegate}>, delegated from {TOM}")
    assert f"Delegated to {delegate}" in page["Tom Becker"]  # in the list of all their answers


def test_a_campaign_declining_in_its_calendar_reaches_the_dashboard(
    imap_app, folder, booked, runner, client, auth, staffer
):
    folder.deliver(
        google_reply(
            google_ics(
                booked.interview.uid,
                email=CONTACT,
                name="Scheduler A",
                partstat="DECLINED",
                note="The candidate is ill",
            ),
            sender=f"Scheduler A <{CONTACT}>",
            subject="Declined: Endorsement interview",
        )
    )
    fetch(runner)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.reply_received")).one()
    assert event.summary == "Scheduler A answered declined to Candidate A's interview (State Senate District 7)"
    auth.login(staffer)
    dashboard = " ".join(unescape(re.sub(r"<[^>]+>", " ", client.get("/dashboard").get_data(as_text=True))).split())
    assert "Scheduler A (campaign contact) , interview with Candidate A (State Senate District 7)" in dashboard
    assert "Declined" in dashboard and "The candidate is ill" in dashboard
    # The interview still stands: declining in a calendar is not cancelling, staff decide.
    db.session.refresh(booked.interview)
    assert booked.interview.status.value == "scheduled"
