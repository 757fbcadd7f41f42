"""Reporting cadences, their calendar periods and due-date rules (pure, no clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from models.plans.calendar import WorkingCalendar


class Cadence(StrEnum):
    """How often an obligation recurs; ON_REQUEST and NONE generate no periods automatically."""

    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    ON_REQUEST = "on_request"
    NONE = "none"


_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6, Cadence.YEARLY: 12}


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive span of days an obligation covers."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")


def _last_day(year: int, month: int) -> dt.date:
    """The last day of the given month."""
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _clamped(year: int, month: int, day: int) -> dt.date:
    """`day` of the month, or the month's last day when the month is shorter."""
    return min(dt.date(year, month, 1) + dt.timedelta(days=day - 1), _last_day(year, month))


def months_in(cadence: Cadence | str) -> int:
    """Months in one period of a calendar cadence (1, 3, 6 or 12)."""
    months = _MONTHS.get(Cadence(cadence))
    if months is None:
        raise ValueError(f"cadence {str(cadence)!r} has no calendar periods")
    return months


def period_containing(cadence: Cadence | str, day: dt.date) -> Period:
    """The calendar month, quarter, half-year or year that contains `day`."""
    months = months_in(cadence)
    first = (day.month - 1) // months * months + 1
    last = first + months - 1
    return Period(dt.date(day.year, first, 1), _last_day(day.year, last))


def open_periods(
    cadence: Cadence | str,
    starts_on: dt.date,
    through: dt.date,
    ends_on: dt.date | None = None,
) -> list[Period]:
    """Periods from the one containing starts_on, starting on or before through (and ends_on)."""
    cadence = Cadence(cadence)
    # Nothing is open before the obligation starts or after it has ended.
    if starts_on > through or (ends_on is not None and ends_on < starts_on):
        return []
    if cadence is Cadence.ONCE:
        return [Period(starts_on, starts_on)]
    if cadence not in _MONTHS:
        return []
    last_start = through if ends_on is None else min(through, ends_on)
    periods = []
    period = period_containing(cadence, starts_on)
    while period.start <= last_start:
        periods.append(period)
        period = period_containing(cadence, period.end + dt.timedelta(days=1))
    return periods


# Fields each rule takes; any other field is an error.
_RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "day_of_last_month": ("day",),
    "days_after_period_end": ("days",),
    "month_day": ("month", "day"),
    "fixed_date": ("date",),
    "days_after_start": ("days",),
}
_INT_RANGES = {"day": (1, 31), "month": (1, 12), "days": (0, None)}


def _check_int(rule: str, name: str, value: Any) -> None:
    """Raise ValueError unless `value` is an int in the field's range."""
    low, high = _INT_RANGES[name]
    # bool is an int subclass; `day: true` in YAML is a mistake, not 1.
    ok = isinstance(value, int) and not isinstance(value, bool)
    ok = ok and value >= low and (high is None or value <= high)
    if not ok:
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(
            f"due rule {rule!r}: field {name!r} must be an integer {bounds}, got {value!r}"
        )


@dataclass(frozen=True)
class DueRule:
    """When an obligation is due, relative to its period."""

    rule: str
    day: int | None = None
    days: int | None = None
    month: int | None = None
    date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.rule not in _RULE_FIELDS:
            raise ValueError(
                f"due rule: unknown rule {self.rule!r} (expected one of {', '.join(_RULE_FIELDS)})"
            )
        wanted = _RULE_FIELDS[self.rule]
        for name in ("day", "days", "month", "date"):
            value = getattr(self, name)
            if name not in wanted:
                if value is not None:
                    raise ValueError(f"due rule {self.rule!r}: unexpected field {name!r}")
            elif value is None:
                raise ValueError(f"due rule {self.rule!r}: missing field {name!r}")
            elif name == "date":
                # datetime is a date subclass; a time of day makes no sense for a due date.
                if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                    raise ValueError(
                        f"due rule {self.rule!r}: field 'date' must be a date, got {value!r}"
                    )
            else:
                _check_int(self.rule, name, value)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DueRule:
        """Parse and validate a rule as written in a plan file (`date` may be an ISO string)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"due rule must be a mapping, got {type(data).__name__}")
        rule = data.get("rule")
        if not isinstance(rule, str):
            raise ValueError(f"due rule: field 'rule' is missing or not a string: {rule!r}")
        if rule not in _RULE_FIELDS:
            raise ValueError(
                f"due rule: unknown rule {rule!r} (expected one of {', '.join(_RULE_FIELDS)})"
            )
        for name in data:
            if name != "rule" and name not in _RULE_FIELDS[rule]:
                raise ValueError(f"due rule {rule!r}: unexpected field {name!r}")
        fields = {name: data.get(name) for name in _RULE_FIELDS[rule]}
        if isinstance(fields.get("date"), str):
            try:
                fields["date"] = dt.date.fromisoformat(fields["date"])
            except ValueError:
                raise ValueError(
                    f"due rule {rule!r}: field 'date' is not an ISO date: {data['date']!r}"
                ) from None
        return cls(rule=rule, **fields)

    def to_dict(self) -> dict[str, Any]:
        """The plan-file form of the rule: only its own fields, the date as an ISO string."""
        out: dict[str, Any] = {"rule": self.rule}
        for name in _RULE_FIELDS[self.rule]:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out

    def nominal(self, period: Period) -> dt.date:
        """The due date the rule names for `period`, before any working-day shift."""
        if self.rule == "day_of_last_month":
            return _clamped(period.end.year, period.end.month, self.day)
        if self.rule == "days_after_period_end":
            return period.end + dt.timedelta(days=self.days)
        if self.rule == "month_day":
            return _clamped(period.end.year, self.month, self.day)
        if self.rule == "fixed_date":
            return self.date
        return period.start + dt.timedelta(days=self.days)  # days_after_start


@dataclass(frozen=True)
class DueDate:
    """A nominal due date, the working day it moves to and the days off skipped on the way."""

    nominal: dt.date
    due_on: dt.date
    skipped: tuple[tuple[dt.date, str], ...] = ()


def due_date(rule: DueRule, period: Period, calendar: WorkingCalendar) -> DueDate:
    """The due date of `period` under `rule`, moved to the next working day when needed."""
    nominal = rule.nominal(period)
    # Civil Code 2015 art. 148: a time limit ending on a day off ends on the next working day.
    due_on = calendar.roll_forward(nominal)
    skipped = []
    day = nominal
    while day < due_on:
        skipped.append((day, calendar.why_off(day) or ""))
        day += dt.timedelta(days=1)
    return DueDate(nominal, due_on, tuple(skipped))


def is_absorbed(period: Period, lower: Cadence | str, higher: Cadence | str) -> bool:
    """True when the `higher` report for the same month replaces this `lower` period's report."""
    lower, higher = Cadence(lower), Cadence(higher)
    if lower not in _MONTHS or higher not in _MONTHS or _MONTHS[higher] <= _MONTHS[lower]:
        return False
    # E.g. the annual report replaces December's monthly and Q4's quarterly report.
    end = period_containing(higher, period.end).end
    return (end.year, end.month) == (period.end.year, period.end.month)
