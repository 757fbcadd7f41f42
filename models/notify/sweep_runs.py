"""Which rungs the deadline sweep already wrote on a day: a rerun skips them without a query."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.db import UTCDateTime, db


class SweepRun(db.Model):
    """One rung group swept for one local day, with the data version it saw.

    Written in the same transaction as the rung's insert, so a crash before the commit leaves
    neither and the next run completes the rung.
    """

    __tablename__ = "sweep_run"

    day: Mapped[date] = mapped_column(primary_key=True)
    # a digest of the rung group's inputs (subject, zone, rung, recipients, items, catch-up)
    rung_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # the latest audit event id when swept: any audited change since makes the rung run again
    audit_mark: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    swept_at: Mapped[datetime] = mapped_column(UTCDateTime)


def rung_key(group: tuple, item_ids: list[int], catch_up_days: int, smtp_url) -> str:
    """A digest of everything that decides the rung's rows, other than the data."""
    return hashlib.sha1(repr((group, item_ids, catch_up_days, smtp_url)).encode()).hexdigest()


def done_today(session: Session, days: set[date], mark: int) -> set[tuple[date, str]]:
    """Rung groups already swept on these days with no audited change since."""
    return set(session.execute(sa.select(SweepRun.day, SweepRun.rung_key).where(
        SweepRun.day.in_(sorted(days)), SweepRun.audit_mark == mark)).all())


def save_marks(session: Session, rows: list[dict], mark: int, now: datetime) -> None:
    """Record the groups as swept, in the transaction of their inserts (a crash loses both)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SweepRun.__table__)
    session.execute(insert.values([dict(r, audit_mark=mark, swept_at=now) for r in rows])
                    .on_conflict_do_update(index_elements=["day", "rung_key"], set_={
                        "audit_mark": insert.excluded.audit_mark,
                        "created": insert.excluded.created,
                        "swept_at": insert.excluded.swept_at}))
