"""From an Interview to the plain EventData the iCalendar builders take.

There are two copies of every event. The candidate's carries their personal page (where they can
move or cancel): that link acts on their behalf, so it goes to them only. The panel's copy (also
used in feeds and staff downloads) links the interview page inside the app instead.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from flask import current_app, has_request_context
from werkzeug.routing import BuildError

from interviews.calendar.ics import EventData, Person, Status
from interviews.filters import format_datetime
from interviews.scheduling.models import Interview, InterviewStatus, LocationKind


class Audience(enum.Enum):
    candidate = "candidate"
    panel = "panel"


def organizer() -> Person:
    """The union's real scheduling address (never a noreply: replies and RSVPs must reach someone)."""
    return Person(current_app.config["ORGANIZATION_NAME"], current_app.config["ORGANIZER_EMAIL"], role="CHAIR")


def candidate_contact(interview: Interview) -> Person:
    candidate = interview.candidate
    return Person(candidate.contact_name or candidate.name, candidate.contact_email)


def panel_people(interview: Interview) -> list[Person]:
    return [Person(seat.user.name, seat.user.email) for seat in interview.panel_seats]


def attendees(interview: Interview) -> list[Person]:
    people = [candidate_contact(interview), *panel_people(interview)]
    seen: set[str] = set()
    unique = []
    for person in people:
        if person.email.lower() not in seen:
            seen.add(person.email.lower())
            unique.append(person)
    return unique


def absolute_url(endpoint: str, **values: object) -> str:
    """BASE_URL + the endpoint's path; works in requests, commands and the demo alike."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def interview_page_url(interview: Interview) -> str:
    """The interview's page in the app, absolute; the race page if scheduling has no interview page."""
    for endpoint, values in (
        ("scheduling.interview", {"interview_id": interview.id}),
        ("scheduling.detail", {"interview_id": interview.id}),
        ("races.detail", {"race_id": interview.race_id}),
    ):
        try:
            return absolute_url(endpoint, **values)
        except BuildError:
            continue
    return current_app.config["BASE_URL"] + "/"


def candidate_page_url(interview: Interview) -> str:
    """The candidate's own signed page (absolute, from BASE_URL), or "" when they were not invited by link."""
    if interview.invitation is None:
        return ""
    from interviews.invitations.links import candidate_url

    try:
        if has_request_context():
            return candidate_url(interview.invitation)
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            return candidate_url(interview.invitation)
    except BuildError:  # the candidate pages are not there (yet): no link rather than a broken one
        return ""


def summary(interview: Interview) -> str:
    return f"Endorsement interview: {interview.candidate.name} ({interview.race.title})"


def where(interview: Interview) -> str:
    return interview.location.where if interview.location is not None else ""


def join_link(interview: Interview) -> str:
    location = interview.location
    if location is not None and location.kind is LocationKind.video and location.join_url:
        return location.join_url
    return ""


def description(interview: Interview, audience: Audience, page_url: str) -> str:
    org = current_app.config["ORGANIZATION_NAME"]
    lines = [
        f"{org} endorsement interview with {interview.candidate.name} for {interview.race.title}.",
        f"When: {format_datetime(interview.starts_at, interview.timezone)}",
    ]
    if interview.location is not None:
        lines.append(f"Where: {interview.location.name}")
        if interview.location.address:
            lines.append(f"Address: {interview.location.address}")
    if join := join_link(interview):
        lines.append(f"Join the video meeting: {join}")
    names = ", ".join(seat.user.name for seat in interview.panel_seats)
    if names:
        lines.append(f"Panel: {names}")
    if interview.status is InterviewStatus.cancelled:
        lines.append("This interview is cancelled.")
    if page_url:
        if audience is Audience.candidate:
            lines.append(f"Your invitation page (to see the details or change the time): {page_url}")
        else:
            lines.append(f"Interview page: {page_url}")
    lines.append(f"Questions: {current_app.config['ORGANIZER_EMAIL']}")
    return "\n".join(lines)


def event_data(
    interview: Interview,
    audience: Audience = Audience.panel,
    *,
    only: Sequence[Person] | None = None,
    page_url: str | None = None,
) -> EventData:
    """The event as sent to `audience`; `only` narrows ATTENDEE to some people (a CANCEL to those removed)."""
    if page_url is None:
        page_url = candidate_page_url(interview) if audience is Audience.candidate else interview_page_url(interview)
    return EventData(
        uid=interview.uid,
        sequence=interview.sequence,
        start=interview.starts_at,
        end=interview.ends_at,
        tzid=interview.timezone,
        summary=summary(interview),
        organizer=organizer(),
        attendees=tuple(only if only is not None else attendees(interview)),
        location=where(interview),
        description=description(interview, audience, page_url),
        url=page_url,
        status=Status.cancelled if interview.status is InterviewStatus.cancelled else Status.confirmed,
        modified=interview.updated_at,
    )
