"""`flask outbox send` (one pass) and `flask outbox work` (keep delivering), safe to run side by side."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.mail.worker import DeliveryReport, MailSettingsError, deliver_due

outbox = AppGroup("outbox", help="Deliver the e-mail outbox over SMTP.")
WORKER = System("outbox worker")


def _progress_printer(every: int) -> tuple[Callable[[DeliveryReport], None], Callable[[], None]]:
    """Progress on stderr: rewritten in place on a terminal, a line every `every` messages in a log."""
    interactive = sys.stderr.isatty()
    shown = {"last": 0, "any": False}

    def show(report: DeliveryReport) -> None:
        line = report.summary()
        shown["any"] = True
        if interactive:
            click.echo("\r" + line + "\033[K", nl=False, err=True)
        elif report.processed - shown["last"] >= every:
            shown["last"] = report.processed
            click.echo(line, err=True)

    def done() -> None:
        if interactive and shown["any"]:
            click.echo("\r\033[K", nl=False, err=True)

    return show, done


@outbox.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Deliver at most this many.")
def send_command(limit: int | None) -> None:
    """Deliver the messages that are due, once. Exits 1 if any could not be delivered."""
    show, done = _progress_printer(every=50)
    try:
        report = deliver_due(actor=WORKER, limit=limit, progress=show)
    except SQLAlchemyError as error:
        # Messages this pass held stay claimed until their lease ends; the next pass takes them.
        raise click.ClickException(f"The database is unavailable ({type(error).__name__}); try again.") from error
    except MailSettingsError as error:
        raise click.ClickException(str(error)) from error
    finally:
        done()
    click.echo(report.summary())
    for problem in report.errors[:20]:
        click.echo(f"  {problem}", err=True)
    if len(report.errors) > 20:
        click.echo(f"  ... and {len(report.errors) - 20} more", err=True)
    if not report.ok:
        sys.exit(1)


@outbox.command("work")
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds between passes."
)
def work_command(interval: float) -> None:
    """Keep delivering: a pass, a pause, again. Stops cleanly on Ctrl-C or SIGTERM."""
    stopping = threading.Event()

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"Delivering the outbox every {interval:g} s. Stop with Ctrl-C.")
    told_unconfigured = False
    try:
        while not stopping.is_set():
            try:
                report = deliver_due(actor=WORKER, stop=stopping.is_set)
            except SQLAlchemyError as error:
                # The database went away for a moment: say so and try again on the next pass.
                db.session.rollback()
                click.echo(f"Database unavailable ({type(error).__name__}); trying again.", err=True)
            except MailSettingsError as error:
                raise click.ClickException(str(error)) from error
            else:
                if not report.configured and not told_unconfigured:
                    click.echo(report.summary(), err=True)
                    told_unconfigured = True
                elif report.processed or report.released:
                    click.echo(report.summary())
                    for problem in report.errors[:20]:
                        click.echo(f"  {problem}", err=True)
            finally:
                db.session.remove()
            stopping.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Stopped.")


def register(app: Flask) -> None:
    app.cli.add_command(outbox)
