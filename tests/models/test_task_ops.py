"""The task workflow: allowed and refused transitions, late submissions, audit, versions."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent, verify_chain
from models.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, get_task, reschedule
from tests.factories import T0, load_mini, make_user


@pytest.fixture
def world(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    officer = make_user(session)
    other = make_user(session, email="b@b.example.org", agency="AG-B")
    coordinator = make_user(session, email="c@coord.example.org", role="coordinator",
                            agency="COORD")
    viewer = make_user(session, email="v@example.org", role="viewer", agency=None)
    task = session.scalar(sa.select(Task).join(Task.agency).join(Task.item).where(
        Task.agency.has(code="AG-A"), Task.item.has(code="M-RPT-M"),
        Task.period_start == date(2025, 10, 1)))
    return {"officer": officer, "other": other, "coordinator": coordinator, "viewer": viewer,
            "task": task}


def at(day: int, month: int = 10, hour: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


def test_full_cycle_with_return_is_audited(session, world):
    task, officer, coord = world["task"], world["officer"], world["coordinator"]
    change_status(session, officer, task, "in_progress", now=at(1))
    change_status(session, officer, task, "submitted", note="báo cáo tháng 10", now=at(10))
    change_status(session, coord, task, "returned", note="thiếu số liệu", now=at(11))
    change_status(session, officer, task, "submitted", now=at(12))
    change_status(session, coord, task, "accepted", now=at(13))
    assert task.status == "accepted"
    assert [u.to_status for u in task.updates] == [
        "in_progress", "submitted", "returned", "submitted", "accepted"]
    events = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == "task", AuditEvent.entity_id == str(task.id))
        .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "task.start", "task.submit", "task.return", "task.submit", "task.accept"]
    returned = events[2]
    assert returned.actor_label == coord.email
    assert returned.before["status"] == "submitted" and returned.after["status"] == "returned"
    assert returned.after["note"] == "thiếu số liệu"
    assert verify_chain(session) is None


def test_submission_after_due_day_is_late(session, world):
    task = world["task"]  # due 20/10/2025, end of day in Hà Nội = 20/10 17:00 UTC
    on_time = change_status(session, world["officer"], task, "submitted",
                            now=datetime(2025, 10, 20, 16, 59, tzinfo=UTC))
    assert not on_time.late and not task.late
    change_status(session, world["coordinator"], task, "returned", note="x", now=at(21))
    late = change_status(session, world["officer"], task, "submitted",
                         now=datetime(2025, 10, 20, 17, 1, tzinfo=UTC))
    assert late.late and task.late


@pytest.mark.parametrize("start,target,error", [
    ("not_started", "accepted", TransitionNotAllowed),
    ("not_started", "returned", TransitionNotAllowed),
    ("not_started", "bogus", InvalidInput),
])
def test_refused_transitions_change_nothing(session, world, start, target, error):
    task = world["task"]
    with pytest.raises(error):
        change_status(session, world["coordinator"], task, target, now=at(2))
    assert task.status == start and task.updates == []


def test_officer_cannot_accept_and_other_agency_sees_nothing(session, world):
    task = world["task"]
    change_status(session, world["officer"], task, "submitted", now=at(2))
    with pytest.raises(Forbidden):
        change_status(session, world["officer"], task, "accepted", now=at(3))
    with pytest.raises(NotFound):
        get_task(session, world["other"], task.id)
    with pytest.raises(NotFound):
        change_status(session, world["other"], task, "in_progress", now=at(3))
    with pytest.raises(Forbidden):
        change_status(session, world["viewer"], task, "returned", note="x", now=at(3))
    assert task.status == "submitted"


def test_return_needs_a_reason(session, world):
    task = world["task"]
    change_status(session, world["officer"], task, "submitted", now=at(2))
    with pytest.raises(InvalidInput):
        change_status(session, world["coordinator"], task, "returned", note="  ", now=at(3))
    assert task.status == "submitted"


def test_stale_version_is_refused(session, world):
    task = world["task"]
    seen = task.version
    change_status(session, world["officer"], task, "in_progress", now=at(2))
    session.flush()
    with pytest.raises(VersionConflict):
        change_status(session, world["officer"], task, "submitted", now=at(3),
                      expected_version=seen)
    assert task.status == "in_progress"


def test_nil_return_only_where_allowed(session, world):
    task = world["task"]
    change_status(session, world["officer"], task, "submitted", now=at(2), nil_return=True)
    assert task.nil_return and task.updates[-1].action == "nil_return"
    plan_task = session.scalar(sa.select(Task).where(
        Task.item.has(code="M-PLAN"), Task.agency.has(code="AG-A")))
    with pytest.raises(InvalidInput):
        change_status(session, world["officer"], plan_task, "submitted", now=at(2),
                      nil_return=True)


def test_overdue_is_derived_from_due_date_and_status(session, world):
    task = world["task"]
    assert not task.is_overdue(date(2025, 10, 20))
    assert task.is_overdue(date(2025, 10, 21))
    overdue_ids = set(session.scalars(sa.select(Task.id).where(
        Task.overdue_clause(date(2025, 10, 21)))))
    assert task.id in overdue_ids
    change_status(session, world["officer"], task, "submitted", now=at(22))
    session.flush()
    assert not task.is_overdue(date(2025, 10, 25))
    assert task.id not in set(session.scalars(sa.select(Task.id).where(
        Task.overdue_clause(date(2025, 10, 25)))))


def test_reschedule_by_coordinator_only(session, world):
    task = world["task"]
    with pytest.raises(Forbidden):
        reschedule(session, world["officer"], task, date(2025, 10, 31), reason="x", now=at(2))
    reschedule(session, world["coordinator"], task, date(2025, 10, 31), reason="lũ lụt",
               now=at(2))
    assert task.due_on == date(2025, 10, 31)
    assert "lũ lụt" in task.updates[-1].note
