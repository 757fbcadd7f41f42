"""Refused requests in the audit trail, bounded: a flood of anonymous refusals cannot fill it.

A refusal by a known user (a logged-in page or an API token) is one audit event each: it names
who tried. An anonymous refusal is counted per address and minute in `refusal_tally`; only the
first of each minute and address writes an audit event, so 200 anonymous refusals in a second
from one address leave one event (and a count of 200), not 200 events.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.actors import Actor
from models.core.audit import record
from models.core.db import UTCDateTime, db


class RefusalTally(db.Model):
    __tablename__ = "refusal_tally"

    address: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(default=1)


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(RefusalTally)


def record_refusal(session: Session, actor: Actor | None, *, status: int, method: str,
                   path: str, reason: str, address: str | None, now: datetime) -> bool:
    """Audit a refused request (the caller commits); True when an audit event was written.

    `actor` None is anonymous: counted per address and minute, audited once per minute."""
    after = {"status": status, "method": method, "reason": reason, "address": address}
    if actor is None:
        address = (address or "unknown")[:64]
        minute = now.replace(second=0, microsecond=0)
        first = session.execute(_insert(session).values(
            address=address, minute=minute, count=1).on_conflict_do_nothing()
            .returning(RefusalTally.count)).first()
        if first is None:
            session.execute(sa.update(RefusalTally).where(
                RefusalTally.address == address, RefusalTally.minute == minute)
                .values(count=RefusalTally.count + 1))
            return False
        after["counted_per_minute"] = True  # later ones this minute: refusal_tally.count
    record(session, actor=actor, action="access.refused", entity_type="request",
           entity_id=path[:64], before=None, after=after, now=now)
    return True


def refusals_counted(session: Session, address: str) -> int:
    """Every anonymous refusal counted for an address (all minutes)."""
    return session.scalar(sa.select(sa.func.coalesce(sa.func.sum(RefusalTally.count), 0))
                          .where(RefusalTally.address == address))
