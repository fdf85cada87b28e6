"""A realistic, fictional organisation to try the app with: `flask --app wsgi demo`.

The core accounts, races and candidates are loaded here; each feature adds its part in
interviews/<feature>/demo.py (a `load(ctx)` function), in the order below.
"""

from __future__ import annotations

import importlib
import os
import unicodedata
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select

import interviews.types
from interviews.audit.actors import System
from interviews.auth import services as accounts
from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.races.models import Candidate, QuorumKind, Race, VoteBase
from interviews.scheduling.models import Location, LocationKind
from interviews.types import utcnow

DEMO_DOMAIN = "riverside-labor.example.org"
FEATURE_STEPS = ("scheduling", "invitations", "calendar", "notes", "questionnaires", "votes", "decisions", "mail")

ADMIN = ("Dolores Huerta-Vance", "admin", "Director of Operations")
STAFF = [
    ("Marcus Oyelaran", "Political Director"),
    ("Priya Ramaswamy", "Political Organizer"),
]
# (name, title, voting member, per-capita weight)
LEADERS = [
    ("Angela Castellanos", "President", True, 4200),
    ("Walter Kowalczyk", "Secretary-Treasurer", True, 3800),
    ("Denise Okafor", "Executive Vice President", True, 2900),
    ("Tomás Gutiérrez", "Vice President, Building Trades", True, 3100),
    ("Rebecca Lindqvist", "Vice President, Public Sector", True, 2700),
    ("Harold Baptiste", "Trustee", True, 1500),
    ("Mei-Ling Zhao", "Trustee", True, 1800),
    ("Samuel Achterberg", "Trustee", True, 1200),
    ("Lorraine McAllister", "Recording Secretary", True, 2200),
    ("Kwame Mensah", "Board Member, Transit Local 241", True, 2600),
    ("Josephine Delacroix", "Board Member, Nurses Local 88", True, 3300),
    ("Raymond Szabo", "Board Member, Teamsters Local 17", True, 3600),
    ("Fatima Haddad", "Board Member, Teachers Local 502", True, 4100),
    ("Victor Nakamura", "Board Member, IBEW Local 9", True, 1900),
    ("Gloria Espinoza", "Board Member, SEIU Local 1021", False, 1),
    ("Patrick O'Rourke", "Board Member, Firefighters Local 3", False, 1),
    ("Nadia Petrovic", "Board Member, Hotel Workers Local 2", False, 1),
    ("Curtis Whitfield", "Retirees' Representative", False, 1),
    ("Aisha Bello", "Young Workers' Representative", False, 1),
    ("Eduardo Figueroa", "Community Liaison", False, 1),
]


class RaceSpec(TypedDict):
    title: str
    office: str
    jurisdiction: str
    election_date: date
    rule: dict[str, Any]  # Race's voting-rule columns
    candidates: list[tuple[str, str, bool, str, str]]  # name, party, incumbent, contact, e-mail


RACES: list[RaceSpec] = [
    {
        "title": "2028 Presidential endorsement",
        "office": "President of the United States",
        "jurisdiction": "United States",
        "election_date": date(2028, 11, 7),
        "rule": dict(
            threshold_numerator=2,
            threshold_denominator=3,
            threshold_inclusive=True,
            vote_base=VoteBase.cast,
            weighted=True,
            secret_ballot=False,
        ),
        "candidates": [
            ("Eleanor Whitcombe", "Democratic", False, "Jordan Ellis", "scheduling@whitcombe2028.example.com"),
            ("Marcus Delgado", "Democratic", False, "Tara Nguyen", "events@delgadoforamerica.example.com"),
            ("Ruth Abernathy", "Democratic", False, "Caleb Brooks", "schedule@abernathy2028.example.com"),
            ("Franklin Osei", "Republican", False, "Morgan Price", "scheduler@oseiforpresident.example.com"),
            ("Harriet Lindgren", "Independent", False, "Sam Whitaker", "team@lindgren2028.example.com"),
        ],
    },
    {
        "title": "2027 Governor",
        "office": "Governor",
        "jurisdiction": "State of Columbia",
        "election_date": date(2027, 11, 2),
        "rule": dict(
            threshold_numerator=58,
            threshold_denominator=100,
            threshold_inclusive=True,
            vote_base=VoteBase.cast,
            weighted=False,
            secret_ballot=True,
        ),
        "candidates": [
            ("Diane Kessler", "Democratic", True, "Owen Park", "schedule@kesslerforcolumbia.example.com"),
            ("Thomas Reyes", "Democratic", False, "Lucia Fernández", "events@reyes4gov.example.com"),
            ("Gregory Hale", "Republican", False, "Brett Collins", "scheduling@haleforgovernor.example.com"),
            ("Lawrence Pike", "Libertarian", False, "Dana Whitlock", "team@pikeforcolumbia.example.com"),
        ],
    },
    {
        "title": "State Senate District 12",
        "office": "State Senator, District 12",
        "jurisdiction": "State of Columbia, Senate District 12",
        "election_date": date(2027, 11, 2),
        "rule": dict(
            threshold_numerator=1,
            threshold_denominator=2,
            threshold_inclusive=False,
            vote_base=VoteBase.cast,
            weighted=False,
            secret_ballot=False,
        ),
        "candidates": [
            ("Alicia Moreno", "Democratic", False, "Alicia Moreno", "alicia@morenofor12.example.com"),
            ("Kenneth Ward", "Republican", True, "Janet Ward", "office@wardforsenate.example.com"),
        ],
    },
]

