"""`flask --app wsgi votes verify`: rebuild every record of the chain and check it against the audit trail."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from interviews.votes.verify import verify_chain

votes_cli = AppGroup("votes", help="Endorsement votes.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@votes_cli.command("verify")
@click.option(
    "--head",
    "witness_head",
    metavar="DIGEST",
    help="A chain head copied earlier (the public result page shows it): fail unless the chain still runs through it.",
)
def verify_command(witness_head: str | None) -> None:
    """Rebuild every final vote's and publication's record from the database; exit 1 naming what differs."""
    outcome = verify_chain(witness_head)
    for problem in outcome.problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    if outcome.problems:
        names = list(dict.fromkeys(p.what for p in outcome.problems))
        raise click.ClickException(f"verification failed: {', '.join(names)}")
    checked = _count(outcome.votes, "final vote")
    if outcome.publications:
        checked += f" and {_count(outcome.publications, 'publication')}"
    click.echo(f"{checked} verified: records, digests, chain and audit trail intact.")
    if outcome.head:
        click.echo(f"The chain has {_count(outcome.length, 'record')}; its head is {outcome.head}.")
    if outcome.witness:
        click.echo(outcome.witness)


def register(app: Flask) -> None:
    app.cli.add_command(votes_cli)
