"""Opening periods: turning plan items into tasks for each responsible agency, idempotently."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from models.core.actors import SYSTEM, Actor
from models.core.audit import record
from models.org.agencies import Agency, AgencyGroup, agency_group_member
from models.plans.cadence import (
    Cadence,
    DueDate,
    DueRule,
    Period,
    due_date,
    is_absorbed,
    open_periods,
    parse_first_period,
)
from models.plans.calendar import WorkingCalendar
from models.plans.calendar_days import load_calendar
from models.plans.entities import Item, ItemParty, Plan
from models.tasks.bulk import insert_missing
from models.tasks.entities import Task, TaskStatus

NO_PERIODS = (Cadence.ON_REQUEST, Cadence.NONE)
FLUSH_ROWS = 50_000


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


def responsibilities(session: Session) -> dict[int, set[int]]:
    """`responsible_agency_ids` of every item at once, in two queries instead of four per item."""
    direct = sa.select(ItemParty.item_id, ItemParty.role, ItemParty.agency_id).where(
        ItemParty.agency_id.is_not(None))
    via_group = sa.select(ItemParty.item_id, ItemParty.role, agency_group_member.c.agency_id).join(
        agency_group_member, ItemParty.group_id == agency_group_member.c.group_id)
    named: dict[int, dict[str, set[int]]] = {}
    for query in (direct, via_group):
        for item_id, role, agency_id in session.execute(query):
            named.setdefault(item_id, {}).setdefault(role, set()).add(agency_id)
    return {item_id: roles.get("lead", set()) - roles.get("exclude", set())
            for item_id, roles in named.items()}


@lru_cache(maxsize=1024)
def _open_periods(cadence: Cadence, start: date, through: date, end: date | None) -> tuple:
    """open_periods, shared by the many items of one cadence and start (pure, so cacheable)."""
    return tuple(open_periods(cadence, start, through, end))


def item_periods(item: Item, through: date) -> list[Period]:
    """The periods of an item that have started by `through` (a one-off spans start to due)."""
    cadence = Cadence(item.cadence)
    if cadence in NO_PERIODS or not item.due_rule:
        return []
    start = item.starts_on or item.plan.starts_on
    if item.first_period and cadence in (Cadence.MONTHLY, Cadence.QUARTERLY,
                                         Cadence.HALF_YEARLY, Cadence.YEARLY):
        # the first period the item applies to: none before it, whatever the start
        start = max(start, parse_first_period(cadence, item.first_period).start)
    end = item.ends_on or item.plan.ends_on
    periods = list(_open_periods(cadence, start, through, end))
    if cadence == Cadence.ONCE:
        rule = DueRule.from_dict(item.due_rule)
        periods = [Period(p.start, max(p.start, rule.nominal(p))) for p in periods]
    return periods


def agency_groups(session: Session) -> dict[int, frozenset[str]]:
    """The group codes of every agency (for due-day overrides per group)."""
    out: dict[int, set[str]] = {}
    query = sa.select(agency_group_member.c.agency_id, AgencyGroup.code).join(
        AgencyGroup, AgencyGroup.id == agency_group_member.c.group_id)
    for agency_id, code in session.execute(query):
        out.setdefault(agency_id, set()).add(code)
    return {agency_id: frozenset(codes) for agency_id, codes in out.items()}


class DueContext:
    """What a task's due date depends on besides its own rule: the calendar, the agencies'
    groups (overrides), the items a `working_days_after` rule follows and their agencies."""

    def __init__(self, session: Session, calendar: WorkingCalendar, *,
                 groups: dict[int, frozenset[str]] | None = None,
                 responsible: dict[int, set[int]] | None = None,
                 items: dict[tuple[int, str], Item] | None = None) -> None:
        self.session = session
        self.calendar = calendar
        self.groups = groups if groups is not None else agency_groups(session)
        self._responsible = responsible
        self._items = items

    def responsible(self, item: Item) -> set[int]:
        if self._responsible is None:
            return responsible_agency_ids(self.session, item)
        return self._responsible.get(item.id, set())

    def item(self, plan_id: int, code: str) -> Item | None:
        if self._items is None:
            self._items = {(i.plan_id, i.code): i for i in self.session.scalars(
                sa.select(Item).where(Item.active.is_(True)))}
        return self._items.get((plan_id, code))

    def rule_for(self, item: Item, agency_id: int | None) -> DueRule:
        rule = DueRule.from_dict(item.due_rule)
        if agency_id is None or not rule.overrides:
            return rule
        return rule.for_groups(self.groups.get(agency_id, ()))

    def followed_due(self, item: Item, rule: DueRule, period: Period) -> date | None:
        """The latest due date, for `period`, of the items `rule` follows (None: none known)."""
        latest = None
        for code in rule.after:
            other = self.item(item.plan_id, code)
            if other is None or not other.due_rule:
                continue
            agencies = sorted(self.responsible(other)) or [None]
            for agency_id in agencies:
                other_rule = self.rule_for(other, agency_id)
                if other_rule.rule == "working_days_after":
                    continue  # no chains (the loader refuses them)
                due = due_date(other_rule, period, self.calendar, roll=other.plan.due_roll)
                latest = due.due_on if latest is None else max(latest, due.due_on)
        return latest

    def due(self, item: Item, agency_id: int | None, period: Period,
            event_on: date | None = None) -> tuple[DueDate, Period | None]:
        """The task's due date and the data period its report covers (None: no cut-off)."""
        rule = self.rule_for(item, agency_id)
        if rule.after and event_on is None:
            event_on = self.followed_due(item, rule, period)
        due = due_date(rule, period, self.calendar, roll=item.plan.due_roll, event_on=event_on)
        return due, rule.data_period(period)


