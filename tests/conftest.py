"""Shared fixtures: databases (SQLite and PostgreSQL), sessions, a fixed clock, the app,
one cheap password hasher, and the loopback receivers.

Under pytest-xdist every worker is its own process with its own basetemp, so the SQLite files
below (tmp_path_factory) are per worker; PostgreSQL databases are uuid-named; PLANWATCH_HOME and
PREFECT_HOME are set per process in `pytest_configure`, before anything imports Prefect.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import models  # noqa: F401  (registers every table)
from models.core.db import Base, make_engine, make_session_factory, normalise_url
from tests.receivers import HttpReceiver, SmtpReceiver

DATA = Path(__file__).parent / "data"
POSTGRES_URL = os.environ.get("PLANWATCH_TEST_POSTGRES_URL")
NO_POSTGRES = "PLANWATCH_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"
BACKENDS = [
    "sqlite",
    pytest.param("postgres", marks=[pytest.mark.postgres,
                                    pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)]),
]


def _create_postgres_database() -> tuple[str, str]:
    """A fresh database on the test server, so parallel runs never share state."""
    admin_url = normalise_url(POSTGRES_URL)
    name = f"pw_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url, str(sa.make_url(admin_url).set(database=name).render_as_string(False))


def _drop_postgres_database(admin_url: str, url: str) -> None:
    name = sa.make_url(url).database
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pytest_configure(config):
    """A home folder of its own for each test process (the main one or an xdist worker).

    The Makefile exports PLANWATCH_HOME=instance for `make up`; tests must never write there,
    and two workers must never share Prefect's files.
    """
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    home = Path(tempfile.mkdtemp(prefix=f"planwatch-test-{worker}-"))
    config._planwatch_home = home
    os.environ["PLANWATCH_HOME"] = str(home / "home")
    os.environ["PREFECT_HOME"] = str(home / "prefect")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def pytest_unconfigure(config):
    home = getattr(config, "_planwatch_home", None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def password_hasher():
    """The one cheap argon2 hasher of the whole run; production keeps the library's defaults.

    The real parameters cost ~0.5 s per hash on the test machine; no test measures them.
    """
    from argon2 import PasswordHasher

    import models.org.accounts as accounts

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", hasher)
        yield hasher


@pytest.fixture(autouse=True, scope="session")
def secrets_key():
    """One Fernet key for the run (subprocesses inherit it), never a key file in the repo."""
    from cryptography.fernet import Fernet

    os.environ.setdefault("PLANWATCH_SECRETS_KEY", Fernet.generate_key().decode())
    return os.environ["PLANWATCH_SECRETS_KEY"]


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """Lazily made, one database per backend for the whole run."""
    made: dict[str, str] = {}
    cleanup = []

    def get(backend: str) -> str:
        if backend not in made:
            if backend == "sqlite":
                made[backend] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
            else:
                admin_url, url = _create_postgres_database()
                made[backend] = url
                cleanup.append((admin_url, url))
            engine = make_engine(made[backend])
            Base.metadata.create_all(engine)
            engine.dispose()
        return made[backend]

    yield get
    for admin_url, url in cleanup:
        _drop_postgres_database(admin_url, url)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, database_urls) -> str:
    """The URL of a clean database on each backend in turn."""
    return database_urls(backend)


def _wipe(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    _wipe(engine)
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session on a clean database; rows are wiped after the test."""
    s = make_session_factory(engine)()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def now() -> datetime:
    """A fixed 'now' for tests: 1 September 2025, 09:00 in Hà Nội."""
    return datetime(2025, 9, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(db_url, engine, tmp_path):
    """The Flask app on the test database (each backend in turn)."""
    from webapp import create_app

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": "test",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
    })
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def empty_db_url(backend, tmp_path):
    """An empty database (no tables) on each backend, for migrations and CLI runs."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin_url, url = _create_postgres_database()
    yield url
    _drop_postgres_database(admin_url, url)


@pytest.fixture
def http_receiver():
    """An HTTP endpoint on loopback that records every POST (apprise `json://`)."""
    receiver = HttpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def refusing_smtp_receiver():
    """An SMTP server on loopback that answers 550 to every recipient."""
    receiver = SmtpReceiver(refuse=True)
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp_receiver():
    """An aiosmtpd server on loopback that keeps every message (apprise `mailto://`)."""
    receiver = SmtpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
