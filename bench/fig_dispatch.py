"""Notification dispatch to a loopback webhook receiver in its own process, then a crash drill.

The receiver is idempotent (it counts unique outbox ids and drops repeats). The floor is apprise
alone: one process sending the same kind of message to the same receiver in a plain loop.
Then dispatcher processes (two on PostgreSQL, sharing the outbox with SKIP LOCKED; one on
SQLite) drain the outbox; then ten times a dispatcher is killed with SIGKILL mid-batch and
restarted, and the receiver says how many arrived (none may be lost) and how many repeats it
dropped (those in flight or awaiting their commit at each kill).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench.harness import Context, Figure
from bench.outbox import reflect_outbox
from bench.receiver import ReceiverProcess

FLOOR_SAMPLE = 400  # apprise sends timed directly, without the outbox
KILLS = 10
LEASE_S = 10.0  # a killed dispatcher's rows wait this long for another


def _floor_rate(receiver: ReceiverProcess, sample: int) -> float:
    """Messages per second of apprise alone, one notify() per message, sequentially."""
    import apprise

    asset = apprise.AppriseAsset(service_timeout=0)
    started = time.perf_counter()
    for i in range(sample):
        box = apprise.Apprise(asset=asset)
        box.add(receiver.url("/floor") + f"?:outbox_id=floor-{i}")
        if not box.notify(title="bench", body=f"floor {i}"):
            raise RuntimeError("apprise could not reach the receiver")
    return sample / (time.perf_counter() - started)


def _target(ctx: Context, receiver: ReceiverProcess) -> int:
    from models.core.actors import CONSOLE
    from models.core.db import make_session_factory
    from models.notify.targets import set_target
    from models.org.agencies import Agency

    with make_session_factory(ctx.engine)() as session:
        code = session.scalar(sa.select(Agency.code).limit(1))
        # a webhook channel (http://): sent by the keep-alive plugin, JSON with the outbox id
        target = set_target(session, CONSOLE, url=f"http://127.0.0.1:{receiver.port}/n",
                            agency_code=code,
                            now=datetime.now(UTC))
        session.commit()
        return target.id


def _fill(ctx: Context, outbox: sa.Table, target_id: int, prefix: str, n: int) -> None:
    now = datetime.now(UTC) - timedelta(minutes=1)
    stamp = now.replace(tzinfo=None) if ctx.engine.dialect.name == "sqlite" else now
    rows = [{"dedupe_key": f"bench:{prefix}:{i}", "target_id": target_id,
             "subject_type": "message", "subject_id": i, "rung": "0", "kind": "reminder",
             "payload": {"title": "bench", "body": f"{prefix} {i}"}, "locale": "vi",
             "status": "pending", "attempts": 0, "next_attempt_at": stamp, "last_error": "",
             "created_at": stamp} for i in range(n)]
    with ctx.engine.begin() as conn:
        conn.execute(sa.delete(outbox))
        for start in range(0, n, 5000):
            conn.execute(sa.insert(outbox), rows[start:start + 5000])


def _dispatcher(ctx: Context, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.dispatcher", ctx.url, str(workers), str(LEASE_S)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ})
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _go(proc: subprocess.Popen) -> None:
    proc.stdin.write("go\n")
    proc.stdin.flush()


def _drain(ctx: Context, processes: int, workers: int) -> float:
    """Seconds for `processes` dispatchers, started together, to empty the outbox."""
    procs = [_dispatcher(ctx, workers) for _ in range(processes)]
    started = time.perf_counter()
    for proc in procs:
        _go(proc)
    for proc in procs:
        proc.communicate(timeout=900)
    return time.perf_counter() - started


def _crash_drill(ctx: Context, receiver: ReceiverProcess, workers: int, m: int,
                 times: int = KILLS) -> dict:
    """`times` times: SIGKILL a dispatcher once it is sending, restart; then drain. Counts."""
    kills = 0
    while kills < times:
        proc = _dispatcher(ctx, workers)
        before = receiver.stats()["total"]
        _go(proc)
        deadline = time.monotonic() + 60
        while receiver.stats()["total"] < before + m // (times * 3) and \
                time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        if proc.poll() is not None:
            break  # it finished before it could be killed: nothing left to drill
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    _drain(ctx, 1, workers)  # waits for the killed dispatchers' leases, then sends the rest
    stats = receiver.stats()
    return {"kills": kills, **stats, "lost": m - stats["unique"]}


def figure(ctx: Context) -> list[Figure]:
    """Dispatch rate against apprise alone; then the kill -9 drill: lost and dropped repeats."""
    outbox = reflect_outbox(ctx.engine)
    postgres = ctx.engine.dialect.name == "postgresql"
    n = 500 if ctx.notes.get("tiny") else 3_000 if ctx.quick else 20_000
    processes, workers = (2, 8) if postgres else (1, 4)
    load = os.getloadavg()
    with ReceiverProcess() as receiver:
        floor = _floor_rate(receiver, min(FLOOR_SAMPLE, n))
        receiver.reset()
        target_id = _target(ctx, receiver)
        _fill(ctx, outbox, target_id, "rate", n)
        seconds = _drain(ctx, processes, workers)
        got = receiver.stats()
        rate = got["unique"] / seconds
        lost = n - got["unique"]
        receiver.reset()
        m = max(n // 4, 300)
        _fill(ctx, outbox, target_id, "crash", m)
        # the smoke test's tiny scale kills twice; `make bench` ten times
        drill = _crash_drill(ctx, receiver, workers, m, 2 if ctx.notes.get("tiny") else KILLS)
    with ctx.engine.begin() as conn:
        conn.execute(sa.delete(outbox))
    met = rate >= 1000 and lost == 0 and drill["lost"] == 0
    return [Figure(
        "notification dispatch", rate, "msg/s", floor,
        detail=(f"{n:,} messages in {seconds:.2f} s by {processes} dispatcher process(es) x "
                f"{workers} senders, {lost} lost, {got['dropped']} repeats dropped; crash drill: "
                f"{drill['kills']} x kill -9 over {m:,} messages, {drill['lost']} lost, "
                f"{drill['dropped']} repeats dropped by the idempotent receiver, "
                f"0 delivered twice; floor: apprise alone, sequential, "
                f"{min(FLOOR_SAMPLE, n)} messages; load average {load[0]:.1f} "
                f"{load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores"),
        extra_goal=(f">= 1,000 msg/s, 0 lost after {drill['kills']} kill -9", met))]
