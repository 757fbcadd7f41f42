"""Sending the outbox: claim under a lease, build each message, send with apprise, record.

Three stages overlap, each in its own thread with its own session:
- the claimer takes chunks of due rows (SKIP LOCKED on PostgreSQL, so several dispatcher
  processes share the outbox), decides for each row whether it still applies (subject open,
  target live, recipient active) and builds its message: one call, `build(...)`;
- `workers` sender threads send what the claimer queued;
- the recorder (the calling thread) writes outcomes: one UPDATE for the sent rows of each group
  of up to FLUSH_ROWS outcomes or FLUSH seconds, then a commit.
A dispatcher killed between apprise's return and that commit re-sends, once its lease expires,
only the messages it had in flight or completed in the last FLUSH seconds. Every
message carries its outbox id (a JSON field for webhooks, a mail header), so an idempotent
receiver drops such a duplicate.
"""

from __future__ import annotations

import functools
import inspect
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, sessionmaker

from models.notify.channels import mail_url, send_url
from models.notify.dead_letters import alert_admins
from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.messages import compose
from models.notify.sending import secrets_of, send_apprise
from models.notify.settings import NotifySettings, load_settings
from models.notify.subjects import load_subject, subject_open
from models.notify.targets import target_url
from models.org.users import User
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
FLUSH_ROWS = 64  # outcomes per commit at most (a commit per message would bound the rate)
CHUNK = 200  # rows per claim: the claimer prepares the next chunk while this one is sent
MAX_REPORTED = 20  # failures listed in a run's summary

SendFn = Callable[[str, str, str], str | None]


class Summary(dict):
    """A run's counts per outcome (sent, failed, dead, cancelled), with the failures' reasons."""

    def __init__(self):
        super().__init__(sent=0, failed=0, dead=0, cancelled=0)
        self.failures: list[tuple[int, str]] = []  # (outbox id, reason), the first few
        self.alerted = 0  # admin messages written about rows that went dead
        self.dead: list[tuple[int, str]] = []  # (outbox id, reason) of the rows gone dead

    @property
    def ok(self) -> bool:
        return not (self["failed"] or self["dead"])

    def as_dict(self) -> dict:
        return {**self, "failures": [{"id": i, "reason": r} for i, r in self.failures],
                "admins_alerted": self.alerted}


@dataclass
class Job:
    """A message ready to send: the row it is for, its URL (never stored) and its text."""

    row_id: int
    token: str
    attempts: int
    url: str
    title: str
    body: str
    lease_until: datetime | None
    subject_type: str = ""
    notify_type: str = "info"  # apprise's type by severity (info, warning, failure)


@dataclass
class Outcome:
    row_id: int
    token: str
    attempts: int
    error: str | None | bool  # None sent, str failed, False lease lost
    cancelled: bool = False
    subject_type: str = ""


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


def why_cancelled(session: Session, row: Notification) -> str | None:
    """Why a row must not be sent any more (target paused or removed, recipient disabled,
    subject done), or None."""
    if row.recipient_user_id is not None:
        user = session.get(User, row.recipient_user_id)
        if user is None or not user.is_active:
            return "the recipient's account is disabled"
    if row.target_id is not None:
        target = session.get(NotificationTarget, row.target_id)
        if target is None or target.removed_at is not None:
            return "the channel was removed"
        if not target.active:
            return "the channel is paused"
    elif row.recipient_user_id is None:
        return "the channel was removed"  # its owner (an agency) was deleted
    if not still_applies(session, row):
        return "no longer applies"
    return None


