"""Calendar downloads and subscription feeds.

A feed answers conditional requests from one aggregate query (how many interviews, the sum of
their ids and SEQUENCEs, the latest change to them and to the races, candidates, places and panel
members their events name): a calendar app polling every hour gets a 304 without
the app loading a single interview. Only when that validator changed is the feed built, from two
row queries (interviews with race, candidate and place; then the panels), whatever the size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from interviews.auth.models import User
from interviews.calendar import ics
from interviews.calendar.events import (
    Audience,
    InterviewFacts,
    event_data,
    event_from_facts,
    organizer,
    page_url_builder,
)
from interviews.calendar.ics import Person
from interviews.calendar.links import CalendarLinks, calendar_links
from interviews.extensions import db
from interviews.races.models import Candidate, Race
from interviews.scheduling.models import Interview, InterviewStatus, Location, PanelSeat
from interviews.types import utcnow

FEED_FORMAT_VERSION = "1"
# Rows fetched per round trip while a feed streams.
FEED_BATCH = 1000


def ics_for_download(interview: Interview, audience: Audience = Audience.candidate) -> bytes:
    """The interview as one .ics: a REQUEST, or a CANCEL once it is cancelled (so importing it removes it).

    The candidate's copy (the default) links their own page; `Audience.panel` links the app's page.
    """
    data = event_data(interview, audience)
    if interview.status is InterviewStatus.cancelled:
        return ics.cancellation(data)
    return ics.request(data)


def calendar_links_for(interview: Interview, audience: Audience = Audience.candidate) -> CalendarLinks:
    """“Add to Google Calendar” and “Add to Outlook” links for the interview, as the .ics describes it."""
    return calendar_links(event_data(interview, audience))


def retention() -> timedelta:
    """How long a cancelled interview stays in feeds (as CANCELLED), so subscribers' calendars drop it."""
    return timedelta(days=int(current_app.config.get("CALENDAR_CANCELLED_RETENTION_DAYS", 30)))


