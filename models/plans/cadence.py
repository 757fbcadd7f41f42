"""Reporting cadences, their calendar periods and due-date rules (pure, no clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
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


# Fields each rule takes; any other field is an error. Every rule also takes the common
# optional fields `roll`, `cutoff` and `overrides` (see COMMON_FIELDS).
_RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "day_of_last_month": ("day",),
    "days_after_period_end": ("days",),
    "month_day": ("month", "day"),
    "fixed_date": ("date",),
    "days_after_start": ("days",),
    # due by the last working day inside a window: the period itself, or start..end for a
    # one-off ("trong quý IV/2028")
    "window": (),
    # N working days after an event: the due date of the items it consolidates (`after`) or
    # an event logged with the task (`event`, e.g. the end of an inspection)
    "working_days_after": ("days",),
}
# optional fields of some rules only
_OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "window": ("start", "end"),
    "working_days_after": ("after", "event"),
}
COMMON_FIELDS = ("roll", "cutoff", "overrides")
ROLLS = ("forward", "back")
EVENTS = ("inspection_end",)
_INT_RANGES = {"day": (1, 31), "month": (1, 12), "days": (0, None), "cutoff": (2, 28)}
_VALUE_FIELDS = ("day", "days", "month", "date")


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


def _as_date(rule: str, name: str, value: Any) -> dt.date:
    """A date field (an ISO string is read); datetimes and anything else are refused."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"due rule {rule!r}: field {name!r} is not an ISO date: {value!r}") from None
    # datetime is a date subclass; a time of day makes no sense for a due date.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"due rule {rule!r}: field {name!r} must be a date, got {value!r}")
    return value


