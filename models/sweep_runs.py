"""Which rungs the deadline sweep already wrote on a day: a rerun skips them without a query."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import UTCDateTime, db


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
