"""Cadence flow (daily): open the coming periods of recurring items and create their tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import flow, get_run_logger, task

from flows.common import RETRY, run_name, run_time, transaction, transient
from models.core.clock import local_today
from models.tasks.generation import generate_tasks

LOOKAHEAD = timedelta(days=31)


@task(name="open periods", tags=["planwatch", "cadence"], retry_condition_fn=transient,
      **RETRY)
def open_periods(now: datetime) -> dict[str, int]:
    """Create the tasks of every period starting within a month (idempotent)."""
    with transaction() as session:
        return generate_tasks(session, through=local_today(now) + LOOKAHEAD, now=now,
                              actor="flow:cadence")


@flow(name="cadence", flow_run_name=run_name("cadence"), log_prints=False)
def cadence_flow(now: datetime | None = None) -> dict[str, int]:
    """Open upcoming periods; returns the tasks created per item."""
    created = open_periods(run_time(now))
    get_run_logger().info("created %d task(s): %s", sum(created.values()), created)
    return created