def tasks_per_period(
    session: Session, responsible: dict[int, set[int]], item_ids: Iterable[int]
) -> dict[int, dict[date, int]]:
    """Per item and period start, how many of its responsible agencies already have the task.

    Items that share their agencies (one group) are counted in one query, so a plan of
    hundreds of items costs a handful of index-only scans instead of one query per item.
    """
    by_agencies: dict[frozenset[int], list[int]] = {}
    for item_id in item_ids:
        agencies = frozenset(responsible.get(item_id, ()))
        if agencies:
            by_agencies.setdefault(agencies, []).append(item_id)
    counts: dict[int, dict[date, int]] = {}
    for agencies, items in by_agencies.items():
        query = (
            sa.select(Task.item_id, Task.period_start, sa.func.count())
            .where(Task.item_id.in_(items), Task.agency_id.in_(sorted(agencies)))
            .group_by(Task.item_id, Task.period_start)
        )
        for item_id, start, n in session.execute(query):
            counts.setdefault(item_id, {})[start] = n
    return counts


def planned_rows(
    session: Session, item: Item, through: date, calendar: WorkingCalendar, now: datetime,
    absorbers: Iterable[Item] = (), *, only_incomplete: bool = False,
    responsible: dict[int, set[int]] | None = None,
    existing: dict[date, int] | None = None,
    context: DueContext | None = None,
    lifetimes: dict[int, tuple[date | None, date | None]] | None = None,
) -> list[dict]:
    """The task rows an item should have by `through`, before de-duplication.

    With `only_incomplete`, periods in which every responsible agency already has its task
    are left out (`existing` counts them, see `tasks_per_period`), so a run at a million
    tasks plans only the new month instead of every period since the plan began; the unique
    key still guards against races.

    An agency with a lifetime (`lifetimes`: agency id -> (active_from, active_to), see
    `agency_lifetimes`) gets no task due outside it: a commune set up on 1/12/2026 owes nothing
    due before that day, a merged one nothing due after its last day.
    """
    periods = item_periods(item, through)
    if not periods:
        return []
    cadence = Cadence(item.cadence)
    if context is None:
        context = DueContext(session, calendar, responsible=responsible)

    def responsible_for(i: Item) -> set[int]:
        if responsible is None:
            return responsible_agency_ids(session, i)
        return responsible.get(i.id, set())

    agencies = responsible_for(item)
    absorbing = [(Cadence(a.cadence), responsible_for(a)) for a in absorbers]
    if only_incomplete and existing is None:
        existing = tasks_per_period(session, {item.id: agencies}, [item.id]).get(item.id, {})
    existing = existing if only_incomplete else {}
    lifetimes = {a: span for a, span in (lifetimes or {}).items() if a in agencies}
    rows = []
    for period in periods:
        # a period absorbed for some agencies wants fewer rows: plan it in full, as before
        partly_absorbed = any(is_absorbed(period, cadence, higher) for higher, _ in absorbing)
        shared = None if DueRule.from_dict(item.due_rule).overrides else \
            context.due(item, None, period)
        dues = {a: shared or context.due(item, a, period) for a in sorted(agencies)} \
            if lifetimes else {}
        # an agency owes the task only if it exists on the task's due date
        owing = [a for a in sorted(agencies) if alive(lifetimes.get(a), dues[a][0].due_on)] \
            if lifetimes else sorted(agencies)
        if not partly_absorbed and existing.get(period.start, 0) >= len(owing):
            continue
        for agency_id in owing:
            if any(agency_id in who and is_absorbed(period, cadence, higher)
                   for higher, who in absorbing):
                continue
            due, data = dues.get(agency_id) or shared or context.due(item, agency_id, period)
            rows.append({
                "item_id": item.id, "agency_id": agency_id,
                "period_start": period.start, "period_end": period.end,
                "nominal_due_on": due.nominal, "due_on": due.due_on,
                "data_from": data.start if data else None, "data_to": data.end if data else None,
                "status": TaskStatus.NOT_STARTED.value, "created_at": now, "updated_at": now,
                "version": 1, "late": False, "nil_return": False, "request_note": "",
            })
    return rows


