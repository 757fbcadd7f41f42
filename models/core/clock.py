"""Converting an explicit `now` into the plan's local calendar day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def local_today(now: datetime, tz: str = DEFAULT_TZ) -> date:
    """The calendar day it is at `now` in the plan's time zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(tz)).date()


def end_of_day(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """A task is due at the end of its due day, in the plan's time zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))


def start_of_day(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """Midnight at the start of `day` in the plan's time zone."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))
