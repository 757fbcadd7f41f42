"""What every flow opens for itself: the database, the run's time, retries, a summary."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.core.db import make_engine, make_session_factory
from settings import Settings

TZ = "Asia/Ho_Chi_Minh"
# a locked SQLite file, a dropped PostgreSQL connection: worth a retry, not the day's reminders
RETRY = {"retries": 3, "retry_delay_seconds": [2, 10, 30]}


def utcnow() -> datetime:
    """The wall clock: only for a flow run outside Prefect (no scheduled time to take)."""
    return datetime.now(UTC)


def run_time(now: datetime | None = None) -> datetime:
    """The time a run works as: the `now` it was given, else its scheduled start."""
    if now is not None:
        return now
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    return datetime.fromtimestamp(scheduled.timestamp(), UTC) if scheduled else utcnow()


def run_name(flow: str):
    """A flow_run_name callable: 'deadlines 2026-12-18', the local day of the run's time."""
    def name() -> str:
        from prefect.runtime import flow_run

        from models.core.clock import local_today

        now = flow_run.parameters.get("now")
        if isinstance(now, str):
            now = datetime.fromisoformat(now)
        return f"{flow} {local_today(run_time(now), TZ).isoformat()}"
    return name


def transient(task, task_run, state) -> bool:
    """retry_condition_fn: retry database errors of the moment, not mistakes in the data."""
    if isinstance(state.data, BaseException):  # how the task engine hands over an exception
        return isinstance(state.data, OperationalError)
    try:
        state.result()
    except OperationalError:
        return True
    except Exception:
        return False
    return False


_RUN_SETTINGS: dict[str, Settings] = {}


def run_settings() -> Settings:
    """This flow run's settings: its environment and the env file under PLANWATCH_HOME, read
    once per run (the tasks of a run share them); outside a run, read on each call."""
    from prefect.runtime import flow_run

    run_id = flow_run.id
    if run_id is None:
        return Settings.from_env()
    if run_id not in _RUN_SETTINGS:
        _RUN_SETTINGS.clear()  # one run at a time per process: keep only the current one
        _RUN_SETTINGS[run_id] = Settings.from_env()
    return _RUN_SETTINGS[run_id]


def base_url() -> str:
    """Where links in notifications point (the web app)."""
    return run_settings().base_url


def smtp_url() -> str | None:
    """The deployment's default mailto:// URL (PLANWATCH_SMTP_URL): only a default, the SMTP
    settings an admin saves in the web win (models.notify.settings.load_settings)."""
    return run_settings().smtp_url


def markdown_table(header: tuple[str, ...], rows: list[tuple]) -> str:
    """A small markdown table for a run's artifact."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


@contextlib.contextmanager
def session_factory() -> Iterator[sessionmaker[Session]]:
    """A session factory on a fresh engine, disposed when the flow ends."""
    engine = make_engine(run_settings().database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@contextlib.contextmanager
def transaction() -> Iterator[Session]:
    """One committed transaction (rolled back on error)."""
    with session_factory() as factory, factory() as session, session.begin():
        yield session
