"""Notify flow (every minute): send pending outbox rows with apprise, with retries."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger, task

from flows.common import run_settings, session_factory, utcnow
from models.notify.dispatch import dispatch
from settings import Settings


@task
def send_batch(settings: Settings, now: datetime | None, limit: int) -> dict[str, int]:
    """Claim up to `limit` due notifications and send them, committing each."""
    with session_factory(settings) as factory:
        # on the real clock each send is stamped with its own time; a given `now` is replayed
        return dispatch(factory, now=now or utcnow(), limit=limit, base_url=settings.base_url,
                        clock=None if now else utcnow)


@flow(name="notify")
def notify_flow(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send what is due in the outbox; returns counts by outcome."""
    counts = send_batch(run_settings(), now, limit)
    get_run_logger().info("notifications: %s", counts)
    return counts
