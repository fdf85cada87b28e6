"""A state labour federation's data, or a fraction of it, for the benchmarks: fast, and as the app writes it.

    .venv/bin/python bench/seed.py --database-url URL [--scale 1.0]

At scale 1 (issue 14's volume): 200 leaders, 50 races, 10,000 candidates (one race, the delegates to a
constitutional convention, with 2,000), about 10,000 interviews with their panels, 100,000 notes (with
their revisions; panel, leadership and staff visibility; text in which one word is common and one rare),
50,000 audit events, 20,000 outbox messages, invitation letters with their slots and each candidate's
copy, candidates' requests, member polls, open votes and a few final, published ones. Scale 0.1 is a
tenth of each. The database must be empty; `seed` makes the schema with `db.create_all()` first.

Rows go in with SQLAlchemy Core bulk inserts in batches (not through the services, which would take an
hour), with every column the services would set, consistent with each other: an accepted invitation
has its taken slot and its interview, notes are written by the interview's panel under its question
list, cancelled interviews released their slot, and so on. The audit trail is inserted with Core too
(its mapper refuses updates and deletes, not inserts). The votes are the exception: their digest chain
is the app's own, so a few go through the votes services (open, ballots, close, finalise, publish).
The full-text search structures are the app's: its triggers and generated structures fill themselves on
insert, and the app's own search DDL (`interviews.notes.search.create_search_indexes`, which ends in
the FTS rebuild on SQLite) runs again once the rows are in.

Run alone, it prints what it made as one JSON object (the benchmarks run it in a child process, so
that the memory the seeding used is not counted against the app).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from config import TestConfig
from interviews import create_app
from interviews.audit.actors import ActorKind, System
from interviews.auth.models import Role, User, hash_password
from interviews.calendar import ics
from interviews.extensions import db
from interviews.invitations.emails import content_digest
from interviews.invitations.models import (
    UNANSWERED,
    InvitationLetter,
    InvitationStatus,
    RequestKind,
)
from interviews.mail.models import OutboxStatus
from interviews.notes.models import (
    Note,
    PollMethod,
    PollResultKind,
    Visibility,
)
from interviews.races.models import QuorumKind, Race, VoteBase
from interviews.scheduling.models import CancelledBy, InterviewStatus, LocationKind
from interviews.types import stopped_clock
from interviews.votes import ballots, services

PASSWORD = "bench-password-2026"
DOMAIN = "federation.example.org"
COMMON_WORD = "wages"
RARE_WORD = "ergonomics"
BIG_RACE_TITLE = "Delegates to the Constitutional Convention, at large"
BATCH = 5000
BENCH_LEADER = 4

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
FIRST = [
    "Angela",
    "Walter",
    "Denise",
    "Tomás",
    "Rebecca",
    "Harold",
    "Mei-Ling",
    "Samuel",
    "Lorraine",
    "Kwame",
    "Josephine",
    "Raymond",
    "Fatima",
    "Victor",
    "Gloria",
    "Patrick",
    "Nadia",
    "Curtis",
    "Aisha",
    "Eduardo",
    "Priya",
    "Marcus",
    "Diane",
    "Thomas",
    "Gregory",
    "Alicia",
    "Kenneth",
    "Eleanor",
    "Ruth",
    "Franklin",
    "Harriet",
    "Owen",
    "Lucia",
    "Brett",
    "Dana",
    "Jordan",
    "Tara",
    "Caleb",
    "Morgan",
    "Sam",
    "Yusuf",
    "Ingrid",
    "Mateo",
    "Chiara",
    "Bogdan",
    "Amara",
    "Kofi",
    "Siobhan",
    "Rafael",
    "Leilani",
    "Dmitri",
    "Esperanza",
    "Hiroshi",
    "Wanjiru",
    "Tobias",
    "Marisol",
    "Ahmed",
    "Greta",
    "Desmond",
    "Paloma",
]
LAST = [
    "Castellanos",
    "Kowalczyk",
    "Okafor",
    "Gutiérrez",
    "Lindqvist",
    "Baptiste",
    "Zhao",
    "Achterberg",
    "McAllister",
    "Mensah",
    "Delacroix",
    "Szabo",
    "Haddad",
    "Nakamura",
    "Espinoza",
    "O'Rourke",
    "Petrovic",
    "Whitfield",
    "Bello",
    "Figueroa",
    "Ramaswamy",
    "Oyelaran",
    "Kessler",
    "Reyes",
    "Hale",
    "Moreno",
    "Ward",
    "Whitcombe",
    "Abernathy",
    "Osei",
    "Lindgren",
    "Park",
    "Fernández",
    "Collins",
    "Ellis",
    "Nguyen",
    "Brooks",
    "Price",
    "Whitaker",
    "Adeyemi",
    "Bergström",
    "Caruso",
    "Dimitriou",
    "Eriksen",
    "Fitzgerald",
    "Goldberg",
    "Horvath",
    "Ibrahim",
    "Jansen",
    "Kaminski",
    "Laurent",
    "Mbeki",
    "Novak",
    "Olsen",
    "Pereira",
    "Quintero",
    "Rossi",
    "Sato",
    "Tanaka",
]
PARTIES = ["Democratic", "Republican", "Working Families", "Green", "Libertarian", "Independent", ""]
OFFICES = [
    ("State House District {n}", "State Representative, District {n}", "House District {n}"),
    ("State Senate District {n}", "State Senator, District {n}", "Senate District {n}"),
    ("County Commission, Ward {n}", "County Commissioner, Ward {n}", "Riverside County, Ward {n}"),
    ("City Council District {n}", "City Council Member, District {n}", "City of Harbor Falls, District {n}"),
    ("School Board Seat {n}", "School Board Trustee, Seat {n}", "Unified School District, Seat {n}"),
]
QUESTIONS = [
    ("Organising", "Will you support card-check recognition for public employees?"),
    ("Wages", "Where do you stand on a $20 state minimum wage indexed to inflation?"),
    ("Safety", "What would you do about heat standards for outdoor and warehouse workers?"),
    ("Procurement", "Will you require project labor agreements on public construction?"),
    ("Pensions", "How would you protect the defined-benefit pension plans of state workers?"),
    ("Health", "What is your plan for nurse staffing ratios in hospitals?"),
    ("Transit", "Would you fund the transit expansion with union labour and local hire?"),
    ("Schools", "How would you end the use of temporary contracts for school support staff?"),
]
# Sentences for the notes; the word searched as "common" is in about half the notes, the rare one in a few.
SENTENCES = [
    "Opened with a clear account of the campaign's ground game in the district.",
    "Committed to a project labor agreement on the bridge replacement.",
    "Answered the question on prevailing wages without hedging.",
    "Would co-sponsor the heat standard bill if it comes back next session.",
    "Was vague on pensions; said everything is on the table, which worried several of us.",
    "Knows the nurse staffing numbers better than most legislators do.",
    "Talked about raising wages for home care workers and named the funding source.",
    "Has walked picket lines with Local 88 twice this year.",
    "Refused to commit on card check; said she needs to read the bill.",
    "Strong on transit, weak on procurement; asked us to send the model language.",
    "His record on the city council matches what he told us today.",
    "The campaign manager did most of the talking; the candidate seemed unprepared.",
    "Supports stolen-wages enforcement with real penalties and more investigators.",
    "Asked good questions about the apprenticeship pipeline and local hire.",
    "Would not take a position on the charter expansion, which matters to the teachers.",
    "Promised to meet the retirees' chapter before the primary.",
    "Backed indexing the minimum wage and closing the tipped-wage loophole.",
    "Thoughtful on automation at the port; wants a seat for the longshore workers at the table.",
    "Came with a written answer on every topic in our letter.",
    "Said the quiet part out loud about right-to-work; a hard no from me.",
    "Polling shows her ahead by six among union households.",
    "Has the endorsement of the building trades council already.",
    "Her wages platform is the most detailed of the field.",
    "Offered to carry our bill on public-sector bargaining.",
    "Did not know what a project labor agreement is.",
    "The incumbent's voting record on overtime rules is mixed at best.",
    "Challenged us on dues; handled it respectfully.",
    "Spoke warmly about his father's years in the steelworkers.",
    "We should ask for a written commitment on the staffing ratios.",
    "Good on paper, but no field operation to speak of.",
    "Would restore the state's wage board and give it enforcement powers.",
    "Hesitated on the question of striking public workers.",
    "Knows our members at the hospital by name.",
    "Recommend a second interview after the filing deadline.",
    "I would support an early endorsement.",
    "Too early to tell; wait for the member poll.",
    "The panel agreed she was the most prepared candidate so far.",
    "Said he would hire from our apprenticeship programs for his district office.",
    "Concerned about her ties to the staffing agencies.",
    "Clear, specific and credible on every point we raised.",
]
MAIL_TEXT = (
    "{subject}\n\nDear colleague,\n\nPlease find the details below, and use the link to answer.\n\n"
    "https://endorsements.{domain}/invitation/\n\nIn solidarity,\nThe Federation's political department\n"
)
RARE_SENTENCE = f"Raised {RARE_WORD} standards for warehouse pickers on her own, before we asked."
DECLINE_REASONS = ["Our candidate is not seeking endorsements this cycle.", "Scheduling conflicts with the debate.", ""]
OTHER_TIMES = ["Any weekday evening after 6 pm works for us.", "Could the panel meet on a Saturday morning?"]


@dataclass(frozen=True)
class Volume:
    """How many of each thing: issue 14's full volume times `scale`."""

    scale: float
    leaders: int
    races: int
    candidates: int
    big_race: int
    notes: int
    audit_events: int
    outbox: int

    @classmethod
    def at(cls, scale: float) -> Volume:
        races = max(5, round(50 * scale))
        return cls(
            scale=scale,
            leaders=4 * races,  # four leaders on each race's panel, no one on two
            races=races,
            candidates=max(50, round(10_000 * scale)),
            big_race=max(10, round(2_000 * scale)),
            notes=round(100_000 * scale),
            audit_events=round(50_000 * scale),
            outbox=round(20_000 * scale),
        )


