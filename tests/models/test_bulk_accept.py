"""Accepting many submitted reports at once: each audited, or none with the reason."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent, verify_chain
from models.tasks.entities import Task, TaskStatus
from models.tasks.errors import BulkAcceptNothingChosen, BulkAcceptRefused
from models.tasks.generation import generate_tasks
from models.tasks.operations import accept_many, change_status
from tests.factories import T0, load_mini, make_user

NOW = datetime(2025, 10, 20, 3, tzinfo=UTC)


@pytest.fixture
def submitted(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    officer = make_user(session)
    coordinator = make_user(session, email="c@coord.example.org", role="coordinator",
                            agency="COORD")
    tasks = session.scalars(sa.select(Task).where(Task.agency.has(code="AG-A"))
                            .order_by(Task.due_on, Task.id).limit(4)).all()
    for task in tasks:
        change_status(session, officer, task, TaskStatus.SUBMITTED, now=NOW, note="báo cáo")
    session.flush()
    return coordinator, officer, tasks


def _accepts(session) -> int:
    return session.scalar(sa.select(sa.func.count(AuditEvent.id))
                          .where(AuditEvent.action == "task.accept"))


def test_three_reports_accepted_each_audited(session, submitted):
    coordinator, _officer, tasks = submitted
    chosen = tasks[:3]
    updates = accept_many(session, coordinator, [(t.id, t.version) for t in chosen], now=NOW)
    assert [u.task_id for u in updates] == [t.id for t in chosen]
    assert [t.status for t in tasks] == ["accepted"] * 3 + ["submitted"]
    assert _accepts(session) == 3
    assert verify_chain(session) is None


def test_one_stale_report_accepts_none_and_names_it(session, submitted):
    coordinator, officer, tasks = submitted
    choices = [(t.id, t.version) for t in tasks[:3]]
    stale = tasks[2]
    change_status(session, coordinator, stale, TaskStatus.RETURNED, now=NOW, note="thiếu")
    with pytest.raises(BulkAcceptRefused) as refused:
        accept_many(session, coordinator, choices, now=NOW)
    assert refused.value.details["task_id"] == stale.id
    assert stale.item.title("vi") in str(refused.value)
    session.expire_all()
    assert [t.status for t in tasks[:2]] == ["submitted", "submitted"]
    assert _accepts(session) == 0


def test_nothing_chosen_is_refused(session, submitted):
    coordinator, _officer, _tasks = submitted
    with pytest.raises(BulkAcceptNothingChosen):
        accept_many(session, coordinator, [], now=NOW)


def test_an_officer_cannot_bulk_accept(session, submitted):
    _coordinator, officer, tasks = submitted
    with pytest.raises(BulkAcceptRefused):
        accept_many(session, officer, [(tasks[0].id, tasks[0].version)], now=NOW)
    session.expire_all()
    assert tasks[0].status == "submitted"
