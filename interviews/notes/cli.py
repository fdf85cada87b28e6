"""`flask record-books build` (one pass) and `flask record-books work` (keep building large PDFs)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.notes.pdf_jobs import build_due

record_books = AppGroup("record-books", help="Build the PDFs of large record books, off the web requests.")
WORKER = System("record-book worker")


@record_books.command("build")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Build at most this many.")
def build_command(limit: int | None) -> None:
    """Build the PDFs that wait, once. Exits 1 if any failed (the page says why)."""
    try:
        report = build_due(actor=WORKER, limit=limit)
    except SQLAlchemyError as error:
        raise click.ClickException(f"The database is unavailable ({type(error).__name__}); try again.") from error
    click.echo(report.summary())
    if report.failed:
        raise SystemExit(1)


@record_books.command("work")
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds between passes."
)
def work_command(interval: float) -> None:
    """Keep building: a pass, a pause, again. Stops cleanly on Ctrl-C or SIGTERM (after the PDF in hand)."""
    stopping = threading.Event()

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"Building record-book PDFs every {interval:g} s. Stop with Ctrl-C.")
    try:
        while not stopping.is_set():
            try:
                report = build_due(actor=WORKER, stop=stopping.is_set)
            except SQLAlchemyError as error:
                db.session.rollback()
                click.echo(f"Database unavailable ({type(error).__name__}); trying again.", err=True)
            else:
                if report.built or report.failed:
                    click.echo(report.summary())
            finally:
                db.session.remove()
            stopping.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Stopped.")


def register(app: Flask) -> None:
    app.cli.add_command(record_books)
