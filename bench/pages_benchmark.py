"""What each main page and export costs at a state federation's volume, and against a bare handler.

    .venv/bin/python bench/pages_benchmark.py [--database-url URL] [--sizes 0.1,1] [--repeat 5]
        [--pdf-limit 30] [--budget 20] [--only race,search]

For each size (1 = issue 14's volume: 200 leaders, 50 races, 10,000 candidates with 2,000 in one race,
about 10,000 interviews, 100,000 notes, 50,000 audit events, 20,000 outbox messages; 0.1 = a tenth) it
makes a fresh database, seeds it in a child process (bench/seed.py, so the seeding's memory is not the
app's), then with the Flask test client, signed in as staff, a leader or an admin as each page needs,
times every main page and export, each run followed by a run of its bare handler (bench/bare.py: the
minimal SQL for the same rows and a trivial template), so a burst of load from elsewhere on the machine
hits both alike. The first request of each page is a warm-up that also counts its SQL statements (as
tests/conftest.py `count_queries` does), its bytes and, for exports, the peak RSS while it ran.

The default database is PostgreSQL at 127.0.0.1:5432: the benchmark creates its own database there
for each size and drops it at the end (the URL's database is only where it connects to do so). A
SQLite URL (`sqlite` alone, or `sqlite:///file`) uses a new file in a temporary folder.

The record book PDF runs in a forked child with a time limit: past it the table says "> N s" rather
than waiting minutes. A page that takes longer than `--budget` seconds in all gets fewer timed runs.
A page that fails (an exception, which the test config propagates) is reported with its traceback.

It prints the load average at the start and the end (the machine is shared), then one Markdown table:
queries at each size, bytes, median wall time at each size, growth, the bare handler's time and the
ratio at the largest size, and notes (status, runs, peak memory of exports); then the peak RSS of
this process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select

from bench import bare
from bench.seed import Seeded, scratch_postgres_database
from config import TestConfig
from interviews import create_app
from interviews.auth.models import User
from interviews.extensions import db
from interviews.invitations.links import make_token
from interviews.invitations.models import Invitation

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# "Showing 1–50 of 2000 candidates." (templates/_pagination.html): how many rows of which list a page shows.
PAGER = re.compile(r"Showing (\d+)–(\d+) of (\d+) ([\w ]+?)\.")
# Lists the app pages by its own constant before the pager macro reached them (the bare handler's default).
DEFAULT_SHOWN = {"events": 50, "messages": 50}


# --- what is measured -------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    seeded: Seeded
    race: int
    candidate_token: str
    staff_feed_token: str


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    who: str  # the client: staff, leader, admin or anonymous
    url: Callable[[Context], str]
    bare: Callable[[Context], str] | None
    export: bool = False
    time_limit: bool = False  # run in a child process, given up after --pdf-limit seconds


PAGES = [
    Page("race", "race page, big race", "staff", lambda c: f"/races/{c.race}", lambda c: f"/_bare/race/{c.race}"),
    Page(
        "race-leader",
        "race page, big race",
        "leader",
        lambda c: f"/races/{c.race}",
        lambda c: f"/_bare/race/{c.race}",
    ),
    Page(
        "ledger",
        "invitation ledger, big race",
        "staff",
        lambda c: f"/races/{c.race}/invitation/ledger",
        lambda c: f"/_bare/ledger/{c.race}",
    ),
    Page("record", "record book", "staff", lambda c: f"/races/{c.race}/record", lambda c: f"/_bare/record/{c.race}"),
    Page(
        "record-leader",
        "record book",
        "leader",
        lambda c: f"/races/{c.race}/record",
        lambda c: f"/_bare/record/{c.race}",
    ),
    Page("pdf", "record book PDF, the request", "leader", lambda c: f"/races/{c.race}/record.pdf", None, True, True),
    # The same PDF as the worker builds it (interviews.notes.pdf), timed in a child with the same limit.
    Page("pdf-build", "record book PDF, the build", "leader", lambda c: "(no request)", None, True, True),
    Page(
        "search-common",
        "search, common word",
        "leader",
        lambda c: f"/search?q={c.seeded.common_word}",
        lambda c: f"/_bare/search?q={c.seeded.common_word}",
    ),
    Page(
        "search-rare",
        "search, rare word",
        "leader",
        lambda c: f"/search?q={c.seeded.rare_word}",
        lambda c: f"/_bare/search?q={c.seeded.rare_word}",
    ),
    Page("dashboard-staff", "dashboard", "staff", lambda c: "/dashboard", lambda c: "/_bare/dashboard"),
    Page("dashboard-leader", "dashboard", "leader", lambda c: "/dashboard", lambda c: "/_bare/dashboard"),
    Page("races", "race list", "staff", lambda c: "/races", lambda c: "/_bare/races"),
    Page("audit", "audit trail", "admin", lambda c: "/admin/audit/", lambda c: "/_bare/audit"),
    Page("outbox", "outbox, sent", "staff", lambda c: "/outbox/?status=sent", lambda c: "/_bare/outbox"),
    Page(
        "json",
        "record.json",
        "leader",
        lambda c: f"/races/{c.race}/record.json",
        lambda c: f"/_bare/record.json/{c.race}",
        True,
    ),
    Page(
        "notes-csv",
        "notes.csv",
        "leader",
        lambda c: f"/races/{c.race}/notes.csv",
        lambda c: f"/_bare/notes.csv/{c.race}",
        True,
    ),
    Page(
        "interviews-csv",
        "interviews.csv",
        "leader",
        lambda c: f"/races/{c.race}/interviews.csv",
        lambda c: f"/_bare/interviews.csv/{c.race}",
        True,
    ),
    Page(
        "ics",
        "all-interviews .ics",
        "anonymous",
        lambda c: f"/calendar/{c.staff_feed_token}/all.ics",
        lambda c: f"/_bare/all.ics/{c.staff_feed_token}",
        True,
    ),
    Page(
        "candidate",
        "candidate's invitation page",
        "anonymous",
        lambda c: f"/invitation/{c.candidate_token}",
        lambda c: f"/_bare/invitation/{c.candidate_token}",
    ),
]


@dataclass
class Fetch:
    status: int
    nbytes: int
    wall: float
    cpu: float
    html: str = ""  # kept for HTML pages only (the pager), not for exports


@dataclass
class Result:
    page: Page
    queries: int | None = None
    status: int | None = None
    nbytes: int | None = None
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    bare_queries: int | None = None
    bare_nbytes: int | None = None
    bare_walls: list[float] = field(default_factory=list)
    shown: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    rss_delta_mb: float | None = None
    timed_out: float | None = None
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls else None

    @property
    def bare_median(self) -> float | None:
        return statistics.median(self.bare_walls) if self.bare_walls else None


# --- instruments ---------------------------------------------------------------------------------


class QueryCounter:
    """SQL statements sent, as tests/conftest.py counts them (no BEGIN, SAVEPOINT, RELEASE, PRAGMA)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextlib.contextmanager
