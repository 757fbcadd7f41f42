"""Extension requests: asked before the due date, approved (due date moves) or refused."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.core.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from models.notify.entities import Notification
from models.tasks.entities import Task
from models.tasks.extensions import decide_extension, request_extension
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, reschedule
from models.tasks.periods import Category, category_clause, classify, counts_by, month
from tests.factories import T0, load_mini, make_user


@pytest.fixture
def world(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    officer = make_user(session)
    other = make_user(session, email="b@b.example.org", agency="AG-B")
    coordinator = make_user(session, email="c@coord.example.org", role="coordinator",
                            agency="COORD")
    task = session.scalar(sa.select(Task).join(Task.agency).join(Task.item).where(
        Task.agency.has(code="AG-A"), Task.item.has(code="M-RPT-M"),
        Task.period_start == date(2025, 10, 1)))
    return {"officer": officer, "other": other, "coordinator": coordinator, "task": task}


def at(day: int, month_: int = 10, hour: int = 3) -> datetime:
    return datetime(2025, month_, day, hour, tzinfo=UTC)


def _ask(session, world, days_later=10, now=None):
    task = world["task"]
    new_due = date.fromordinal(task.due_on.toordinal() + days_later)
    return request_extension(session, world["officer"], task, due_on=new_due,
                             reason="chờ số liệu của Sở Tài chính", now=now or at(2))


def test_approved_extension_moves_due_keeps_original_and_counts_on_time(session, world):
    task, coord = world["task"], world["coordinator"]
    first_due = task.due_on
    req = _ask(session, world)
    decide_extension(session, coord, req, approve=True, note="đồng ý", now=at(3))
    assert task.due_on == req.proposed_due_on and task.original_due_on == first_due
    # submitted after the first due date, within the approved one: on time, in Python and SQL
    late_day = date.fromordinal(first_due.toordinal() + 3)
    change_status(session, world["officer"], task, "submitted",
                  now=datetime(late_day.year, late_day.month, late_day.day, 3, tzinfo=UTC))
    assert task.late is False
    as_of = date(2025, 12, 31)
    assert classify(task, as_of) == Category.DONE_ON_TIME
    on_time = session.scalars(sa.select(Task.id).where(
        category_clause(Category.DONE_ON_TIME, as_of))).all()
    assert task.id in on_time
    period = month(task.due_on.year, task.due_on.month)
    counts = counts_by(session, coord, period, as_of)
    assert counts[(task.agency_id,)].done_on_time >= 1
    assert [u.action for u in task.updates][-3:] == [
        "extension_request", "extension_approved", "submit"]
    actions = session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity_type.in_(["extension_request", "task"]))).all()
    assert {"extension.request", "extension.approve", "task.extend"} <= set(actions)


def test_request_and_decision_are_notified(session, world):
    req = _ask(session, world)
    asked = session.scalars(sa.select(Notification).where(
        Notification.subject_type == "extension", Notification.subject_id == req.id)).all()
    assert [n.recipient_user_id for n in asked] == [world["coordinator"].id]
    assert "Đề nghị điều chỉnh thời hạn" in asked[0].payload["title"]
    decide_extension(session, world["coordinator"], req, approve=False,
                     note="không có căn cứ", now=at(3))
    told = session.scalars(sa.select(Notification).where(
        Notification.subject_type == "extension",
        Notification.recipient_user_id == world["officer"].id)).all()
    assert len(told) == 1 and "không có căn cứ" in told[0].payload["body"]


def test_refusal_keeps_the_due_date_and_needs_a_reason(session, world):
    task, coord = world["task"], world["coordinator"]
    due = task.due_on
    req = _ask(session, world)
    with pytest.raises(InvalidInput) as refused:
        decide_extension(session, coord, req, approve=False, note=" ", now=at(3))
    assert refused.value.field == "note"
    decide_extension(session, coord, req, approve=False, note="không có căn cứ", now=at(3))
    assert task.due_on == due and task.original_due_on is None and req.status == "refused"
    with pytest.raises(TransitionNotAllowed):
        decide_extension(session, coord, req, approve=True, now=at(4))


def test_request_rules(session, world):
    task = world["task"]
    with pytest.raises(InvalidInput) as no_reason:
        request_extension(session, world["officer"], task, due_on=date(2026, 1, 1), reason="",
                          now=at(2))
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as earlier:
        request_extension(session, world["officer"], task, due_on=task.due_on, reason="x",
                          now=at(2))
    assert earlier.value.field == "due_on"
    day_after = date.fromordinal(task.due_on.toordinal() + 1)
    after_due = datetime(day_after.year, day_after.month, day_after.day, 3, tzinfo=UTC)
    with pytest.raises(InvalidInput) as too_late:
        request_extension(session, world["officer"], task, due_on=date(2026, 1, 1),
                          reason="x", now=after_due)
    assert too_late.value.code == "extension.after_due"
    with pytest.raises(Forbidden):
        request_extension(session, world["coordinator"], task, due_on=date(2026, 1, 1),
                          reason="x", now=at(2))
    with pytest.raises(NotFound):
        request_extension(session, world["other"], task, due_on=date(2026, 1, 1),
                          reason="x", now=at(2))
    _ask(session, world)
    with pytest.raises(TransitionNotAllowed):
        _ask(session, world)
    with pytest.raises(Forbidden):
        decide_extension(session, world["officer"], _pending(session, task), approve=True,
                         now=at(3))


def _pending(session, task):
    from models.tasks.extensions import pending_for

    return pending_for(session, task)


def test_reschedule_keeps_the_first_due_date(session, world):
    task = world["task"]
    first = task.due_on
    reschedule(session, world["coordinator"], task, date(2025, 12, 1), reason="a", now=at(2))
    reschedule(session, world["coordinator"], task, date(2025, 12, 5), reason="b", now=at(3))
    assert task.original_due_on == first and task.due_on == date(2025, 12, 5)


