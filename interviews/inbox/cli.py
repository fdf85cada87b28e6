"""`flask inbox fetch` (one pass) and `flask inbox work` (keep reading, IMAP IDLE), safe to run side by side."""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.inbox.mailbox import ImapSettings, InboxSettingsError, InboxUnavailable, Mailbox
from interviews.inbox.worker import fetch_once, keep_reading

inbox = AppGroup("inbox", help="Read calendar answers (iTIP REPLY and COUNTER) from the organiser's mailbox.")
FETCH = System("inbox fetch")
WORKER = System("inbox work")
OFF = (
    "Reading calendar answers is off: no IMAP server is configured (IMAP_HOST). Nothing was read; "
    "the Inbox page says how to turn it on."
)


def _settings() -> ImapSettings | None:
    try:
        return ImapSettings.from_config(current_app.config)
    except InboxSettingsError as error:
        raise click.ClickException(str(error)) from error


@inbox.command("fetch")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Read at most this many new messages.")
def fetch_command(limit: int | None) -> None:
    """Read the new messages once. Exits 1 if the server is down or refuses the login."""
    settings = _settings()
    if settings is None:
        click.echo(OFF, err=True)
        return
    try:
        report = fetch_once(Mailbox(settings), actor=FETCH, limit=limit)
    except InboxUnavailable as error:
        db.session.rollback()
        raise click.ClickException(
            f"{error}. Nothing stored was lost; the messages not yet read stay in the mailbox for the next pass."
        ) from error
    except SQLAlchemyError as error:
        db.session.rollback()
        raise click.ClickException(f"The database is unavailable ({type(error).__name__}); try again.") from error
    click.echo(report.summary())
    for note in report.notes:
        click.echo(note, err=True)
    for problem in report.problems[:20]:
        click.echo(f"  {problem}", err=True)
    if len(report.problems) > 20:
        click.echo(f"  ... and {len(report.problems) - 20} more", err=True)


@inbox.command("work")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds between passes when the server has no IDLE.",
)
@click.option(
    "--idle",
    "idle_seconds",
    type=click.FloatRange(min=1, max=29 * 60),
    default=300.0,
    show_default=True,
    help="Longest IDLE before a pass anyway (RFC 2177 asks for less than 29 minutes).",
)
def work_command(interval: float, idle_seconds: float) -> None:
    """Keep reading: a pass, then IDLE until something arrives, again. Stops cleanly on Ctrl-C or SIGTERM."""
    settings = _settings()
    if settings is None:
        raise click.ClickException(OFF)
    config = current_app.config
    stopping = threading.Event()
    wake_read, wake_write = os.pipe()

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        os.write(wake_write, b"x")  # ends a select() in IDLE at once

    def say(line: str, problem: bool) -> None:
        click.echo(line, err=problem)

    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"Reading calendar answers from {settings.mailbox_key}. Stop with Ctrl-C.")
    try:
        keep_reading(
            lambda: Mailbox(settings),
            actor=WORKER,
            stop=stopping.is_set,
            sleep=stopping.wait,
            say=say,
            interval=interval,
            idle_seconds=idle_seconds,
            retry_base=float(config.get("IMAP_RETRY_BASE_SECONDS") or 5),
            retry_max=float(config.get("IMAP_RETRY_MAX_SECONDS") or 300),
            wake_fd=wake_read,
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        os.close(wake_read)
        os.close(wake_write)
        db.session.remove()
    click.echo("Stopped.")
    sys.stdout.flush()


def register(app: Flask) -> None:
    app.cli.add_command(inbox)
