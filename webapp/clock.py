"""The one place the web layer reads the clock; tests set app.config["PLANWATCH_NOW"]."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app

from models.core.clock import DEFAULT_TZ, local_today


def now() -> datetime:
    """The current time, or the fixed time the app was configured with."""
    fixed = current_app.config.get("PLANWATCH_NOW")
    if callable(fixed):
        return fixed()
    return fixed or datetime.now(UTC)


def today() -> date:
    """Today's date in Hà Nội time."""
    return local_today(now(), DEFAULT_TZ)
