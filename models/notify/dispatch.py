"""Sending the outbox: claim a batch under a lease, send it in parallel with apprise, record it.

Sends run in a bounded thread pool (each is independent network I/O); the main thread records
outcomes as they complete, one UPDATE for the sent rows of each group of up to `workers`
completions (or FLUSH seconds), then a commit. A dispatcher killed between apprise's return and
that commit therefore re-sends (after its lease expires) only the messages it had in flight or
waiting for that commit: at most 2 x `workers`.
"""

from __future__ import annotations

import inspect
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, sessionmaker

from models.notify.entities import Notification, NotificationStatus
from models.notify.messages import compose
from models.notify.subjects import load_subject, subject_open
from models.plans.entities import Item
from models.tasks.entities import Task

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
LEASE = timedelta(minutes=5)
# concurrent sends per dispatcher: a small receiver (http.server's listen backlog is 5) resets
# connections beyond its backlog, and those rows then wait for their retry
WORKERS = 4
FLUSH = 0.05  # seconds an outcome may wait for its commit


def claim(
    session: Session, *, now: datetime, limit: int = 50, lease: timedelta = LEASE
) -> list[Notification]:
    """Take up to `limit` due rows for this dispatcher until now + lease; the caller commits."""
    token = uuid.uuid4().hex
    due = (
        sa.select(Notification.id)
        .where(Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.FAILED]),
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


def send_apprise(url: str, title: str, body: str, notify_type: str = "info") -> str | None:
    """Send one message; None on success, else why it failed (apprise does not raise)."""
    from apprise import Apprise, AppriseAsset, NotifyFormat, NotifyType

    # service_timeout=0: apprise sends in this thread instead of handing each call to its
    # shared pool (cpu+4 threads), which capped our parallel sends; socket timeouts still apply
    apobj = Apprise(asset=AppriseAsset(service_timeout=0))
    if not apobj.add(url):
        return "invalid notification URL"
    if apobj.notify(title=title, body=body, body_format=NotifyFormat.TEXT,
                    notify_type=NotifyType(notify_type)):
        return None
    return "delivery failed (see the dispatcher log)"


def mark_failed(row: Notification, error: str, now: datetime, max_attempts: int) -> None:
    """Back off exponentially; dead after max_attempts."""
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_until = row.claim_token = None
    if row.attempts >= max_attempts:
        row.status = NotificationStatus.DEAD
    else:
        row.status = NotificationStatus.FAILED
        row.next_attempt_at = now + min(BACKOFF * 2 ** (row.attempts - 1), MAX_BACKOFF)


def _preload_tasks(session: Session, rows: list[Notification]) -> None:
    """Load the batch's tasks with item, plan and agency in a few queries (identity map)."""
    ids = {r.subject_id for r in rows if r.subject_type == "task"}
    if ids:
        session.scalars(sa.select(Task).where(Task.id.in_(ids)).options(
            selectinload(Task.item).selectinload(Item.plan), selectinload(Task.agency))).all()


def prepare(session: Session, row: Notification, *, now: datetime, base_url: str):
    """Title, body and notify type of a claimed row, or CANCELLED if it no longer applies."""
    if not still_applies(session, row):
        return NotificationStatus.CANCELLED
    composed = compose(session, row, now, base_url=base_url)  # a digest, or the row alone
    return NotificationStatus.CANCELLED if composed is None else composed


def _send_one(send, url: str, title: str, body: str, notify_type: str | None, lease_until,
              clock) -> str | None | bool:
    """Runs in a pool thread: False if our lease ran out before sending, else send()'s answer."""
    if clock is not None and lease_until is not None and lease_until < clock():
        return False  # another dispatcher may own the row now
    try:
        if notify_type is None:
            return send(url, title, body)
        return send(url, title, body, notify_type=notify_type)
    except Exception as exc:  # a failure, not a stuck claim
        return f"{type(exc).__name__}: {exc}"


def _record(session: Session, token: str, rows: dict, outcomes: list, at: datetime,
            max_attempts: int, counts: dict[str, int]) -> None:
    """Write a group of outcomes: one UPDATE for the sent rows, per-row backoff for failures."""
    sent = [row_id for row_id, error in outcomes if error is None]
    if sent:
        done = session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(sent), Notification.claim_token == token)
            .values(status=NotificationStatus.SENT, sent_at=at, attempts=Notification.attempts + 1,
                    claimed_until=None, claim_token=None)
            .execution_options(synchronize_session=False))
        counts["sent"] += done.rowcount
    for row_id, error in outcomes:
        if error is not None and error is not False:
            row = rows[row_id]
            mark_failed(row, error, at, max_attempts)
            counts[str(row.status)] = counts.get(str(row.status), 0) + 1
    session.commit()


def dispatch(
    session_factory: sessionmaker, *, now: datetime, limit: int = 50,
    base_url: str = "http://127.0.0.1:5000",
    lease: timedelta = LEASE, send: Callable[[str, str, str], str | None] = send_apprise,
    max_attempts: int = MAX_ATTEMPTS, clock: Callable[[], datetime] | None = None,
    workers: int = WORKERS,
) -> dict[str, int]:
    """Claim a batch, send it from a thread pool, commit outcomes as they come; counts."""
    counts = {"sent": 0, "failed": 0, "dead": 0, "cancelled": 0}
    if send is send_apprise:
        import apprise  # noqa: F401  (import once here, not racing in the pool threads)
    with session_factory(expire_on_commit=False) as session:
        claimed = claim(session, now=now, limit=limit, lease=lease)
        session.commit()
        if not claimed:
            return counts
        token, lease_until = claimed[0].claim_token, claimed[0].claimed_until
        rows = {row.id: row for row in claimed}
        at = clock() if clock else now
        # a sender that takes apprise's notify type (send_apprise does) gets it
        typed = "notify_type" in inspect.signature(send).parameters
        _preload_tasks(session, claimed)
        jobs, early = [], []
        for row in claimed:
            try:
                text = prepare(session, row, now=at, base_url=base_url)
            except Exception as exc:  # a row that cannot be rendered must die, not loop
                early.append((row.id, f"{type(exc).__name__}: {exc}"))
                continue
            if text == NotificationStatus.CANCELLED:
                row.status, row.last_error = NotificationStatus.CANCELLED, "no longer applies"
                row.claimed_until = row.claim_token = None
                counts["cancelled"] += 1
            else:
                title, body, notify_type = text
                jobs.append((row.id, row.target, title, body, notify_type if typed else None))
        _record(session, token, rows, early, at, max_attempts, counts)
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs) or 1))) as pool:
            pending = {pool.submit(_send_one, send, url, title, body, kind, lease_until, clock):
                       row_id for row_id, url, title, body, kind in jobs}
            outcomes, first = [], 0.0
            while pending:
                timeout = max(0.0, first + FLUSH - time.monotonic()) if outcomes else None
                done, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
                if done and not outcomes:
                    first = time.monotonic()
                outcomes += [(pending.pop(f), f.result()) for f in done]
                # one commit per `workers` outcomes or FLUSH seconds: a crash re-sends at
                # most the messages in flight plus those waiting for this commit
                if outcomes and (len(outcomes) >= workers or not pending
                                 or time.monotonic() - first >= FLUSH):
                    _record(session, token, rows, outcomes, clock() if clock else now,
                            max_attempts, counts)
                    outcomes = []
    return counts
