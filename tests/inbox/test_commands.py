"""`flask inbox fetch` and `flask inbox work`: the server down or refusing the login, the feature off,
back-off, IMAP IDLE with a clean stop on SIGTERM, and several workers reading one mailbox at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.inbox.mailbox import ImapSettings, Mailbox
from interviews.inbox.models import AttendeeReply, InboxMessage, Outcome
from interviews.inbox.worker import fetch_once, keep_reading
from tests.conftest import changed_tables, free_port, stored_rows
from tests.inbox.conftest import PASSWORD, USER
from tests.inbox.messages import google_ics, google_reply, outlook_ics, outlook_reply
from tests.inbox.test_replies import CONTACT, ROSA, TOM

ROOT = Path(__file__).resolve().parents[2]


def _answer(uid: str, email: str, name: str, n: int) -> bytes:
    """Answer number n: its own Message-ID and DTSTAMP, so each is a distinct answer."""
    return google_reply(
        google_ics(uid, email=email, name=name, partstat="ACCEPTED", stamp=f"20270201T10{n:02d}00Z"),
        sender=f"{name} <{email}>",
        subject="Accepted: Endorsement interview",
        message_id=f"<answer-{n}@google.com>",
    )


def test_fetch_with_the_server_down_says_so_exits_1_and_loses_nothing(imap_app, booked, runner):
    imap_app.config["IMAP_PORT"] = free_port()  # nothing listens there
    before = stored_rows()
    result = runner.invoke(args=["inbox", "fetch"])
    assert result.exit_code == 1
    assert f"cannot reach the IMAP server 127.0.0.1:{imap_app.config['IMAP_PORT']}: ConnectionRefusedError" in (
        result.output
    )
    assert "Nothing stored was lost" in result.output
    assert changed_tables(before) == []


def test_fetch_with_a_wrong_password_says_the_login_was_refused(imap_app, folder, booked, runner):
    folder.deliver(_answer(booked.interview.uid, CONTACT, "Scheduler A", 1))
    imap_app.config["IMAP_PASSWORD"] = "not-the-password"
    before = stored_rows()
    result = runner.invoke(args=["inbox", "fetch"])
    assert result.exit_code == 1
    assert f"the IMAP server 127.0.0.1:{folder.server.port} refused the login for {USER}" in result.output
    assert "Authentication failed" in result.output  # the server's own words
    assert changed_tables(before) == []
    # With the right password the message is still there, unread by us, and is read now.
    imap_app.config["IMAP_PASSWORD"] = PASSWORD
    assert runner.invoke(args=["inbox", "fetch"]).exit_code == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AttendeeReply)) == 1


def test_a_missing_folder_is_named(imap_app, runner):
    imap_app.config["IMAP_FOLDER"] = "No Such Folder"
    result = runner.invoke(args=["inbox", "fetch"])
    assert result.exit_code == 1
    assert "the folder 'No Such Folder' cannot be opened" in result.output


def test_without_imap_settings_the_feature_is_off_and_says_so(app, runner):
    result = runner.invoke(args=["inbox", "fetch"])
    assert result.exit_code == 0
    assert "Reading calendar answers is off: no IMAP server is configured (IMAP_HOST)" in result.output
    result = runner.invoke(args=["inbox", "work"])
    assert result.exit_code == 1 and "Reading calendar answers is off" in result.output
    app.config.update(IMAP_HOST="imap.example.org", IMAP_USERNAME="")
    result = runner.invoke(args=["inbox", "fetch"])
    assert result.exit_code == 1 and "IMAP_HOST is set but IMAP_USERNAME is not" in result.output


def test_work_retries_with_a_doubling_back_off_while_the_server_is_down(imap_app):
    settings = ImapSettings.from_config({**imap_app.config, "IMAP_PORT": free_port()})
    assert settings is not None
    waits: list[float] = []
    lines: list[str] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)

    keep_reading(
        lambda: Mailbox(settings),
        actor=System("inbox work"),
        stop=lambda: len(waits) >= 6,
        sleep=sleep,
        say=lambda line, problem: lines.append(line),
        interval=1,
        idle_seconds=60,
        retry_base=5,
        retry_max=30,
    )
    assert waits == [5, 10, 20, 30, 30, 30]  # 5 s doubling, capped at 30 s
    assert lines[0] == (
        f"cannot reach the IMAP server 127.0.0.1:{settings.port}: ConnectionRefusedError: [Errno 111] "
        "Connection refused. Trying again in 5 s."
    )


def _wait_for_answers(count: int, worker: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    stored = 0
    while time.monotonic() < deadline:
        assert worker.poll() is None, worker.communicate()
        db.session.rollback()
        stored = db.session.scalar(select(func.count()).select_from(AttendeeReply)) or 0
        if stored >= count:
            break
        time.sleep(0.05)
    db.session.rollback()
    assert stored == count


def test_work_reads_what_arrives_during_idle_and_stops_cleanly_on_sigterm(
    imap_app, folder, booked, database_url, tmp_path
):
    db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "inbox-worker-test-key",
        "INSTANCE_PATH": str(tmp_path),
        "FLASK_APP": "wsgi",
        **{key: str(value) for key, value in folder.settings.items()},
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "inbox", "work", "--idle", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    folder.deliver(_answer(booked.interview.uid, CONTACT, "Scheduler A", 1))
    try:
        _wait_for_answers(1, worker)
        # The first pass is done: the worker waits in IDLE (up to 60 s). A new message wakes it at once.
        folder.deliver(_answer(booked.interview.uid, ROSA, "Rosa Delgado", 2))
        _wait_for_answers(2, worker, timeout=20)
        # The worker is back in IDLE, waiting up to 60 s: SIGTERM must end that wait at once.
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=15)
        took = time.monotonic() - asked
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "1 answer(s) stored" in out and out.rstrip().endswith("Stopped.")
    assert "Traceback" not in err
    assert took < 10  # well inside the 60 s IDLE it interrupted


def test_workers_racing_on_one_mailbox_store_each_message_once(imap_app, app_factory, folder, booked):
    uid = booked.interview.uid
    people = [(CONTACT, "Scheduler A"), (ROSA, "Rosa Delgado"), (TOM, "Tom Becker")]
    messages = [_answer(uid, *people[n % 3], n) for n in range(12)]
    # Two copies of one Outlook answer under different Message-IDs, so that two workers may race on the
    # answer's own unique key as well as on the message's.
    copy = outlook_ics(uid, email=ROSA, name="Rosa Delgado", partstat="DECLINED")
    messages += [
        outlook_reply(copy, sender=f"<{ROSA}>", subject="Declined", message_id=f"<copy-{n}@x>") for n in (1, 2)
    ]
    folder.deliver(*messages)
    db.session.commit()
    settings = ImapSettings.from_config(imap_app.config)
    assert settings is not None
    # Built here, not in the threads (CPython 3.11.7 can fail compiling URL rules in threads: gh-106905).
    worker_apps = [app_factory(**folder.settings) for _ in range(3)]
    start = threading.Barrier(3, timeout=60)
    reports = []
    errors: list[BaseException] = []

    def work(worker_app) -> None:  # type: ignore[no-untyped-def]
        try:
            with worker_app.app_context():
                start.wait()
                reports.append(fetch_once(Mailbox(settings), actor=System("inbox fetch")))
                db.session.remove()
        except BaseException as error:  # reported in the test thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker_app,)) for worker_app in worker_apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    db.session.rollback()
    rows = db.session.scalars(select(InboxMessage)).all()
    assert sorted(Counter(row.uid for row in rows).values()) == [1] * 14  # one row per message
    outcomes = Counter(row.outcome for row in rows)
    assert outcomes == {Outcome.handled: 13, Outcome.kept: 1}  # the second Outlook copy is a duplicate
    assert db.session.scalar(select(func.count()).select_from(AttendeeReply)) == 13
    assert sum(r.handled for r in reports) == 13 and sum(r.kept for r in reports) == 1
    assert all("$InterviewsHandled" in flags for flags in folder.keywords().values())