def rss_sampler() -> Iterator[list[float]]:
    """[peak, start] RSS in MB while the block runs, sampled every 5 ms by a thread."""
    box = [current_rss_mb(), current_rss_mb()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            box[0] = max(box[0], current_rss_mb())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        stop.set()
        thread.join()
        box[0] = max(box[0], current_rss_mb())


def fetch(client: FlaskClient, url: str) -> Fetch:
    """One GET, the body read to the end in chunks (so a streamed export is never held whole)."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, buffered=False)
    nbytes, kept = 0, []
    html = response.mimetype == "text/html"
    try:
        for chunk in response.iter_encoded():
            nbytes += len(chunk)
            if html:
                kept.append(chunk)
    finally:
        response.close()
    return Fetch(
        response.status_code,
        nbytes,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        b"".join(kept).decode("utf-8", "replace") if html else "",
    )


def shown_rows(html: str) -> dict[str, int]:
    """{noun: rows shown} for each pager on the page (a list that fits on one page has none)."""
    return {noun: int(last) - int(first) + 1 for first, last, _total, noun in PAGER.findall(html)}


def bare_url(page: Page, context: Context, shown: dict[str, int]) -> str:
    assert page.bare is not None
    url = page.bare(context)
    limits = {**(DEFAULT_SHOWN if page.key in ("audit", "outbox") else {}), **shown}
    if not limits:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(limits)


def _child_work(work: Callable[[], tuple[int, int]], engine: Engine, conn: Any) -> None:
    """In the forked child: the work, once; its status, bytes, time, queries and memory go back through the pipe."""
    try:
        with QueryCounter(engine) as counter:
            began = time.perf_counter()
            status, nbytes = work()
            wall = time.perf_counter() - began
        conn.send(("ok", status, nbytes, wall, counter.count, peak_rss_mb()))
    except BaseException:  # noqa: BLE001  (everything the child hit goes back to the parent, to be shown)
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def run_with_limit(work: Callable[[], tuple[int, int]], engine: Engine, limit: float, result: Result) -> None:
    """The work in a forked child, killed after `limit` seconds, so a runaway page cannot stall the run."""
    engine.dispose()  # no pooled connection may be shared with the child
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child_work, args=(work, engine, child))
    process.start()
    child.close()
    ready = parent.poll(limit)
    if not ready:
        process.kill()
        process.join()
        result.timed_out = limit
        return
    message = parent.recv()
    process.join()
    if message[0] == "error":
        result.error = message[1]
        return
    _, result.status, result.nbytes, wall, result.queries, result.peak_rss_mb = message
    result.walls.append(wall)


# --- the run ---------------------------------------------------------------------------------------


def build_pdf(app: Flask, context: Context) -> tuple[int, int]:
    """The record book's PDF as the worker builds it, off any request: the app's own two functions."""
    from interviews.notes.pdf import record_book_pdf
    from interviews.notes.record import load_record_book
    from interviews.races.models import Race

    with app.app_context():
        viewer = db.session.scalar(select(User).where(User.email == context.seeded.leader_email))
        race = db.session.get(Race, context.race)
        assert viewer is not None and race is not None
        pdf = record_book_pdf(load_record_book(race, viewer), app.config["ORGANIZATION_NAME"])
        return 200, len(pdf)


def measure(
    page: Page, app: Flask, clients: dict[str, FlaskClient], context: Context, engine: Engine, args: Any
) -> Result:
    result = Result(page)
    client = clients[page.who]
    url = page.url(context)
    try:
        if page.time_limit:
            if page.key == "pdf-build":
                run_with_limit(lambda: build_pdf(app, context), engine, args.pdf_limit, result)
            else:
                run_with_limit(lambda: _status_and_size(fetch(client, url)), engine, args.pdf_limit, result)
            return result
        with QueryCounter(engine) as counter, rss_sampler() as rss:
            first = fetch(client, url)
        result.queries, result.status, result.nbytes = counter.count, first.status, first.nbytes
        if page.export:
            result.peak_rss_mb, result.rss_delta_mb = rss[0], rss[0] - rss[1]
        result.shown = shown_rows(first.html)
        burl = bare_url(page, context, result.shown) if page.bare else None
        if burl:
            with QueryCounter(engine) as bare_counter:
                bare_first = fetch(client, burl)
            result.bare_queries, result.bare_nbytes = bare_counter.count, bare_first.nbytes
            if bare_first.status != 200:
                result.error = f"bare handler answered {bare_first.status}"
        if first.wall > args.budget:
            result.walls, result.cpus = [first.wall], [first.cpu]  # one cold run is all it gets
            if burl:
                result.bare_walls = [bare_first.wall]
            return result
        spent = first.wall
        while len(result.walls) < args.repeat and (spent < args.budget or not result.walls):
            run = fetch(client, url)
            result.walls.append(run.wall)
            result.cpus.append(run.cpu)
            spent += run.wall
            if burl:
                bare_run = fetch(client, burl)
                result.bare_walls.append(bare_run.wall)
                spent += bare_run.wall
    except Exception:  # noqa: BLE001  (a failing page is reported, and the other pages still run)
        result.error = traceback.format_exc()
    return result


def _status_and_size(got: Fetch) -> tuple[int, int]:
    return got.status, got.nbytes


def sign_in(app: Flask, email: str | None, password: str) -> FlaskClient:
    client = app.test_client()
    if email is not None:
        response = client.post("/login", data={"email": email, "password": password})
        if response.status_code != 302:
            raise RuntimeError(f"could not sign in as {email}: {response.status_code}")
    return client


def build_app(url: str, pg_options: str = "") -> Flask:
    """The app on the benchmark's database, with the bare handlers; `pg_options` go to each PostgreSQL session."""
    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if pg_options and not url.startswith("sqlite"):
        engine_options["connect_args"] = {"options": pg_options}
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options, RATELIMIT_ENABLED=False
    )
    app.register_blueprint(bare.bp)
    return app


