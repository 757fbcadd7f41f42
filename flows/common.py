"""What every flow opens for itself: the database named by PLANWATCH_DATABASE_URL."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from models.core.db import database_url, make_engine, make_session_factory


def utcnow() -> datetime:
    """The one place a flow reads the clock; the operations take it as an argument."""
    return datetime.now(UTC)


def base_url() -> str:
    """Where links in notifications point (the web app)."""
    return os.environ.get("PLANWATCH_BASE_URL", "http://127.0.0.1:5000")


def smtp_url() -> str | None:
    """The server's mailto:// settings, for users who set no target of their own."""
    return os.environ.get("PLANWATCH_SMTP_URL") or None


@contextlib.contextmanager
def session_factory() -> Iterator[sessionmaker[Session]]:
    """A session factory on a fresh engine, disposed when the flow ends."""
    engine = make_engine(database_url())
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@contextlib.contextmanager
def transaction() -> Iterator[Session]:
    """One committed transaction (rolled back on error)."""
    with session_factory() as factory, factory() as session, session.begin():
        yield session