@dataclass
class Seeded:
    """What the benchmarks need to find their pages, and what was made (JSON, from the child process)."""

    scale: float
    password: str
    admin_email: str
    staff_email: str
    leader_email: str  # on the big race's panel, a voting member with votes waiting
    big_race_id: int
    candidate_invitation_id: int  # an invitation opened, not answered, with free slots to choose from
    common_word: str
    rare_word: str
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Race:
    id: int
    office: str
    kind: str  # planning, inviting, interviewing, deliberating, decided, closed
    zone: str
    panel: list[int]
    location_id: int
    candidate_ids: list[int] = field(default_factory=list)
    letter_id: int | None = None
    respond_by: datetime | None = None
    sent_at: datetime | None = None
    question_ids: list[int] = field(default_factory=list)
    question_list_id: int | None = None


# The mix of stages, repeated over the races after the big one (which is decided).
STAGE_PATTERN = [
    *("interviewing", "deliberating", "decided", "interviewing", "inviting", "interviewing", "interviewing"),
    *("closed", "interviewing", "deliberating", "interviewing", "planning", "interviewing", "decided"),
    *("interviewing", "deliberating", "interviewing", "inviting", "interviewing", "interviewing"),
]


def _weekday_grid(first_day: date, count: int, zone: str, minutes: int) -> list[tuple[datetime, datetime]]:
    """Interview times one after the other: weekdays, eight a day from 09:00 local time, as aware UTC."""
    times: list[tuple[datetime, datetime]] = []
    day = first_day
    tz = ZoneInfo(zone)
    while len(times) < count:
        if day.weekday() < 5:
            for hour in range(9, 17):
                if len(times) == count:
                    break
                start = datetime.combine(day, clock_time(hour), tz).astimezone(UTC)
                times.append((start, start + timedelta(minutes=minutes)))
        day += timedelta(days=1)
    return times


