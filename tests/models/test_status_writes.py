"""The write of a status change: a stale read changes nothing, concurrent changes keep one
audit chain, and what is written is what the ORM wrote before (history, audit, version)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent, record, verify_chain
from models.core.db import make_session_factory
from models.core.errors import RecordChanged
from models.org.users import User
from models.tasks.entities import Task, TaskUpdate
from models.tasks.errors import TaskTransitionNotAllowed
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, get_task, get_task_row
from tests.factories import T0, load_mini, make_user

NOW = datetime(2025, 10, 2, 3, tzinfo=UTC)


@pytest.fixture
def world(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    coordinator = make_user(session, email="c@coord.example.org", role="coordinator",
                            agency="COORD")
    session.commit()
    tasks = session.scalars(sa.select(Task.id).where(Task.status == "not_started")
                            .order_by(Task.id)).all()
    return {"coordinator": coordinator.id, "tasks": tasks}


def _counts(session, task_id):
    history = session.scalar(sa.select(sa.func.count()).select_from(TaskUpdate)
                             .where(TaskUpdate.task_id == task_id))
    events = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return history, events


LOADERS = pytest.mark.parametrize("load", [get_task, get_task_row], ids=["orm", "row"])


@LOADERS
def test_a_change_from_a_stale_read_is_refused_and_changes_nothing(engine, session, world, load):
    """Two people read version 1; the second to write is refused (412 in the API, the
    "changed by someone else" page on the web), and leaves no history row or audit event."""
    factory = make_session_factory(engine)
    task_id = world["tasks"][0]
    first, second = factory(), factory()
    try:
        mine = load(first, first.get(User, world["coordinator"]), task_id)
        theirs = load(second, second.get(User, world["coordinator"]), task_id)
        change_status(first, first.get(User, world["coordinator"]), mine, "in_progress",
                      now=NOW)
        first.commit()
        before = _counts(session, task_id)
        with pytest.raises(RecordChanged):
            change_status(second, second.get(User, world["coordinator"]), theirs, "submitted",
                          note="late", now=NOW)
        second.rollback()
    finally:
        first.close()
        second.close()
    session.expire_all()
    task = session.get(Task, task_id)
    assert (task.status, task.version) == ("in_progress", 2)
    assert _counts(session, task_id) == before
    assert verify_chain(session) is None


def test_the_change_is_written_as_before(session, world):
    """The task, its history row and its audit event as a reader finds them afterwards."""
    coordinator = session.get(User, world["coordinator"])
    task = get_task(session, coordinator, world["tasks"][0])
    update = change_status(session, coordinator, task, "submitted", note=" báo cáo ", now=NOW)
    assert (task.status, task.version, task.submitted_at) == ("submitted", 2, NOW)
    assert update.id and update.task is task and update.actor_id == coordinator.id
    session.commit()
    session.expire_all()
    task = session.get(Task, world["tasks"][0])
    assert (task.status, task.version, task.submitted_at, task.updated_at) == (
        "submitted", 2, NOW, NOW)
    assert [(u.action, u.from_status, u.to_status, u.note, u.at) for u in task.updates] == [
        ("submit", "not_started", "submitted", "báo cáo", NOW)]
    event = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.entity_id, event.actor_label) == (
        "task.submit", str(task.id), coordinator.email)
    assert event.before["status"] == "not_started" and event.before["version"] == 1
    assert event.after["status"] == "submitted" and event.after["version"] == 2
    assert event.after["note"] == "báo cáo" and event.after["submitted_at"] == NOW.isoformat()
    assert verify_chain(session) is None


@LOADERS
def test_concurrent_changes_keep_one_audit_chain(engine, session, world, load):
    """8 threads, each its own session, change tasks at once (two threads per task, so half
    the attempts lose the race): every change that succeeded has its history row and its
    event, no two events share a link, and the chain verifies."""
    factory = make_session_factory(engine)
    tasks = world["tasks"][:8]
    start = threading.Barrier(8)
    done, refused, errors = [], [], []

    def writer(n):
        start.wait()
        for step, status in enumerate(("in_progress", "submitted", "returned")):
            with factory() as s:
                try:
                    user = s.get(User, world["coordinator"])
                    task = load(s, user, tasks[(n + step) % len(tasks) // 2 * 2])
                    change_status(s, user, task, status, note="bench", now=NOW)
                    s.commit()
                    done.append(task.id)
                except (RecordChanged, TaskTransitionNotAllowed):  # lost the race
                    refused.append(n)
                except Exception as exc:  # pragma: no cover - reported below
                    errors.append(exc)

    _together(writer, 8)
    assert errors == []
    assert done and len(done) + len(refused) == 24
    session.expire_all()
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "task")).all()
    assert len(events) == len(done)
    assert session.scalar(sa.select(sa.func.count()).select_from(TaskUpdate)) == len(done)
    for task_id in set(done):
        task = session.get(Task, task_id)
        session.refresh(task)
        assert task.version == 1 + done.count(task_id) == 1 + len(task.updates)
    links = session.scalars(sa.select(AuditEvent.prev_hash)).all()
    assert len(links) == len(set(links))
    assert verify_chain(session) is None


def test_concurrent_events_of_fresh_sessions_keep_one_chain(engine, session):
    """8 threads append events, each the first statement of its own session (the PostgreSQL
    lock is taken before anything else in the transaction): no fork, and the chain verifies."""
    factory = make_session_factory(engine)
    start = threading.Barrier(8)
    errors = []

    def writer(n):
        start.wait()
        for i in range(10):
            with factory() as s:
                try:
                    record(s, actor=None, action="test.event", entity_type="thing",
                           entity_id=f"{n}-{i}", now=NOW)
                    s.commit()
                except Exception as exc:  # pragma: no cover - reported below
                    errors.append(exc)

    _together(writer, 8)
    assert errors == []
    links = session.scalars(sa.select(AuditEvent.prev_hash)).all()
    assert len(links) == 80 and len(set(links)) == 80
    assert verify_chain(session) is None


def _together(writer, n: int) -> None:
    """Run writer(0) … writer(n - 1) in n threads at once and wait for them all."""
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
