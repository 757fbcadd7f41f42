"""Working-day arithmetic on the Vietnamese public calendar (pure, no clock)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

import holidays

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OVERRIDE_REASON = "day off (override)"


class WorkingCalendar:
    """Vietnamese working days: weekends and public holidays (holidays.VN) off, with overrides."""

    def __init__(
        self,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        country: str = "VN",
    ) -> None:
        # days_off: extra days off decided by the coordinator (e.g. a provincial holiday);
        # working_days: make-up working days (e.g. a Saturday worked to bridge a holiday),
        # which win over weekends and holidays.
        self.country = country
        self._days_off = frozenset(days_off)
        self._working_days = frozenset(working_days)
        both = sorted(self._days_off & self._working_days)
        if both:
            raise ValueError(f"dates both off and working: {', '.join(map(str, both))}")
        probe = holidays.country_holidays(country)
        # English names keep why_off() stable across locales; fall back when unsupported.
        self._language = "en_US" if "en_US" in getattr(probe, "supported_languages", ()) else None
        self._weekend = frozenset(getattr(probe, "weekend", {5, 6}))
        self._off: dict[int, dict[date, str]] = {}
        self._working: dict[int, list[int]] = {}

    def _year_off(self, year: int) -> dict[date, str]:
        """Non-working days of `year` with their reason, built once per year."""
        off = self._off.get(year)
        if off is not None:
            return off
        public = holidays.country_holidays(self.country, years=year, language=self._language)
        # Official make-up Saturdays (e.g. 26/4/2025 worked to bridge 30/4-1/5) are working days.
        official_workdays = set(getattr(public, "weekend_workdays", ()))
        off = {}
        working: list[int] = []
        day = date(year, 1, 1)
        while day.year == year:
            reason = self._reason(day, public, official_workdays)
            if reason is None:
                working.append(day.toordinal())
            else:
                off[day] = reason
            day += timedelta(days=1)
        self._off[year] = off
        self._working[year] = working
        return off

    def _reason(self, day: date, public: holidays.HolidayBase, workdays: set[date]) -> str | None:
        """Why `day` is off (None when working), before caching."""
        if day in self._working_days:
            return None
        name = public.get(day)
        if name:
            return name
        if day.weekday() in self._weekend and day not in workdays:
            return _WEEKDAY_NAMES[day.weekday()]
        if day in self._days_off:
            return OVERRIDE_REASON
        return None

    def _year_working(self, year: int) -> list[int]:
        """Sorted ordinals of the working days of `year`."""
        if year not in self._working:
            self._year_off(year)
        return self._working[year]

    def is_working_day(self, day: date) -> bool:
        """True when `day` is a working day."""
        return day not in self._year_off(day.year)

    def why_off(self, day: date) -> str | None:
        """None when `day` is working, else the holiday name, weekday name or override reason."""
        return self._year_off(day.year).get(day)

    def roll_forward(self, day: date) -> date:
        """`day` itself if working, else the next working day."""
        if self.is_working_day(day):
            return day
        return self.add_working_days(day, 1)

    def roll_back(self, day: date) -> date:
        """`day` itself if working, else the last working day before it."""
        if self.is_working_day(day):
            return day
        return self.add_working_days(day, -1)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (before it when n < 0); `day` itself when n == 0."""
        if n == 0:
            return day
        year, ordinal = day.year, day.toordinal()
        if n > 0:
            days = self._year_working(year)
            i = bisect_right(days, ordinal) + n - 1
            while i >= len(days):
                i -= len(days)
                year += 1
                days = self._year_working(year)
            return date.fromordinal(days[i])
        days = self._year_working(year)
        i = bisect_left(days, ordinal) + n
        while i < 0:
            year -= 1
            days = self._year_working(year)
            i += len(days)
        return date.fromordinal(days[i])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative count of (end, start] when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        lo, hi = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            days = self._year_working(year)
            count += bisect_right(days, hi) - bisect_right(days, lo)
        return count