@dataclass(frozen=True)
class DueRule:
    """When an obligation is due, relative to its period."""

    rule: str
    day: int | None = None
    days: int | None = None
    month: int | None = None
    date: dt.date | None = None
    start: dt.date | None = None  # window
    end: dt.date | None = None  # window
    after: tuple[str, ...] = ()  # working_days_after: item codes
    event: str | None = None  # working_days_after: a logged event
    roll: str | None = None  # forward | back; None: the plan's
    cutoff: int | None = None  # data from day N of the month before to day N-1
    overrides: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()  # (group, fields)

    def __post_init__(self) -> None:
        if self.rule not in _RULE_FIELDS:
            raise ValueError(
                f"due rule: unknown rule {self.rule!r} (expected one of {', '.join(_RULE_FIELDS)})"
            )
        wanted = _RULE_FIELDS[self.rule]
        for name in _VALUE_FIELDS:
            value = getattr(self, name)
            if name not in wanted:
                if value is not None:
                    raise ValueError(f"due rule {self.rule!r}: unexpected field {name!r}")
            elif value is None:
                raise ValueError(f"due rule {self.rule!r}: missing field {name!r}")
            elif name == "date":
                _as_date(self.rule, "date", value)
            else:
                _check_int(self.rule, name, value)
        optional = _OPTIONAL_FIELDS.get(self.rule, ())
        for name in ("start", "end", "after", "event"):
            if getattr(self, name) and name not in optional:
                raise ValueError(f"due rule {self.rule!r}: unexpected field {name!r}")
        if self.rule == "window":
            if (self.start is None) != (self.end is None):
                raise ValueError("due rule 'window': give both 'start' and 'end', or neither "
                                 "(the window is then the period)")
            if self.start is not None and self.end < self.start:
                raise ValueError("due rule 'window': 'end' is before 'start'")
            if self.roll is not None:
                raise ValueError("due rule 'window': no 'roll' (a window's due date is always "
                                 "its last working day)")
        if self.rule == "working_days_after":
            if bool(self.after) == bool(self.event):
                raise ValueError("due rule 'working_days_after': name either 'after' (the "
                                 "items it follows) or 'event', not both or neither")
            if self.event is not None and self.event not in EVENTS:
                raise ValueError(f"due rule 'working_days_after': unknown event {self.event!r}"
                                 f" (expected one of {', '.join(EVENTS)})")
            if self.roll is not None:
                raise ValueError("due rule 'working_days_after': no 'roll' (N working days "
                                 "after always lands on a working day)")
        if self.roll is not None and self.roll not in ROLLS:
            raise ValueError(f"due rule {self.rule!r}: 'roll' is forward or back, "
                             f"got {self.roll!r}")
        if self.cutoff is not None:
            _check_int(self.rule, "cutoff", self.cutoff)
        for group, fields in self.overrides:
            for name, _value in fields:
                if name not in wanted and name != "roll":
                    raise ValueError(f"due rule {self.rule!r}: the override for {group!r} sets "
                                     f"{name!r}, which this rule does not have")
            self.for_group_fields(dict(fields))  # a bad value is reported now, not at use

    def for_group_fields(self, fields: Mapping[str, Any]) -> DueRule:
        """This rule with some fields replaced (and no overrides of its own)."""
        values = {name: getattr(self, name) for name in (
            *_VALUE_FIELDS, "start", "end", "after", "event", "roll", "cutoff")}
        values.update(fields)
        return DueRule(rule=self.rule, **values)

    def for_groups(self, groups: Iterable[str]) -> DueRule:
        """The rule for an agency in `groups`: the first override naming one of them wins."""
        groups = set(groups)
        for group, fields in self.overrides:
            if group in groups:
                return self.for_group_fields(dict(fields))
        return self if not self.overrides else self.for_group_fields({})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DueRule:
        """Parse and validate a rule as written in a plan file (dates may be ISO strings)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"due rule must be a mapping, got {type(data).__name__}")
        rule = data.get("rule")
        if not isinstance(rule, str):
            raise ValueError(f"due rule: field 'rule' is missing or not a string: {rule!r}")
        if rule not in _RULE_FIELDS:
            raise ValueError(
                f"due rule: unknown rule {rule!r} (expected one of {', '.join(_RULE_FIELDS)})"
            )
        allowed = (*_RULE_FIELDS[rule], *_OPTIONAL_FIELDS.get(rule, ()), *COMMON_FIELDS)
        for name in data:
            if name != "rule" and name not in allowed:
                raise ValueError(f"due rule {rule!r}: unexpected field {name!r}")
        fields: dict[str, Any] = {name: data.get(name) for name in _RULE_FIELDS[rule]}
        if fields.get("date") is not None:
            fields["date"] = _as_date(rule, "date", fields["date"])
        for name in ("start", "end"):
            if data.get(name) is not None:
                fields[name] = _as_date(rule, name, data[name])
        if "after" in data:
            after = data["after"]
            if isinstance(after, str):
                after = [after]
            if (not isinstance(after, list | tuple) or not after
                    or not all(isinstance(code, str) and code for code in after)):
                raise ValueError(f"due rule {rule!r}: 'after' is a list of item codes")
            fields["after"] = tuple(after)
        if "event" in data:
            fields["event"] = data["event"] if isinstance(data["event"], str) else repr(
                data["event"])
        if "roll" in data:
            fields["roll"] = data["roll"] if isinstance(data["roll"], str) else repr(data["roll"])
        if "cutoff" in data:
            fields["cutoff"] = data["cutoff"]
        if "overrides" in data:
            fields["overrides"] = _parse_overrides(rule, data["overrides"])
        return cls(rule=rule, **fields)

    def to_dict(self) -> dict[str, Any]:
        """The plan-file form of the rule: only the fields it has, dates as ISO strings."""
        out: dict[str, Any] = {"rule": self.rule}
        for name in _RULE_FIELDS[self.rule]:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        for name in ("start", "end"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name).isoformat()
        if self.after:
            out["after"] = list(self.after)
        if self.event is not None:
            out["event"] = self.event
        if self.roll is not None:
            out["roll"] = self.roll
        if self.cutoff is not None:
            out["cutoff"] = self.cutoff
        if self.overrides:
            out["overrides"] = [
                {"group": group, **{k: v.isoformat() if isinstance(v, dt.date) else v
                                    for k, v in fields}}
                for group, fields in self.overrides]
        return out

    def nominal(self, period: Period) -> dt.date:
        """The due date the rule names for `period`, before any working-day shift
        (for `working_days_after`, the period's end: the real date needs the event)."""
        if self.rule == "day_of_last_month":
            return _clamped(period.end.year, period.end.month, self.day)
        if self.rule == "days_after_period_end":
            return period.end + dt.timedelta(days=self.days)
        if self.rule == "month_day":
            return _clamped(period.end.year, self.month, self.day)
        if self.rule == "fixed_date":
            return self.date
        if self.rule == "window":
            return self.end if self.end is not None else period.end
        if self.rule == "working_days_after":
            return period.end
        return period.start + dt.timedelta(days=self.days)  # days_after_start

    def window(self, period: Period) -> Period | None:
        """The window the due date must stay inside (window rules only)."""
        if self.rule != "window":
            return None
        if self.start is not None:
            return Period(self.start, self.end)
        return period

    def data_period(self, period: Period) -> Period | None:
        """The data a report covers under a cut-off (Nghị định 09/2019/NĐ-CP, art. 12): from day
        N of the month before the period to day N-1 of the period's last month."""
        if self.cutoff is None:
            return None
        before = period.start.replace(day=1) - dt.timedelta(days=1)
        return Period(before.replace(day=self.cutoff),
                      period.end.replace(day=self.cutoff - 1))


def _parse_overrides(rule: str, value: Any) -> tuple:
    """`overrides: [{group: communes, day: 10}, ...]` as (group, ((field, value), ...))."""
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"due rule {rule!r}: 'overrides' is a list of {{group: ..., field: "
                         f"value}} mappings")
    out, seen = [], set()
    for entry in value:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("group"), str):
            raise ValueError(f"due rule {rule!r}: each override names its 'group'")
        group = entry["group"]
        if group in seen:
            raise ValueError(f"due rule {rule!r}: two overrides for group {group!r}")
        seen.add(group)
        fields = []
        for name, field_value in entry.items():
            if name == "group":
                continue
            if name == "date":
                field_value = _as_date(rule, name, field_value)
            fields.append((str(name), field_value))
        if not fields:
            raise ValueError(f"due rule {rule!r}: the override for {group!r} changes nothing")
        out.append((group, tuple(sorted(fields))))
    return tuple(out)


