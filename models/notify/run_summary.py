"""What a sweep or a dispatch did, counted from the outbox: per rung, kind and channel."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.notify.entities import Notification


def channel(url: str | None) -> str:
    """The channel of a target URL: its scheme (mailto, tgram, json, zalo, …)."""
    return (url or "").split("://", 1)[0] or "?"


def sweep_summary(session: Session, *, now: datetime) -> dict[str, Counter]:
    """Rows the sweep at `now` wrote: items per (rung, kind), digests and items per channel."""
    N = Notification
    rows = session.execute(
        sa.select(N.subject_type, N.rung, N.kind, N.target, sa.func.count())
        .where(N.created_at == now).group_by(N.subject_type, N.rung, N.kind, N.target))
    out = {"rungs": Counter(), "channels": Counter(), "digests": Counter()}
    for subject_type, rung, kind, target, n in rows:
        if subject_type == "digest":
            out["digests"][channel(target)] += n
        else:
            out["rungs"][(rung, kind)] += n
            out["channels"][channel(target)] += n
    return out


def dispatch_summary(session: Session, *, since: datetime, until: datetime) -> Counter:
    """Outcomes of the rows attempted in [since, until] per (channel, kind, status)."""
    N = Notification
    attempted = sa.or_(N.sent_at.between(since, until),
                       sa.and_(N.status.in_(["failed", "dead"]), N.attempts > 0,
                               N.next_attempt_at >= since, N.created_at <= until))
    rows = session.execute(
        sa.select(N.target, N.kind, N.status, sa.func.count()).where(attempted)
        .group_by(N.target, N.kind, N.status))
    out: Counter = Counter()
    for target, kind, status, n in rows:
        out[(channel(target), kind, status)] += n
    return out