def address_of(session: Session, row: Notification, settings: NotifySettings,
               urls: dict | None = None) -> str:
    """The apprise URL of a row, built now from its target (or the server's mail settings).

    `urls` keeps each target's decrypted URL for the rest of one dispatch run (in memory only):
    decrypting per message was a third of the cost of preparing it."""
    if row.target_id is None:  # a user without a channel of their own: the server's mail
        if not settings.smtp.configured:
            raise LookupError("the server's mail (SMTP) is not set up")
        return mail_url(settings, session.get(User, row.recipient_user_id).email, row.id)
    target = session.get(NotificationTarget, row.target_id)
    if urls is None:
        secret_url = target_url(target)
    else:
        key = (target.id, target.secret)
        if key not in urls:
            urls[key] = target_url(target)
        secret_url = urls[key]
    return send_url(target.channel, target.address, secret_url, settings, row.id)


def prepare(session: Session, row: Notification, *, now: datetime, base_url: str):
    """Title, body and notify type of a claimed row, or CANCELLED if it no longer applies."""
    if not still_applies(session, row):
        return NotificationStatus.CANCELLED
    composed = compose(session, row, now, base_url=base_url)  # a digest, or the row alone
    return NotificationStatus.CANCELLED if composed is None else composed


def build(session: Session, row: Notification, *, now: datetime, base_url: str,
          settings: NotifySettings, urls: dict | None = None) -> Job | str:
    """The message of one claimed row, or why it is cancelled (a str); may raise."""
    reason = why_cancelled(session, row)
    if reason:
        return reason
    text = prepare(session, row, now=now, base_url=base_url)
    if text == NotificationStatus.CANCELLED:
        return "no longer applies"
    title, body, notify_type = text
    return Job(row.id, row.claim_token, row.attempts, address_of(session, row, settings, urls),
               title, body, row.claimed_until, row.subject_type, notify_type)


def _preload(session: Session, rows: list[Notification]) -> list:
    """Load the chunk's tasks, targets and recipients in a few queries; the caller keeps the
    returned list while it builds (the identity map holds objects only weakly)."""
    kept: list = []
    ids = {r.subject_id for r in rows if r.subject_type == "task"}
    if ids:
        kept += session.scalars(sa.select(Task).where(Task.id.in_(ids)).options(
            selectinload(Task.item).selectinload(Item.plan), selectinload(Task.agency))).all()
    targets = {r.target_id for r in rows if r.target_id is not None}
    if targets:
        kept += session.scalars(sa.select(NotificationTarget)
                                .where(NotificationTarget.id.in_(targets))).all()
    users = {r.recipient_user_id for r in rows if r.recipient_user_id is not None}
    if users:
        kept += session.scalars(sa.select(User).where(User.id.in_(users))).all()
    return kept


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)


def mark_failed(row: Notification, error: str, now: datetime, max_attempts: int) -> None:
    """Back off exponentially; dead after max_attempts."""
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_until = row.claim_token = None
    if row.attempts >= max_attempts:
        row.status = NotificationStatus.DEAD
    else:
        row.status = NotificationStatus.FAILED
        row.next_attempt_at = now + backoff(row.attempts)


@functools.lru_cache(maxsize=32)
def _takes_notify_type(send: SendFn) -> bool:
    return "notify_type" in inspect.signature(send).parameters


def _send_one(send: SendFn, job: Job, clock) -> str | None | bool:
    """In a sender thread: False if our lease ran out before sending, else send()'s answer."""
    if clock is not None and job.lease_until is not None and job.lease_until < clock():
        return False  # another dispatcher may own the row now
    try:
        # a sender that takes apprise's notify type (send_apprise does) gets it
        if _takes_notify_type(send):
            return send(job.url, job.title, job.body, notify_type=job.notify_type)
        return send(job.url, job.title, job.body)
    except Exception as exc:  # a failure, not a stuck claim
        return f"{type(exc).__name__}: {exc}"


