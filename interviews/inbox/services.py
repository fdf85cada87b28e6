"""The rules for one message read from the mailbox: whose answer it is, to which interview, or why not.

`read` turns the bytes into a `Reading` (no database); `store` writes what it says, flushed and
not committed: an `InboxMessage` always, and the `AttendeeReply` rows when the message is an
answer from someone invited. The worker commits each message on its own, so one bad message never
takes another with it, and turns a unique-key conflict (another worker stored the same message or
the same answer first) into "already handled" or "duplicate".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from interviews import signals
from interviews.audit.actors import Actor, Campaign, System
from interviews.audit.services import record
from interviews.auth.models import User
from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.inbox import itip
from interviews.inbox.itip import Attendee, CalendarAnswer, Envelope, Unusable
from interviews.inbox.models import Answer, AttendeeReply, InboxMessage, KeptReason, Outcome, Party, ReplyKind
from interviews.mail.models import OutboxMessage
from interviews.scheduling.models import Interview

ANSWER_VALUES = frozenset(answer.value for answer in Answer)


@dataclass(frozen=True)
class Place:
    """Where a message sits: the folder (`mailbox`), its UIDVALIDITY and the message's UID."""

    mailbox: str
    uidvalidity: int
    uid: int


@dataclass
class Reading:
    """What `read` made of a message: its envelope, and either the answer or why there is none."""

    envelope: Envelope
    answer: CalendarAnswer | None = None
    problem: Unusable | None = None
    calendar_text: str = ""


@dataclass(frozen=True)
class Invitee:
    """Someone an interview's invitation went to, as an answer names them."""

    party: Party
    email: str
    name: str
    user: User | None = None


@dataclass
class Stored:
    message: InboxMessage
    replies: list[AttendeeReply] = field(default_factory=list)


def read(raw: bytes) -> Reading:
    """Parse a message as received. Never raises: what cannot be used comes back as `problem`."""
    try:
        message = itip.parse_email(raw)
        envelope = itip.envelope(message)
    except Exception as error:  # noqa: BLE001  (the email package raises many kinds on hostile input)
        return Reading(
            Envelope("", "", "", None, ""), problem=Unusable(KeptReason.malformed, f"not a readable e-mail: {error}")
        )
    reading = Reading(envelope)
    parts = itip.calendar_parts(message)
    if not parts:
        reading.problem = Unusable(KeptReason.not_calendar, "the message has no calendar part (text/calendar)")
        return reading
    part = parts[0]
    try:
        data = itip.calendar_bytes(part)
        charset = part.get_content_charset()
        reading.calendar_text = itip.calendar_text(data, charset)[: itip.STORED_CALENDAR_CHARS]
        reading.answer = itip.read_calendar(data, charset=charset, mime_method=str(part.get_param("method") or ""))
    except Unusable as problem:
        reading.problem = problem
    except Exception as error:  # noqa: BLE001  (icalendar, like email, has no single error type for bad input)
        reading.problem = Unusable(KeptReason.malformed, f"the calendar part cannot be read: {type(error).__name__}")
    return reading


def dedupe_key(message_id: str) -> str | None:
    """The key two copies of one e-mail share (its Message-ID), or None when it has none."""
    cleaned = message_id.strip()
    return hashlib.sha256(cleaned.encode("utf-8")).hexdigest() if cleaned else None


def invitees(interview: Interview) -> list[Invitee]:
    """The candidate's contact and the panel as they stand now: the people whose answers count."""
    candidate = interview.candidate
    people = [Invitee(Party.contact, candidate.contact_email.strip().lower(), candidate.contact_name or candidate.name)]
    people += [
        Invitee(Party.panel, seat.user.email.lower(), seat.user.name, seat.user) for seat in interview.panel_seats
    ]
    return people


def _answering(answer: CalendarAnswer, sender: str) -> list[Attendee]:
    """The ATTENDEE lines that are the sender's answer.

    A REPLY carries the person who answered and, when they delegated, their delegate (still
    NEEDS-ACTION): the lines with an answer are the ones that count. Should a client echo
    several people, the one the e-mail is from is taken.
    """
    if answer.method == "COUNTER":
        candidates = [a for a in answer.attendees if a.email]
        if len(candidates) > 1:
            candidates = [a for a in candidates if a.partstat and a.partstat != "NEEDS-ACTION"] or candidates
    else:
        candidates = [a for a in answer.attendees if a.email and a.partstat in itip.ANSWERS]
    if len(candidates) > 1:
        candidates = [a for a in candidates if a.email == sender.lower()] or candidates
    return candidates


