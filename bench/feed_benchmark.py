"""How much does the app add to building a feed of 10,000 interviews?

    .venv/bin/python bench/feed_benchmark.py [--interviews 10000] [--repeat 5]

Seeds a temporary SQLite database with realistic data (races, candidates, rooms and video links,
panels of 3 to 5 leaders, some interviews cancelled lately), then in the same run times:

  app      GET of the all-interviews feed through the app (test client: routing, token lookup,
           validator query, loading with eager loads, mapping to EventData, building, response);
  direct   building the same calendar with icalendar (interviews.calendar.ics.feed) from plain
           EventData already in memory;
  304      the same GET again with If-None-Match: answered from one aggregate query.

It prints the medians and the ratios (the goal: the app adds no more than 30% to the direct build)
and checks the bytes are the same and that the 304 never built the calendar.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from config import TestConfig
from interviews import create_app
from interviews.auth.models import Role, User
from interviews.calendar import ics, services
from interviews.extensions import db
from interviews.races.models import Candidate, Race
from interviews.scheduling.models import Interview, InterviewStatus, Location, LocationKind, PanelSeat

ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "UTC"]
FIRST = ["Angela", "Walter", "Denise", "Tomás", "Rebecca", "Harold", "Mei-Ling", "Samuel", "Lorraine", "Kwame"]
LAST = ["Castellanos", "Kowalczyk", "Okafor", "Gutiérrez", "Lindqvist", "Baptiste", "Zhao", "Achterberg", "Mensah"]


def seed(count: int, rng: random.Random) -> User:
    now = datetime.now(UTC)
    staff = User(email="staff@labor.example.org", name="Priya Ramaswamy", role=Role.staff, password_hash="x")
    leaders = [
        User(
            email=f"leader{i}@labor.example.org",
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            role=Role.leader,
            password_hash="x",
            timezone=rng.choice(ZONES[:3]),
        )
        for i in range(40)
    ]
    locations = [
        Location(name=f"Union Hall, Room {n}", kind=LocationKind.room, address=f"{1200 + n} Harbor Street", capacity=20)
        for n in range(1, 5)
    ] + [
        Location(name="Board video call", kind=LocationKind.video, join_url="https://meet.example.org/riverside-board"),
        Location(name="Candidate video call", kind=LocationKind.video, join_url="https://meet.example.org/candidates"),
    ]
    db.session.add_all([staff, *leaders, *locations])
    races = []
    for r in range(40):
        race = Race(
            title=f"State House District {r + 1}",
            office=f"State Representative, District {r + 1}",
            jurisdiction=f"House District {r + 1}",
            election_date=datetime(2027, 11, 2).date(),
        )
        for c in range(5):
            race.candidates.append(
                Candidate(
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    contact_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    contact_email=f"scheduler{r}-{c}@campaign.example.com",
                )
            )
        races.append(race)
    db.session.add_all(races)
    db.session.flush()

    rows, seats = [], []
    start_of_year = datetime(2027, 1, 4, tzinfo=UTC)
    for n in range(1, count + 1):
        race = races[n % len(races)]
        tz = rng.choice(ZONES)
        day = start_of_year + timedelta(days=rng.randrange(0, 600))
        local = day.astimezone(ZoneInfo(tz)).replace(hour=rng.randrange(8, 18), minute=rng.choice((0, 15, 30, 45)))
        start = local.astimezone(UTC)
        cancelled = rng.random() < 0.03
        rows.append(
            {
                "id": n,
                "race_id": race.id,
                "candidate_id": race.candidates[n % 5].id,
                "starts_at": start,
                "ends_at": start + timedelta(minutes=rng.choice((30, 45, 60))),
                "timezone": tz,
                "location_id": rng.choice(locations).id,
                "status": InterviewStatus.cancelled if cancelled else InterviewStatus.scheduled,
                "cancelled_at": now - timedelta(days=rng.randrange(0, 20)) if cancelled else None,
                "uid": f"bench-{n}@interviews",
                "sequence": rng.randrange(0, 4) + (1 if cancelled else 0),
                "notes_for_candidate": "",
                "created_at": now,
                "updated_at": now - timedelta(minutes=rng.randrange(0, 100_000)),
            }
        )
        for leader in rng.sample(leaders, rng.randrange(3, 6)):
            seats.append({"interview_id": n, "user_id": leader.id, "added_at": now})
    db.session.execute(insert(Interview), rows)
    db.session.execute(insert(PanelSeat), seats)
    db.session.commit()
    return staff


def timed(action) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(wall seconds, CPU seconds of this process) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(2026)

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.sqlite3")
        with app.app_context():
            db.create_all()
            began = time.perf_counter()
            staff = seed(args.interviews, rng)
            print(f"seeded {args.interviews} interviews in {time.perf_counter() - began:.1f}s")
            url = f"/calendar/{staff.feed_token}/all.ics"
            client = app.test_client()

            # Plain data, loaded before any timing: what a hand-written exporter would start from.
            with app.test_request_context():
                feed = services.all_interviews_feed()
                events = services.feed_events(feed)
            db.session.remove()

            def direct() -> bytes:
                return ics.feed(events, name=feed.name, description=services.feed_description(feed))

            def through_app() -> bytes:
                response = client.get(url)
                assert response.status_code == 200
                return response.data

            body = through_app()  # warm-up (imports, first connection) and the ETag
            assert body == direct(), "the app and the direct build differ"
            etag = client.get(url).headers["ETag"]
            print(f"feed: {len(events)} events, {len(body) / 1e6:.1f} MB")

            # Interleaved, so a burst of load from elsewhere on the machine hits both sides alike;
            # CPU time of this process is reported beside wall time, as it is less disturbed by others.
            app_runs: list[tuple[float, float]] = []
            direct_runs: list[tuple[float, float]] = []
            for _ in range(args.repeat):
                app_runs.append(timed(through_app))
                direct_runs.append(timed(direct))
            app_median = statistics.median(w for w, _ in app_runs)
            direct_median = statistics.median(w for w, _ in direct_runs)
            app_cpu = statistics.median(c for _, c in app_runs)
            direct_cpu = statistics.median(c for _, c in direct_runs)

            builds = 0
            real_build = services.build_feed

            def counting_build(*a, **k):  # type: ignore[no-untyped-def]
                nonlocal builds
                builds += 1
                return real_build(*a, **k)

            services.build_feed = counting_build  # type: ignore[assignment]

            def conditional() -> None:
                response = client.get(url, headers={"If-None-Match": etag})
                assert response.status_code == 304

            not_modified_runs = [timed(conditional) for _ in range(max(args.repeat, 20))]
            not_modified_median = statistics.median(w for w, _ in not_modified_runs)
            services.build_feed = real_build  # type: ignore[assignment]
            assert builds == 0, "a 304 built the calendar"

            def show(label: str, runs: list[tuple[float, float]]) -> None:
                walls = ", ".join(f"{w * 1000:.0f}" for w, _ in runs)
                wall = statistics.median(w for w, _ in runs) * 1000
                cpu = statistics.median(c for _, c in runs) * 1000
                print(f"{label:<7} median wall {wall:9.1f} ms  cpu {cpu:9.1f} ms   wall runs: {walls}")

            show("direct", direct_runs)
            show("app", app_runs)
            show("304", not_modified_runs)
            print(f"app / direct (wall) = {app_median / direct_median:.3f}   (cpu) = {app_cpu / direct_cpu:.3f}")
            print(f"304 / full app (wall) = {not_modified_median / app_median:.4f}   calendar builds in 304s: {builds}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
