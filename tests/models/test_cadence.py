"""Cadences, periods, due rules and due dates as a plan coordinator would see them."""

from datetime import date

import pytest

from models.plans.cadence import (
    Cadence,
    DueDate,
    DueRule,
    Period,
    due_date,
    is_absorbed,
    months_in,
    open_periods,
    period_containing,
)
from models.plans.calendar import WorkingCalendar


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def P(start: str, end: str) -> Period:
    return Period(date.fromisoformat(start), date.fromisoformat(end))


FEB_2026 = P("2026-02-01", "2026-02-28")
SEP_2025 = P("2025-09-01", "2025-09-30")


def test_due_on_tet_moves_past_the_break(cal: WorkingCalendar) -> None:
    due = due_date(DueRule("day_of_last_month", day=17), FEB_2026, cal)
    assert due.nominal == date(2026, 2, 17)
    assert due.due_on == date(2026, 2, 23)
    assert [d for d, _ in due.skipped] == [date(2026, 2, d) for d in range(17, 23)]
    assert due.skipped[0] == (date(2026, 2, 17), "Lunar New Year")
    assert due.skipped[-1] == (date(2026, 2, 22), "Sunday")


def test_due_on_saturday_moves_to_monday(cal: WorkingCalendar) -> None:
    assert date(2025, 9, 20).weekday() == 5
    due = due_date(DueRule("day_of_last_month", day=20), SEP_2025, cal)
    assert due == DueDate(
        date(2025, 9, 20),
        date(2025, 9, 22),
        ((date(2025, 9, 20), "Saturday"), (date(2025, 9, 21), "Sunday")),
    )


def test_due_on_working_day_stays(cal: WorkingCalendar) -> None:
    due = due_date(DueRule("day_of_last_month", day=19), SEP_2025, cal)
    assert (due.nominal, due.due_on, due.skipped) == (date(2025, 9, 19), date(2025, 9, 19), ())


@pytest.mark.parametrize(
    ("rule", "period", "due_on"),
    [
        (DueRule("month_day", month=4, day=30), P("2025-01-01", "2025-12-31"), date(2025, 5, 5)),
        (
            DueRule("fixed_date", date=date(2026, 5, 1)),
            P("2026-01-01", "2026-01-01"),
            date(2026, 5, 4),
        ),
        (DueRule("days_after_period_end", days=2), P("2025-07-01", "2025-08-31"), date(2025, 9, 3)),
        (
            DueRule("month_day", month=11, day=24),
            P("2026-01-01", "2026-12-31"),
            date(2026, 11, 25),
        ),  # Vietnam Cultural Day
    ],
)
def test_national_holidays(cal: WorkingCalendar, rule: DueRule, period: Period, due_on: date):
    assert due_date(rule, period, cal).due_on == due_on


def test_extra_day_off_pushes_due_date_further() -> None:
    cal = WorkingCalendar(days_off=[date(2025, 9, 22)])
    due = due_date(DueRule("day_of_last_month", day=20), SEP_2025, cal)
    assert due.due_on == date(2025, 9, 23)
    assert due.skipped[-1] == (date(2025, 9, 22), "day off (override)")


def test_make_up_saturday_keeps_due_date() -> None:
    cal = WorkingCalendar(working_days=[date(2025, 9, 20)])
    assert due_date(DueRule("day_of_last_month", day=20), SEP_2025, cal).due_on == date(2025, 9, 20)


