"""Reporting periods and the five categories, in SQL and in Python alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.tasks import periods
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from models.tasks.periods import Category, InvalidPeriod, parse_period
from tests.factories import T0, load_mini, make_user


@pytest.mark.parametrize("text, start, end, label", [
    ("2026-03", date(2026, 3, 1), date(2026, 3, 31), "tháng 3 năm 2026"),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "tháng 2 năm 2026"),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "quý I năm 2026"),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quý IV năm 2026"),
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "năm 2026"),
    ("2026-03-05..2026-04-04", date(2026, 3, 5), date(2026, 4, 4),
     "từ ngày 05/03/2026 đến ngày 04/04/2026"),
])
def test_periods_parse_and_name_themselves_as_offices_do(text, start, end, label):
    period = parse_period(text)
    assert (period.start, period.end, period.label()) == (start, end, label)
    assert parse_period(period.key) == period


@pytest.mark.parametrize("text", ["", "2026-13", "2026-Q5", "2026-H3", "03/2026",
                                  "2026-04-01..2026-03-01", "2026-02-30..2026-03-01"])
def test_a_wrong_period_is_refused_with_its_code(text):
    with pytest.raises(InvalidPeriod) as refused:
        parse_period(text)
    assert refused.value.code == "period.invalid" and refused.value.field == "period"


def test_this_month_and_this_quarter_contain_the_day():
    day = date(2026, 12, 1)
    assert periods.period_of("month", day).key == "2026-12"
    assert periods.period_of("quarter", day).key == "2026-Q4"
    assert periods.period_of("half", day).key == "2026-H2"


def test_counts_in_sql_equal_the_python_rule_task_by_task(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency="COORD")
    officer = make_user(session, email="o@example.org", role="officer", agency="AG-A")
    tasks = session.scalars(sa.select(Task).order_by(Task.due_on, Task.id)).all()
    own = [t for t in tasks if t.agency.code == "AG-A"]
    # one on time, one late, one started, the rest untouched
    change_status(session, officer, own[0], "submitted", now=datetime(2025, 9, 2, 2, tzinfo=UTC))
    change_status(session, officer, own[1], "submitted", now=datetime(2025, 12, 30, 2, tzinfo=UTC))
    change_status(session, officer, own[2], "in_progress", now=datetime(2025, 9, 2, 2, tzinfo=UTC))
    as_of = date(2025, 10, 15)
    period = parse_period("2025-09-01..2025-12-31")
    by_hand: dict[int, dict[str, int]] = {}
    for task in tasks:
        if period.contains(task.due_on):
            row = by_hand.setdefault(task.agency_id, {c.value: 0 for c in Category})
            row[periods.classify(task, as_of).value] += 1
    counted = periods.counts_by(session, coordinator, period, as_of)
    assert {k[0]: v.as_dict() for k, v in counted.items()} == by_hand
    a = counted[(own[0].agency_id,)]
    assert a.done_on_time == 1 and a.done_late == 1 and a.in_progress == 1
    assert periods.total(counted).overdue >= 1
    assert len({c for row in by_hand.values() for c, n in row.items() if n}) >= 4
    # an officer counts only their own agency
    assert set(periods.counts_by(session, officer, period, as_of)) == {(own[0].agency_id,)}
