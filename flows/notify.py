"""Notify flow: send the outbox as it fills, for a few minutes per run (every 5 minutes).

One run per 5 minutes, each sending then waiting `interval` seconds until its time is up,
keeps messages within ~20 s of being written without starting 1,440 processes a day; the
deployment's concurrency limit (1, new runs cancelled) means two runs never overlap.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.common import (
    RETRY,
    base_url,
    markdown_table,
    run_name,
    run_time,
    session_factory,
    transient,
    utcnow,
)
from models.notify.dispatch import dispatch
from models.notify.run_summary import dispatch_summary

TAGS = ["planwatch", "notify"]
OUTCOMES = ("sent", "failed", "dead", "cancelled")


@task(name="claim and send a batch", tags=TAGS, retry_condition_fn=transient, **RETRY)
def send_batch(now: datetime, limit: int, replay: bool) -> dict[str, int]:
    """Claim up to `limit` due rows, send them, record each outcome (one dispatcher pass)."""
    with session_factory() as factory:
        # on the real clock each send is stamped with its own time; a replayed `now` is kept
        return dispatch(factory, now=now, limit=limit, base_url=base_url(),
                        clock=None if replay else utcnow)


@task(name="record dispatch summary", tags=TAGS, retry_condition_fn=transient, **RETRY)
def record_summary(since: datetime, until: datetime, counts: dict[str, int]) -> str:
    """A markdown artifact: messages per channel, kind and outcome in this run."""
    with session_factory() as factory, factory() as session:
        rows = dispatch_summary(session, since=since, until=until)
    failed = counts.get("failed", 0) + counts.get("dead", 0)
    markdown = "\n\n".join([
        f"# Notifications {since.isoformat()} – {until.isoformat()}",
        " · ".join(f"{k}: **{counts.get(k, 0)}**" for k in OUTCOMES)
        + (f"\n\n**{failed} failed** (see the outbox page for each reason)" if failed else ""),
        markdown_table(("channel", "kind", "outcome", "messages"),
                       [(*key, n) for key, n in sorted(rows.items())]) if rows else "nothing sent",
    ])
    create_markdown_artifact(key="notify-summary", markdown=markdown,
                             description="What the notify run sent")
    return markdown


@flow(name="notify", flow_run_name=run_name("notify"))
def notify_flow(now: datetime | None = None, limit: int = 200, for_seconds: float = 0,
                interval: float = 20) -> dict[str, int]:
    """Send what is due until the outbox is empty, then again every `interval` s for a while.

    With `now` (a replay) or `for_seconds=0` it drains the outbox once and ends.
    """
    replay = now is not None
    start, began = run_time(now), time.monotonic()
    totals: Counter = Counter()
    while True:
        at = start + timedelta(seconds=time.monotonic() - began)
        while True:  # drain what is due now, batch after batch
            counts = send_batch(at, limit, replay)
            totals.update(counts)
            if sum(counts.values()) < limit:
                break
        if replay or time.monotonic() - began + interval > for_seconds:
            break
        time.sleep(interval)
    counts = {k: totals.get(k, 0) for k in OUTCOMES}
    record_summary(start, start + timedelta(seconds=time.monotonic() - began + 1), counts)
    if counts["failed"] or counts["dead"]:
        get_run_logger().warning("notifications: %s (some failed)", counts)
    else:
        get_run_logger().info("notifications: %s", counts)
    return counts
