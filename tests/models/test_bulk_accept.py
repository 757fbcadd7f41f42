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


def test_a_change_made_while_reports_are_accepted_waits_and_is_refused_not_deadlocked(
        engine, session, submitted, monkeypatch):
    """PostgreSQL: a second reviewer returns a report while the coordinator's bulk acceptance
    is between two reports. The acceptance goes through; the return waits for it and is
    refused as changed by someone else, without a deadlock (which aborted one of them
    after a second when the acceptance locked each task only as it came to it)."""
    import threading
    import time

    from models.core.db import make_session_factory
    from models.core.errors import RecordChanged
    from models.org.users import User
    from models.tasks import operations

    if engine.dialect.name != "postgresql":
        pytest.skip("row locks and the chain's advisory lock are PostgreSQL's")
    coordinator_id = submitted[0].id
    reviewer_id = make_user(session, email="c2@coord.example.org", role="coordinator",
                            agency="COORD").id
    first, second = (t.id for t in submitted[2][:2])
    versions = {t.id: t.version for t in submitted[2][:2]}
    session.commit()
    between, go = threading.Event(), threading.Event()
    real_get_task = operations.get_task

    def pausing_get_task(s, user, task_id):
        if task_id == second and threading.current_thread().name == "bulk":
            between.set()  # the first report accepted, its event appended
            go.wait(20)
        return real_get_task(s, user, task_id)

    monkeypatch.setattr(operations, "get_task", pausing_get_task)
    factory = make_session_factory(engine)
    outcome = {}

    def bulk():
        with factory() as s:
            try:
                accept_many(s, s.get(User, coordinator_id),
                            [(first, versions[first]), (second, versions[second])], now=NOW)
                s.commit()
                outcome["bulk"] = "accepted"
            except Exception as why:  # noqa: BLE001 - the test reports what happened
                outcome["bulk"] = repr(why)

    def single(pid):
        with factory() as s:
            pid.append(s.scalar(sa.text("SELECT pg_backend_pid()")))
            reviewer = s.get(User, reviewer_id)
            try:
                change_status(s, reviewer, operations.get_task(s, reviewer, second), "returned",
                              now=NOW, note="thiếu số liệu", expected_version=versions[second])
                s.commit()
                outcome["single"] = "changed"
            except RecordChanged:
                outcome["single"] = "refused as changed"
            except Exception as why:  # noqa: BLE001
                outcome["single"] = repr(why)

    a = threading.Thread(target=bulk, name="bulk")
    a.start()
    assert between.wait(20)
    pid: list[int] = []
    b = threading.Thread(target=single, args=(pid,))
    b.start()
    with engine.connect() as watch:  # until the return waits on a lock
        for _ in range(200):
            if pid and watch.scalar(sa.text(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"),
                    {"p": pid[0]}) == "Lock":
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the return never waited: {outcome}")
    go.set()
    a.join(30)
    b.join(30)
    assert outcome == {"bulk": "accepted", "single": "refused as changed"}
    session.expire_all()
    assert [session.get(Task, i).status for i in (first, second)] == ["accepted", "accepted"]
    assert verify_chain(session) is None
