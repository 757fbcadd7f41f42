"""Working days on the Vietnamese calendar: holidays, weekends, overrides and arithmetic."""

from datetime import date, timedelta

import pytest

from models.plans.calendar import OVERRIDE_REASON, WorkingCalendar


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 2, 16), "Lunar New Year's Eve"),
        (date(2026, 2, 17), "Lunar New Year"),
        (date(2026, 2, 20), "Fourth Day of Lunar New Year"),
        (date(2026, 2, 21), "Saturday"),
        (date(2026, 2, 22), "Sunday"),
        (date(2025, 4, 30), "Liberation Day/Reunification Day"),
        (date(2025, 5, 1), "International Labor Day"),
        (date(2025, 9, 2), "National Day"),
        (date(2026, 11, 24), "Vietnam Cultural Day"),
        (date(2026, 1, 1), "New Year's Day"),
    ],
)
def test_days_off_say_why(cal: WorkingCalendar, day: date, reason: str) -> None:
    assert not cal.is_working_day(day)
    assert cal.why_off(day) == reason


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 13),  # Friday before the Tết break
        date(2026, 2, 23),  # Monday after it
        date(2025, 9, 19),  # an ordinary Friday
        date(2026, 1, 2),  # Friday after New Year's Day is not a public holiday
    ],
)
def test_ordinary_weekdays_are_working(cal: WorkingCalendar, day: date) -> None:
    assert cal.is_working_day(day)
    assert cal.why_off(day) is None


def test_official_make_up_saturday_is_working(cal: WorkingCalendar) -> None:
    # 26/4/2025 was worked so that Friday 2/5/2025 could bridge 30/4-1/5.
    assert date(2025, 4, 26).weekday() == 5
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2025, 5, 2))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 20), date(2025, 9, 22)),  # Saturday -> Monday
        (date(2025, 9, 22), date(2025, 9, 22)),  # already working
        (date(2026, 2, 17), date(2026, 2, 23)),  # Tết, then the weekend
        (date(2025, 4, 30), date(2025, 5, 5)),  # 30/4, 1/5, bridged 2/5, weekend
        (date(2026, 4, 30), date(2026, 5, 4)),  # 30/4 Thu, 1/5 Fri, weekend
        (date(2025, 9, 1), date(2025, 9, 3)),  # 1-2/9
        (date(2026, 8, 31), date(2026, 9, 3)),  # bridged 31/8, then 1-2/9
        (date(2026, 11, 24), date(2026, 11, 25)),  # Vietnam Cultural Day
        (date(2025, 12, 31), date(2025, 12, 31)),
        (date(2034, 12, 31), date(2035, 1, 2)),  # Sunday, New Year's Day: across a year
    ],
)
def test_roll_forward(cal: WorkingCalendar, day: date, expected: date) -> None:
    assert cal.roll_forward(day) == expected


def test_extra_day_off_pushes_further() -> None:
    cal = WorkingCalendar(days_off=[date(2025, 9, 22)])
    assert cal.why_off(date(2025, 9, 22)) == OVERRIDE_REASON
    assert cal.roll_forward(date(2025, 9, 20)) == date(2025, 9, 23)


def test_make_up_working_saturday() -> None:
    cal = WorkingCalendar(working_days=[date(2025, 9, 20), date(2026, 2, 20)])
    assert cal.is_working_day(date(2025, 9, 20))
    assert cal.why_off(date(2025, 9, 20)) is None
    assert cal.roll_forward(date(2025, 9, 20)) == date(2025, 9, 20)
    assert cal.roll_forward(date(2026, 2, 17)) == date(2026, 2, 20)  # wins over Tết


def test_conflicting_overrides_are_refused() -> None:
    with pytest.raises(ValueError, match="2025-09-22"):
        WorkingCalendar(days_off=[date(2025, 9, 22)], working_days=[date(2025, 9, 22)])


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        # Back from Mon 23/2/2026: weekend 21-22, Tết 16-20, weekend 14-15, then 13, 12, 11.
        (date(2026, 2, 23), -3, date(2026, 2, 11)),
        (date(2026, 2, 23), -1, date(2026, 2, 13)),
        (date(2026, 2, 13), 1, date(2026, 2, 23)),
        (date(2026, 2, 14), 1, date(2026, 2, 23)),  # from a day off
        (date(2026, 2, 17), -1, date(2026, 2, 13)),  # from a day off, backwards
        (date(2025, 9, 19), 0, date(2025, 9, 19)),
        (date(2025, 9, 20), 0, date(2025, 9, 20)),  # n == 0 does not roll
        (date(2025, 9, 19), 5, date(2025, 9, 26)),
        # 31/12/2025 Wed; 1/1 holiday; Fri 2/1; weekend; Mon 5/1.
        (date(2025, 12, 31), 2, date(2026, 1, 5)),
        (date(2026, 1, 5), -2, date(2025, 12, 31)),
    ],
)
def test_add_working_days(cal: WorkingCalendar, day: date, n: int, expected: date) -> None:
    assert cal.add_working_days(day, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 23), 1),
        (date(2026, 2, 23), date(2026, 2, 13), -1),
        (date(2026, 2, 11), date(2026, 2, 23), 3),
        (date(2026, 2, 23), date(2026, 2, 11), -3),
        (date(2025, 9, 22), date(2025, 9, 22), 0),
        (date(2025, 12, 31), date(2026, 1, 5), 2),
        (date(2026, 2, 16), date(2026, 2, 22), 0),  # all off
    ],
)
def test_working_days_between(cal: WorkingCalendar, start: date, end: date, expected: int) -> None:
    assert cal.working_days_between(start, end) == expected


def test_arithmetic_agrees_with_a_day_by_day_walk(cal: WorkingCalendar) -> None:
    start = date(2025, 12, 1)
    walk = [start + timedelta(days=i) for i in range(1, 120)]
    working = [d for d in walk if cal.is_working_day(d)]
    for n, day in enumerate(working, start=1):
        assert cal.add_working_days(start, n) == day
        assert cal.working_days_between(start, day) == n
        assert cal.add_working_days(day, -n) == start


def test_handles_any_year(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2035, 3, 15)) is (date(2035, 3, 15).weekday() < 5)
    assert cal.working_days_between(date(2025, 1, 1), date(2035, 12, 31)) > 2500
