"""`flask --app wsgi tick`: reminders and deadlines, safe to run from cron every minute."""

from __future__ import annotations

import click
from flask import Flask

from interviews.invitations.reminders import tick


@click.command("tick")
def tick_command() -> None:
    """Send due reminders and mark unanswered invitations past their deadline (run every minute)."""
    for line in tick().lines():
        click.echo(line)


def register(app: Flask) -> None:
    app.cli.add_command(tick_command)
