"""`flask outbox send` and `flask outbox work`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_send_delivers_and_reports(mail_app, smtp_server, make_message, runner):
    for _ in range(3):
        make_message()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "3/3 sent" in result.output
    assert len(smtp_server.wait_for(3)) == 3


def test_send_exits_non_zero_when_a_message_could_not_go(mail_app, make_message, runner):
    mail_app.config["MAIL_PORT"] = free_port()
    make_message()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "0/1 sent, 1 to retry later" in result.output
    assert "cannot use the SMTP server" in result.output


def test_send_without_smtp_says_so_and_leaves_the_messages(app, make_message, runner):
    make_message()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "No SMTP server is configured" in result.output and "1 message(s) wait" in result.output
    assert db.session.scalar(select(OutboxMessage.status)) is OutboxStatus.pending


def test_work_keeps_delivering_and_stops_cleanly_on_sigterm(
    app, database_url, mail_settings, smtp_server, make_message, tmp_path
):
    first = make_message()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-key",
        "INSTANCE_PATH": str(tmp_path),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_settings["MAIL_PORT"]),
        "FLASK_APP": "wsgi",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "outbox", "work", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert smtp_server.wait_for(1, timeout=60)[0]["Message-ID"] == first.message_id
        # Reading first.message_id above opened a read transaction (the suite's session begins
        # deferred). The worker has written since, and SQLite cannot turn a stale snapshot into a
        # write ("database is locked" at once, whatever the busy timeout): start a fresh one.
        db.session.rollback()
        second = make_message()  # written while the worker runs: the next pass takes it
        assert [m["Message-ID"] for m in smtp_server.wait_for(2, timeout=30)] == [first.message_id, second.message_id]
        deadline = time.monotonic() + 10  # the second row is marked sent just after the server accepted it
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(OutboxMessage, second.id).status is OutboxStatus.sent:
                break
            db.session.rollback()
            time.sleep(0.05)
        db.session.rollback()
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "Stopped." in out
    assert len(smtp_server.messages) == 2