@dataclass(frozen=True)
class DueDate:
    """A nominal due date, the working day it moves to and the days off skipped on the way."""

    nominal: dt.date
    due_on: dt.date
    skipped: tuple[tuple[dt.date, str], ...] = ()


def due_date(
    rule: DueRule, period: Period, calendar: WorkingCalendar, *,
    roll: str | None = None, event_on: dt.date | None = None,
) -> DueDate:
    """The due date of `period` under `rule`, moved to a working day when needed.

    `roll` is the plan's direction, used when the rule names none: `forward` (the default,
    "chậm nhất": Civil Code 2015 art. 148, a limit ending on a day off ends on the next working
    day) or `back` ("trước ngày": the last working day before). A window's due date is its last
    working day. `working_days_after` counts from `event_on` (the latest due date of the items it
    follows, or the logged event), without which it is due at the period's end.
    """
    if rule.rule == "working_days_after":
        base = event_on if event_on is not None else period.end
        due_on = calendar.add_working_days(base, rule.days)
        return DueDate(due_on, due_on, ())
    nominal = rule.nominal(period)
    direction = "back" if rule.rule == "window" else (rule.roll or roll or "forward")
    if direction == "back":
        due_on = calendar.roll_back(nominal)
        days = []
        day = nominal
        while day > due_on:
            days.append((day, calendar.why_off(day) or ""))
            day -= dt.timedelta(days=1)
        return DueDate(nominal, due_on, tuple(reversed(days)))
    due_on = calendar.roll_forward(nominal)
    skipped = []
    day = nominal
    while day < due_on:
        skipped.append((day, calendar.why_off(day) or ""))
        day += dt.timedelta(days=1)
    return DueDate(nominal, due_on, tuple(skipped))


def parse_first_period(cadence: Cadence | str, text: str) -> Period:
    """`2025-10` (monthly), `2025-Q4` (quarterly), `2026-H1` (half-yearly), `2026` (yearly)."""
    import re

    cadence = Cadence(cadence)
    patterns = {
        Cadence.MONTHLY: (r"^(\d{4})-(\d{2})$", "YYYY-MM"),
        Cadence.QUARTERLY: (r"^(\d{4})-Q([1-4])$", "YYYY-Qn"),
        Cadence.HALF_YEARLY: (r"^(\d{4})-H([12])$", "YYYY-Hn"),
        Cadence.YEARLY: (r"^(\d{4})$", "YYYY"),
    }
    if cadence not in patterns:
        raise ValueError(f"a {cadence} item has no periods, so no first period")
    pattern, shape = patterns[cadence]
    match = re.match(pattern, str(text))
    if not match:
        raise ValueError(f"the first period of a {cadence} item is written {shape}, "
                         f"got {text!r}")
    year = int(match.group(1))
    if cadence is Cadence.YEARLY:
        month = 1
    elif cadence is Cadence.MONTHLY:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"no month {month} in {text!r}")
    else:
        month = (int(match.group(2)) - 1) * months_in(cadence) + 1
    return period_containing(cadence, dt.date(year, month, 1))


def is_absorbed(period: Period, lower: Cadence | str, higher: Cadence | str) -> bool:
    """True when the `higher` report for the same month replaces this `lower` period's report."""
    lower, higher = Cadence(lower), Cadence(higher)
    if lower not in _MONTHS or higher not in _MONTHS or _MONTHS[higher] <= _MONTHS[lower]:
        return False
    # E.g. the annual report replaces December's monthly and Q4's quarterly report.
    end = period_containing(higher, period.end).end
    return (end.year, end.month) == (period.end.year, period.end.month)
