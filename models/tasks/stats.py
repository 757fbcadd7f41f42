"""Dashboard figures: completion and on-time rates per agency and per plan section, set-based."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.access import agency_filter
from models.org.agencies import Agency
from models.org.users import User
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import Task, TaskStatus
from models.tasks.queries import TaskFilter, task_query

DONE_STATUSES = (TaskStatus.SUBMITTED.value, TaskStatus.ACCEPTED.value)
STATES = ("all", "due", "done", "on_time", "late", "accepted", "overdue")


@dataclass
class Figures:
    """Counts behind one line of the dashboard."""

    total: int = 0
    due: int = 0  # due by today, or already done: what the completion rate counts
    done: int = 0  # submitted or accepted
    on_time: int = 0
    accepted: int = 0
    overdue: int = 0

    @property
    def completion(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.done if self.done else None

    def add(self, other: Figures) -> None:
        for name in ("total", "due", "done", "on_time", "accepted", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def state_clause(state: str, today: date):
    """The tasks a figure counts, as SQL (the drill-down uses the same clauses)."""
    done = Task.status.in_(DONE_STATUSES)
    return {
        "all": sa.true(),
        "due": sa.or_(Task.due_on <= today, done),
        "done": done,
        "on_time": sa.and_(done, Task.late.is_(False)),
        "late": sa.and_(done, Task.late.is_(True)),
        "accepted": Task.status == TaskStatus.ACCEPTED.value,
        "overdue": Task.overdue_clause(today),
    }[state]


def _measures(today: date) -> list:
    def count(state: str):
        return sa.func.count().filter(state_clause(state, today))  # 0 when none, like a sum

    return [sa.func.count().label("total")] + [
        count(s).label(s) for s in ("due", "done", "on_time", "accepted", "overdue")
    ]


def _figures(row) -> Figures:
    return Figures(row.total, row.due, row.done, row.on_time, row.accepted, row.overdue)


def _base(user: User, today: date, plan_code: str | None, *columns) -> sa.Select:
    query = sa.select(*columns, *_measures(today)).select_from(Task).where(
        agency_filter(user, Task.agency_id))
    if plan_code:
        # item ids of the plan: the unique (item_id, agency_id, period_start) index finds the
        # plan's tasks instead of a join that reads all of them
        items = sa.select(Item.id).join(Plan, Item.plan_id == Plan.id).where(
            Plan.code == plan_code)
        query = query.where(Task.item_id.in_(items.scalar_subquery()))
    return query


Cells = dict[tuple[int, int], Figures]


def cells(session: Session, user: User, today: date, plan_code: str | None = None) -> Cells:
    """Figures per (agency id, item id): one pass shared by totals, agencies and sections."""
    query = _base(user, today, plan_code, Task.agency_id, Task.item_id).group_by(
        Task.agency_id, Task.item_id)
    return {(row.agency_id, row.item_id): _figures(row) for row in session.execute(query)}


def _sum(parts) -> Figures:
    total = Figures()
    for figures in parts:
        total.add(figures)
    return total


def totals(session: Session, user: User, today: date, plan_code: str | None = None,
           *, cells_: Cells | None = None) -> Figures:
    """Figures over every task the user may see."""
    if cells_ is None:
        return _figures(session.execute(_base(user, today, plan_code)).one())
    return _sum(cells_.values())


def by_agency(session: Session, user: User, today: date, plan_code: str | None = None,
              *, cells_: Cells | None = None):
    """(agency, figures) per agency with tasks, worst completion first."""
    if cells_ is None:
        cells_ = cells(session, user, today, plan_code)
    figures: dict[int, Figures] = {}
    for (agency_id, _), cell in cells_.items():
        figures.setdefault(agency_id, Figures()).add(cell)
    agencies = session.scalars(sa.select(Agency).where(Agency.id.in_(figures))).all()
    rows = [(a, figures[a.id]) for a in agencies]
    return sorted(rows, key=lambda r: (r[1].completion if r[1].due else 2, r[0].code))


@dataclass
class SectionRow:
    """A section with its own items and the figures of everything beneath it."""

    section: Section
    depth: int
    figures: Figures = field(default_factory=Figures)
    items: list[tuple[Item, Figures]] = field(default_factory=list)


def by_section(session: Session, user: User, today: date, plan: Plan,
               *, cells_: Cells | None = None) -> list[SectionRow]:
    """The plan's sections in order, each rolled up over its items and sub-sections."""
    if cells_ is None:
        cells_ = cells(session, user, today, plan.code)
    per_item: dict[int, Figures] = {}
    for (_, item_id), cell in cells_.items():
        per_item.setdefault(item_id, Figures()).add(cell)
    sections = session.scalars(
        sa.select(Section).where(Section.plan_id == plan.id).order_by(Section.position, Section.id)
    ).all()
    items = session.scalars(
        sa.select(Item)
        .where(Item.plan_id == plan.id, Item.id.in_(per_item))
        .order_by(Item.position)
    ).all()
    rows = {s.id: SectionRow(s, s.code.count(".")) for s in sections}
    for item in items:
        rows[item.section_id].items.append((item, per_item[item.id]))
    # a section's figures include every section whose code starts with its own
    for row in rows.values():
        prefix = row.section.code + "."
        for other in rows.values():
            if other.section.code == row.section.code or other.section.code.startswith(prefix):
                for _, figures in other.items:
                    row.figures.add(figures)
    return [rows[s.id] for s in sections]


def drill_query(user: User, filters: TaskFilter, state: str, today: date) -> sa.Select:
    """The tasks behind one dashboard figure."""
    return task_query(user, filters, today).where(state_clause(state, today))


def overdue_tasks(session: Session, user: User, today: date, plan_code: str | None = None,
                  limit: int = 50):
    """The most overdue tasks first: (task, agency code, item code, plan code)."""
    query = task_query(user, TaskFilter(plan=plan_code, overdue=True), today).limit(limit)
    return session.execute(query).all()
