"""From an Interview to the plain EventData the iCalendar builders take.

There are two copies of every event. The candidate's carries their personal page (where they can
move or cancel): that link acts on their behalf, so it goes to them only. The panel's copy (also
used in feeds and staff downloads) links the interview page inside the app instead.

The mapping works on `InterviewFacts`, plain values read either from a loaded Interview
(`facts_of`) or straight from result rows (feeds of thousands: see services.feed_facts), so
both paths give the same event.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from interviews.calendar.ics import EventData, Person, Status
from interviews.filters import format_datetime
from interviews.invitations.links import candidate_url
from interviews.scheduling.models import Interview, InterviewStatus, LocationKind


class Audience(enum.Enum):
    candidate = "candidate"
    panel = "panel"


@dataclass(slots=True)
class InterviewFacts:
    """What a calendar shows of one interview, as plain values."""

    id: int
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: InterviewStatus
    updated_at: datetime | None
    race_id: int
    race_title: str
    candidate_name: str
    contact: Person
    panel: tuple[Person, ...]
    location_name: str = ""
    location_kind: LocationKind | None = None
    location_address: str = ""
    location_join_url: str = ""

    @property
    def where(self) -> str:
        """LOCATION: the address of a room, the link of a video meeting (as Location.where)."""
        if self.location_kind is None:
            return ""
        if self.location_kind is LocationKind.video:
            return self.location_join_url or self.location_name
        return f"{self.location_name}, {self.location_address}" if self.location_address else self.location_name

    @property
    def join_link(self) -> str:
        return self.location_join_url if self.location_kind is LocationKind.video else ""


def facts_of(interview: Interview) -> InterviewFacts:
    candidate, location = interview.candidate, interview.location
    return InterviewFacts(
        id=interview.id,
        uid=interview.uid,
        sequence=interview.sequence,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        timezone=interview.timezone,
        status=interview.status,
        updated_at=interview.updated_at,
        race_id=interview.race_id,
        race_title=interview.race.title,
        candidate_name=candidate.name,
        contact=Person(candidate.contact_name or candidate.name, candidate.contact_email),
        panel=tuple(Person(seat.user.name, seat.user.email) for seat in interview.panel_seats),
        location_name=location.name if location else "",
        location_kind=location.kind if location else None,
        location_address=location.address if location else "",
        location_join_url=location.join_url if location else "",
    )


def organizer() -> Person:
    """The union's real scheduling address (never a noreply: replies and RSVPs must reach someone)."""
    return Person(current_app.config["ORGANIZATION_NAME"], current_app.config["ORGANIZER_EMAIL"])


def candidate_contact(interview: Interview) -> Person:
    candidate = interview.candidate
    return Person(candidate.contact_name or candidate.name, candidate.contact_email)


def attendees(facts: InterviewFacts) -> list[Person]:
    """The candidate's contact, then the panel; one line per address."""
    seen: set[str] = set()
    unique = []
    for person in (facts.contact, *facts.panel):
        if person.email.lower() not in seen:
            seen.add(person.email.lower())
            unique.append(person)
    return unique


def page_url_builder() -> Callable[[InterviewFacts], str]:
    """A function giving each interview's page, absolute; the URL map is bound once for a whole feed."""
    base: str = current_app.config["BASE_URL"].rstrip("/")
    adapter = current_app.url_map.bind("localhost")

    def build(facts: InterviewFacts) -> str:
        path: str = adapter.build("scheduling.interview_detail", {"interview_id": facts.id})
        return base + path

    return build


def interview_page_url(facts: InterviewFacts) -> str:
    """The interview's page in the app, absolute (the panel's copy links it; never the candidate's link)."""
    return page_url_builder()(facts)


def candidate_page_url(interview: Interview) -> str:
    """The candidate's own signed page (absolute, from BASE_URL), or "" when they were not invited by link."""
    if interview.invitation is None:
        return ""
    return candidate_url(interview.invitation)


def summary(facts: InterviewFacts | Interview) -> str:
    if isinstance(facts, Interview):
        return f"Endorsement interview: {facts.candidate.name} ({facts.race.title})"
    return f"Endorsement interview: {facts.candidate_name} ({facts.race_title})"


def description(facts: InterviewFacts, audience: Audience, page_url: str, *, org: str, questions_to: str) -> str:
    lines = [
        f"{org} endorsement interview with {facts.candidate_name} for {facts.race_title}.",
        f"When: {format_datetime(facts.starts_at, facts.timezone)}",
    ]
    if facts.location_kind is not None:
        lines.append(f"Where: {facts.location_name}")
        if facts.location_address:
            lines.append(f"Address: {facts.location_address}")
    if facts.join_link:
        lines.append(f"Join the video meeting: {facts.join_link}")
    if facts.panel:
        lines.append("Panel: " + ", ".join(person.name for person in facts.panel))
    if facts.status is InterviewStatus.cancelled:
        lines.append("This interview is cancelled.")
    if page_url:
        if audience is Audience.candidate:
            lines.append(f"Your invitation page (to see the details or change the time): {page_url}")
        else:
            lines.append(f"Interview page: {page_url}")
    lines.append(f"Questions: {questions_to}")
    return "\n".join(lines)


def event_from_facts(
    facts: InterviewFacts,
    audience: Audience = Audience.panel,
    *,
    page_url: str,
    only: Sequence[Person] | None = None,
    organizer_person: Person | None = None,
) -> EventData:
    """The event for `audience`; `only` sets ATTENDEE (a CANCEL to some people; () for a feed)."""
    sender = organizer_person or organizer()
    return EventData(
        uid=facts.uid,
        sequence=facts.sequence,
        start=facts.starts_at,
        end=facts.ends_at,
        tzid=facts.timezone,
        summary=summary(facts),
        organizer=sender,
        attendees=tuple(only if only is not None else attendees(facts)),
        location=facts.where,
        description=description(facts, audience, page_url, org=sender.name, questions_to=sender.email),
        url=page_url,
        status=Status.cancelled if facts.status is InterviewStatus.cancelled else Status.confirmed,
        modified=facts.updated_at,
    )


def event_data(
    interview: Interview,
    audience: Audience = Audience.panel,
    *,
    only: Sequence[Person] | None = None,
) -> EventData:
    """The event as sent to `audience`; `only` narrows ATTENDEE to some people (a CANCEL to those removed)."""
    facts = facts_of(interview)
    page_url = candidate_page_url(interview) if audience is Audience.candidate else interview_page_url(facts)
    return event_from_facts(facts, audience, page_url=page_url, only=only)
