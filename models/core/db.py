"""Database foundation: declarative base, Flask-SQLAlchemy handle, engines for non-Flask code."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from settings import normalise_database_url

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    return normalise_database_url(url)


def engine_options(url: str) -> dict:
    """Engine keyword arguments suited to the backend."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    # no ping on every checkout (a round trip per request): a connection the server dropped
    # fails one statement, and SQLAlchemy then replaces every connection of the pool
    return {"pool_pre_ping": False, "pool_size": 5, "max_overflow": 10}


@event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
    """Foreign keys on and WAL, so web, flows and CLI can share one SQLite file."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    _private_sqlite_files(cursor)  # before WAL: SQLite gives -wal and -shm the file's mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # the audit chain's hash, computed in the statement that appends an event (models.core.audit)
    from models.core.audit import chain_hash

    dbapi_connection.create_function("planwatch_chain_hash", 2, chain_hash, deterministic=True)


def _private_sqlite_files(cursor) -> None:
    """The database file (and its -wal and -shm) readable by its owner only (0600)."""
    for _seq, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name != "main" or not path:  # in memory
            return
        for each in (path, path + "-wal", path + "-shm"):
            try:
                if os.stat(each).st_mode & 0o077:
                    os.chmod(each, 0o600)
            except FileNotFoundError:
                pass
            except PermissionError:  # not our file (another user's copy): leave it
                pass


def make_engine(url: str) -> sa.Engine:
    """An engine for CLI and flow code, outside any Flask app (an SQLite file's folder is made)."""
    url = normalise_url(url)
    database = sa.make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return sa.create_engine(url, **engine_options(url))


def make_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
