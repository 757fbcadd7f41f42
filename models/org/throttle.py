"""Login throttling that cannot be turned against a user, in storage every worker shares.

Failures are counted per account *and* address, and per address alone, in the database (so the
numbers hold with any number of web workers). Past a limit the key is blocked for a delay that
doubles with each block (1, 2, 4 … minutes, at most an hour). The owner of an account is never
locked out by someone else's failures from another address: a correct password from an address
that is not itself blocked gets in. An office behind one NAT address shares the address limit,
which is set well above what one person mistypes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.db import UTCDateTime, db
from models.org.errors import TooManyAttempts  # noqa: F401  (raised here)


@dataclass(frozen=True)
class Limit:
    failures: int  # failures within `window` that block the key
    window: timedelta
    first_block: timedelta
    longest_block: timedelta = timedelta(hours=1)


ACCOUNT_AT_ADDRESS = Limit(5, timedelta(minutes=1), timedelta(minutes=1))
ADDRESS = Limit(30, timedelta(minutes=1), timedelta(minutes=1))


class LoginThrottle(db.Model):
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    blocks: Mapped[int] = mapped_column(default=0)  # how many times it was blocked in a row
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _keys(email: str, address: str) -> list[tuple[str, Limit]]:
    email = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    return [(f"account:{email}|{address}", ACCOUNT_AT_ADDRESS), (f"address:{address}", ADDRESS)]


def check(session: Session, email: str, address: str, *, now: datetime) -> None:
    """Refuse an attempt while its account-and-address or its address is blocked."""
    keys = [k for k, _ in _keys(email, address)]
    until = session.scalar(sa.select(sa.func.max(LoginThrottle.blocked_until)).where(
        LoginThrottle.key.in_(keys), LoginThrottle.blocked_until > now))
    if until is not None:
        raise TooManyAttempts(seconds=max(1, math.ceil((until - now).total_seconds())),
                              field="email")


def _ensure(session: Session, key: str, now: datetime) -> None:
    """The key's row exists (two workers counting a first failure at once insert it once)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(LoginThrottle).values(
        key=key, failures=0, window_start=now, blocks=0).on_conflict_do_nothing())


def failed(session: Session, email: str, address: str, *, now: datetime) -> None:
    """Count a failure; block the key when its limit is reached, for a doubling delay."""
    for key, limit in _keys(email, address):
        _ensure(session, key, now)
        row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        if now - row.window_start > limit.window:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= limit.failures:
            delay = min(limit.first_block * (2 ** row.blocks), limit.longest_block)
            row.blocked_until, row.blocks = now + delay, row.blocks + 1
            row.failures, row.window_start = 0, now
    session.flush()


def succeeded(session: Session, email: str, address: str) -> None:
    """A correct password clears its account-and-address record (not the address's)."""
    key = _keys(email, address)[0][0]
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