def _record(session: Session, outcomes: list[Outcome], at: datetime, max_attempts: int,
            summary: Summary, dead: list[tuple[int, str]], commit: bool = True) -> None:
    """Write a group of outcomes: one UPDATE per claim for the sent rows, one per other row."""
    N = Notification
    by_token: dict[str, list[int]] = {}
    for o in outcomes:
        if o.error is None and not o.cancelled:
            by_token.setdefault(o.token, []).append(o.row_id)
    for token, ids in by_token.items():
        done = session.execute(
            sa.update(N).where(N.id.in_(ids), N.claim_token == token)
            .values(status=NotificationStatus.SENT, sent_at=at, attempts=N.attempts + 1,
                    claimed_until=None, claim_token=None)
            .execution_options(synchronize_session=False))
        summary["sent"] += done.rowcount
    for o in outcomes:
        if o.error is False or (o.error is None and not o.cancelled):
            continue
        mine = sa.and_(N.id == o.row_id, N.claim_token == o.token)
        if o.cancelled:
            values = {"status": NotificationStatus.CANCELLED, "last_error": o.error}
            status = "cancelled"
        else:
            attempts = o.attempts + 1
            status = "dead" if attempts >= max_attempts else "failed"
            values = {"status": status, "attempts": attempts, "last_error": o.error[:2000]}
            if status == "failed":
                values["next_attempt_at"] = at + backoff(attempts)
        done = session.execute(sa.update(N).where(mine).values(
            claimed_until=None, claim_token=None, **values)
            .execution_options(synchronize_session=False))
        if not done.rowcount:
            continue  # the lease ran out and another dispatcher owns the row
        summary[status] += 1
        if status in ("failed", "dead") and len(summary.failures) < MAX_REPORTED:
            summary.failures.append((o.row_id, o.error))
        if status == "dead" and o.subject_type != "outbox":
            dead.append((o.row_id, o.error))
    if commit:
        session.commit()


class _Claimer(threading.Thread):
    """Claims chunks and builds their messages while the senders send the previous ones."""

    def __init__(self, session_factory, *, now, limit, chunk, lease, base_url, clock,
                 jobs: queue.Queue, outcomes: queue.Queue, workers: int,
                 default_smtp_url: str | None = None):
        super().__init__(name="outbox-claimer", daemon=True)
        self.session_factory, self.now, self.limit, self.chunk = session_factory, now, limit, chunk
        self.lease, self.base_url, self.clock = lease, base_url, clock
        self.jobs, self.outcomes, self.workers = jobs, outcomes, workers
        self.default_smtp_url = default_smtp_url
        self.error: BaseException | None = None
        self.settings: NotifySettings | None = None
        self.urls: dict = {}  # targets' decrypted URLs, for this run only

    def run(self) -> None:
        try:
            with self.session_factory(expire_on_commit=False) as session:
                self.settings = load_settings(session, self.default_smtp_url)
                session.commit()
                taken = 0
                while taken < self.limit:
                    # on a live clock each chunk's lease starts when it is claimed, not when
                    # the run began (a long run would otherwise send on expired leases)
                    rows = claim(session, now=self.clock() if self.clock else self.now,
                                 limit=min(self.chunk, self.limit - taken), lease=self.lease)
                    session.commit()
                    if not rows:
                        break
                    taken += len(rows)
                    self._build(session, rows)
                    session.expunge_all()
        except BaseException as exc:  # re-raised by dispatch() once the senders are done
            self.error = exc
        finally:
            for _ in range(self.workers):
                self.jobs.put(None)

    def _build(self, session: Session, rows: list[Notification]) -> None:
        kept = _preload(session, rows)  # noqa: F841  (held until the chunk is built)
        at = self.clock() if self.clock else self.now
        for row in rows:
            try:
                job = build(session, row, now=at, base_url=self.base_url,
                            settings=self.settings, urls=self.urls)
            except Exception as exc:  # a row that cannot be built fails (and dies), not loops
                self.outcomes.put(Outcome(row.id, row.claim_token, row.attempts,
                                          f"{type(exc).__name__}: {exc}",
                                          subject_type=row.subject_type))
                continue
            if isinstance(job, str):
                self.outcomes.put(Outcome(row.id, row.claim_token, row.attempts, job,
                                          cancelled=True))
            else:
                self.jobs.put(job)


