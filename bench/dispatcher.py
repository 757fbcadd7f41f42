"""`python -m bench.dispatcher URL WORKERS LEASE_S`: dispatch until the outbox is empty.

Runs on the wall clock (leases must expire for real after a kill -9). Prints one JSON line per
dispatch round, so the crash drill can see that it is sending.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from models.core.db import make_engine, make_session_factory
from models.notify.dispatch import dispatch
from models.notify.entities import Notification


def main(url: str, workers: int, lease_s: float) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    clock = lambda: datetime.now(UTC)  # noqa: E731
    import apprise  # noqa: F401  (imported before "ready": the figure times sending only)

    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    while True:
        summary = dispatch(factory, now=clock(), limit=2000, base_url="http://bench",
                           lease=timedelta(seconds=lease_s), clock=clock, workers=workers,
                           chunk=250)
        print(json.dumps(summary), flush=True)
        if sum(summary.values()):
            continue
        with engine.connect() as conn:
            left = conn.scalar(sa.select(sa.func.count()).select_from(Notification).where(
                Notification.status.in_(["pending", "failed"])))
        if not left:
            break
        time.sleep(0.2)  # rows still leased by a killed dispatcher: wait for the lease
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