@pytest.mark.parametrize(
    ("rule", "period", "nominal"),
    [
        (DueRule("day_of_last_month", day=31), P("2025-02-01", "2025-02-28"), date(2025, 2, 28)),
        (DueRule("day_of_last_month", day=31), P("2028-02-01", "2028-02-29"), date(2028, 2, 29)),
        (DueRule("day_of_last_month", day=31), P("2025-04-01", "2025-04-30"), date(2025, 4, 30)),
        (DueRule("day_of_last_month", day=15), P("2025-01-01", "2025-03-31"), date(2025, 3, 15)),
        (DueRule("month_day", month=2, day=30), P("2028-01-01", "2028-12-31"), date(2028, 2, 29)),
        (DueRule("month_day", month=12, day=15), P("2025-01-01", "2025-12-31"), date(2025, 12, 15)),
        (
            DueRule("days_after_period_end", days=10),
            P("2025-10-01", "2025-12-31"),
            date(2026, 1, 10),
        ),
        (DueRule("days_after_start", days=30), P("2025-09-15", "2025-09-15"), date(2025, 10, 15)),
        (DueRule("fixed_date", date=date(2025, 10, 15)), SEP_2025, date(2025, 10, 15)),
    ],
)
def test_nominal(rule: DueRule, period: Period, nominal: date) -> None:
    assert rule.nominal(period) == nominal


@pytest.mark.parametrize(
    ("cadence", "day", "period"),
    [
        (Cadence.MONTHLY, date(2028, 2, 10), P("2028-02-01", "2028-02-29")),
        (Cadence.QUARTERLY, date(2025, 1, 1), P("2025-01-01", "2025-03-31")),
        (Cadence.QUARTERLY, date(2025, 8, 15), P("2025-07-01", "2025-09-30")),
        (Cadence.QUARTERLY, date(2025, 12, 31), P("2025-10-01", "2025-12-31")),
        (Cadence.HALF_YEARLY, date(2025, 6, 30), P("2025-01-01", "2025-06-30")),
        (Cadence.HALF_YEARLY, date(2025, 7, 1), P("2025-07-01", "2025-12-31")),
        (Cadence.YEARLY, date(2025, 9, 15), P("2025-01-01", "2025-12-31")),
    ],
)
def test_period_containing(cadence: Cadence, day: date, period: Period) -> None:
    assert period_containing(cadence, day) == period


@pytest.mark.parametrize("cadence", [Cadence.ONCE, Cadence.ON_REQUEST, Cadence.NONE])
def test_non_calendar_cadences_have_no_length(cadence: Cadence) -> None:
    with pytest.raises(ValueError, match=cadence.value):
        months_in(cadence)
    calendar_cadences = ("monthly", "quarterly", "half_yearly", "yearly")
    assert [months_in(c) for c in calendar_cadences] == [1, 3, 6, 12]


def test_open_periods_from_mid_month() -> None:
    periods = open_periods(Cadence.MONTHLY, date(2025, 9, 15), date(2025, 12, 1))
    assert [p.start.month for p in periods] == [9, 10, 11, 12]
    assert periods[0] == SEP_2025 and periods[-1] == P("2025-12-01", "2025-12-31")


@pytest.mark.parametrize(
    ("cadence", "starts_on", "through", "ends_on", "starts"),
    [
        (
            Cadence.MONTHLY,
            "2025-09-15",
            "2026-06-30",
            "2025-11-10",
            ["2025-09-01", "2025-10-01", "2025-11-01"],
        ),
        (
            Cadence.QUARTERLY,
            "2025-09-01",
            "2026-04-01",
            None,
            ["2025-07-01", "2025-10-01", "2026-01-01", "2026-04-01"],
        ),
        (
            Cadence.HALF_YEARLY,
            "2025-09-01",
            "2026-12-31",
            "2026-06-30",
            ["2025-07-01", "2026-01-01"],
        ),
        (
            Cadence.YEARLY,
            "2025-09-01",
            "2027-12-31",
            "2030-12-31",
            ["2025-01-01", "2026-01-01", "2027-01-01"],
        ),
        (Cadence.ONCE, "2025-09-15", "2025-12-01", None, ["2025-09-15"]),
        (Cadence.ONCE, "2026-01-15", "2025-12-01", None, []),
        (Cadence.MONTHLY, "2026-01-15", "2025-12-01", None, []),  # not started yet
        (Cadence.ON_REQUEST, "2025-09-01", "2026-12-31", None, []),
        (Cadence.NONE, "2025-09-01", "2026-12-31", None, []),
    ],
)
def test_open_periods(cadence, starts_on, through, ends_on, starts) -> None:
    periods = open_periods(
        cadence,
        date.fromisoformat(starts_on),
        date.fromisoformat(through),
        date.fromisoformat(ends_on) if ends_on else None,
    )
    assert [p.start.isoformat() for p in periods] == starts


