"""Dashboard figures computed in SQL, per agency and rolled up per section."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from models.plans.entities import Plan
from models.tasks import stats
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, load_mini, make_user

LATE = datetime(2025, 10, 1, 2, tzinfo=UTC)
TODAY = date(2025, 10, 1)


def _setup(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency="COORD")
    officer = make_user(session, email="o@example.org", role="officer", agency="AG-A")
    return coordinator, officer


def _task(session, agency: str, item: str) -> Task:
    return session.scalars(sa.select(Task).join(Task.agency).join(Task.item).where(
        sa.text("agency.code = :a AND item.code = :i")).params(a=agency, i=item)
        .order_by(Task.period_start)).first()


def test_rates_per_agency_count_due_done_on_time_and_overdue(session):
    coordinator, officer = _setup(session)
    early = datetime(2025, 9, 10, 2, tzinfo=UTC)
    change_status(session, officer, _task(session, "AG-A", "M-PLAN"), "submitted", now=early)
    change_status(session, officer, _task(session, "AG-A", "M-RPT-Q"), "submitted", now=LATE)
    rows = {a.code: f for a, f in stats.by_agency(session, coordinator, TODAY)}
    a, b = rows["AG-A"], rows["AG-B"]
    assert (a.due, a.done, a.on_time, a.overdue) == (2, 2, 1, 0)
    assert (b.due, b.done, b.overdue) == (2, 0, 2)
    assert a.completion == 1.0 and a.on_time_rate == 0.5 and b.completion == 0.0
    assert stats.totals(session, coordinator, TODAY).due == 4
    # officers' figures cover only their own agency
    assert [x.code for x, _ in stats.by_agency(session, officer, TODAY)] == ["AG-A"]


def test_sections_roll_up_their_items_and_sub_sections(session):
    coordinator, _ = _setup(session)
    plan = session.scalar(sa.select(Plan))
    rows = {r.section.code: r for r in stats.by_section(session, coordinator, TODAY, plan)}
    child_total = sum(f.total for _, f in rows["I.1"].items)
    own_total = sum(f.total for _, f in rows["I"].items)
    assert rows["I.1"].figures.total == child_total
    assert rows["I"].figures.total == own_total + child_total
    assert rows["I"].figures.due == 4
