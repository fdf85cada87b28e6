"""`flask --app wsgi votes verify`: rebuild every final vote's record and check the digest chain."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from interviews.votes.record import verify_chain

votes_cli = AppGroup("votes", help="Endorsement votes.")


@votes_cli.command("verify")
def verify_command() -> None:
    """Recompute every final vote's record and digest from the database; exit 1 naming any that differ."""
    checked, problems = verify_chain()
    for problem in problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    if problems:
        names = sorted({p.vote.id for p in problems})
        raise click.ClickException(
            f"{len(names)} of {checked} final votes fail verification: {', '.join(f'vote {n}' for n in names)}"
        )
    noun = "final vote" if checked == 1 else "final votes"
    click.echo(f"{checked} {noun} verified: records, digests and chain intact.")


def register(app: Flask) -> None:
    app.cli.add_command(votes_cli)
