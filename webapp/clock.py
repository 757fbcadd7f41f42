"""The one clock of the web layer (pages, inspections and the API).

`PLANWATCH_NOW` (settings, an ISO datetime or date) fixes it for a demonstration or a test;
tests may also set `app.config["PLANWATCH_NOW"]` to a datetime or a callable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app

from models.core.clock import DEFAULT_TZ, local_today


def now(app=None) -> datetime:
    """The current time, or the fixed time the app (default: the current one) was configured
    with."""
    fixed = (app or current_app).config.get("PLANWATCH_NOW")
    if callable(fixed):
        return fixed()
    return fixed or datetime.now(UTC)


def today() -> date:
    """Today's date in Hà Nội time."""
    return local_today(now(), DEFAULT_TZ)
