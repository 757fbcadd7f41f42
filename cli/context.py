"""What every command needs: a database session, the acting user, clean errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime

import click
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.core.actors import CONSOLE, Actor
from models.core.db import make_engine, make_session_factory
from models.core.errors import DomainError
from models.org.accounts import find_user
from models.org.users import User
from plan_items.loader import PlanFileError
from settings import Settings, SettingsError, parse_instant


def settings() -> Settings:
    """This command's settings, read from the environment once, when it first asks."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:  # called outside a command (a script importing the CLI's helpers)
        return Settings.from_env()
    meta = ctx.find_root().meta
    if "planwatch.settings" not in meta:
        meta["planwatch.settings"] = Settings.from_env()
    return meta["planwatch.settings"]


def utcnow() -> datetime:
    """The one place the CLI reads the clock; everything below takes `now` as an argument."""
    return datetime.now(UTC)


@contextlib.contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: committed when the command succeeds, rolled back on any error."""
    engine = make_engine(url or settings().database_url)
    session = make_session_factory(engine)()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()


def fail_cleanly(fn):
    """Turn domain and file errors into a message and exit status 1, not a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PlanFileError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(exc.problems)} error(s); nothing was written.", err=True)
            raise SystemExit(1) from None
        except DomainError as exc:
            click.echo(f"error: {exc.message}", err=True)
            raise SystemExit(1) from None
        except SettingsError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(1) from None
        except OperationalError as exc:
            click.echo(f"error: the database cannot be used: {exc.orig or exc}", err=True)
            raise SystemExit(1) from None

    return wrapper


def acting_user(session: Session, email: str) -> User:
    """The user named by --as."""
    return find_user(session, email)


def acting(session: Session, email: str | None) -> Actor:
    """The user named by --as, checked like in the web app; without it, the server's console."""
    return find_user(session, email) if email else CONSOLE


as_option = click.option(
    "--as", "as_user", default=None, metavar="EMAIL",
    help="Act as this user (their role is checked); default: the server's console (admin).")


class DateParam(click.ParamType):
    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


class DateTimeParam(click.ParamType):
    """An ISO date or datetime; a bare date means 06:00 in Asia/Ho_Chi_Minh (the morning run)."""

    name = "datetime"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(value)  # the same reading as PLANWATCH_NOW
        except SettingsError:
            self.fail(f"{value!r} is not an ISO date or datetime", param, ctx)


DATE = DateParam()
DATETIME = DateTimeParam()
