"""Notification dispatch: pending outbox rows to a local HTTP receiver through apprise json://."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlalchemy as sa

from bench.harness import Context, Figure, Skip
from bench.outbox import reflect_outbox
from models.core.db import make_session_factory
from models.org.users import User
from models.tasks.entities import OPEN_STATUSES, Task

FLOOR_SAMPLE = 300  # apprise sends timed directly, without the outbox


class Receiver:
    """A threaded HTTP server on 127.0.0.1 counting each /n/<id> it receives."""

    def __init__(self) -> None:
        counts = self.counts = Counter()
        lock = self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    counts[self.path.split("?")[0]] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def url(self, key: str) -> str:
        return f"json://127.0.0.1:{self.port}/n/{key}"


def _target_column(outbox: sa.Table) -> sa.Column:
    for col in outbox.c:
        name = col.name.lower()
        if isinstance(col.type, sa.String | sa.Text) and (
                "target" in name or "url" in name or "address" in name):
            return col
    raise Skip(f"no target/url column in {outbox.name}: the bench cannot aim at its receiver")


def _rows(ctx: Context, outbox: sa.Table, receiver: Receiver, n: int) -> list[dict]:
    """n pending notifications, each to its own receiver path, filled generically."""
    target = _target_column(outbox)
    sqlite_db = ctx.engine.dialect.name == "sqlite"
    now = ctx.shape.now
    stamp = (now - timedelta(minutes=1)).astimezone(UTC)
    stamp = stamp.replace(tzinfo=None) if sqlite_db else stamp
    with ctx.engine.connect() as conn:
        # an open task, so a dispatcher that re-checks its subject still sends
        task_id, agency_id, due_on = conn.execute(
            sa.select(Task.id, Task.agency_id, Task.due_on)
            .where(Task.status.in_([s.value for s in OPEN_STATUSES])).limit(1)).one()
        user_id = conn.scalar(sa.select(User.id).where(User.agency_id == agency_id))
    known = {"task_id": task_id, "agency_id": agency_id, "user_id": user_id,
             "recipient_id": user_id, "recipient_user_id": user_id, "status": "pending",
             "attempts": 0, "subject_type": "task", "subject_id": task_id,
             "entity_type": "task", "entity_id": task_id, "locale": "vi", "rung": "-1",
             "kind": "reminder", "last_error": "",
             "payload": {"task_id": task_id, "due_on": due_on.isoformat(),
                         "agency_id": agency_id}}
    rows = []
    for i in range(n):
        row = {}
        for col in outbox.c:
            name = col.name.lower()
            if col.primary_key and isinstance(col.type, sa.Integer):
                continue
            if col is target:
                row[col.name] = receiver.url(str(i))
            elif "dedupe" in name or name == "key":
                row[col.name] = f"bench:dispatch:{i}"
            elif name in known:
                value = known[name]
                row[col.name] = str(value) if isinstance(col.type, sa.String) else value
            elif isinstance(col.type, sa.DateTime):
                row[col.name] = stamp if not col.nullable or "next" in name else None
            elif col.nullable or col.server_default is not None:
                continue
            elif isinstance(col.type, sa.JSON):
                row[col.name] = {"title": "bench", "body": f"bench {i}"}
            elif isinstance(col.type, sa.Date):
                row[col.name] = ctx.shape.today
            elif isinstance(col.type, sa.Boolean):
                row[col.name] = False
            elif isinstance(col.type, sa.Integer | sa.Numeric):
                row[col.name] = 0
            else:
                row[col.name] = f"bench {i}"
        rows.append(row)
    return rows


def _floor_rate(receiver: Receiver, sample: int) -> float:
    """Notifications per second of apprise alone, one notify() per message, sequentially."""
    import apprise

    started = time.perf_counter()
    for i in range(sample):
        box = apprise.Apprise()
        box.add(receiver.url(f"floor-{i}"))
        if not box.notify(title="bench", body=f"floor {i}"):
            raise RuntimeError("apprise could not reach the receiver")
    return sample / (time.perf_counter() - started)


def figure(ctx: Context) -> list[Figure]:
    """dispatch() until nothing is pending; rate against apprise's own sequential rate."""
    outbox = reflect_outbox(ctx.engine)
    from models.notify.dispatch import dispatch

    n = 100 if ctx.notes.get("tiny") else 1_000 if ctx.quick else 10_000
    with Receiver() as receiver:
        sample = min(FLOOR_SAMPLE, n)
        floor = _floor_rate(receiver, sample)
        with ctx.engine.begin() as conn:
            conn.execute(sa.delete(outbox))  # the sweep's rows would go to nowhere
            conn.execute(sa.insert(outbox), _rows(ctx, outbox, receiver, n))
        factory = make_session_factory(ctx.engine)
        now = ctx.shape.now
        started = time.perf_counter()
        rounds = 0
        while rounds < n:  # dispatch returns what it did; stop when a round does nothing
            rounds += 1
            result = dispatch(factory, now=now, limit=1000)
            done = sum(result.values()) if isinstance(result, dict) else int(result or 0)
            if not done:
                break
        seconds = time.perf_counter() - started
        time.sleep(0.2)
        with receiver.lock:
            got = {k: v for k, v in receiver.counts.items() if not k.startswith("/n/floor-")}
    expected = {f"/n/{i}" for i in range(n)}
    lost = len(expected - got.keys())
    duplicated = sum(v - 1 for v in got.values() if v > 1)
    rate = (n - lost) / seconds
    return [Figure(
        "notification dispatch", rate, "msg/s", floor,
        detail=f"{n:,} notifications in {seconds:.2f} s, {lost} lost, {duplicated} duplicated; "
               f"floor: apprise alone, sequential, {sample} messages",
        extra_goal=(">= 1,000 msg/s, 0 lost, 0 duplicated",
                    rate >= 1000 and lost == 0 and duplicated == 0))]