def _weekdays(count: int) -> int:
    """Calendar days that hold `count` interviews at eight a weekday."""
    return (count // 8 + 1) * 7 // 5 + 2


class _Seeder:
    def __init__(self, volume: Volume, seed: int = 2026) -> None:
        self.v = volume
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.open_invitation: int | None = None  # the campaign page the benchmark shows (see one_race)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.next_id: dict[str, int] = {}
        self.races: list[_Race] = []
        self.users: dict[int, tuple[str, str]] = {}  # id -> (name, email)
        self.candidates: dict[int, dict[str, Any]] = {}
        self.invitations: dict[int, dict[str, Any]] = {}
        self.interviews: list[dict[str, Any]] = []
        self.seats: dict[int, list[int]] = {}  # interview id -> panel user ids
        self.audit: list[tuple[datetime, dict[str, Any]]] = []
        self.calendar_mail: list[tuple[datetime, dict[str, Any], list[int]]] = []

    # --- small helpers -----------------------------------------------------------------------

    def add(self, table: str, row: dict[str, Any]) -> int:
        """Queue a row; its id is given here, so later rows can point at it without a round trip."""
        row_id = self.next_id.get(table, 1)
        self.next_id[table] = row_id + 1
        row["id"] = row_id
        self.rows.setdefault(table, []).append(row)
        return row_id

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def event(
        self,
        at: datetime,
        action: str,
        entity_type: str,
        entity_id: int | None,
        *,
        user: int | None = None,
        invitation: int | None = None,
        summary: str = "",
        changes: dict[str, Any] | None = None,
    ) -> None:
        if invitation is not None:
            candidate = self.candidates[self.invitations[invitation]["candidate_id"]]
            kind, label = (
                ActorKind.campaign,
                f"Campaign of {candidate['name']} <{candidate['contact_email']}> (invitation link)",
            )
        elif user is not None:
            name, email = self.users[user]
            kind, label = ActorKind.user, f"{name} <{email}>"
        else:
            kind, label = ActorKind.system, System("deadline tick").label
        self.audit.append(
            (
                at,
                {
                    "at": at,
                    "actor_kind": kind,
                    "actor_id": user,
                    "actor_invitation_id": invitation,
                    "actor_label": label,
                    "action": action,
                    "entity_type": entity_type,
                    "entity_id": entity_id,
                    "summary": summary[:500],
                    "changes": changes or {},
                },
            )
        )

    # --- people, places, races ---------------------------------------------------------------

    def people(self) -> None:
        password_hash = hash_password(PASSWORD)  # one hash for all: argon2 is slow by design
        created = self.now - timedelta(days=400)

        def user(email: str, name: str, role: Role, title: str, *, voting: bool = False, weight: int = 1) -> int:
            user_id = self.add(
                "users",
                {
                    "email": email,
                    "name": name,
                    "title": title,
                    "password_hash": password_hash,
                    "role": role,
                    "active": True,
                    "timezone": self.rng.choice(ZONES),
                    "is_voting_member": voting,
                    "vote_weight": weight,
                    "feed_token": uuid.UUID(int=self.rng.getrandbits(128)).hex,
                    "created_at": created,
                    "updated_at": created,
                    "session_version": 0,
                    "totp_secret": None,
                    "two_factor_since": None,
                    "totp_last_step": None,
                },
            )
            self.users[user_id] = (name, email)
            return user_id

        self.admin = user(f"admin@{DOMAIN}", "Dolores Huerta-Vance", Role.admin, "Director of Operations")
        self.staff = [
            user(f"staff{i}@{DOMAIN}", name, Role.staff, title)
            for i, (name, title) in enumerate(
                [
                    ("Marcus Oyelaran", "Political Director"),
                    ("Priya Ramaswamy", "Political Organizer"),
                    ("Owen Castellanos", "Field Coordinator"),
                ]
            )
        ]
        self.leaders = []
        for i in range(self.v.leaders):
            # A third of the board votes, with per-capita weights; leader 4 is the benchmark's leader (on
            # the panel of the first race still interviewing), who has votes waiting.
            voting = i % 3 == 0 or i == BENCH_LEADER
            self.leaders.append(
                user(
                    f"leader{i}@{DOMAIN}",
                    self.name(),
                    Role.leader,
                    f"Board Member, Local {100 + i}",
                    voting=voting,
                    weight=self.rng.randrange(800, 5000) if voting else 1,
                )
            )
        for user_id in [self.admin, *self.staff, *self.leaders]:
            self.event(created, "account.created", "User", user_id, user=self.admin, summary="Account created")

    def places(self) -> None:
        self.rooms = [
            self.add(
                "locations",
                {
                    "name": f"Federation Hall, Room {n}",
                    "kind": LocationKind.room,
                    "address": "1200 Harbor Street",
                    "join_url": "",
                    "capacity": 24,
                    "active": True,
                    "updated_at": self.now - timedelta(days=300),
                },
            )
            for n in range(1, 5)
        ]
        self.videos = [
            self.add(
                "locations",
                {
                    "name": f"Video meeting {n}",
                    "kind": LocationKind.video,
                    "address": "",
                    "join_url": f"https://meet.example.org/federation-board-{n}",
                    "capacity": None,
                    "active": True,
                    "updated_at": self.now - timedelta(days=300),
                },
            )
            for n in (1, 2)
        ]

    def make_races(self) -> None:
        others = self.v.races - 1
        rest = self.v.candidates - self.v.big_race
        sizes = [self.v.big_race] + [rest // others + (1 if i < rest % others else 0) for i in range(others)]
        for index, size in enumerate(sizes):
            kind = "decided" if index == 0 else STAGE_PATTERN[(index - 1) % len(STAGE_PATTERN)]
            if index == 0:
                title, office, jurisdiction = (
                    BIG_RACE_TITLE,
                    "Delegate to the Constitutional Convention",
                    "Statewide, at large",
                )
            else:
                pattern = OFFICES[index % len(OFFICES)]
                number = index // len(OFFICES) + 1
                title, office, jurisdiction = (p.format(n=number) for p in pattern)
            created = self.now - timedelta(days=330)
            race_id = self.add(
                "races",
                {
                    "title": title,
                    "office": office,
                    "jurisdiction": jurisdiction,
                    "election_date": date(self.now.year + 1, 11, 3),
                    "closed_at": self.now - timedelta(days=5) if kind == "closed" else None,
                    "description": "" if index % 3 else f"Open seat; {size} declared candidates.",
                    "threshold_numerator": 2 if index % 2 else 1,
                    "threshold_denominator": 3 if index % 2 else 2,
                    "threshold_inclusive": bool(index % 2),
                    "vote_base": VoteBase.cast,
                    "quorum_kind": QuorumKind.fraction,
                    "quorum_numerator": 1,
                    "quorum_denominator": 2,
                    "weighted": index % 4 == 0,
                    "secret_ballot": False,
                    "hide_notes_until_submitted": index % 5 == 4,
                    "created_by_id": self.staff[0],
                    "created_at": created,
                    "updated_at": created,
                },
            )
            panel = self.leaders[4 * index : 4 * index + 4]
            location = self.rooms[index - 1] if 1 <= index <= len(self.rooms) else self.videos[index % 2]
            race = _Race(race_id, office, kind, ZONES[index % len(ZONES)], panel, location)
            self.races.append(race)
            for user_id in panel:
                self.rows.setdefault("race_panel", []).append({"race_id": race_id, "user_id": user_id})
            self.event(created, "race.created", "Race", race_id, user=self.staff[0], summary=f"Race created: {title}")
            names = self.rng.sample([(f, la) for f in FIRST for la in LAST], size)
            for first, last in names:
                party = self.rng.choice(PARTIES)
                slug = f"{first}{last}".lower().replace("'", "").replace(" ", "")
                withdrawn = self.rng.random() < 0.02
                candidate = {
                    "race_id": race_id,
                    "name": f"{first} {last}",
                    "party": party,
                    "incumbent": self.rng.random() < 0.05,
                    "contact_name": self.name(),
                    "contact_email": f"scheduling@{slug}{race_id}.example.com",
                    "contact_phone": f"(555) 01{self.rng.randrange(10, 99)}",
                    "website": f"https://{slug}{race_id}.example.com" if self.rng.random() < 0.6 else "",
                    "withdrawn_at": self.now - timedelta(days=self.rng.randrange(10, 60)) if withdrawn else None,
                    "created_at": created + timedelta(days=1),
                    "updated_at": created + timedelta(days=1),
                }
                candidate_id = self.add("candidates", candidate)
                self.candidates[candidate_id] = candidate
                race.candidate_ids.append(candidate_id)
            self.questions(race, created)

    def questions(self, race: _Race, created: datetime) -> None:
        versions = 2 if race.id % 3 == 0 else 1
        for version in range(1, versions + 1):
            at = created + timedelta(days=2 * version)
            list_id = self.add(
                "question_lists",
                {"race_id": race.id, "version": version, "created_by_id": self.staff[1], "created_at": at},
            )
            chosen = self.rng.sample(QUESTIONS, 6)
            ids = [
                self.add(
                    "questions",
                    {"question_list_id": list_id, "position": position, "topic": topic, "text": question},
                )
                for position, (topic, question) in enumerate(chosen, start=1)
            ]
            race.question_list_id, race.question_ids = list_id, ids
            self.event(at, "question_list.saved", "QuestionList", list_id, user=self.staff[1])

    # --- invitations, slots, interviews --------------------------------------------------------

    def invite_and_interview(self) -> None:
        for race in self.races:
            if race.kind == "planning":
                continue
            self.one_race(race)

    def one_race(self, race: _Race) -> None:
        rng = self.rng
        running = [c for c in race.candidate_ids if self.candidates[c]["withdrawn_at"] is None]
        booked_share = {"inviting": 0.25}.get(race.kind, 0.95)
        invited = [c for c in race.candidate_ids if rng.random() < 0.96]
        n_booked = round(len(invited) * booked_share)
        # When the interviews happened: all in the past once the board deliberates; about two thirds
        # in the past for a race still interviewing; what was booked so far, ahead, for one inviting.
        span = _weekdays(n_booked + 30)
        first_day = {
            "decided": self.now - timedelta(days=span + 30),
            "closed": self.now - timedelta(days=span + 40),
            "deliberating": self.now - timedelta(days=span + 7),
            "interviewing": self.now - timedelta(days=round(span * 0.65)),
            "inviting": self.now + timedelta(days=10),
        }[race.kind].date()
        grid = _weekday_grid(first_day, n_booked + 60, race.zone, 45)
        sent_at = datetime.combine(first_day - timedelta(days=21), clock_time(14), UTC)
        respond_by = {
            "interviewing": self.now + timedelta(days=12),
            "inviting": self.now + timedelta(days=25),
        }.get(race.kind, grid[n_booked][0] - timedelta(days=3))
        letter = InvitationLetter(
            race_id=race.id,
            subject=f"Invitation to an endorsement interview: {race.office}",
            body=(
                "The Federation's Executive Board invites every declared candidate to an interview with its "
                "political committee. Please choose one of the times below; each interview lasts 45 minutes."
            ),
            topics="\n".join(topic for topic, _ in QUESTIONS[:5]),
            respond_by=respond_by.replace(microsecond=0),
            timezone=race.zone,
            duration_minutes=45,
        )
        digest = content_digest(letter)
        race.letter_id = self.add(
            "invitation_letters",
            {
                "race_id": race.id,
                "subject": letter.subject,
                "body": letter.body,
                "topics": letter.topics,
                "respond_by": letter.respond_by,
                "timezone": race.zone,
                "duration_minutes": 45,
                "locked_at": sent_at,
                "created_at": sent_at - timedelta(days=3),
                "updated_at": sent_at,
            },
        )
        race.respond_by, race.sent_at = letter.respond_by, sent_at
        self.event(
            sent_at - timedelta(days=3),
            "invitation_letter.created",
            "InvitationLetter",
            race.letter_id,
            user=self.staff[1],
        )
        deadline_passed = letter.respond_by < self.now
        order = list(invited)
        rng.shuffle(order)
        booked = set(order[:n_booked])
        slot_index = 0
        for candidate_id in invited:
            candidate = self.candidates[candidate_id]
            withdrawn = candidate["withdrawn_at"] is not None
            at = sent_at + timedelta(minutes=rng.randrange(0, 240))
            opened = at + timedelta(hours=rng.randrange(1, 96))
            answered = opened + timedelta(hours=rng.randrange(1, 48))
            roll = rng.random()
            if withdrawn:
                status = InvitationStatus.withdrawn
            elif candidate_id in booked:
                status = InvitationStatus.accepted
            elif roll < 0.4:
                status = InvitationStatus.declined
            elif roll < 0.6:
                status = InvitationStatus.other_times
            elif deadline_passed:
                status = InvitationStatus.no_reply
            else:
                status = InvitationStatus.opened if roll < 0.8 else InvitationStatus.sent
            if race.kind == "interviewing" and self.open_invitation is None and status in UNANSWERED:
                # The campaign whose page the benchmark shows: opened, not answered, times to choose from.
                # Chosen, not drawn: the draws before it follow how many interviews are past, i.e. the clock.
                status = InvitationStatus.opened
            was_opened = status is not InvitationStatus.sent and (status is not InvitationStatus.no_reply or roll < 0.9)
            resent = rng.random() < 0.03
            invitation: dict[str, Any] = {
                "letter_id": race.letter_id,
                "candidate_id": candidate_id,
                "status": status,
                "content_digest": digest,
                "link_version": 2 if withdrawn or resent else 1,
                "sent_at": at,
                "last_sent_at": at + timedelta(days=2) if resent else at,
                "send_count": 2 if resent else 1,
                "opened_at": opened if was_opened else None,
                "answered_at": answered
                if status in (InvitationStatus.accepted, InvitationStatus.declined, InvitationStatus.other_times)
                else None,
                "decline_reason": rng.choice(DECLINE_REASONS) if status is InvitationStatus.declined else "",
                "other_times_message": rng.choice(OTHER_TIMES) if status is InvitationStatus.other_times else "",
                "reminded_at": letter.respond_by - timedelta(days=3)
                if status in (InvitationStatus.sent, InvitationStatus.opened, InvitationStatus.no_reply)
                and letter.respond_by - timedelta(days=3) < self.now
                else None,
                "no_reply_at": letter.respond_by + timedelta(hours=1) if status is InvitationStatus.no_reply else None,
                "withdrawn_at": candidate["withdrawn_at"] if withdrawn else None,
            }
            invitation_id = self.add("invitations", invitation)
            self.invitations[invitation_id] = invitation
            if race.kind == "interviewing" and self.open_invitation is None and status is InvitationStatus.opened:
                self.open_invitation = invitation_id
            self.event(
                at,
                "invitation.sent",
                "Invitation",
                invitation_id,
                user=self.staff[1],
                summary=f"Invitation sent to {candidate['name']}",
            )
            self.mail(at, "invitation", "Invitation", invitation_id, [candidate["contact_email"]], letter.subject)
            if was_opened:
                self.event(opened, "invitation.opened", "Invitation", invitation_id, invitation=invitation_id)
            if status is InvitationStatus.declined:
                self.event(answered, "invitation.declined", "Invitation", invitation_id, invitation=invitation_id)
            if status is InvitationStatus.other_times:
                self.request(invitation_id, RequestKind.other_times, invitation["other_times_message"], answered)
                self.event(answered, "invitation.other_times", "Invitation", invitation_id, invitation=invitation_id)
            if status is InvitationStatus.accepted:
                start, end = grid[slot_index]
                slot_index += 1
                if rng.random() < 0.1:
                    # An earlier booking the campaign or staff called off: its slot was released.
                    self.cancelled_booking(race, candidate_id, invitation_id, grid[-1 - slot_index], answered)
                self.booking(race, candidate_id, invitation_id, start, end, answered)
        # Free times still offered, after the last booked one.
        for start, end in grid[slot_index : slot_index + (20 if race.kind in ("interviewing", "inviting") else 0)]:
            self.slot(race, start, end, None, None)
        # A few candidates who were never invited got an interview arranged by phone.
        for candidate_id in race.candidate_ids:
            if candidate_id not in invited and candidate_id in running and rng.random() < 0.5:
                start, end = grid[slot_index]
                slot_index += 1
                self.interview(race, candidate_id, None, None, start, end, sent_at, organiser=self.staff[0])

    def slot(self, race: _Race, start: datetime, end: datetime, taken_by: int | None, taken_at: datetime | None) -> int:
        return self.add(
            "slots",
            {
                "letter_id": race.letter_id,
                "starts_at": start,
                "ends_at": end,
                "timezone": race.zone,
                "location_id": race.location_id,
                "taken_by_id": taken_by,
                "taken_at": taken_at,
            },
        )

    def booking(
        self, race: _Race, candidate_id: int, invitation_id: int, start: datetime, end: datetime, at: datetime
    ) -> None:
        slot_id = self.slot(race, start, end, invitation_id, at)
        self.event(at, "invitation.accepted", "Invitation", invitation_id, invitation=invitation_id)
        self.interview(race, candidate_id, invitation_id, slot_id, start, end, at)

    def cancelled_booking(
        self, race: _Race, candidate_id: int, invitation_id: int, times: tuple[datetime, datetime], at: datetime
    ) -> None:
        start, end = times
        self.slot(race, start, end, None, None)  # released, free for another campaign
        by_campaign = self.rng.random() < 0.5
        cancelled_at = at + timedelta(hours=2)
        interview_id = self.interview(
            race,
            candidate_id,
            invitation_id,
            None,
            start,
            end,
            at - timedelta(hours=6),
            cancelled=(cancelled_at, CancelledBy.campaign if by_campaign else CancelledBy.staff),
        )
        if by_campaign:
            self.request(invitation_id, RequestKind.cancelled, "Our candidate has a conflict.", cancelled_at)
        self.event(
            cancelled_at,
            "interview.cancelled",
            "Interview",
            interview_id,
            user=None if by_campaign else self.staff[0],
            invitation=invitation_id if by_campaign else None,
        )

    def interview(
        self,
        race: _Race,
        candidate_id: int,
        invitation_id: int | None,
        slot_id: int | None,
        start: datetime,
        end: datetime,
        created: datetime,
        *,
        organiser: int | None = None,
        cancelled: tuple[datetime, CancelledBy] | None = None,
    ) -> int:
        rng = self.rng
        if cancelled is not None:
            status = InterviewStatus.cancelled
        elif end > self.now:
            status = InterviewStatus.scheduled
        elif race.kind == "interviewing" and rng.random() < 0.05:
            status = InterviewStatus.scheduled  # past, not yet marked completed (the dashboard says so)
        else:
            status = InterviewStatus.no_show if rng.random() < 0.02 else InterviewStatus.completed
        row = {
            "race_id": race.id,
            "candidate_id": candidate_id,
            "invitation_id": invitation_id,
            "slot_id": slot_id,
            "starts_at": start,
            "ends_at": end,
            "timezone": race.zone,
            "location_id": race.location_id,
            "organiser_id": organiser,
            "status": status,
            "uid": f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@interviews",
            "sequence": rng.randrange(0, 2) + (1 if cancelled else 0),
            "question_list_id": race.question_list_id,
            "notes_for_candidate": "",
            "reminded_at": start - timedelta(days=1) if start - timedelta(days=1) < self.now else None,
            "cancelled_at": cancelled[0] if cancelled else None,
            "cancelled_by": cancelled[1] if cancelled else None,
            "cancelled_by_user_id": self.staff[0] if cancelled and cancelled[1] is CancelledBy.staff else None,
            "created_at": created,
            "updated_at": cancelled[0] if cancelled else created,
        }
        interview_id = self.add("interviews", row)
        self.interviews.append(row)
        panel = race.panel if rng.random() < 0.8 else rng.sample(race.panel, 3)
        self.seats[interview_id] = panel
        for user_id in panel:
            self.rows.setdefault("panel_seats", []).append(
                {"interview_id": interview_id, "user_id": user_id, "added_at": created}
            )
        by_campaign = invitation_id is not None and organiser is None
        self.event(
            created,
            "interview.scheduled",
            "Interview",
            interview_id,
            user=None if by_campaign else self.staff[0],
            invitation=invitation_id if by_campaign else None,
        )
        self.calendar_mail.append((created, row, panel))
        if status in (InterviewStatus.completed, InterviewStatus.no_show):
            self.event(
                end + timedelta(hours=2), "interview.status_changed", "Interview", interview_id, user=self.staff[0]
            )
        return interview_id

    def request(self, invitation_id: int, kind: RequestKind, message: str, at: datetime) -> None:
        handled = self.rng.random() < 0.85
        request_id = self.add(
            "candidate_requests",
            {
                "invitation_id": invitation_id,
                "kind": kind,
                "message": message,
                "created_at": at,
                "handled_at": at + timedelta(days=1) if handled else None,
                "handled_by_id": self.staff[1] if handled else None,
            },
        )
        if handled:
            self.event(
                at + timedelta(days=1), "candidate_request.handled", "CandidateRequest", request_id, user=self.staff[1]
            )

    # --- notes -----------------------------------------------------------------------------------

    def note_text(self) -> str:
        return " ".join(self.rng.sample(SENTENCES, self.rng.randrange(2, 9)))

    def notes(self) -> None:
        rng = self.rng
        by_race = {race.id: race for race in self.races}
        done = [
            (row, interview_id)
            for interview_id, row in enumerate(self.interviews, start=1)
            if row["status"] is InterviewStatus.completed
        ]
        target = self.v.notes
        rare_left = max(2, round(20 * self.v.scale))
        written = 0
        for position, (row, interview_id) in enumerate(done):
            race = by_race[row["race_id"]]
            # Spread what is left of the target over the interviews that are left.
            want = round((target - written) / (len(done) - position))
            pairs = [(author, q) for author in self.seats[interview_id] for q in [None, *race.question_ids]]
            for author, question_id in rng.sample(pairs, min(want, len(pairs))):
                body = self.note_text()
                if rare_left and rng.random() < 0.01:
                    body += " " + RARE_SENTENCE
                    rare_left -= 1
                roll = rng.random()
                visibility = (
                    Visibility.panel if roll < 0.2 else Visibility.leadership if roll < 0.7 else Visibility.staff
                )
                version = 1 if rng.random() < 0.7 else rng.randrange(2, 4)
                created = row["starts_at"] + timedelta(minutes=rng.randrange(5, 40))
                updated = created + timedelta(hours=version - 1)
                note_id = self.add(
                    "notes",
                    {
                        "interview_id": interview_id,
                        "author_id": author,
                        "question_id": question_id,
                        "body": body,
                        "visibility": visibility,
                        "version": version,
                        "submitted_at": row["ends_at"] + timedelta(hours=3) if rng.random() < 0.9 else None,
                        "created_at": created,
                        "updated_at": updated,
                    },
                )
                written += 1
                for v in range(1, version + 1):
                    self.rows.setdefault("note_revisions", []).append(
                        {
                            "note_id": note_id,
                            "version": v,
                            "body": body if v == version else body.rsplit(" ", 3)[0],
                            "visibility": visibility,
                            "edited_by_id": author,
                            "edited_at": created + timedelta(hours=v - 1),
                        }
                    )
                if len(self.audit) < self.v.audit_events * 3:
                    self.event(created, "note.created", "Note", note_id, user=author)
        self.rare_notes = max(2, round(20 * self.v.scale)) - rare_left

    # --- polls, mail, audit ----------------------------------------------------------------------

    def polls(self) -> None:
        for race in self.races:
            if race.kind in ("planning", "inviting"):
                continue
            field_now = [c for c in race.candidate_ids if self.candidates[c]["withdrawn_at"] is None][:8]
            for n, method in enumerate((PollMethod.town_hall, PollMethod.electronic)[: 1 + race.id % 2]):
                closes = (self.now - timedelta(days=20 - 8 * n)).date()
                kind = PollResultKind.counts if method is PollMethod.town_hall else PollResultKind.percentages
                poll_id = self.add(
                    "member_polls",
                    {
                        "race_id": race.id,
                        "title": f"{method.label}, {closes:%B %Y}",
                        "method": method,
                        "opens_on": closes - timedelta(days=6),
                        "closes_on": closes,
                        "sample_size": self.rng.randrange(120, 4000),
                        "overseen_by": "Independent Election Services" if n else "The Federation's election committee",
                        "result_kind": kind,
                        "notes": "",
                        "created_by_id": self.staff[1],
                        "created_at": datetime.combine(closes, clock_time(20), UTC),
                    },
                )
                shares = [self.rng.randrange(1, 100) for _ in field_now]
                for candidate_id, share in zip(field_now, shares, strict=True):
                    value = (
                        Decimal(share * 7)
                        if kind is PollResultKind.counts
                        else (Decimal(share * 100) / sum(shares)).quantize(Decimal("0.01"))
                    )
                    self.rows.setdefault("poll_results", []).append(
                        {"poll_id": poll_id, "candidate_id": candidate_id, "value": value}
                    )

    def mail(self, at: datetime, kind: str, entity_type: str, entity_id: int, to: list[str], subject: str) -> None:
        self.rows.setdefault("_mail", []).append(
            {"at": at, "kind": kind, "entity_type": entity_type, "entity_id": entity_id, "to": to, "subject": subject}
        )

    def outbox(self) -> None:
        """The invitations' e-mails, then calendar invitations (the candidate's and the panel's) from the
        most recent interviews back, up to the volume; the last half hour's still wait, a few failed."""
        organizer = ics.Person("Federation endorsements", f"endorsements@{DOMAIN}")
        messages = self.rows.pop("_mail", [])
        budget = self.v.outbox - len(messages)
        for created, row, panel in sorted(self.calendar_mail, key=lambda item: item[0], reverse=True):
            if budget <= 0:
                break
            candidate = self.candidates[row["candidate_id"]]
            people = [candidate["contact_email"], *(self.users[u][1] for u in panel)]
            subject = f"Invitation: endorsement interview with {candidate['name']}"
            payload = ics.request(
                ics.EventData(
                    uid=row["uid"],
                    sequence=row["sequence"],
                    start=row["starts_at"],
                    end=row["ends_at"],
                    tzid=row["timezone"],
                    summary=subject,
                    organizer=organizer,
                    attendees=[ics.Person(candidate["contact_name"], candidate["contact_email"])],
                )
            )
            for address in people[:budget]:
                messages.append(
                    {
                        "at": created,
                        "kind": "calendar-request",
                        "entity_type": "Interview",
                        "entity_id": None,  # filled below from the interview's row
                        "row": row,
                        "to": [address],
                        "subject": subject,
                        "ics": payload,
                    }
                )
            budget -= len(people)
        interview_ids = {id(row): n for n, row in enumerate(self.interviews, start=1)}
        messages.sort(key=lambda m: m["at"])
        messages = messages[-self.v.outbox :] if self.v.outbox else []
        pending_from = len(messages) - max(3, len(messages) // 400)
        for n, message in enumerate(messages):
            at: datetime = message["at"]
            if n >= pending_from:
                status, at = OutboxStatus.pending, self.now - timedelta(minutes=self.rng.randrange(1, 25))
            elif self.rng.random() < 0.002:
                status = OutboxStatus.failed
            else:
                status = OutboxStatus.sent
            entity_id = interview_ids[id(message["row"])] if "row" in message else message["entity_id"]
            text_body = MAIL_TEXT.format(subject=message["subject"], domain=DOMAIN)
            self.add(
                "outbox_messages",
                {
                    "message_id": f"<{uuid.UUID(int=self.rng.getrandbits(128)).hex}@{DOMAIN}>",
                    "dedupe_key": None,
                    "kind": message["kind"],
                    "to_addresses": ", ".join(message["to"]),
                    "subject": message["subject"][:300],
                    "text_body": text_body,
                    "html_body": "<p>" + text_body.replace("\n\n", "</p><p>") + "</p>",
                    "ics": message.get("ics"),
                    "ics_method": "REQUEST" if message.get("ics") else None,
                    "entity_type": message["entity_type"],
                    "entity_id": entity_id,
                    "status": status,
                    "attempts": 0 if status is OutboxStatus.pending else (8 if status is OutboxStatus.failed else 1),
                    "next_attempt_at": at,
                    "claimed_until": None,
                    "claim_token": None,
                    "last_attempt_at": None if status is OutboxStatus.pending else at + timedelta(seconds=40),
                    "last_error": "550 5.1.1 mailbox unavailable" if status is OutboxStatus.failed else "",
                    "created_at": at,
                    "sent_at": at + timedelta(seconds=40) if status is OutboxStatus.sent else None,
                },
            )

    def audit_rows(self, already: int) -> None:
        """The trail in time order, thinned at random to the volume (less what the votes will add)."""
        events = self.audit
        keep = max(0, self.v.audit_events - already)
        if len(events) > keep:
            events = self.rng.sample(events, keep)
        for _, row in sorted(events, key=lambda item: item[0]):
            self.add("audit_events", row)

    # --- writing it all ---------------------------------------------------------------------------

    def build(self) -> None:
        self.people()
        self.places()
        self.make_races()
        self.invite_and_interview()
        self.notes()
        self.polls()
        self.outbox()


TABLE_ORDER = [
    "users",
    "locations",
    "races",
    "race_panel",
    "candidates",
    "question_lists",
    "questions",
    "invitation_letters",
    "invitations",
    "slots",
    "interviews",
    "panel_seats",
    "notes",
    "note_revisions",
    "candidate_requests",
    "member_polls",
    "poll_results",
    "outbox_messages",
    "audit_events",
]


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _bulk_insert(table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Core executemany in batches: no ORM objects, no per-row events (the rows carry every column)."""
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), list(rows[start : start + BATCH]))


def _reset_sequences() -> None:
    """Ids were given by the seeder; PostgreSQL's sequences must continue after them for the services."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in TABLE_ORDER:
        table = _table(name)
        if "id" not in table.c or name == "race_panel":
            continue
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608  (names from our own list)
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )


def _votes(seeder: _Seeder) -> None:
    """Final votes in the decided races (the big one first) and open votes in the deliberating ones, through
    the votes services: their records and digest chain are the app's own."""
    secretary = db.session.get(User, seeder.staff[0])
    assert secretary is not None
    members = list(db.session.scalars(select(User).where(User.is_voting_member.is_(True)).order_by(User.id)))
    for race_plan in seeder.races:
        if race_plan.kind not in ("decided", "deliberating"):
            continue
        race = db.session.get(Race, race_plan.id)
        assert race is not None
        held = seeder.now - timedelta(days=3 if race_plan.kind == "decided" else 1)
        with stopped_clock(held - timedelta(days=7)):
            vote = services.prepare_vote(
                race, held_on=held.date(), motion=f"That the Federation endorse in {race.title}.", actor=secretary
            )
        with stopped_clock(held):
            vote = services.open_vote(vote, actor=secretary, now=held)
        options = [o.id for o in vote.options]
        favourites = options[:3] + options[-1:]  # three leading candidates and "No endorsement"
        # Half the roll has voted in an open vote; the benchmark's leader has not, so it waits on their dashboard.
        waiting = seeder.leaders[BENCH_LEADER]
        voters = (
            members if race_plan.kind == "decided" else [m for k, m in enumerate(members) if k % 2 and m.id != waiting]
        )
        for n, member in enumerate(voters):
            at = held + timedelta(minutes=2 + n % 50)
            with stopped_clock(at):
                choice = favourites[0] if n % 10 < 7 else seeder.rng.choice([*favourites, None])
                ballots.cast_ballot(vote, member, choice, actor=member, now=at)
        if race_plan.kind == "decided":
            with stopped_clock(held + timedelta(minutes=60)):
                vote = services.close_vote(vote, actor=secretary, now=held + timedelta(minutes=60))
            with stopped_clock(held + timedelta(minutes=70)):
                vote = services.finalise_vote(vote, actor=secretary, now=held + timedelta(minutes=70))
            with stopped_clock(held + timedelta(minutes=90)):
                services.publish_vote(
                    vote, "The Executive Board's decision.", actor=secretary, now=held + timedelta(minutes=90)
                )
        db.session.flush()


def _refresh_search() -> None:
    """Run the app's own search DDL again: idempotent, and on SQLite it rebuilds the FTS index from the notes."""
    from interviews.notes import search

    maintain = getattr(search, "create_search_indexes", None)
    if maintain is None:
        print("warning: interviews.notes.search.create_search_indexes is gone; search structures not refreshed")
        return
    maintain(Note.__table__, db.session.connection())


def seed(volume: Volume) -> Seeded:
    """Fill the (empty) database the app is bound to; the caller holds an app context."""
    began = time.perf_counter()
    seeder = _Seeder(volume)
    seeder.build()
    # The votes services add their own audit events; the trail is thinned to leave room for them.
    votes = len([r for r in seeder.races if r.kind in ("decided", "deliberating")])
    seeder.audit_rows(already=votes * (len(seeder.leaders) // 3 + 8))
    for name in TABLE_ORDER:
        _bulk_insert(_table(name), seeder.rows.get(name, []))
    _reset_sequences()
    db.session.commit()
    _votes(seeder)
    db.session.commit()
    _refresh_search()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum leaves a running federation's database with: statistics, and the visibility
        # map that lets counts read an index alone. (VACUUM runs outside a transaction.)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))

    big = seeder.races[0]
    candidate_invitation = seeder.open_invitation
    assert candidate_invitation is not None, "no race still interviewing had a campaign left to choose a time"
    leader = seeder.leaders[BENCH_LEADER]
    counts = {
        name: db.session.scalar(select(func.count()).select_from(_table(name))) or 0
        for name in [*TABLE_ORDER, "votes", "ballots", "vote_options"]
        if name in db.metadata.tables
    }
    counts["notes_with_rare_word"] = seeder.rare_notes
    return Seeded(
        scale=volume.scale,
        password=PASSWORD,
        admin_email=seeder.users[seeder.admin][1],
        staff_email=seeder.users[seeder.staff[0]][1],
        leader_email=seeder.users[leader][1],
        big_race_id=big.id,
        candidate_invitation_id=candidate_invitation,
        common_word=COMMON_WORD,
        rare_word=RARE_WORD,
        seconds=time.perf_counter() - began,
        counts=counts,
    )


@contextmanager
def scratch_postgres_database(base_url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `base_url`, dropped afterwards (also on
    Ctrl-C, after ending any connection still open to it). Both benchmarks run on one of these."""
    url = make_url(base_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:4]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an empty database (SQLite file or PostgreSQL)")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = issue 14's volume, 0.1 = a tenth")
    args = parser.parse_args()
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=args.database_url)
    with app.app_context():
        db.create_all()
        seeded = seed(Volume.at(args.scale))
        db.session.remove()
        db.engine.dispose()
    print(json.dumps(asdict(seeded)))


if __name__ == "__main__":
    main()
