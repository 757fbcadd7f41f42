"""Sending the outbox: claim a batch under a lease, send each row with apprise, record the result.

Each row is committed right after it is sent, so a dispatcher killed between apprise's return
and that commit re-sends at most the one message it had in flight (after its lease expires).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models.clock import local_today
from models.messages import render
from models.notifications import Notification, NotificationStatus
from models.subjects import load_subject, subject_open, subject_timezone

S = NotificationStatus
MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
LEASE = timedelta(minutes=5)


def claim(
    session: Session, *, now: datetime, limit: int = 50, lease: timedelta = LEASE
) -> list[Notification]:
    """Take up to `limit` due rows for this dispatcher until now + lease; the caller commits."""
    token = uuid.uuid4().hex
    due = (
        sa.select(Notification.id)
        .where(Notification.status.in_([S.PENDING, S.FAILED]),
               Notification.next_attempt_at <= now,
               sa.or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        # PostgreSQL: concurrent dispatchers skip each other's rows instead of waiting;
        # SQLite ignores it and serialises the UPDATE (one writer at a time).
        .with_for_update(skip_locked=True)
    )
    session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()))
        .values(claimed_until=now + lease, claim_token=token)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(
        sa.select(Notification).where(Notification.claim_token == token).order_by(Notification.id)
    ))


def still_applies(session: Session, row: Notification) -> bool:
    """The subject is still open, due on the same day and owned by the same agency."""
    if row.subject_type not in ("task", "corrective_action"):
        return True
    task = load_subject(session, row)  # a Task or a CorrectiveAction
    payload = row.payload or {}
    return (task is not None and subject_open(task)
            and task.due_on.isoformat() == payload.get("due_on")
            and task.agency_id == payload.get("agency_id"))


def send_apprise(url: str, title: str, body: str) -> str | None:
    """Send one message; None on success, else why it failed (apprise does not raise)."""
    from apprise import Apprise, NotifyFormat

    apobj = Apprise()
    if not apobj.add(url):
        return "invalid notification URL"
    if apobj.notify(title=title, body=body, body_format=NotifyFormat.TEXT):
        return None
    return "delivery failed (see the dispatcher log)"


def mark_failed(row: Notification, error: str, now: datetime, max_attempts: int) -> None:
    """Back off exponentially; dead after max_attempts."""
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_until = row.claim_token = None
    if row.attempts >= max_attempts:
        row.status = S.DEAD
    else:
        row.status = S.FAILED
        row.next_attempt_at = now + min(BACKOFF * 2 ** (row.attempts - 1), MAX_BACKOFF)


def deliver(
    session: Session, row: Notification, *, now: datetime, base_url: str,
    send: Callable[[str, str, str], str | None] = send_apprise, max_attempts: int = MAX_ATTEMPTS,
) -> str:
    """Send one claimed row and record the outcome; returns the new status."""
    if not still_applies(session, row):
        row.status, row.last_error = S.CANCELLED, "no longer applies"
        row.claimed_until = row.claim_token = None
        return row.status
    task = load_subject(session, row)
    try:
        title, body = render(row, task, base_url=base_url,
                             today=local_today(now, subject_timezone(task)))
        error = send(row.target, title, body)
    except Exception as exc:  # a row that cannot be rendered must die, not loop on its lease
        error = f"{type(exc).__name__}: {exc}"
    if error is None:
        row.status, row.sent_at, row.attempts = S.SENT, now, row.attempts + 1
        row.claimed_until = row.claim_token = None
    else:
        mark_failed(row, error, now, max_attempts)
    return row.status


def dispatch(
    session_factory: sessionmaker, *, now: datetime, limit: int = 50,
    base_url: str = "http://127.0.0.1:5000",
    lease: timedelta = LEASE, send: Callable[[str, str, str], str | None] = send_apprise,
    max_attempts: int = MAX_ATTEMPTS, clock: Callable[[], datetime] | None = None,
) -> dict[str, int]:
    """Claim a batch and send it row by row, committing after each; returns counts by outcome."""
    counts = {"sent": 0, "failed": 0, "dead": 0, "cancelled": 0}
    with session_factory() as session:
        claimed = [(row.id, row.claim_token) for row in
                   claim(session, now=now, limit=limit, lease=lease)]
        session.commit()
    for row_id, token in claimed:
        with session_factory() as session:
            row = session.get(Notification, row_id)
            if row is None or row.claim_token != token:
                continue
            at = clock() if clock else now
            if row.claimed_until is not None and row.claimed_until < at:
                continue  # our lease ran out: another dispatcher may own it now
            status = deliver(session, row, now=at, base_url=base_url, send=send,
                             max_attempts=max_attempts)
            session.commit()
            counts[str(status)] = counts.get(str(status), 0) + 1
    return counts