def feed_user(token: str) -> User | None:
    """The active account whose feed token this is; None for an unknown, rotated or disabled one."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(User).where(User.feed_token == token, User.active.is_(True)))


@dataclass(frozen=True)
class Feed:
    """One subscription: what it is called and which interviews it holds."""

    name: str
    scope: Callable[[Select[Any]], Select[Any]]  # narrows a select over Interview


def personal_feed(user: User) -> Feed:
    org = current_app.config["ORGANIZATION_NAME"]

    def scope(query: Select[Any]) -> Select[Any]:
        return query.where(
            Interview.id.in_(select(PanelSeat.interview_id).where(PanelSeat.user_id == user.id).scalar_subquery())
        )

    return Feed(f"{org}: my interviews", scope)


def all_interviews_feed() -> Feed:
    return Feed(f"{current_app.config['ORGANIZATION_NAME']}: all interviews", lambda query: query)


def race_feed(race: Race) -> Feed:
    org = current_app.config["ORGANIZATION_NAME"]
    return Feed(f"{org}: {race.title}", lambda query: query.where(Interview.race_id == race.id))


def _retained(now: datetime) -> ColumnElement[bool]:
    cutoff = now - retention()
    return or_(
        Interview.status != InterviewStatus.cancelled,
        and_(Interview.cancelled_at.is_not(None), Interview.cancelled_at >= cutoff),
    )


@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: datetime


def validator(feed: Feed, *, now: datetime | None = None) -> Validator:
    """ETag and Last-Modified from one aggregate query; the calendar itself is not built.

    The events also carry the race's title, the candidate's and contact's names, the place and the
    panel's names and addresses: the latest change to any of those rows (joined to this feed's
    interviews only) is part of the validator, so renaming one reaches subscribers on their next poll.
    """
    now = now or utcnow()
    kept = _retained(now)
    # The panel is many rows per interview: a scalar subquery in the same statement, not a join that
    # would multiply the counts and sums. Aliases keep it from correlating with the outer Interview.
    seat, member = aliased(PanelSeat), aliased(User)
    kept_ids = feed.scope(select(Interview.id).where(kept)).correlate(None).scalar_subquery()
    panel_changed = (
        select(func.max(member.updated_at))
        .select_from(seat)
        .join(member, member.id == seat.user_id)
        .where(seat.interview_id.in_(kept_ids))
        .scalar_subquery()
    )
    query = feed.scope(
        select(
            func.count(Interview.id).filter(kept),
            func.coalesce(func.sum(Interview.id).filter(kept), 0),
            func.coalesce(func.sum(Interview.sequence).filter(kept), 0),
            func.max(Interview.updated_at).filter(kept),
            # A cancelled interview leaving the feed changes it too: when did the last one leave?
            func.max(Interview.cancelled_at).filter(~kept),
            func.max(Race.updated_at).filter(kept),
            func.max(Candidate.updated_at).filter(kept),
            func.max(Location.updated_at).filter(kept),
            panel_changed,
        )
        .select_from(Interview)
        .join(Race, Race.id == Interview.race_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Location, Location.id == Interview.location_id)
    )
    count, id_sum, sequence_sum, latest, last_dropped, *related = db.session.execute(query).one()
    latest = _aware(latest)
    related = [_aware(moment) for moment in related]
    moments = [latest or datetime(2000, 1, 1, tzinfo=UTC), *(moment for moment in related if moment is not None)]
    if (dropped := _aware(last_dropped)) is not None:
        moments.append(dropped + retention())
    last_modified = max(moments).replace(microsecond=0)
    config = current_app.config
    fingerprint = "|".join(
        str(part)
        for part in (
            FEED_FORMAT_VERSION,
            feed.name,
            config["BASE_URL"],
            config["ORGANIZER_EMAIL"],
            retention().days,
            count,
            id_sum,
            sequence_sum,
            latest.isoformat() if latest else "",
            last_dropped,
            *(moment.isoformat() if moment else "" for moment in related),
        )
    )
    return Validator(hashlib.sha256(fingerprint.encode()).hexdigest()[:32], last_modified)


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back a naive UTC time (or a string).
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def feed_facts(feed: Feed, *, now: datetime | None = None) -> Iterator[InterviewFacts]:
    """The feed's interviews as plain values, streamed from two queries whatever the size of the feed.

    Rows, not ORM objects: a feed of 10,000 interviews and their panels would otherwise spend
    more time building objects than the calendar takes to write. The interviews and the panels
    are read from two cursors in the same order (start, then id) and merged as they are read,
    so memory stays flat. A generator: nothing is read until the feed is.
    """
    kept = _retained(now or utcnow())
    rows = db.session.execute(
        feed.scope(
            select(
                Interview.id,
                Interview.uid,
                Interview.sequence,
                Interview.starts_at,
                Interview.ends_at,
                Interview.timezone,
                Interview.status,
                Interview.updated_at,
                Interview.race_id,
                Race.title.label("race_title"),
                Candidate.name.label("candidate_name"),
                Candidate.contact_name,
                Candidate.contact_email,
                Location.name.label("location_name"),
                Location.kind.label("location_kind"),
                Location.address.label("location_address"),
                Location.join_url.label("location_join_url"),
            )
            .join(Race, Race.id == Interview.race_id)
            .join(Candidate, Candidate.id == Interview.candidate_id)
            .outerjoin(Location, Location.id == Interview.location_id)
            .where(kept)
        )
        .order_by(Interview.starts_at, Interview.id)
        .execution_options(yield_per=FEED_BATCH)
    )
    # Aliases, so that a feed's scope (a subquery over panel seats) does not correlate with these.
    seat, member = aliased(PanelSeat), aliased(User)
    seats = db.session.execute(
        feed.scope(
            select(seat.interview_id, member.name, member.email)
            .join(Interview, Interview.id == seat.interview_id)
            .join(member, member.id == seat.user_id)
            .where(kept)
        )
        .order_by(Interview.starts_at, Interview.id, seat.id)
        .execution_options(yield_per=FEED_BATCH)
    )
    panels = groupby(seats, key=itemgetter(0))
    pending = next(panels, None)
    # One Person per account, however many panels it sits on.
    people: dict[tuple[str, str], Person] = {}
    for (
        interview_id,
        uid,
        sequence,
        starts_at,
        ends_at,
        timezone,
        status,
        updated_at,
        race_id,
        race_title,
        candidate_name,
        contact_name,
        contact_email,
        location_name,
        location_kind,
        location_address,
        location_join_url,
    ) in rows:
        panel: tuple[Person, ...] = ()
        if pending is not None and pending[0] == interview_id:
            seated = []
            for _, name, email in pending[1]:
                person = people.get((name, email))
                if person is None:
                    person = people[name, email] = Person(name, email)
                seated.append(person)
            panel = tuple(seated)
            pending = next(panels, None)
        yield InterviewFacts(
            id=interview_id,
            uid=uid,
            sequence=sequence,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=timezone,
            status=status,
            updated_at=updated_at,
            race_id=race_id,
            race_title=race_title,
            candidate_name=candidate_name,
            contact=Person(contact_name or candidate_name, contact_email),
            panel=panel,
            location_name=location_name or "",
            location_kind=location_kind,
            location_address=location_address or "",
            location_join_url=location_join_url or "",
        )


def feed_events(feed: Feed, *, now: datetime | None = None) -> list[ics.EventData]:
    """The feed's events: panel copies (never a candidate's personal link), links to the app's pages."""
    sender = organizer()
    page_url = page_url_builder()
    # only=(): a PUBLISH feed carries no ATTENDEE lines (RFC 5546), so none are worked out.
    return [
        event_from_facts(facts, Audience.panel, page_url=page_url(facts), only=(), organizer_person=sender)
        for facts in feed_facts(feed, now=now)
    ]


def build_feed(feed: Feed, *, now: datetime | None = None) -> bytes:
    """The whole feed as METHOD:PUBLISH bytes."""
    return b"".join(feed_chunks(feed, now=now))


def feed_chunks(feed: Feed, *, now: datetime | None = None) -> Iterator[bytes]:
    """The feed as METHOD:PUBLISH bytes, a few events at a time (the response streams them).

    A generator, so the rows are read while the response streams, in the request's transaction.
    """
    sender = organizer()
    page_url = page_url_builder()
    events = (
        event_from_facts(facts, Audience.panel, page_url=page_url(facts), only=(), organizer_person=sender)
        for facts in feed_facts(feed, now=now)
    )
    yield from ics.feed_chunks(events, name=feed.name, description=feed_description(feed))


def feed_description(feed: Feed) -> str:
    return f"Endorsement interviews of {feed.name}"
