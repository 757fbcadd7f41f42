"""Read-side queries shared by the CLI, the web app and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.access import agency_filter
from models.org.agencies import Agency, agency_code_is, qualified_agency_code
from models.org.users import User
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import Task


@dataclass
class TaskFilter:
    plan: str | None = None
    section: str | None = None
    item: str | None = None
    agency: str | None = None
    status: str | None = None
    overdue: bool | None = None
    due_from: date | None = None
    due_to: date | None = None


def task_query(user: User | None, filters: TaskFilter, as_of: date) -> sa.Select:
    """Tasks (with agency, item and plan codes) the user may see, matching the filters."""
    query = (
        sa.select(Task, qualified_agency_code(), Item.code, Plan.code)
        .join(Agency, Task.agency_id == Agency.id)
        .join(Item, Task.item_id == Item.id)
        .join(Plan, Item.plan_id == Plan.id)
    )
    if user is not None:
        query = query.where(agency_filter(user, Task.agency_id))
    if filters.plan:
        query = query.where(Plan.code == filters.plan)
    if filters.section:
        query = query.join(Section, Item.section_id == Section.id).where(
            sa.or_(Section.code == filters.section, Section.code.like(filters.section + ".%"))
        )
    if filters.item:
        query = query.where(Item.code == filters.item)
    if filters.agency:
        query = query.where(agency_code_is(filters.agency))
    if filters.status:
        query = query.where(Task.status == filters.status)
    if filters.overdue is True:
        query = query.where(Task.overdue_clause(as_of))
    elif filters.overdue is False:
        query = query.where(sa.not_(Task.overdue_clause(as_of)))
    if filters.due_from:
        query = query.where(Task.due_on >= filters.due_from)
    if filters.due_to:
        query = query.where(Task.due_on <= filters.due_to)
    return query.order_by(Task.due_on, Agency.code, Item.code, Task.id)


def task_row(task: Task, agency: str, item: str, plan: str, as_of: date) -> dict:
    """A task as the CLI's JSON and the API's list show it."""
    return {
        "id": task.id,
        "plan": plan,
        "agency": agency,
        "item": item,
        "period_start": task.period_start.isoformat(),
        "period_end": task.period_end.isoformat(),
        "due_on": task.due_on.isoformat(),
        "status": task.status,
        "overdue": task.is_overdue(as_of),
        "late": task.late,
    }


def list_tasks(
    session: Session, user: User | None, filters: TaskFilter, as_of: date,
    limit: int | None = None, offset: int = 0,
) -> list[dict]:
    """Task rows for listing."""
    query = task_query(user, filters, as_of).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [task_row(t, a, i, p, as_of) for t, a, i, p in session.execute(query)]


def count_tasks(session: Session, user: User | None, filters: TaskFilter, as_of: date) -> int:
    """How many tasks the filters match (for pagination totals)."""
    inner = task_query(user, filters, as_of).order_by(None).with_only_columns(Task.id)
    return session.scalar(sa.select(sa.func.count()).select_from(inner.subquery()))
