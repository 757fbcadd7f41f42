"""A string is never an actor: the operations that took one for an admin now refuse it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE, SCHEDULER
from models.core.audit import AuditEvent, record
from models.core.errors import Forbidden, NotFound
from models.notify.entities import Notification, NotificationTarget
from models.notify.targets import remove_target, retry_dead, set_target, set_target_active
from models.org.tokens import create_token, revoke_token
from models.plans.calendar_days import CalendarOverride, set_override
from tests.factories import T0, load_mini, make_user

STRINGS = ["cli", "admin", "flow:cadence"]


@pytest.fixture
def setup(session):
    load_mini(session)
    officer = make_user(session)
    target = set_target(session, CONSOLE, url="json://127.0.0.1:9/a", agency_code="AG-A", now=T0)
    token, _ = create_token(session, officer, officer, now=T0)
    dead = Notification(dedupe_key="dead-1", recipient_user_id=officer.id,
                        target_id=target.id, subject_type="task", subject_id=1,
                        rung="0", kind="reminder", payload={}, status="dead", attempts=5,
                        next_attempt_at=T0, created_at=T0)
    session.add(dead)
    session.flush()
    return {"officer": officer, "target": target.id, "token": token.id, "dead": dead.id}


@pytest.mark.parametrize("actor", STRINGS)
def test_string_actors_are_refused_everywhere(session, setup, actor):
    calls = [
        lambda: set_target(session, actor, url="json://127.0.0.1:9/b", agency_code="AG-A",
                           now=T0),
        lambda: remove_target(session, actor, setup["target"], now=T0),
        lambda: set_target_active(session, actor, setup["target"], active=False, now=T0),
        lambda: retry_dead(session, actor, setup["dead"], now=T0),
        lambda: set_override(session, actor, date(2025, 9, 5), "day_off", "", now=T0),
        lambda: revoke_token(session, actor, setup["token"], now=T0),
        lambda: create_token(session, actor, setup["officer"], now=T0),
        lambda: record(session, actor=actor, action="x", entity_type="x", now=T0),
    ]
    for call in calls:
        with pytest.raises(TypeError):
            call()
    session.expire_all()
    assert session.get(NotificationTarget, setup["target"]).active is True
    assert session.get(Notification, setup["dead"]).status == "dead"
    assert session.scalar(sa.select(sa.func.count(CalendarOverride.id))) == 0


def test_the_scheduler_passes_no_admin_check(session, setup):
    with pytest.raises(Forbidden):
        retry_dead(session, SCHEDULER, setup["dead"], now=T0)
    with pytest.raises(Forbidden):
        set_override(session, SCHEDULER, date(2025, 9, 5), "day_off", "", now=T0)
    with pytest.raises(Forbidden):
        set_target(session, SCHEDULER, url="json://127.0.0.1:9/b", agency_code="AG-A", now=T0)
    with pytest.raises(NotFound):
        revoke_token(session, SCHEDULER, setup["token"], now=T0)


def test_the_console_acts_as_the_operator_and_is_named_in_audit(session, setup):
    retry_dead(session, CONSOLE, setup["dead"], now=T0)
    set_override(session, CONSOLE, date(2025, 9, 5), "day_off", "nghỉ bù", now=T0)
    labels = session.scalars(sa.select(AuditEvent.actor_label).where(
        AuditEvent.action.in_(["notification.retry", "calendar.override"]))).all()
    assert labels == ["system:console", "system:console"]


def test_an_officer_is_refused_the_admin_operations(session, setup):
    officer = setup["officer"]
    with pytest.raises(Forbidden):
        retry_dead(session, officer, setup["dead"], now=T0)
    with pytest.raises(Forbidden):
        set_override(session, officer, date(2025, 9, 5), "day_off", "", now=T0)
    other = make_user(session, email="b@b.example.org", agency="AG-B")
    with pytest.raises(Forbidden):
        create_token(session, officer, other, now=T0)


@pytest.mark.parametrize("actor", [*STRINGS, SCHEDULER, CONSOLE])
def test_operations_done_by_people_refuse_anything_but_a_user(session, setup, actor, tmp_path):
    from models.tasks.entities import Task
    from models.tasks.generation import generate_tasks
    from models.tasks.operations import add_note, change_status
    from models.tasks.reports import submit_report

    generate_tasks(session, through=date(2025, 9, 30), now=T0)
    task = session.scalars(sa.select(Task)).first()
    with pytest.raises(TypeError):
        change_status(session, actor, task, "in_progress", now=T0)
    with pytest.raises(TypeError):
        add_note(session, actor, task, "ghi chú", now=T0)
    with pytest.raises(TypeError):
        submit_report(session, actor, task, note="x", version=None, now=T0, folder=tmp_path)
    assert task.status == "not_started"