def _sender(send: SendFn, jobs: queue.Queue, outcomes: queue.Queue, clock) -> None:
    while (job := jobs.get()) is not None:
        error = _send_one(send, job, clock)
        if isinstance(error, str):
            error = _scrub(error, job.url)
        outcomes.put(Outcome(job.row_id, job.token, job.attempts, error,
                             subject_type=job.subject_type))
    outcomes.put(None)


def _scrub(error: str, url: str) -> str:
    from models.notify.sending import scrub

    return scrub(error, secrets_of(url))


def dispatch(
    session_factory: sessionmaker, *, now: datetime, limit: int = 50,
    base_url: str = "http://127.0.0.1:5000",
    lease: timedelta = LEASE, send: SendFn = send_apprise,
    max_attempts: int = MAX_ATTEMPTS, clock: Callable[[], datetime] | None = None,
    workers: int = WORKERS, chunk: int = CHUNK, default_smtp_url: str | None = None,
) -> Summary:
    """Send up to `limit` due rows (claim, build and send overlap); the run's summary.

    The server's mail is the SMTP an admin saved; `default_smtp_url` (PLANWATCH_SMTP_URL)
    stands in while none is saved."""
    summary = Summary()
    if send is send_apprise:
        from models.notify.sending import _install

        _install()  # import apprise once here, not racing in the sender threads
    workers = max(1, workers)
    jobs: queue.Queue = queue.Queue(maxsize=max(chunk, workers * 4))
    outcomes: queue.Queue = queue.Queue()
    claimer = _Claimer(session_factory, now=now, limit=limit, chunk=min(chunk, limit),
                       lease=lease, base_url=base_url, clock=clock, jobs=jobs,
                       outcomes=outcomes, workers=workers, default_smtp_url=default_smtp_url)
    claimer.start()
    senders = [threading.Thread(target=_sender, args=(send, jobs, outcomes, clock),
                                name=f"outbox-sender-{i}", daemon=True) for i in range(workers)]
    for thread in senders:
        thread.start()
    dead: list[tuple[int, str]] = []
    with session_factory(expire_on_commit=False) as session:
        running, group, first = workers, [], 0.0
        while running:
            timeout = max(0.0, first + FLUSH - time.monotonic()) if group else None
            try:
                item = outcomes.get(timeout=timeout)
            except queue.Empty:
                item = ...
            if item is None:
                running -= 1
            elif item is not ...:
                if not group:
                    first = time.monotonic()
                group.append(item)
            # one commit per FLUSH_ROWS outcomes or FLUSH seconds: a crash re-sends at most
            # the messages in flight plus those completed in the last FLUSH seconds
            if group and (len(group) >= FLUSH_ROWS or not running
                          or time.monotonic() - first >= FLUSH):
                _record(session, group, clock() if clock else now, max_attempts, summary,
                        dead)
                group = []
        claimer.join()
        while not outcomes.empty():  # the claimer's last cancellations, if any
            item = outcomes.get()
            if item is not None:
                group.append(item)
        if group:
            _record(session, group, clock() if clock else now, max_attempts, summary, dead)
        if dead:
            summary.alerted = alert_admins(session, dead, now=clock() if clock else now,
                                           base_url=base_url, settings=claimer.settings)
            session.commit()
    if claimer.error is not None:
        raise claimer.error
    return summary


# --- the same three stages one batch at a time, for callers that run each as its own step
# (the notify flow: a Prefect task per stage). Each stage is safe to retry on its own:
# - claim_batch takes rows under a new lease and commits; the batch names them by its token;
# - send_batch builds every message first (the only database work; a retry after a database
#   error builds again from the same token: nothing is claimed twice and nothing was sent yet),
#   then sends without touching the database, and never raises for a failed send;
# - record_batch writes the outcomes in one transaction, each UPDATE conditioned on the row
#   still holding the batch's token (and clearing it): a retry after a rollback writes them
#   all, a repeat after a commit writes none, so nothing is recorded twice.


