"""Why a task is due when it is: the rule, and the days off the due date skipped."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

import holidays
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from models.plans.calendar_days import load_calendar
from models.tasks.entities import Task
from webapp.labels import describe_rule

DAY_NAMES = {
    "Saturday": _l("Saturday"),
    "Sunday": _l("Sunday"),
    "day off (override)": _l("day off declared by the coordinator"),
}
MAX_SHIFT = 31  # a gap longer than this is a reschedule, not a working-day shift


@lru_cache(maxsize=16)
def _vietnamese_holidays(year: int) -> dict:
    return dict(holidays.country_holidays("VN", years=year, language="vi"))


def _local_name(day, reason: str) -> str:
    """The calendar gives English names; Vietnamese readers get the Vietnamese holiday name."""
    if reason in DAY_NAMES:
        return str(DAY_NAMES[reason])
    if str(get_locale()) == "vi":
        return _vietnamese_holidays(day.year).get(day) or reason
    return reason


def due_explanation(session, task: Task) -> dict:
    """The rule in words and the skipped days off, (date, reason) in order."""
    skipped = []
    shifted = task.due_on != task.nominal_due_on
    if shifted and 0 < (task.due_on - task.nominal_due_on).days <= MAX_SHIFT:
        calendar = load_calendar(session)
        day = task.nominal_due_on
        while day < task.due_on:
            reason = calendar.why_off(day)
            if reason is None:  # a working day in between: moved by hand, not by the calendar
                skipped = []
                break
            skipped.append((day, _local_name(day, reason)))
            day += timedelta(days=1)
    return {
        "rule": describe_rule(task.item.due_rule),
        "shifted": shifted,
        "skipped": skipped,
        "rescheduled": shifted and not skipped,
    }


def days_left(session, task: Task, today) -> dict | None:
    """Calendar and working days until the due date (negative once past), for an open task."""
    from models.tasks.entities import OPEN_STATUSES

    if task.status not in OPEN_STATUSES:
        return None
    calendar = load_calendar(session)
    return {"days": (task.due_on - today).days,
            "working": calendar.working_days_between(today, task.due_on)}
