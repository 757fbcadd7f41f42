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


# --- the API's short way: the same change on a bare DB-API connection (PostgreSQL) ---------

def _postgres_only(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the driver's change is PostgreSQL's (planwatch_audit_append)")


class _ShortWay:
    """The API's short way for this backend: a bare DB-API connection, as the lane keeps."""

    def __init__(self, engine):
        from models.tasks.listing import driver_connection

        self.engine = engine
        self.conn = driver_connection(engine)

    def change(self, user, task_id, status, **kwargs):
        from models.tasks.driver_writes import change_status_driver, change_status_sqlite

        if self.engine.dialect.name != "postgresql":
            return change_status_sqlite(self.conn, user, task_id, status, **kwargs)
        with self.conn.cursor() as cursor:
            return change_status_driver(cursor, self.engine.dialect, user, task_id, status,
                                        **kwargs)

    def close(self):
        self.conn.close()


def _detached(session, user_id):
    from sqlalchemy.orm.session import make_transient_to_detached

    from models.org.tokens import _user_fields

    user = session.get(User, user_id)
    copy = User(**{key: getattr(user, key) for key in _user_fields()})  # as the token cache
    make_transient_to_detached(copy)
    return copy


def _written(session, task_id):
    """The task's history and its audit events as a reader compares them (ids left out)."""
    session.expire_all()
    task = session.get(Task, task_id)
    history = [(u.actor_id, u.at, u.action, u.from_status, u.to_status, u.note, u.late)
               for u in task.updates]
    events = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == "task", AuditEvent.entity_id == str(task_id))
        .order_by(AuditEvent.id)).all()
    audit = [(e.at, e.actor_id, e.actor_label, e.action, e.before, e.after) for e in events]
    return (task.status, task.version, task.submitted_at, task.updated_at, task.late,
            task.nil_return), history, audit


def _stored(session, task_id):
    """The timestamps and flags as the database keeps them (their text), not as read back:
    a driver that stored another format would still read back the same values."""
    def text(sql):
        return session.execute(sa.text(sql), {"t": task_id}).all()

    return (
        text("SELECT CAST(submitted_at AS TEXT), CAST(updated_at AS TEXT), CAST(late AS TEXT), "
             "CAST(nil_return AS TEXT), status FROM task WHERE id = :t"),
        text("SELECT CAST(at AS TEXT), CAST(late AS TEXT), note FROM task_update "
             "WHERE task_id = :t ORDER BY id"),
        text("SELECT CAST(at AS TEXT), actor_label, action FROM audit_event "
             "WHERE entity_type = 'task' AND entity_id = CAST(:t AS TEXT) ORDER BY id"))


def _same(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if k not in ("due_on", "agency_id")}


def test_the_short_way_writes_what_change_status_writes(engine, session, world):
    """Two tasks of one item, one changed through the session and one by the driver, step by
    step (start, submit late with a note, return, submit again): the same task columns, the
    same history and the same audit events (the due dates, agencies and ids aside), and one
    chain. On PostgreSQL the driver's one statement, on SQLite the bare sqlite3 transaction."""
    first, second = world["tasks"][0], world["tasks"][1]
    short = _ShortWay(engine)
    steps = (("in_progress", ""), ("submitted", " trễ hạn "), ("returned", "thiếu số liệu"),
             ("submitted", ""))
    try:
        for status, note in steps:
            coordinator = session.get(User, world["coordinator"])
            change_status(session, coordinator, get_task(session, coordinator, first), status,
                          note=note, now=NOW)
            session.commit()
            version = session.get(Task, second).version
            session.commit()  # SQLite: the read ends, so the short way can take the write lock
            changed = short.change(_detached(session, world["coordinator"]), second, status,
                                   now=NOW, note=note, expected_version=version)
            assert changed is not None and changed.status == status
            assert changed.version == version + 1
    finally:
        short.close()
    (orm, orm_history, orm_audit), (drv, drv_history, drv_audit) = (
        _written(session, first), _written(session, second))
    assert drv == orm and drv_history == orm_history
    assert _stored(session, second) == _stored(session, first)
    for a, b in zip(orm_audit, drv_audit, strict=True):
        assert a[:4] == b[:4]
        for snapshot_orm, snapshot_drv in zip(a[4:], b[4:], strict=True):
            assert _same(snapshot_orm) == _same(snapshot_drv)
    assert orm[0] == "submitted" and orm_history[1][-1] is True  # submitted late
    assert verify_chain(session) is None


