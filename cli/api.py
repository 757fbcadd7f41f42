"""API tokens from the command line: `planwatch users token EMAIL`."""

from __future__ import annotations

import click

from cli.context import fail_cleanly, session_scope, utcnow
from models.core.actors import CONSOLE
from models.org.accounts import find_user
from models.org.tokens import DEFAULT_DAYS, MAX_DAYS, create_token


@click.command("token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown in the token list).")
@click.option("--days", default=DEFAULT_DAYS, show_default=True,
              type=click.IntRange(1, MAX_DAYS), help="Days until it expires.")
@fail_cleanly
def users_token(email: str, name: str, days: int) -> None:
    """Create a personal API token for EMAIL and print it once."""
    with session_scope() as session:
        user = find_user(session, email)
        token, secret = create_token(session, CONSOLE, user, now=utcnow(), name=name, days=days)
        expires = token.expires_at.isoformat(timespec="seconds")
    click.echo(f"token for {email} (expires {expires}), shown once:", err=True)
    click.echo(secret)


def register(main: click.Group) -> None:
    main.commands["users"].add_command(users_token)