def test_once_period_is_a_single_day() -> None:
    assert open_periods("once", date(2025, 9, 15), date(2025, 9, 15)) == [
        P("2025-09-15", "2025-09-15")
    ]


@pytest.mark.parametrize(
    ("period", "lower", "higher", "absorbed"),
    [
        (P("2025-12-01", "2025-12-31"), Cadence.MONTHLY, Cadence.YEARLY, True),
        (P("2025-11-01", "2025-11-30"), Cadence.MONTHLY, Cadence.YEARLY, False),
        (P("2025-03-01", "2025-03-31"), Cadence.MONTHLY, Cadence.QUARTERLY, True),
        (P("2025-02-01", "2025-02-28"), Cadence.MONTHLY, Cadence.QUARTERLY, False),
        (P("2025-10-01", "2025-12-31"), Cadence.QUARTERLY, Cadence.YEARLY, True),
        (P("2025-04-01", "2025-06-30"), Cadence.QUARTERLY, Cadence.HALF_YEARLY, True),
        (P("2025-12-01", "2025-12-31"), Cadence.MONTHLY, Cadence.MONTHLY, False),
        (P("2025-01-01", "2025-12-31"), Cadence.YEARLY, Cadence.MONTHLY, False),
        (P("2025-12-01", "2025-12-31"), Cadence.ONCE, Cadence.YEARLY, False),
        (P("2025-12-01", "2025-12-31"), Cadence.MONTHLY, Cadence.ON_REQUEST, False),
        (P("2025-12-01", "2025-12-31"), Cadence.MONTHLY, Cadence.NONE, False),
    ],
)
def test_is_absorbed(period: Period, lower: Cadence, higher: Cadence, absorbed: bool) -> None:
    assert is_absorbed(period, lower, higher) is absorbed


@pytest.mark.parametrize(
    "data",
    [
        {"rule": "day_of_last_month", "day": 20},
        {"rule": "days_after_period_end", "days": 0},
        {"rule": "month_day", "month": 12, "day": 15},
        {"rule": "fixed_date", "date": "2025-10-15"},
        {"rule": "days_after_start", "days": 30},
    ],
)
def test_due_rule_round_trip(data: dict) -> None:
    rule = DueRule.from_dict(data)
    assert rule.to_dict() == data
    assert DueRule.from_dict(rule.to_dict()) == rule


def test_due_rule_accepts_a_yaml_date() -> None:
    assert DueRule.from_dict({"rule": "fixed_date", "date": date(2025, 10, 15)}).date == date(
        2025, 10, 15
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rule": "every_full_moon", "day": 15}, "every_full_moon"),
        ({"day": 15}, "'rule'"),
        ({"rule": "day_of_last_month", "day": 0}, "'day'"),
        ({"rule": "day_of_last_month", "day": 32}, "'day'"),
        ({"rule": "day_of_last_month", "day": "20"}, "'day'"),
        ({"rule": "day_of_last_month", "day": True}, "'day'"),
        ({"rule": "month_day", "month": 13, "day": 1}, "'month'"),
        ({"rule": "day_of_last_month"}, "missing field 'day'"),
        ({"rule": "month_day", "day": 1}, "missing field 'month'"),
        ({"rule": "day_of_last_month", "day": 20, "days": 3}, "unexpected field 'days'"),
        ({"rule": "days_after_period_end", "days": -1}, "'days'"),
        ({"rule": "fixed_date", "date": "15/10/2025"}, "'date'"),
        ({"rule": "fixed_date", "date": 20251015}, "'date'"),
    ],
)
def test_due_rule_errors_name_the_field(data: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        DueRule.from_dict(data)