def alive(span: tuple[date | None, date | None] | None, day: date) -> bool:
    """True when an agency with this lifetime exists on `day`."""
    if span is None:
        return True
    start, end = span
    return (start is None or start <= day) and (end is None or day <= end)


def agency_lifetimes(session: Session) -> dict[int, tuple[date | None, date | None]]:
    """The agencies that joined or left at some date: id -> (active_from, active_to)."""
    rows = session.execute(sa.select(Agency.id, Agency.active_from, Agency.active_to).where(
        sa.or_(Agency.active_from.is_not(None), Agency.active_to.is_not(None))))
    return {agency_id: (start, end) for agency_id, start, end in rows}


def generate_tasks(
    session: Session,
    *,
    through: date,
    now: datetime,
    actor: Actor = SYSTEM,
    plan_code: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the tasks of every period that starts on or before `through`; returns new counts."""
    query = (
        sa.select(Item).join(Plan).options(contains_eager(Item.plan))
        .where(Item.active.is_(True)).order_by(Plan.id, Item.position)
    )
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
    responsible = responsibilities(session)
    context = DueContext(session, calendar, responsible=responsible, items=by_code)
    existing = tasks_per_period(session, responsible, [i.id for i in items])
    lifetimes = agency_lifetimes(session)
    per_item: Counter[int] = Counter()
    pending: list[dict] = []
    for done, item in enumerate(items, 1):
        pending += planned_rows(session, item, through, calendar, now, absorbers.get(item.id, ()),
                                only_incomplete=True, responsible=responsible,
                                existing=existing.get(item.id, {}), context=context,
                                lifetimes=lifetimes)
        if len(pending) >= FLUSH_ROWS or done == len(items):
            # written in large batches: one COPY per batch, memory bounded on a first run
            per_item.update(insert_missing(session, pending))
            pending = []
        if progress:
            progress(done, len(items))
    created = {f"{item.plan.code}:{item.code}": per_item[item.id]
               for item in items if per_item[item.id]}
    session.expire_all()
    if created:
        record(session, actor=actor, action="tasks.generate", entity_type="plan",
               entity_id=plan_code, before=None,
               after={"through": through, "created": created, "total": sum(created.values())},
               now=now)
    return created
