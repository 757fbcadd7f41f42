"""The period a page shows, read from the URL, and the choices of the period form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models.tasks.periods import (
    CATEGORY_LABELS,
    Category,
    InvalidPeriod,
    ReportPeriod,
    parse_period,
    period_of,
)
from webapp.templating import current_locale_name

SORT_LABELS = {
    "due": _l("Due date, soonest first"),
    "-due": _l("Due date, latest first"),
    "agency": _l("Agency"),
    "item": _l("Item"),
    "status": _l("Status"),
    "submitted": _l("Submitted"),
}


def category_label(category: str | Category) -> str:
    return _(CATEGORY_LABELS[Category(category)])


def chosen_period(args: Mapping, today: date, *, default: str | None = "month"
                  ) -> ReportPeriod | None:
    """`?from=&to=` (a date range), else `?period=2026-03` etc., else this month on `today`.

    `period=all` (or no period where `default` is None) means every due date."""
    start, end = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if start or end:
        if not (start and end):
            raise InvalidPeriod(field="period", value=f"{start}..{end}")
        return parse_period(f"{start}..{end}")
    key = (args.get("period") or "").strip()
    if key == "all" or (not key and default is None):
        return None
    if not key:
        return period_of(default, today)
    return parse_period(key)


def period_label(period: ReportPeriod | None) -> str:
    return period.label(current_locale_name()) if period else _("All periods")


@lru_cache(maxsize=256)
def _year_options(year: int, locale: str) -> tuple[tuple[str, str], ...]:
    """A year's months, quarters, halves and the year itself: pure, so built once a process."""
    keys = [f"{year}-{m:02d}" for m in range(1, 13)] + [f"{year}-Q{q}" for q in range(1, 5)]
    keys += [f"{year}-H{h}" for h in (1, 2)] + [str(year)]
    return tuple((p.key, p.label(locale)) for p in map(parse_period, keys))


@lru_cache(maxsize=64)
def _this_period(today: date, locale: str) -> tuple[tuple[str, str], ...]:
    return tuple((p.key, p.label(locale)) for p in
                 (period_of(k, today) for k in ("month", "quarter", "half", "year")))


def period_choices(today: date, first_year: int | None = None, last_year: int | None = None):
    """(group label, [(key, label)]) for the period select: months, quarters, halves, years."""
    loc = current_locale_name()
    first = min(first_year or today.year, today.year)
    last = max(last_year or today.year, today.year)
    groups = [(_("This period"), list(_this_period(today, loc)))]
    for y in range(last, first - 1, -1):
        groups.append((str(y), list(_year_options(y, loc))))
    return groups


def period_args(period: ReportPeriod | None) -> dict:
    """The query arguments that name `period` in a link."""
    if period is None:
        return {"period": "all"}
    return {"period": period.key}
