"""A period's overview in the five categories: per agency, per section → item, per agency card.

One grouped pass (`counts_by` per agency and item) feeds the totals, the agency table and the
section tree, so they always add up to the same numbers as the report sent upward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.access import agency_filter
from models.org.agencies import Agency, qualified_agency_code
from models.org.users import User
from models.oversight.entities import ACTION_OPEN_STATUSES, CorrectiveAction
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import Task, TaskStatus
from models.tasks.periods import (
    CategoryCounts,
    ReportPeriod,
    category_measures,
    counts_by,
    counts_from,
    month,
    plan_items,
    total,
)

Cells = dict[tuple[int, int], CategoryCounts]


def worst_first(counts: CategoryCounts, name: str) -> tuple:
    """Lowest on-time rate first, then most overdue; rows with nothing due last."""
    rate = counts.on_time_rate
    return (2.0 if rate is None else rate, -counts.overdue, -counts.due, name)


@dataclass(frozen=True)
class AgencyRef:
    """An agency as an overview row names it (no entity loaded for 400 rows)."""

    id: int
    code: str
    name_vi: str
    name_en: str

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_vi


@dataclass
class SectionRow:
    """A section with its items and the counts of everything beneath it."""

    section: Section
    depth: int
    counts: CategoryCounts = field(default_factory=CategoryCounts)
    items: list[tuple[Item, CategoryCounts]] = field(default_factory=list)


@dataclass
class Overview:
    period: ReportPeriod
    as_of: date
    totals: CategoryCounts
    agencies: list[tuple[AgencyRef, CategoryCounts]]  # worst first
    sections: list[SectionRow]
    accepted: int = 0  # of the totals' tasks, how many the coordinator has accepted


def _items_under(session: Session, plan: Plan, section: str | None, item: str | None) -> set:
    query = sa.select(Item.id).where(Item.plan_id == plan.id)
    if item:
        query = query.where(Item.code == item)
    if section:
        query = query.join(Section, Item.section_id == Section.id).where(
            sa.or_(Section.code == section, Section.code.like(section + ".%")))
    return set(session.scalars(query))


def _cells(session: Session, user: User, plan: Plan, period: ReportPeriod,
           as_of: date) -> tuple[Cells, dict[tuple[int, int], int]]:
    """One grouped pass over the plan's tasks due in `period`: per (agency, item), the five
    counts (the rule of `periods.counts_by`) and how many are accepted."""
    accepted = sa.func.count().filter(Task.status == TaskStatus.ACCEPTED.value)
    query = (sa.select(Task.agency_id, Task.item_id, *category_measures(as_of), accepted)
             .select_from(Task)
             .where(agency_filter(user, Task.agency_id), period.clause(),
                    Task.item_id.in_(plan_items(plan.code)))
             .group_by(Task.agency_id, Task.item_id))
    cells: Cells = {}
    accepted_by: dict[tuple[int, int], int] = {}
    for row in session.execute(query):
        key = (row[0], row[1])
        cells[key] = counts_from(row[2:7])
        accepted_by[key] = row[7]
    return cells, accepted_by


def _agency_refs(session: Session) -> dict[int, AgencyRef]:
    """Every agency as four columns: a few hundred short rows, cheaper than an IN list."""
    return {row[0]: AgencyRef(*row) for row in session.execute(
        sa.select(Agency.id, qualified_agency_code(), Agency.name_vi, Agency.name_en))}


def overview(session: Session, user: User, plan: Plan, period: ReportPeriod, as_of: date, *,
             section: str | None = None, item: str | None = None) -> Overview:
    """Totals, agencies (worst first) and the section tree over the tasks due in `period`.

    `section` or `item` narrow the totals and the agency table (the drill from a section row to
    its agencies); the section tree always shows the whole plan."""
    cells, accepted_by = _cells(session, user, plan, period, as_of)
    focus = _items_under(session, plan, section, item) if (section or item) else None
    per_agency: dict[int, CategoryCounts] = {}
    accepted = 0
    for (agency_id, item_id), c in cells.items():
        if focus is None or item_id in focus:
            counts = per_agency.get(agency_id)
            if counts is None:
                counts = per_agency[agency_id] = CategoryCounts()
            counts.add(c)
            accepted += accepted_by[(agency_id, item_id)]
    refs = _agency_refs(session) if per_agency else {}
    rows = sorted(((refs[a], c) for a, c in per_agency.items() if a in refs),
                  key=lambda r: worst_first(r[1], r[0].name_vi))
    return Overview(period=period, as_of=as_of, totals=total(per_agency),
                    agencies=rows, sections=_sections(session, plan, cells), accepted=accepted)


def _sections(session: Session, plan: Plan, cells: Cells) -> list[SectionRow]:
    per_item: dict[int, CategoryCounts] = {}
    for (_, item_id), c in cells.items():
        per_item.setdefault(item_id, CategoryCounts()).add(c)
    sections = session.scalars(sa.select(Section).where(Section.plan_id == plan.id)
                               .order_by(Section.position, Section.id)).all()
    items = session.scalars(sa.select(Item).where(Item.plan_id == plan.id,
                                                  Item.id.in_(per_item))
                            .order_by(Item.position)).all()
    rows = {s.id: SectionRow(s, s.code.count(".")) for s in sections}
    for it in items:
        rows[it.section_id].items.append((it, per_item[it.id]))
    for row in rows.values():  # a section counts every section whose code starts with its own
        prefix = row.section.code + "."
        for other in rows.values():
            if other.section.code == row.section.code or other.section.code.startswith(prefix):
                for _, c in other.items:
                    row.counts.add(c)
    return [rows[s.id] for s in sections if rows[s.id].counts.total]


@dataclass
class Scorecard:
    agency: Agency
    period: ReportPeriod
    as_of: date
    counts: CategoryCounts
    months: list[tuple[ReportPeriod, CategoryCounts]]
    open_actions: list[CorrectiveAction]


def months_of(period: ReportPeriod) -> list[ReportPeriod]:
    out, y, m = [], period.start.year, period.start.month
    while date(y, m, 1) <= period.end:
        out.append(month(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def scorecard(session: Session, user: User, agency: Agency, period: ReportPeriod,
              as_of: date, plan_code: str | None = None) -> Scorecard:
    """One agency over a period: the five categories, each month's, and its open actions."""
    where = (Task.agency_id == agency.id,)
    by_day = counts_by(session, user, period, as_of, plan_code=plan_code, by=(Task.due_on,),
                       where=where)
    months = []
    for m in months_of(period):
        c = CategoryCounts()
        for (day,), counts in by_day.items():
            if m.contains(day) and period.contains(day):
                c.add(counts)
        months.append((m, c))
    actions = list(session.scalars(
        sa.select(CorrectiveAction)
        .where(CorrectiveAction.agency_id == agency.id,
               CorrectiveAction.status.in_([s.value for s in ACTION_OPEN_STATUSES]))
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)))
    return Scorecard(agency=agency, period=period, as_of=as_of, counts=total(by_day),
                     months=months, open_actions=actions)
