"""Deadlines flow (daily, early morning): reminders, overdue notices and escalations."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger, task

from flows.common import run_settings, transaction, utcnow
from models.notify.ladder import sweep
from settings import Settings


@task
def write_reminders(settings: Settings, now: datetime) -> dict[str, int]:
    """Write today's rungs of every ladder into the outbox (a second run adds nothing)."""
    with transaction(settings) as session:
        return sweep(session, now=now, smtp_url=settings.smtp_url)


@flow(name="deadlines")
def deadlines_flow(now: datetime | None = None) -> dict[str, int]:
    """Write the outbox rows of today's reminder rungs; returns the new rows per rung."""
    created = write_reminders(run_settings(), now or utcnow())
    get_run_logger().info("outbox rows created per rung: %s", created)
    return created
