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


def given(value) -> bool:
    """A filter value was given: None and "" are not; a bound parameter (a cached statement's
    placeholder, see `listing.page_rows`) is."""
    return value is not None and not (isinstance(value, str) and not value)


def task_clauses(user: User | None, filters: TaskFilter, as_of: date) -> list:
    """The WHERE terms of `filters` (and of what `user` may see), on task columns only.

    Codes are looked up in subqueries rather than joins, so a count or a page reads `task` and
    its indexes alone; the joins of `task_query` only bring the codes shown.
    """
    clauses = []
    if user is not None:
        clauses.append(agency_filter(user, Task.agency_id))
    if given(filters.plan):
        plan_items = sa.select(Item.id).join(Plan, Item.plan_id == Plan.id)
        clauses.append(Task.item_id.in_(plan_items.where(Plan.code == filters.plan)))
    if given(filters.section):
        clauses.append(Task.item_id.in_(
            sa.select(Item.id).join(Section, Item.section_id == Section.id).where(sa.or_(
                Section.code == filters.section, Section.code.like(filters.section + ".%")))))
    if given(filters.item):
        clauses.append(Task.item_id.in_(sa.select(Item.id).where(Item.code == filters.item)))
    if given(filters.agency):
        # an equality (not IN): the index on (agency_id, due_on) then gives the order too
        # a typed code may name another namespace ("LS:TU"); a bound parameter is a bare code
        which = agency_code_is(filters.agency) if isinstance(filters.agency, str) \
            else Agency.code == filters.agency
        clauses.append(Task.agency_id == sa.select(Agency.id).where(which)
                       .limit(1).scalar_subquery())
    if given(filters.status):
        clauses.append(Task.status == filters.status)
    if filters.overdue is True:
        clauses.append(Task.overdue_clause(as_of))
    elif filters.overdue is False:
        clauses.append(sa.not_(Task.overdue_clause(as_of)))
    if given(filters.due_from):
        clauses.append(Task.due_on >= filters.due_from)
    if given(filters.due_to):
        clauses.append(Task.due_on <= filters.due_to)
    return clauses


def task_query(user: User | None, filters: TaskFilter, as_of: date) -> sa.Select:
    """Tasks (with agency, item and plan codes) the user may see, matching the filters."""
    return (
        sa.select(Task, qualified_agency_code(), Item.code, Plan.code)
        .join(Agency, Task.agency_id == Agency.id)
        .join(Item, Task.item_id == Item.id)
        .join(Plan, Item.plan_id == Plan.id)
        .where(*task_clauses(user, filters, as_of))
        .order_by(Task.due_on, Task.agency_id, Task.item_id, Task.id)
    )


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
