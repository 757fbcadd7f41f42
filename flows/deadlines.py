"""Deadlines flow (daily, early morning): reminders, overdue notices and escalations."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.common import (
    RETRY,
    markdown_table,
    run_name,
    run_time,
    smtp_url,
    transaction,
    transient,
)
from models.notify.ladder import sweep
from models.notify.run_summary import sweep_summary
from models.notify.settings import server_mail

RUNG_GROUPS = ("reminder", "overdue", "escalation")
TAGS = ["planwatch", "deadlines"]


@task(name="sweep rungs", task_run_name="sweep {kind} rungs", tags=TAGS,
      retry_condition_fn=transient, **RETRY)
def sweep_rungs(kind: str, now: datetime) -> dict[str, int]:
    """Write today's rungs of one kind into the outbox, in its own transaction (idempotent)."""
    with transaction() as session:
        # the SMTP server an admin saved in the web; the environment's only while none is
        return sweep(session, now=now, smtp_url=server_mail(session, smtp_url()), kinds=[kind])


@task(name="record sweep summary", tags=TAGS, retry_condition_fn=transient, **RETRY)
def record_summary(now: datetime, created: dict[str, int]) -> str:
    """A markdown artifact: rows written per rung and kind, items and digests per channel."""
    with transaction() as session:
        summary = sweep_summary(session, now=now)
    rungs = sorted(summary["rungs"].items(), key=lambda kv: int(kv[0][0] or 0))
    channels = sorted(set(summary["channels"]) | set(summary["digests"]))
    markdown = "\n\n".join([
        f"# Deadline sweep of {now.isoformat()}",
        f"New outbox items: **{sum(created.values())}**; digests to send: "
        f"**{sum(summary['digests'].values())}**",
        "## Per rung", markdown_table(("rung", "kind", "items"),
                                      [(r, k, n) for (r, k), n in rungs]) if rungs else "none",
        "## Per channel", markdown_table(
            ("channel", "items", "digests"),
            [(c, summary["channels"][c], summary["digests"][c]) for c in channels])
        if channels else "none",
    ])
    create_markdown_artifact(key="deadlines-summary", markdown=markdown,
                             description="What the deadline sweep wrote into the outbox")
    return markdown


@flow(name="deadlines", flow_run_name=run_name("deadlines"))
def deadlines_flow(now: datetime | None = None) -> dict[str, int]:
    """Write the outbox rows of today's rungs, one task per kind; returns new rows per rung."""
    now = run_time(now)
    created: dict[str, int] = {}
    for kind in RUNG_GROUPS:
        for rung, n in sweep_rungs(kind, now).items():
            created[rung] = created.get(rung, 0) + n
    record_summary(now, created)
    get_run_logger().info("outbox rows created per rung: %s", created)
    return created
