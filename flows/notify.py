"""Notify flow: send the outbox as it fills, for a few minutes per run (every 5 minutes).

One run per 5 minutes, each sending then waiting `interval` seconds until its time is up,
keeps messages within ~20 s of being written without starting 1,440 processes a day; the
deployment's concurrency limit (1, new runs cancelled) means two runs never overlap.

Each batch goes through three tasks, claim → send → record (models.notify.dispatch's batch
stages), so a retried stage repeats only itself: a send is never re-claimed, an outcome never
recorded twice. A run in which every send failed ends Failed, with its summary.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from flows.common import (
    RETRY,
    base_url,
    markdown_table,
    run_name,
    run_time,
    session_factory,
    smtp_url,
    transient,
    utcnow,
)
from models.notify.dispatch import (
    MAX_REPORTED,
    Batch,
    Outcome,
    Summary,
    alert_dead,
    claim_batch,
    record_batch,
    send_batch,
)
from models.notify.run_summary import dispatch_summary

TAGS = ["planwatch", "notify"]
OUTCOMES = ("sent", "failed", "dead", "cancelled")


@task(name="claim", task_run_name="claim up to {limit}", tags=TAGS, cache_policy=NO_CACHE,
      retry_condition_fn=transient, **RETRY)
def claim_rows(now: datetime, limit: int, replay: bool) -> Batch:
    """Take up to `limit` due rows under a lease (committed); the batch names them."""
    with session_factory() as factory:
        # a live run leases from the wall clock, so the lease is true while it sends
        return claim_batch(factory, now=now if replay else utcnow(), limit=limit)


@task(name="send", task_run_name="send {batch.token:.8}", tags=TAGS, cache_policy=NO_CACHE,
      retry_condition_fn=transient, **RETRY)
def send_rows(batch: Batch, now: datetime, replay: bool) -> list[Outcome]:
    """Build and send the batch's messages; a failed send is an outcome, not an error.

    Only building reads the database: a retry after a database error rebuilds the same batch
    (its claim token), before anything was sent.
    """
    with session_factory() as factory:
        # on the real clock each send is stamped with its own time; a replayed `now` is kept
        return send_batch(factory, batch, now=now, base_url=base_url(),
                          clock=None if replay else utcnow, default_smtp_url=smtp_url())


@task(name="record", task_run_name="record {batch.token:.8}", tags=TAGS,
      cache_policy=NO_CACHE, retry_condition_fn=transient, **RETRY)
def record_rows(batch: Batch, outcomes: list[Outcome], now: datetime,
                replay: bool) -> Summary:
    """Write the outcomes in one transaction: a retry writes each at most once."""
    with session_factory() as factory:
        return record_batch(factory, outcomes, now=now if replay else utcnow())


@task(name="alert admins", tags=TAGS, cache_policy=NO_CACHE, retry_condition_fn=transient,
      **RETRY)
def alert_rows(dead: list[tuple[int, str]], now: datetime) -> int:
    """One message to each admin about the rows that went dead in this run."""
    with session_factory() as factory:
        return alert_dead(factory, dead, now=now, base_url=base_url(),
                          default_smtp_url=smtp_url())


def send_due(at: datetime, limit: int, replay: bool, totals: Counter,
             dead: list, failures: list) -> int:
    """One batch through the three stages; how many rows it claimed."""
    batch = claim_rows(at, limit, replay)
    if not batch.row_ids:
        return 0
    outcomes = send_rows(batch, at, replay)
    summary = record_rows(batch, outcomes, at, replay)
    totals.update({k: summary[k] for k in OUTCOMES})
    dead += summary.dead
    failures += summary.failures[:MAX_REPORTED - len(failures)]
    return len(batch)


@task(name="record dispatch summary", tags=TAGS, cache_policy=NO_CACHE,
      retry_condition_fn=transient, **RETRY)
def record_summary(since: datetime, until: datetime, counts: dict[str, int],
                   failures: list[tuple[int, str]] = ()) -> str:
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
        *(["## Not delivered", markdown_table(
            ("outbox id", "reason"), [(f"#{i}", r.replace("|", "/").replace("\n", " ")[:200])
                                      for i, r in failures])] if failures else []),
    ])
    create_markdown_artifact(key="notify-summary", markdown=markdown,
                             description="What the notify run sent")
    return markdown


@flow(name="notify", flow_run_name=run_name("notify"))
def notify_flow(now: datetime | None = None, limit: int = 200, for_seconds: float = 0,
                interval: float = 20):
    """Send what is due until the outbox is empty, then again every `interval` s for a while.

    With `now` (a replay) or `for_seconds=0` it drains the outbox once and ends. Returns the
    counts per outcome; the run ends Failed when it had something to send and every send
    failed (its summary artifact is written first).
    """
    replay = now is not None
    start, began = run_time(now), time.monotonic()
    totals: Counter = Counter()
    dead: list[tuple[int, str]] = []
    failures: list[tuple[int, str]] = []
    while True:
        at = start + timedelta(seconds=time.monotonic() - began)
        while send_due(at, limit, replay, totals, dead, failures) >= limit:
            pass  # drain what is due now, batch after batch
        if replay or time.monotonic() - began + interval > for_seconds:
            break
        time.sleep(interval)
    counts = {k: totals.get(k, 0) for k in OUTCOMES}
    if dead:
        alert_rows(dead, start if replay else utcnow())
    record_summary(start, start + timedelta(seconds=time.monotonic() - began + 1),
                              counts, failures)
    failed = counts["failed"] + counts["dead"]
    logger = get_run_logger()
    for row_id, reason in failures:
        logger.warning("outbox #%s not delivered: %s", row_id, reason)
    if failed and not counts["sent"]:
        logger.error("notifications: %s (every send failed)", counts)
        return Failed(message=f"every send failed: {failed} of {failed} not delivered "
                              f"({', '.join(f'{k} {v}' for k, v in counts.items())}); "
                              "see the run's summary and the outbox page")
    if failed:
        logger.warning("notifications: %s (some failed)", counts)
        return Completed(message=f"{failed} of {failed + counts['sent']} not delivered",
                         data=counts)
    logger.info("notifications: %s", counts)
    return counts