def test_the_short_way_refuses_as_change_status_and_writes_nothing(engine, session, world):
    """A version older than the task's is refused (the API answers 412 through Flask); a step
    the rules refuse raises their error; a task the user may not see is not found. Nothing is
    written by any of them."""
    from models.tasks.errors import ReturnNeedsReason, TaskNotFound

    task_id = world["tasks"][0]
    officer_b = make_user(session, email="ob@b.example.org", agency="AG-B")
    session.commit()
    other = session.scalar(sa.select(Task.id).where(Task.agency_id != officer_b.agency_id,
                                                    Task.status == "not_started"))
    before = _counts(session, task_id)
    session.commit()
    short = _ShortWay(engine)
    coordinator = _detached(session, world["coordinator"])
    session.commit()
    try:
        assert short.change(coordinator, task_id, "in_progress", now=NOW,
                            expected_version=1) is not None
        after_first = _counts(session, task_id)
        session.commit()
        with pytest.raises(RecordChanged):  # stale: read at version 1, the task is at 2 now
            short.change(coordinator, task_id, "submitted", now=NOW, expected_version=1)
        with pytest.raises(TaskTransitionNotAllowed):
            short.change(coordinator, task_id, "accepted", now=NOW, expected_version=2)
        short.change(coordinator, task_id, "submitted", now=NOW, expected_version=2)
        with pytest.raises(ReturnNeedsReason):
            short.change(coordinator, task_id, "returned", now=NOW, note="  ",
                         expected_version=3)
        officer = _detached(session, officer_b.id)
        session.commit()
        with pytest.raises(TaskNotFound):
            short.change(officer, other, "in_progress", now=NOW)
    finally:
        short.close()
    assert after_first == (before[0] + 1, before[1] + 1)
    assert _counts(session, task_id) == (before[0] + 2, before[1] + 2)
    assert verify_chain(session) is None


def test_a_version_that_moves_between_read_and_write_writes_nothing(engine, session, world):
    """The driver read the task at version 1; someone else's change lands before its write:
    the UPDATE matches no row, no history row and no event are written, and None says so."""
    from models.tasks import driver_writes
    from models.tasks.listing import driver_connection

    _postgres_only(engine)
    task_id = world["tasks"][0]
    conn = driver_connection(engine)
    real = driver_writes.read_task

    def read_then_lose_the_race(cursor, dialect, user, tid):
        task = real(cursor, dialect, user, tid)
        coordinator = session.get(User, world["coordinator"])
        change_status(session, coordinator, get_task(session, coordinator, tid), "in_progress",
                      now=NOW)
        session.commit()
        return task

    driver_writes.read_task = read_then_lose_the_race
    try:
        before = _counts(session, task_id)
        with conn.cursor() as cursor:
            assert driver_writes.change_status_driver(
                cursor, engine.dialect, _detached(session, world["coordinator"]), task_id,
                "submitted", now=NOW) is None
    finally:
        driver_writes.read_task = real
        conn.close()
    assert _counts(session, task_id) == (before[0] + 1, before[1] + 1)  # the other change only
    session.expire_all()
    assert session.get(Task, task_id).status == "in_progress"


def test_short_way_and_session_writers_at_once_keep_one_chain(engine, session, world):
    """8 threads: four change their task by the short way (PostgreSQL: the driver's one
    statement in autocommit; SQLite: the bare sqlite3 transaction), four through sessions, and every
    one also appends events of its own: every event is linked to the one before it (the
    function reads the last hash after taking the chain's lock; SQLite's writer holds the
    database's)."""
    factory = make_session_factory(engine)
    tasks = world["tasks"][:8]
    assert len(tasks) == 8
    coordinator = _detached(session, world["coordinator"])
    session.commit()
    start = threading.Barrier(8)
    errors = []

    def writer(n):
        mine = tasks[n:n + 1]
        short = _ShortWay(engine) if n % 2 else None
        start.wait()
        try:
            for status in ("in_progress", "submitted"):
                for task_id in mine:
                    if short is not None:
                        assert short.change(coordinator, task_id, status, now=NOW) is not None
                    with factory() as s:
                        if short is None:
                            user = s.get(User, world["coordinator"])
                            change_status(s, user, get_task(s, user, task_id), status, now=NOW)
                        record(s, actor=None, action="test.event", entity_type="thing",
                               entity_id=f"{n}-{task_id}-{status}", now=NOW)
                        s.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            if short is not None:
                short.close()

    _together(writer, 8)
    assert errors == []
    events = session.scalars(sa.select(AuditEvent)).all()
    assert len(events) == 32 + 4  # 16 changes, 16 other events; the world's 4
    assert len({e.prev_hash for e in events}) == len(events)
    assert verify_chain(session) is None
    session.expire_all()
    assert {session.get(Task, t).status for t in tasks} == {"submitted"}


def test_the_driver_fills_every_column_of_a_history_row():
    """A column added to task_update is either filled by the driver's statement or has a
    default: otherwise the API's short way would write rows the session writes otherwise."""
    from types import SimpleNamespace

    from models.tasks.driver_writes import _HISTORY_COLUMNS
    from models.tasks.operations import StatusStep

    step = StatusStep(action="start", to="in_progress", values={}, late=False, note="",
                      before={"status": "not_started"})
    assert set(step.history_values(SimpleNamespace(id=1), NOW)) == set(_HISTORY_COLUMNS)
    left = [c.key for c in TaskUpdate.__table__.columns
            if c.key not in ("id", "task_id", *_HISTORY_COLUMNS)
            and c.default is None and c.server_default is None]
    assert left == []
