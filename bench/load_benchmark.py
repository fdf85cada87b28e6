"""Throughput under load: the app behind gunicorn against a bare Flask page that runs `SELECT 1`.

    .venv/bin/python bench/load_benchmark.py [--database-url URL] [--connections 16] [--seconds 3]
        [--rounds 5] [--workers 4] [--contenders 12] [--slots 6]

It makes a PostgreSQL database of its own (dropped at the end), loads the demo organisation into it
(what `flask demo` loads), and starts two gunicorn servers on loopback, each with `--workers` sync
workers: the app, and a bare Flask app whose one page runs `SELECT 1` through a SQLAlchemy pool with
the app's engine options and returns a line of text. A small asyncio client then drives each URL with
`--connections` concurrent connections (it keeps a connection open while the server does; gunicorn's
sync workers close it after each response, so the client reconnects as a browser would). Each page
runs `--rounds` times for `--seconds` seconds, alternating with the `SELECT 1` page: each round's
ratio is the page's requests/s to the mean of the bare runs just before and after it, and the table
gives the median of the rounds' ratios and their range. The machine's speed drifts by a third within
a minute here (other work on the host); a ratio over runs seconds apart follows the drift, one over
runs a minute apart did not. Each page's requests/s, p50 and p99 are over all its rounds:

  the app's own health check (`/healthz`: the same SELECT 1 through the app's hooks, session and
  headers, the floor every page starts from), the candidate's invitation page (their signed link, no
  account), the leader dashboard, the staff dashboard, and a staff race page (the governor race of
  the demo).

Then the booking race, under load: a race of its own with `--slots` far-off slots and enough invited
candidates; for each slot, `--contenders` different candidates' links POST "take this time" at once
(each with its own session and CSRF token, as their browsers would), while other connections keep
loading the race page. It reports what each POST got and checks the database: exactly one winner and
one interview per slot.

Both servers are stopped at the end, also on Ctrl-C. The app is served with rate limits off (the
candidate pages allow 30 requests a minute from one address, and all of this comes from one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import create_engine, func, select, text

from bench.seed import scratch_postgres_database
from config import Config
from interviews import create_app

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')
BOOK_CSRF = re.compile(r'name="book-csrf_token" value="([^"]+)"')


# --- what gunicorn serves (imported by its workers: `bench.load_benchmark:served_app()`) ----------


def served_app() -> Flask:
    """The app as production builds it, on the benchmark's database, with rate limits off."""
    return create_app(
        Config,
        SECRET_KEY=os.environ["BENCH_SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=os.environ["BENCH_DATABASE_URL"],
        RATELIMIT_ENABLED=False,
    )


def bare_app() -> Flask:
    """A bare Flask page that runs SELECT 1: the floor of a request through Flask, a pool and the database."""
    engine = create_engine(os.environ["BENCH_DATABASE_URL"], **Config.SQLALCHEMY_ENGINE_OPTIONS)
    app = Flask("bare")

    @app.get("/")
    def index() -> str:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT 1")).scalar()
        return f"<p>SELECT 1 answered {value}</p>"

    return app


# --- a small HTTP/1.1 client ------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str]


class Connection:
    """One client connection with its own cookies; it reconnects whenever the server closed it."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
                if name.strip().lower() == "set-cookie":
                    cookie = value.strip().split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    cookies[key] = val
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        if chunked:
            content = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                content += chunk[:-2]
        elif "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"]))
        else:
            content = await self.reader.read()
        self.cookies.update(cookies)
        # gunicorn's sync workers answer "Connection: close"; a body without a length also ends the connection.
        if headers.get("connection", "").lower() == "close" or not (chunked or "content-length" in headers):
            await self.close()
        return Reply(int(status_line.split()[1]), headers, content, cookies)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class LoadResult:
    label: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def drive(
    label: str, port: int, path: str, cookies: dict[str, str], connections: int, seconds: float
) -> LoadResult:
    """`connections` clients each sending the GET again as soon as the last answer arrived, for `seconds`."""
    result = LoadResult(label)
    deadline = time.perf_counter() + seconds

    async def one() -> None:
        conn = Connection(port, cookies)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                reply = await conn.request("GET", path)
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                result.errors += 1
                await conn.close()
                continue
            result.latencies.append(time.perf_counter() - began)
            result.statuses[reply.status] += 1
        await conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    result.seconds = time.perf_counter() - began
    return result


# --- servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    label: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def start_server(label: str, factory: str, workers: int, env: dict[str, str], logs: Path) -> Server:
    port = free_port()
    log = logs / f"{label}.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--error-logfile",
            str(log),
            f"bench.load_benchmark:{factory}",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped as a whole, never by name
    )
    return Server(label, port, process, log)


def wait_until_up(server: Server, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.label} exited: see {server.log}\n{server.log.read_text()[-3000:]}")
        try:
            reply = asyncio.run(Connection(server.port).request("GET", path))
            if reply.status < 500:
                return
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{server.label} did not answer within {timeout} s")


def stop(server: Server) -> None:
    """SIGTERM to the server's own process group (gunicorn stops its workers gracefully), then SIGKILL."""
    if server.process.poll() is not None:
        return
    with suppress(ConnectionError, OSError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with suppress(ConnectionError, OSError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


# --- the database and what the run needs from it --------------------------------------------------


@dataclass
class Setup:
    staff_email: str
    leader_email: str
    password: str
    race_id: int
    candidate_path: str
    booking_race_id: int
    slot_ids: list[int]
    booking_paths: list[str]  # candidates' links of the booking race


def prepare(url: str, secret: str, booking_candidates: int, slots: int) -> Setup:
    """The demo (what `flask demo` loads), then a race of its own for the booking race, through the services."""
    from datetime import date

    from interviews.audit.actors import System
    from interviews.auth.models import Role, User
    from interviews.demo import demo_password, load_demo
    from interviews.extensions import db
    from interviews.invitations import services as invitations
    from interviews.invitations.links import make_token
    from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus
    from interviews.races.models import Candidate, Race
    from interviews.scheduling.models import Interview, Location, LocationKind, PanelSeat
    from interviews.types import utcnow

    app = create_app(Config, SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        load_demo()
        staff = db.session.scalars(select(User).where(User.role == Role.staff).order_by(User.id)).first()
        assert staff is not None
        # The leader with the most interviews ahead on their panel: their dashboard has the most to show.
        leader = db.session.scalars(
            select(User)
            .join(PanelSeat, PanelSeat.user_id == User.id)
            .join(Interview, Interview.id == PanelSeat.interview_id)
            .where(User.role == Role.leader, Interview.starts_at > utcnow())
            .group_by(User.id)
            .order_by(func.count().desc(), User.id)
        ).first()
        assert leader is not None
        race = db.session.scalars(select(Race).where(Race.title.contains("Governor"))).first()
        assert race is not None
        # An invitation still open, with times to choose from: the candidate's page at its fullest.
        open_invitation = db.session.scalars(
            select(Invitation)
            .join(InvitationLetter, InvitationLetter.id == Invitation.letter_id)
            .where(
                Invitation.status.in_([InvitationStatus.sent, InvitationStatus.opened]),
                InvitationLetter.respond_by > utcnow(),
            )
            .order_by(Invitation.id)
        ).first()
        if open_invitation is None:
            open_invitation = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
        assert open_invitation is not None

        actor = System("load benchmark")
        booking = Race(
            title="Load test: County Assessor",
            office="County Assessor",
            jurisdiction="Riverside County",
            election_date=date(utcnow().year + 2, 11, 3),
            created_by=staff,
        )
        for n in range(booking_candidates):
            booking.candidates.append(
                Candidate(
                    name=f"Load Candidate {n + 1:03d}",
                    contact_name=f"Scheduler {n + 1:03d}",
                    contact_email=f"scheduler{n + 1}@load.example.com",
                )
            )
        panel = db.session.scalars(select(User).where(User.role == Role.leader).order_by(User.id).limit(3)).all()
        booking.panel = list(panel)
        db.session.add(booking)
        db.session.flush()
        letter = invitations.save_letter(
            booking,
            {
                "subject": "Invitation to an endorsement interview: County Assessor",
                "body": "Please choose a time.",
                "topics": "Property tax relief",
                "respond_by": utcnow() + timedelta(days=60),
                "timezone": "America/New_York",
                "duration_minutes": 45,
            },
            actor=actor,
        )
        video = db.session.scalars(select(Location).where(Location.kind == LocationKind.video)).first()
        # Far ahead, a week apart, at 15:00 UTC (10:00 or 11:00 in New York): nobody on the panel is busy then.
        first = (utcnow() + timedelta(days=200)).replace(hour=15, minute=0, second=0, microsecond=0)
        slot_ids = []
        for n in range(slots):
            slot = invitations.add_slot(
                letter,
                starts_at=first + timedelta(days=7 * n),
                ends_at=first + timedelta(days=7 * n, minutes=45),
                timezone="America/New_York",
                location=video,
                confirmed=True,
                actor=actor,
            )
            slot_ids.append(slot.id)
        sent = invitations.send(letter, to="new", actor=actor).sent
        setup = Setup(
            staff_email=staff.email,
            leader_email=leader.email,
            password=demo_password(),
            race_id=race.id,
            candidate_path=f"/invitation/{make_token(open_invitation)}",
            booking_race_id=booking.id,
            slot_ids=slot_ids,
            booking_paths=[f"/invitation/{make_token(i)}" for i in sent],
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return setup


async def sign_in(port: int, email: str, password: str) -> dict[str, str]:
    conn = Connection(port)
    page = await conn.request("GET", "/login")
    token = CSRF.search(page.body.decode())
    reply = await conn.request(
        "POST", "/login", {"csrf_token": token.group(1) if token else "", "email": email, "password": password}
    )
    await conn.close()
    if reply.status != 302:
        raise RuntimeError(f"could not sign in as {email}: {reply.status}")
    return conn.cookies


# --- the booking race -------------------------------------------------------------------------------


async def booking_race(
    port: int, setup: Setup, contenders: int, background_path: str, cookies: dict[str, str], connections: int
) -> list[tuple[int, Counter[int]]]:
    """For each slot, `contenders` candidates who hold no slot yet POST for it at once, under background load."""
    links = list(setup.booking_paths)
    won: set[str] = set()
    outcomes = []
    stop_background = asyncio.Event()

    async def background() -> None:
        conn = Connection(port, cookies)
        while not stop_background.is_set():
            try:
                await conn.request("GET", background_path)
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                await conn.close()
        await conn.close()

    loaders = [asyncio.create_task(background()) for _ in range(max(1, connections // 2))]
    try:
        for slot_id in setup.slot_ids:
            chosen = [link for link in links if link not in won][:contenders]
            # Each campaign opens its page first, in its own browser: a session, and the form's CSRF token.
            sessions = []
            for link in chosen:
                conn = Connection(port)
                page = await conn.request("GET", link)
                token = BOOK_CSRF.search(page.body.decode())
                await conn.close()
                sessions.append((link, conn, token.group(1) if token else ""))

            async def take(link: str, conn: Connection, token: str, slot_id: int = slot_id) -> tuple[str, int]:
                form = {"book-csrf_token": token, "book-tz": "America/New_York", "book-slot_id": str(slot_id)}
                reply = await conn.request("POST", f"{link}/book", form)
                await conn.close()
                return link, reply.status

            replies = await asyncio.gather(*(take(*s) for s in sessions))
            statuses: Counter[int] = Counter(status for _, status in replies)
            won.update(link for link, status in replies if status == 302)
            outcomes.append((slot_id, statuses))
    finally:
        stop_background.set()
        await asyncio.gather(*loaders)
    return outcomes


def check_bookings(url: str, secret: str, setup: Setup) -> list[tuple[int, int, int]]:
    """(slot id, interviews booked in it, whether it is taken) as the database has them."""
    from interviews.extensions import db
    from interviews.invitations.models import Slot
    from interviews.scheduling.models import Interview, InterviewStatus

    app = create_app(Config, SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        rows = []
        for slot_id in setup.slot_ids:
            booked = db.session.scalar(
                select(func.count())
                .select_from(Interview)
                .where(Interview.slot_id == slot_id, Interview.status == InterviewStatus.scheduled)
            )
            taken = db.session.scalar(select(Slot.taken_by_id).where(Slot.id == slot_id))
            rows.append((slot_id, booked or 0, 1 if taken else 0))
        db.session.remove()
        db.engine.dispose()
    return rows


# --- the run ----------------------------------------------------------------------------------------


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def merged(label: str, runs: list[LoadResult]) -> LoadResult:
    """The runs of one URL as one: all their answers, over all their seconds."""
    result = LoadResult(label)
    for run in runs:
        result.latencies += run.latencies
        result.statuses.update(run.statuses)
        result.errors += run.errors
        result.seconds += run.seconds
    return result


@dataclass
class PageRounds:
    """A page's rounds and the bare runs around them (one more bare run than page runs)."""

    label: str
    runs: list[LoadResult]
    bares: list[LoadResult]

    @property
    def ratios(self) -> list[float]:
        return [
            run.rate / ((before.rate + after.rate) / 2)
            for run, before, after in zip(self.runs, self.bares, self.bares[1:], strict=False)
        ]


def report(pages: list[PageRounds]) -> str:
    """One line per page: its rounds merged, the median of its rounds' ratios and their range; then the
    bare page's runs merged, with the range of its rates (how much the machine drifted)."""
    lines = [
        "| page | requests/s | p50 ms | p99 ms | × SELECT 1 (median of rounds) | rounds' range | statuses |",
        "|---|---|---|---|---|---|---|",
    ]

    def line(r: LoadResult, ratio: str, spread: str) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r.statuses.items()))
        if r.errors:
            statuses += f", connection errors: {r.errors}"
        return (
            f"| {r.label} | {r.rate:,.0f} | {r.percentile(50) * 1000:.1f} | {r.percentile(99) * 1000:.1f} | "
            f"{ratio} | {spread} | {statuses} |"
        )

    bares: list[LoadResult] = []
    for page in pages:
        ratios = page.ratios
        lines.append(
            line(merged(page.label, page.runs), f"{median(ratios):.3f}", f"{min(ratios):.3f}–{max(ratios):.3f}")
        )
        bares += page.bares
    rates = [b.rate for b in bares]
    lines.append(
        line(merged("bare SELECT 1, every run", bares), "1 (baseline)", f"{min(rates):,.0f}–{max(rates):,.0f}/s")
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="the PostgreSQL server (a database is made)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each run of a URL lasts")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each page, each between two bare runs")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers of each server")
    parser.add_argument("--contenders", type=int, default=12, help="candidates racing for each slot")
    parser.add_argument("--slots", type=int, default=6)
    args = parser.parse_args()
    # Ctrl-C and a plain `kill` both end the run through the cleanup below (servers stopped, database
    # dropped), also when a shell started this in the background with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupted)

    print(f"load benchmark; load average at start: {_load()} ({os.cpu_count()} cores)", flush=True)
    secret = secrets.token_hex(32)
    servers: list[Server] = []
    with scratch_postgres_database(args.database_url, "interviews_load") as url, tempfile.TemporaryDirectory() as logs:
        began = time.perf_counter()
        setup = prepare(url, secret, args.contenders + args.slots, args.slots)
        print(f"demo loaded, booking race set up in {time.perf_counter() - began:.0f} s", flush=True)
        env = {"BENCH_DATABASE_URL": url, "BENCH_SECRET_KEY": secret}
        try:
            app = start_server("app", "served_app()", args.workers, env, Path(logs))
            servers.append(app)
            bare = start_server("bare", "bare_app()", args.workers, env, Path(logs))
            servers.append(bare)
            wait_until_up(app, "/healthz")
            wait_until_up(bare, "/")
            staff = asyncio.run(sign_in(app.port, setup.staff_email, setup.password))
            leader = asyncio.run(sign_in(app.port, setup.leader_email, setup.password))
            n, t = args.connections, args.seconds
            print(
                f"driving each URL with {n} connections, {args.rounds} runs of {t:g} s per page between runs of "
                f"the bare page ({args.workers} sync workers)",
                flush=True,
            )

            def run(label: str, server: Server, path: str, cookies: dict[str, str]) -> LoadResult:
                return asyncio.run(drive(label, server.port, path, cookies, n, t))

            pages = [
                # The app's own SELECT 1: what its hooks, session and headers cost before any page.
                ("app health check (SELECT 1)", "/healthz", {}),
                ("candidate's invitation page", setup.candidate_path, {}),
                ("leader dashboard", "/dashboard", leader),
                ("staff dashboard", "/dashboard", staff),
                ("staff race page (governor)", f"/races/{setup.race_id}", staff),
            ]
            # Each page's runs alternate with the bare page's: the machine's speed drifts during a run
            # (one run here had the bare page at 1,064/s and 1,590/s a minute apart).
            measured = []
            for label, path, cookies in pages:
                rounds = PageRounds(label, [], [run("bare SELECT 1", bare, "/", {})])
                for _ in range(args.rounds):
                    rounds.runs.append(run(label, app, path, cookies))
                    rounds.bares.append(run("bare SELECT 1", bare, "/", {}))
                ratios = ", ".join(f"{r:.3f}" for r in rounds.ratios)
                print(f"  {label}: {merged(label, rounds.runs).rate:,.0f}/s; × SELECT 1 by round: {ratios}", flush=True)
                measured.append(rounds)
            print(
                f"\nPostgreSQL, gunicorn {args.workers} sync workers, {n} connections, "
                f"{args.rounds} rounds of {t:g} s for each page:\n"
            )
            print(report(measured))

            print(f"\nbooking race: {args.contenders} candidates POST for each of {args.slots} slots at once,")
            print(f"while {max(1, n // 2)} connections load the staff race page")
            outcomes = asyncio.run(booking_race(app.port, setup, args.contenders, f"/races/{setup.race_id}", staff, n))
            checked = {slot_id: (booked, taken) for slot_id, booked, taken in check_bookings(url, secret, setup)}
            all_good = True
            for slot_id, statuses in outcomes:
                booked, taken = checked[slot_id]
                good = statuses.get(302, 0) == 1 and booked == 1 and taken == 1
                all_good = all_good and good
                shown = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
                print(
                    f"  slot {slot_id}: answers {shown}; interviews booked in it: {booked}; {'ok' if good else 'WRONG'}"
                )
            print("exactly one winner per slot" if all_good else "NOT exactly one winner per slot")
        finally:
            for server in servers:
                stop(server)
            for server in servers:
                errors = server.log.read_text() if server.log.exists() else ""
                if "Traceback" in errors:
                    print(f"\n{server.label} server log had errors:\n{errors[-4000:]}")
    print(f"load average at end: {_load()}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped and databases dropped", file=sys.stderr)
        sys.exit(130)
