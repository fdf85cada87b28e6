"""Commands: `flask --app wsgi create-user`, `demo`, and those each feature adds."""

from __future__ import annotations

import click
from flask import Flask

from interviews.audit.actors import System
from interviews.auth import services as accounts
from interviews.auth.models import Role
from interviews.demo import load_demo, print_logins
from interviews.extensions import db
from interviews.inbox import cli as inbox_cli
from interviews.invitations import cli as invitations_cli
from interviews.mail import cli as mail_cli
from interviews.notes import cli as notes_cli
from interviews.timezones import is_valid_timezone
from interviews.votes import cli as votes_cli

# Features that add commands do so in interviews/<feature>/cli.py with a register(app) function.


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="admin", show_default=True)
@click.option("--timezone", default="America/New_York", show_default=True)
@click.password_option()
def create_user_command(email: str, name: str, role: str, timezone: str, password: str) -> None:
    """Create an account (the first admin, typically)."""
    if not is_valid_timezone(timezone):
        raise click.BadParameter(f"unknown time zone {timezone!r}", param_hint="--timezone")
    try:
        user = accounts.create_user(
            email=email,
            name=name,
            role=role,
            password=password,
            timezone=timezone,
            actor=System("command create-user"),
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} account for {user.name} <{user.email}>.")


@click.command("demo")
def demo_command() -> None:
    """Load the demo organisation (safe to run again: it loads once)."""
    loaded = load_demo()
    click.echo("Demo data loaded." if loaded else "Demo data was already there.")
    print_logins()


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    for module in (invitations_cli, mail_cli, notes_cli, inbox_cli, votes_cli):
        module.register(app)