def _match(attendee: Attendee, people: list[Invitee]) -> tuple[Invitee, str] | None:
    """The invited person this answer is for, and the delegator's address when a delegate answered."""
    by_email = {person.email: person for person in people}
    if attendee.email in by_email:
        return by_email[attendee.email], ""
    if attendee.delegated_from and attendee.delegated_from in by_email:
        return by_email[attendee.delegated_from], attendee.delegated_from
    return None


def _actor(invitee: Invitee, interview: Interview, pass_actor: System) -> Actor:
    if invitee.party is Party.panel and invitee.user is not None:
        return invitee.user
    invitation = interview.invitation or interview.candidate.invitation
    return Campaign.of(invitation) if invitation is not None else pass_actor


def _in_zone(value: datetime | None, tz: str) -> datetime | None:
    """A floating time (no zone in the calendar) read in the interview's zone; aware times as they are."""
    if value is None or value.tzinfo is not None:
        return value
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return value.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _message_row(reading: Reading, place: Place, outcome: Outcome) -> InboxMessage:
    envelope, answer = reading.envelope, reading.answer
    row = InboxMessage(
        mailbox=place.mailbox,
        uidvalidity=place.uidvalidity,
        uid=place.uid,
        message_id=envelope.message_id,
        from_address=envelope.from_address,
        subject=envelope.subject,
        sent_at=envelope.sent_at,
        outcome=outcome,
        method=answer.method if answer else "",
        calendar_uid=answer.uid if answer else "",
        calendar_text=reading.calendar_text,
    )
    db.session.add(row)
    return row


def keep(
    reading: Reading,
    place: Place,
    reason: KeptReason,
    detail: str,
    *,
    actor: System,
    interview: Interview | None = None,
) -> InboxMessage:
    """Record a message the app cannot use: it stays in the mailbox and on the Inbox page, with why."""
    row = _message_row(reading, place, Outcome.kept)
    row.reason, row.detail, row.interview = reason, itip.storable(detail)[:2000], interview
    db.session.flush()
    record(
        "inbox.message_kept",
        row,
        changes={"reason": reason, "detail": row.detail, "uid": place.uid, "from": row.from_address},
        summary=f"Could not use the message from {row.from_address or 'an unknown sender'}: {reason.label.lower()}",
        actor=actor,
    )
    return row


def _ignore(reading: Reading, place: Place, outbox_id: int, *, actor: System) -> InboxMessage:
    row = _message_row(reading, place, Outcome.ignored)
    row.detail = f"outbox message #{outbox_id}, sent by this app to the organiser address"
    db.session.flush()
    record(
        "inbox.message_ignored",
        row,
        changes={"outbox_message_id": outbox_id, "uid": place.uid},
        summary=f"Our own e-mail came back to the organiser mailbox: {row.subject}",
        actor=actor,
    )
    return row


def _same_answer(interview: Interview, email: str, kind: ReplyKind, answer: CalendarAnswer) -> AttendeeReply | None:
    if answer.dtstamp is None:
        return None
    return db.session.scalars(
        select(AttendeeReply).where(
            AttendeeReply.interview_id == interview.id,
            AttendeeReply.email == email,
            AttendeeReply.kind == kind,
            AttendeeReply.sequence == answer.sequence,
            AttendeeReply.dtstamp == answer.dtstamp,
        )
    ).first()


def _describe(reply: AttendeeReply, who: str, interview: Interview) -> str:
    what = f"{interview.candidate.name}'s interview ({interview.race.title})"
    if reply.kind is ReplyKind.counter:
        return f"{who} proposed {format_datetime(reply.proposed_starts_at, interview.timezone)} for {what}"
    assert reply.answer is not None
    if reply.answer is Answer.delegated:
        return f"{who} delegated {what} to {reply.delegated_to or 'someone else'}"
    return f"{who} answered {reply.answer.label.lower()} to {what}"