LOCATIONS = [
    ("Union Hall, Boardroom A", LocationKind.room, "1200 Harbor Street, 3rd floor", "", 24),
    ("Union Hall, Auditorium", LocationKind.room, "1200 Harbor Street, ground floor", "", 300),
    ("Video meeting (board room link)", LocationKind.video, "", "https://meet.example.org/riverside-board", None),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or "union-demo-2026"


def email_for(name: str) -> str:
    # "Tomás Gutiérrez" -> t.gutierrez: accents folded, not dropped.
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    first, *rest = folded.lower().replace("'", "").split()
    last = rest[-1] if rest else "member"
    return f"{first[0]}.{last}@{DEMO_DOMAIN}"


@dataclass
class DemoContext:
    """What the core demo made, handed to each feature's loader."""

    admin: User
    staff: list[User]
    leaders: list[User]
    races: dict[str, Race]
    locations: list[Location]
    now: datetime = field(default_factory=utcnow)

    @property
    def voting_members(self) -> list[User]:
        return [u for u in self.leaders if u.is_voting_member]


def clock(moment: datetime) -> AbstractContextManager[None]:
    """Run the services as if it were `moment`, so a past event is stored as the app stored it then."""
    return interviews.types.stopped_clock(moment)


def local_time(moment: datetime, hour: int, minute: int = 0, zone: str = "America/New_York") -> datetime:
    """That day (in `zone`) at hour:minute local time, as UTC."""
    local = moment.astimezone(ZoneInfo(zone)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(UTC)


def weekday_at(moment: datetime, hour: int, minute: int = 0, zone: str = "America/New_York") -> datetime:
    """The first weekday on or after `moment`'s day (in `zone`) at hour:minute local time, as UTC."""
    while moment.astimezone(ZoneInfo(zone)).weekday() >= 5:
        moment += timedelta(days=1)
    return local_time(moment, hour, minute, zone)


def _deliver_old_mail(now: datetime) -> None:
    """What the mail worker did in the weeks the story covers: only today's messages still wait."""
    old = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.pending, OutboxMessage.created_at < now - timedelta(minutes=30)
        )
    )
    for message in old:
        message.status = OutboxStatus.sent
        message.attempts = 1
        message.last_attempt_at = message.sent_at = message.created_at + timedelta(seconds=40)


def _already_loaded() -> bool:
    return db.session.scalar(select(User).where(User.email == f"admin@{DEMO_DOMAIN}")) is not None


def load_demo() -> bool:
    """Load the demo once. Returns False when it was already there."""
    if _already_loaded():
        return False
    now = utcnow()
    with clock(now - timedelta(weeks=13)):  # the accounts and races were set up a season ago
        admin, staff, leaders, locations, races = _core()
    ctx = DemoContext(admin=admin, staff=staff, leaders=leaders, races=races, locations=locations, now=now)
    # Imported by name, not at the top: each feature's demo builds on this module's DemoContext.
    for feature in FEATURE_STEPS:
        importlib.import_module(f"interviews.{feature}.demo").load(ctx)
        db.session.flush()
    _deliver_old_mail(now)
    db.session.commit()
    return True


def _core() -> tuple[User, list[User], list[User], list[Location], dict[str, Race]]:
    password = demo_password()
    # The demo's first account is made by the loader, as `flask create-user` makes a real one.
    admin = accounts.create_user(
        email=f"admin@{DEMO_DOMAIN}",
        name=ADMIN[0],
        role=Role.admin,
        password=password,
        title=ADMIN[2],
        actor=System("demo loader"),
    )
    staff = [
        accounts.create_user(
            email=email_for(name), name=name, role=Role.staff, password=password, title=title, actor=admin
        )
        for name, title in STAFF
    ]
    zones = ["America/New_York", "America/Chicago", "America/New_York", "America/Los_Angeles"]
    leaders = [
        accounts.create_user(
            email=email_for(name),
            name=name,
            role=Role.leader,
            password=password,
            title=title,
            is_voting_member=voting,
            vote_weight=weight,
            timezone=zones[i % len(zones)],
            actor=admin,
        )
        for i, (name, title, voting, weight) in enumerate(LEADERS)
    ]
    locations = [
        Location(name=name, kind=kind, address=address, join_url=url, capacity=capacity)
        for name, kind, address, url, capacity in LOCATIONS
    ]
    db.session.add_all(locations)
    races: dict[str, Race] = {}
    for i, spec in enumerate(RACES):
        race = Race(
            title=spec["title"],
            office=spec["office"],
            jurisdiction=spec["jurisdiction"],
            election_date=spec["election_date"],
            quorum_kind=QuorumKind.fraction,
            quorum_numerator=1,
            quorum_denominator=2,
            created_by=staff[0],
            **spec["rule"],
        )
        race.panel = leaders[i * 4 : i * 4 + 5]
        for name, party, incumbent, contact, email in spec["candidates"]:
            race.candidates.append(
                Candidate(
                    name=name,
                    party=party,
                    incumbent=incumbent,
                    contact_name=contact,
                    contact_email=email,
                    contact_phone="(555) 01" + str(10 + len(race.candidates)),
                    website="https://" + email.split("@")[1],
                )
            )
        db.session.add(race)
        races[spec["title"]] = race
    db.session.flush()
    return admin, staff, leaders, locations, races


def print_logins() -> None:
    password = demo_password()
    people = db.session.scalars(
        select(User).where(User.email.endswith(f"@{DEMO_DOMAIN}")).order_by(User.role, User.name)
    ).all()
    if not people:
        return
    click.echo(f"\nDemo accounts (password for all: {password}):")
    for user in people:
        voting = f", votes with weight {user.vote_weight}" if user.is_voting_member else ""
        click.echo(f"  {user.role.value:<7} {user.email:<42} {user.name}{voting}")