def seed_in_child(url: str, scale: float) -> Seeded:
    """bench/seed.py in its own interpreter: its lists of rows never count against this process's memory."""
    output = subprocess.run(
        [sys.executable, str(HERE / "seed.py"), "--database-url", url, "--scale", str(scale)],
        check=True,
        capture_output=True,
        text=True,
    )
    return Seeded(**json.loads(output.stdout.strip().splitlines()[-1]))


@contextlib.contextmanager
def bench_database(base_url: str, label: str) -> Iterator[str]:
    """A new, empty database for one size, dropped afterwards (also on Ctrl-C)."""
    if base_url == "sqlite" or base_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench-{label}.sqlite3"
        return
    with scratch_postgres_database(base_url, f"interviews_bench_{label}") as url:
        yield url


def run_size(base_url: str, scale: float, pages: list[Page], args: Any) -> tuple[Seeded, dict[str, Result]]:
    label = str(scale).replace(".", "_")
    with bench_database(base_url, label) as url:
        began = time.perf_counter()
        seeded = seed_in_child(url, scale)
        print(f"\nsize {scale:g}: seeded in {time.perf_counter() - began:.0f} s: " + _counts(seeded), flush=True)
        app = build_app(url, args.pg_options)
        bare.prepare_search(app)
        with app.app_context():
            engine = db.engine
            invitation = db.session.get(Invitation, seeded.candidate_invitation_id)
            assert invitation is not None
            feed_token = db.session.scalar(select(User.feed_token).where(User.email == seeded.staff_email))
            context = Context(seeded, seeded.big_race_id, make_token(invitation), feed_token or "")
            db.session.remove()
        clients = {
            "staff": sign_in(app, seeded.staff_email, seeded.password),
            "leader": sign_in(app, seeded.leader_email, seeded.password),
            "admin": sign_in(app, seeded.admin_email, seeded.password),
            "anonymous": sign_in(app, None, seeded.password),
        }
        results: dict[str, Result] = {}
        for page in pages:
            result = measure(page, app, clients, context, engine, args)
            results[page.key] = result
            print(f"  {page.label} ({page.who}): {_brief(result)}", flush=True)
            if result.error:
                print("    " + result.error.replace("\n", "\n    "), flush=True)
        print(f"  peak RSS of this process after size {scale:g}: {peak_rss_mb():.0f} MB", flush=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return seeded, results


def _counts(seeded: Seeded) -> str:
    keys = ("candidates", "interviews", "notes", "audit_events", "outbox_messages", "votes")
    return ", ".join(f"{seeded.counts.get(k, 0):,} {k.replace('_', ' ')}" for k in keys)


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def _brief(result: Result) -> str:
    if result.timed_out:
        return f"> {result.timed_out:.0f} s (stopped)"
    if result.error and not result.walls:
        return "ERROR"
    return (
        f"{result.status}, {result.queries} queries, {(result.nbytes or 0) / 1024:,.0f} KB, "
        f"median {_ms(result.median)} ms over {len(result.walls)}; bare {_ms(result.bare_median)} ms"
    )


def table(sizes: list[float], runs: dict[float, dict[str, Result]], pages: list[Page]) -> str:
    big = sizes[-1]
    head = [
        "page",
        "as",
        "queries " + " → ".join(f"{s:g}" for s in sizes),
        f"KB at {big:g}",
        *(f"ms at {s:g}" for s in sizes),
        "growth",
        f"bare ms at {big:g}",
        f"× bare at {big:g}",
        "notes",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for page in pages:
        results = [runs[s].get(page.key) for s in sizes]
        last = results[-1]
        if last is None:
            continue
        queries = " → ".join("?" if r is None or r.queries is None else str(r.queries) for r in results)
        times = [
            f"> {r.timed_out:.0f} s"
            if r and r.timed_out
            else "error"
            if r and r.error and not r.walls
            else _ms(r.median if r else None)
            for r in results
        ]
        first, final = results[0], last
        growth = (
            f"×{final.median / first.median:.1f}" if first and first.median and final.median and len(sizes) > 1 else ""
        )
        ratio = f"{last.median / last.bare_median:.1f}" if last.median and last.bare_median else ""
        notes = []
        if last.status not in (None, 200):
            notes.append(f"status {last.status}")
        if last.shown:
            notes.append("shows " + ", ".join(f"{n} {noun}" for noun, n in last.shown.items()))
        if last.peak_rss_mb is not None:
            delta = f" (+{last.rss_delta_mb:.0f})" if last.rss_delta_mb is not None else ""
            notes.append(f"peak RSS {last.peak_rss_mb:.0f} MB{delta}")
        if last.bare_queries is not None:
            notes.append(f"bare: {last.bare_queries} queries, {(last.bare_nbytes or 0) / 1024:,.0f} KB")
        if last.walls and len(last.walls) < 3:
            notes.append(f"{len(last.walls)} run{'s' if len(last.walls) > 1 else ''}")
        if last.error:
            notes.append("ERROR (traceback above)")
        lines.append(
            "| "
            + " | ".join(
                [
                    page.label,
                    page.who,
                    queries,
                    f"{(last.nbytes or 0) / 1024:,.0f}" if last.nbytes is not None else "",
                    *times,
                    growth,
                    _ms(last.bare_median),
                    ratio,
                    "; ".join(notes),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server URL, or sqlite")
    parser.add_argument("--sizes", default="0.1,1", help="comma-separated scales, 1 = issue 14's volume")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each page (and of its bare handler)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds a page may take in all before fewer runs")
    parser.add_argument("--pdf-limit", type=float, default=30.0, help="seconds the PDF may take before it is stopped")
    parser.add_argument("--only", default="", help="comma-separated page keys, e.g. race,search-common")
    parser.add_argument(
        "--pg-options", default="", help='settings for every PostgreSQL session of the app, e.g. "-c jit=off"'
    )
    args = parser.parse_args()
    # Ctrl-C and a plain `kill` end the run through the cleanup (each size's database is dropped).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupted)
    sizes = sorted(float(s) for s in args.sizes.split(","))
    wanted = {k for k in args.only.split(",") if k}
    pages = [p for p in PAGES if not wanted or p.key in wanted]

    engine = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
    settings = f", sessions with {args.pg_options!r}" if args.pg_options else ""
    print(f"pages benchmark on {engine}{settings}; load average at start: {_load()} ({os.cpu_count()} cores)")
    runs: dict[float, dict[str, Result]] = {}
    began = time.perf_counter()
    for scale in sizes:
        _, runs[scale] = run_size(args.database_url, scale, pages, args)
    print(f"\n{engine}, sizes {', '.join(f'{s:g}' for s in sizes)}; medians of up to {args.repeat} runs each:\n")
    print(table(sizes, runs, pages))
    print(f"\npeak RSS of this process (the app, test client and bare handlers): {peak_rss_mb():.0f} MB")
    print(f"load average at end: {_load()}; took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted: the benchmark's databases are dropped", file=sys.stderr)
        sys.exit(130)
