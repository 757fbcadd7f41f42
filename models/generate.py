"""Opening periods: turning plan items into tasks for each responsible agency, idempotently."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.agencies import agency_group_member
from models.audit import record
from models.cadence import Cadence, DueRule, Period, due_date, is_absorbed, open_periods
from models.calendar import WorkingCalendar
from models.calendar_overrides import load_calendar
from models.plans import Item, ItemParty, Plan
from models.tasks import Task, TaskStatus

NO_PERIODS = (Cadence.ON_REQUEST, Cadence.NONE)


def responsible_agency_ids(session: Session, item: Item, role: str = "lead") -> set[int]:
    """Agencies named directly or through a group, minus the excluded ones."""
    def ids(which: str) -> set[int]:
        direct = sa.select(ItemParty.agency_id).where(
            ItemParty.item_id == item.id, ItemParty.role == which, ItemParty.agency_id.is_not(None)
        )
        via_group = (
            sa.select(agency_group_member.c.agency_id)
            .join(ItemParty, ItemParty.group_id == agency_group_member.c.group_id)
            .where(ItemParty.item_id == item.id, ItemParty.role == which)
        )
        return set(session.scalars(direct)) | set(session.scalars(via_group))

    return ids(role) - ids("exclude")


def item_periods(item: Item, through: date) -> list[Period]:
    """The periods of an item that have started by `through` (a one-off spans start to due)."""
    cadence = Cadence(item.cadence)
    if cadence in NO_PERIODS or not item.due_rule:
        return []
    start = item.starts_on or item.plan.starts_on
    end = item.ends_on or item.plan.ends_on
    periods = open_periods(cadence, start, through, end)
    if cadence == Cadence.ONCE:
        rule = DueRule.from_dict(item.due_rule)
        periods = [Period(p.start, max(p.start, rule.nominal(p))) for p in periods]
    return periods


def tasks_per_period(session: Session, item: Item, agency_ids: set[int]) -> dict[date, int]:
    """How many of these agencies already have the item's task, per period start."""
    if not agency_ids:
        return {}
    query = (
        sa.select(Task.period_start, sa.func.count())
        .where(Task.item_id == item.id, Task.agency_id.in_(sorted(agency_ids)))
        .group_by(Task.period_start)
    )
    return dict(session.execute(query).all())


def planned_rows(
    session: Session, item: Item, through: date, calendar: WorkingCalendar, now: datetime,
    absorbers: Iterable[Item] = (), *, only_incomplete: bool = False,
) -> list[dict]:
    """The task rows an item should have by `through`, before de-duplication.

    With `only_incomplete`, periods in which every responsible agency already has its task
    are left out, so a run at a million tasks plans only the new month instead of every
    period since the plan began (the unique key still guards against races).
    """
    periods = item_periods(item, through)
    if not periods:
        return []
    rule = DueRule.from_dict(item.due_rule)
    cadence = Cadence(item.cadence)
    agencies = responsible_agency_ids(session, item)
    absorbing = [(Cadence(a.cadence), responsible_agency_ids(session, a)) for a in absorbers]
    existing = tasks_per_period(session, item, agencies) if only_incomplete else {}
    rows = []
    for period in periods:
        # a period absorbed for some agencies wants fewer rows: plan it in full, as before
        partly_absorbed = any(is_absorbed(period, cadence, higher) for higher, _ in absorbing)
        if not partly_absorbed and existing.get(period.start, 0) == len(agencies):
            continue
        due = due_date(rule, period, calendar)
        for agency_id in sorted(agencies):
            if any(agency_id in who and is_absorbed(period, cadence, higher)
                   for higher, who in absorbing):
                continue
            rows.append({
                "item_id": item.id, "agency_id": agency_id,
                "period_start": period.start, "period_end": period.end,
                "nominal_due_on": due.nominal, "due_on": due.due_on,
                "status": TaskStatus.NOT_STARTED.value, "created_at": now, "updated_at": now,
                "version": 1, "late": False, "nil_return": False, "request_note": "",
            })
    return rows


def insert_new_tasks(session: Session, rows: list[dict], chunk: int = 5000) -> int:
    """Insert rows whose (item, agency, period) does not exist yet; returns how many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = 0
    for i in range(0, len(rows), chunk):
        stmt = insert(Task).on_conflict_do_nothing(
            index_elements=["item_id", "agency_id", "period_start"]
        ).returning(Task.id)
        created += len(session.execute(stmt, rows[i:i + chunk]).all())
    return created


def generate_tasks(
    session: Session,
    *,
    through: date,
    now: datetime,
    actor=None,
    plan_code: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the tasks of every period that starts on or before `through`; returns new counts."""
    query = sa.select(Item).join(Plan).where(Item.active.is_(True)).order_by(Plan.id, Item.position)
    if plan_code:
        query = query.where(Plan.code == plan_code)
    items = list(session.scalars(query))
    calendar = load_calendar(session)
    by_code = {(i.plan_id, i.code): i for i in items}
    absorbers: dict[int, list[Item]] = {}
    for higher in items:
        for code in higher.absorbs or []:
            lower = by_code.get((higher.plan_id, code))
            if lower is not None:
                absorbers.setdefault(lower.id, []).append(higher)
    created: dict[str, int] = {}
    for done, item in enumerate(items, 1):
        rows = planned_rows(session, item, through, calendar, now, absorbers.get(item.id, ()),
                            only_incomplete=True)
        n = insert_new_tasks(session, rows)
        if n:
            created[f"{item.plan.code}:{item.code}"] = n
        if progress:
            progress(done, len(items))
    session.expire_all()
    if created:
        record(session, actor=actor, action="tasks.generate", entity_type="plan",
               entity_id=plan_code, before=None,
               after={"through": through, "created": created, "total": sum(created.values())},
               now=now)
    return created
