"""What every flow run opens for itself: its settings, read once, and the database they name."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from models.core.db import make_engine, make_session_factory
from settings import Settings


def utcnow() -> datetime:
    """The one place a flow reads the clock; the operations take it as an argument."""
    return datetime.now(UTC)


def run_settings() -> Settings:
    """The settings of this flow run: its environment, and the env file under PLANWATCH_HOME."""
    return Settings.from_env()


@contextlib.contextmanager
def session_factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """A session factory on a fresh engine, disposed when the task ends."""
    engine = make_engine(settings.database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@contextlib.contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One committed transaction (rolled back on error)."""
    with session_factory(settings) as factory, factory() as session, session.begin():
        yield session
