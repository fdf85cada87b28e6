"""Several workers at once, as threads and as separate `flask outbox send` processes: each message
arrives exactly once. Runs on SQLite (conditional-UPDATE claims under BEGIN IMMEDIATE) and on
PostgreSQL with TEST_DATABASE_URL (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.mail.worker import deliver_due
from tests.mail.conftest import WORKER

ROOT = Path(__file__).resolve().parents[2]


def _fill(make_message, count: int) -> set[str]:  # type: ignore[no-untyped-def]
    return {make_message().message_id for _ in range(count)}


def _assert_each_arrived_once(smtp_server, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    smtp_server.wait_for(len(expected))
    counts = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert set(counts) == expected
    assert [mid for mid, n in counts.items() if n > 1] == []
    db.session.expire_all()
    statuses = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert statuses == {OutboxStatus.sent: len(expected)}


def test_worker_threads_racing_deliver_each_message_once(app, app_factory, mail_settings, smtp_server, make_message):
    expected = _fill(make_message, 150)
    db.session.commit()
    reports = []
    errors: list[BaseException] = []
    start = threading.Barrier(4, timeout=60)
    # Apps are built here, not in the threads: building registers URL rules, which compiles Python
    # ASTs, and CPython 3.11.7 can fail doing that in several threads at once (gh-106905).
    worker_apps = [app_factory(**mail_settings) for _ in range(4)]  # each its own engine and sessions

    def work(worker_app) -> None:  # type: ignore[no-untyped-def]
        try:
            with worker_app.app_context():
                start.wait()
                while True:
                    report = deliver_due(actor=WORKER)
                    reports.append(report)
                    if report.processed == 0:
                        break
                db.session.remove()
        except BaseException as error:  # reported in the test thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker_app,)) for worker_app in worker_apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker thread did not finish"
    assert errors == []
    assert sum(r.sent for r in reports) == 150 and all(r.ok for r in reports)
    _assert_each_arrived_once(smtp_server, expected)


def test_worker_processes_racing_deliver_each_message_once(
    app, database_url, mail_settings, smtp_server, make_message, tmp_path
):
    expected = _fill(make_message, 150)
    db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-key",
        "INSTANCE_PATH": str(tmp_path),
        "MAIL_SERVER": mail_settings["MAIL_SERVER"],
        "MAIL_PORT": str(mail_settings["MAIL_PORT"]),
        "MAIL_DEFAULT_SENDER": mail_settings["MAIL_DEFAULT_SENDER"],
        "FLASK_APP": "wsgi",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "outbox", "send"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], outputs
    sent = [int(out.strip().splitlines()[-1].split("/")[0]) for out, _ in outputs]
    assert sum(sent) == 150, outputs
    _assert_each_arrived_once(smtp_server, expected)