def store(reading: Reading, place: Place, *, actor: System) -> Stored:
    """Write what one message says (flushed, not committed). `actor` is the pass reading the mailbox."""
    envelope, answer = reading.envelope, reading.answer
    if envelope.message_id:
        own = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_id == envelope.message_id))
        if own is not None:
            return Stored(_ignore(reading, place, own, actor=actor))
    if envelope.automatic and (answer is None or reading.problem is not None):
        return Stored(keep(reading, place, KeptReason.automatic, envelope.automatic, actor=actor))
    if reading.problem is not None or answer is None:
        problem = reading.problem or Unusable(KeptReason.malformed, "no answer in the message")
        return Stored(keep(reading, place, problem.reason, str(problem), actor=actor))
    interview = db.session.scalar(select(Interview).where(Interview.uid == answer.uid))
    if interview is None:
        return Stored(
            keep(reading, place, KeptReason.unknown_uid, f"no interview has the UID {answer.uid!r}", actor=actor)
        )
    key = dedupe_key(envelope.message_id)
    if key is not None:
        first = db.session.scalar(select(InboxMessage.id).where(InboxMessage.dedupe_key == key))
        if first is not None:
            return Stored(
                keep(
                    reading,
                    place,
                    KeptReason.duplicate,
                    f"the same e-mail (Message-ID) was read before: message #{first}",
                    actor=actor,
                    interview=interview,
                )
            )
    answering = _answering(answer, envelope.from_address)
    if not answering:
        return Stored(
            keep(
                reading,
                place,
                KeptReason.malformed,
                "no ATTENDEE in it gives an answer (ACCEPTED, TENTATIVE, DECLINED or DELEGATED)",
                actor=actor,
                interview=interview,
            )
        )
    people = invitees(interview)
    matched = [(attendee, _match(attendee, people)) for attendee in answering]
    if any(found is None for _, found in matched):
        stranger = next(attendee.email for attendee, found in matched if found is None)
        return Stored(
            keep(
                reading,
                place,
                KeptReason.not_invited,
                f"{stranger} is neither the campaign's contact nor on the panel of this interview",
                actor=actor,
                interview=interview,
            )
        )
    kind = ReplyKind.counter if answer.method == "COUNTER" else ReplyKind.reply
    proposed: tuple[datetime, datetime] | None = None
    if kind is ReplyKind.counter:
        starts_at = _in_zone(answer.starts_at, interview.timezone)
        if starts_at is None:
            return Stored(
                keep(
                    reading,
                    place,
                    KeptReason.malformed,
                    "a proposal of another time (COUNTER) without a start (DTSTART)",
                    actor=actor,
                    interview=interview,
                )
            )
        ends_at = _in_zone(answer.ends_at, interview.timezone) or starts_at + (interview.ends_at - interview.starts_at)
        if ends_at <= starts_at:
            return Stored(
                keep(
                    reading,
                    place,
                    KeptReason.malformed,
                    "the proposed time ends before it starts",
                    actor=actor,
                    interview=interview,
                )
            )
        proposed = (starts_at, ends_at)
    fresh = [(a, f) for a, f in matched if _same_answer(interview, a.email, kind, answer) is None]
    if not fresh:
        return Stored(
            keep(
                reading,
                place,
                KeptReason.duplicate,
                "the same answer (same version and time stamp) was read before",
                actor=actor,
                interview=interview,
            )
        )
    row = _message_row(reading, place, Outcome.handled)
    row.interview = interview
    row.dedupe_key = key
    db.session.flush()
    stored = Stored(row)
    for attendee, found in fresh:
        assert found is not None
        invitee, delegator = found
        partstat = attendee.partstat.lower()
        reply = AttendeeReply(
            interview=interview,
            message=row,
            kind=kind,
            party=invitee.party,
            user=invitee.user,
            email=attendee.email,
            name=(attendee.name or (invitee.name if not delegator else ""))[:200],
            answer=Answer(partstat) if partstat in ANSWER_VALUES else None,
            comment=(answer.comment or attendee.comment)[:4000],
            delegated_to=attendee.delegated_to,
            delegated_from=delegator,
            sequence=answer.sequence,
            dtstamp=answer.dtstamp,
            event_starts_at=_in_zone(answer.starts_at, interview.timezone) if kind is ReplyKind.reply else None,
            proposed_starts_at=proposed[0] if proposed else None,
            proposed_ends_at=proposed[1] if proposed else None,
        )
        if kind is ReplyKind.reply and reply.answer is None:
            # _answering only passes lines with one of the four answers; this keeps the invariant visible.
            raise AssertionError("a reply without an answer")
        db.session.add(reply)
        db.session.flush()
        person_actor = _actor(invitee, interview, actor)
        who = invitee.name if not delegator else f"{attendee.email} (for {invitee.name})"
        record(
            "calendar.time_proposed" if kind is ReplyKind.counter else "calendar.reply_received",
            reply,
            changes={
                "interview_id": interview.id,
                "email": reply.email,
                "answer": reply.answer,
                "comment": reply.comment,
                "sequence": reply.sequence,
                "interview_sequence": interview.sequence,
                "delegated_to": reply.delegated_to,
                "delegated_from": reply.delegated_from,
                "proposed_starts_at": reply.proposed_starts_at,
                "proposed_ends_at": reply.proposed_ends_at,
                "inbox_message_id": row.id,
            },
            summary=_describe(reply, who, interview),
            actor=person_actor,
        )
        if proposed is not None:
            signals.time_proposed.send(
                interview,
                actor=person_actor,
                email=reply.email,
                starts_at=proposed[0],
                ends_at=proposed[1],
                comment=reply.comment,
                by_contact=invitee.party is Party.contact,
            )
        stored.replies.append(reply)
    return stored