@dataclass
class Batch:
    """Claimed rows, by their claim token: no address, no text (safe to hand between steps)."""

    token: str
    row_ids: list[int]

    def __len__(self) -> int:
        return len(self.row_ids)


def claim_batch(session_factory: sessionmaker, *, now: datetime, limit: int = 200,
                lease: timedelta = LEASE) -> Batch:
    """Claim up to `limit` due rows until now + lease, committed."""
    with session_factory() as session:
        rows = claim(session, now=now, limit=limit, lease=lease)
        session.commit()
        return Batch(rows[0].claim_token if rows else "", [r.id for r in rows])


def send_batch(session_factory: sessionmaker, batch: Batch, *, now: datetime,
               base_url: str = "http://127.0.0.1:5000", send: SendFn = send_apprise,
               workers: int = WORKERS, clock: Callable[[], datetime] | None = None,
               default_smtp_url: str | None = None) -> list[Outcome]:
    """Build the batch's messages, then send them `workers` at a time; one outcome per row."""
    if not batch.row_ids:
        return []
    if send is send_apprise:
        from models.notify.sending import _install

        _install()
    outcomes: list[Outcome] = []
    jobs: list[Job] = []
    with session_factory(expire_on_commit=False) as session:
        settings = load_settings(session, default_smtp_url)
        urls: dict = {}
        rows = list(session.scalars(sa.select(Notification).where(
            Notification.claim_token == batch.token).order_by(Notification.id)))
        kept = _preload(session, rows)  # noqa: F841  (held until the batch is built)
        at = clock() if clock else now
        for row in rows:
            try:
                job = build(session, row, now=at, base_url=base_url, settings=settings,
                            urls=urls)
            except sa.exc.OperationalError:
                raise  # the database, not the row: the step is retried, nothing sent yet
            except Exception as exc:  # a row that cannot be built fails (and dies), not loops
                outcomes.append(Outcome(row.id, row.claim_token, row.attempts,
                                        f"{type(exc).__name__}: {exc}",
                                        subject_type=row.subject_type))
                continue
            if isinstance(job, str):
                outcomes.append(Outcome(row.id, row.claim_token, row.attempts, job,
                                        cancelled=True))
            else:
                jobs.append(job)
        session.commit()  # digest items found closed while composing are cancelled
    # from here on no database: nothing below can fail in a way worth a retry

    def one(job: Job) -> Outcome:
        error = _send_one(send, job, clock)
        if isinstance(error, str):
            error = _scrub(error, job.url)
        return Outcome(job.row_id, job.token, job.attempts, error,
                       subject_type=job.subject_type)

    if len(jobs) <= 1 or workers <= 1:
        outcomes += [one(job) for job in jobs]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(workers, len(jobs)),
                                thread_name_prefix="outbox-sender") as pool:
            outcomes += list(pool.map(one, jobs))
    return outcomes


def record_batch(session_factory: sessionmaker, outcomes: list[Outcome], *, now: datetime,
                 max_attempts: int = MAX_ATTEMPTS) -> Summary:
    """Write the outcomes in one transaction; the summary lists the rows that went dead."""
    summary = Summary()
    if outcomes:
        with session_factory(expire_on_commit=False) as session:
            _record(session, outcomes, now, max_attempts, summary, summary.dead)
    return summary


def alert_dead(session_factory: sessionmaker, dead: list[tuple[int, str]], *, now: datetime,
               base_url: str = "http://127.0.0.1:5000",
               default_smtp_url: str | None = None) -> int:
    """Once per run: the admins' message about the rows that went dead in it; how many."""
    if not dead:
        return 0
    with session_factory(expire_on_commit=False) as session:
        n = alert_admins(session, dead, now=now, base_url=base_url,
                         settings=load_settings(session, default_smtp_url))
        session.commit()
    return n
