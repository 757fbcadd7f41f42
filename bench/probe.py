"""Run in a subprocess: the deadline sweep's peak RSS, in a transaction that is rolled back."""

from __future__ import annotations

import json
import resource
import sys
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session


def peak_mb() -> float:
    """ru_maxrss of this process in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(url: str, now: str) -> None:
    from models.core.db import make_engine
    from models.notify.entities import Notification
    from models.notify.ladder import sweep

    engine = make_engine(url)
    with Session(engine) as session:
        session.execute(sa.select(1))
        before = peak_mb()  # interpreter, models and a connection: the floor
        # empty the outbox inside the transaction so the sweep does its full work
        session.execute(sa.delete(Notification.__table__))
        created = sweep(session, now=datetime.fromisoformat(now))
        session.rollback()
    print(json.dumps({"floor_mb": before, "peak_mb": peak_mb(), "created": created}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
