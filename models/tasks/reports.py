"""Reports: a coordinator asks for one, an agency submits one with its evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.access import can_see_agency
from models.core.actors import require_user
from models.core.audit import record
from models.core.clock import local_today
from models.core.evidence import MAX_BYTES, Upload, check_count, check_upload, store_evidence
from models.org.users import Role, User
from models.plans.cadence import DueRule
from models.plans.calendar_days import load_calendar
from models.plans.entities import Item, ItemKind
from models.tasks.entities import Task, TaskStatus, TaskUpdate
from models.tasks.errors import (
    ReportNeedsContent,
    RequestAlreadyMade,
    RequestCoordinatorOnly,
    RequestDueInPast,
    RequestNeedsDueDate,
    RequestNeedsEventDate,
    RequestNeedsOnRequestItem,
    TaskNotFound,
)
from models.tasks.operations import change_status, snapshot


def submit_report(
    session: Session,
    actor: User,
    task: Task,
    *,
    note: str = "",
    nil_return: bool = False,
    files: Sequence[Upload] = (),
    version: int | None,
    now: datetime,
    folder: str | Path,
    max_bytes: int = MAX_BYTES,
) -> TaskUpdate:
    """Submit a task's report: a file or a note (or a nil return), its evidence, all or nothing.

    Every file is checked before anything changes; the files are staged and move into the
    upload folder only when the caller commits (see `models.core.evidence`).
    """
    require_user(actor)
    if not can_see_agency(actor, task.agency_id):
        raise TaskNotFound(task_id=task.id)
    if not nil_return and not files and not (note or "").strip():
        raise ReportNeedsContent(field="files")
    check_count(files)
    checked = [check_upload(upload, max_bytes=max_bytes) for upload in files]
    update = change_status(session, actor, task, TaskStatus.SUBMITTED, now=now, note=note,
                           expected_version=version, nil_return=nil_return)
    for file in checked:
        store_evidence(session, actor, file, folder=folder, now=now, task_update=update)
    return update


def request_report(
    session: Session,
    actor: User,
    item: Item,
    agency_id: int,
    *,
    due_on: date | None = None,
    note: str,
    now: datetime,
    event_on: date | None = None,
) -> Task:
    """A coordinator asks an agency for an on-request report, due on a working day; an item
    due N working days after an event (`working_days_after`, e.g. the end of an inspection) is
    due counted from `event_on`."""
    require_user(actor)
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise RequestCoordinatorOnly(role=actor.role)
    if item.kind != ItemKind.ON_REQUEST_REPORT:
        raise RequestNeedsOnRequestItem(field="item")
    rule = DueRule.from_dict(item.due_rule) if item.due_rule else None
    calendar = load_calendar(session)
    if rule is not None and rule.event:
        if event_on is None:
            raise RequestNeedsEventDate(field="event_on", days=rule.days)
        due_on = working_due = calendar.add_working_days(event_on, rule.days)
    elif due_on is None:
        raise RequestNeedsDueDate(field="due_on")
    else:
        event_on = None
        # a time limit ending on a day off ends on the next working day (Civil Code, art. 148)
        working_due = calendar.roll_forward(due_on)
    today = local_today(now, item.plan.timezone)
    if working_due < today:
        raise RequestDueInPast(field="due_on")
    exists = session.scalar(
        sa.select(Task.id).where(
            Task.item_id == item.id, Task.agency_id == agency_id, Task.period_start == today
        )
    )
    if exists:
        raise RequestAlreadyMade(task_id=exists)
    task = Task(
        item=item, agency_id=agency_id, period_start=today, period_end=working_due,
        nominal_due_on=due_on, due_on=working_due, status=TaskStatus.NOT_STARTED,
        requested_by_id=actor.id, request_note=note or "", created_at=now, updated_at=now,
        event_on=event_on,
    )
    session.add(task)
    session.flush()
    record(session, actor=actor, action="task.request", entity_type="task", entity_id=task.id,
           before=None, after=snapshot(task) | {"item": item.code, "note": note}, now=now)
    return task
