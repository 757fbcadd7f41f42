"""The reminder ladder: one set-based insert into the outbox per rung, deduplicated by key.

A rung `{at: k, kind, to: [...]}` fires for a task due on d on the day add_working_days(d, k).
The sweep inverts that: for each rung it computes the due dates that map to today (or to one of
the last `catch_up_days` days, so a day the flow did not run is caught up), and inserts one row
per (task, target) with a key naming the task, its due date, the rung and the target. A second
run the same day inserts nothing; a reschedule gives new keys (new due date) for the new date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.agencies import Agency
from models.calendar import WorkingCalendar
from models.calendar_overrides import load_calendar
from models.clock import local_today
from models.notifications import Notification, NotificationStatus, NotificationTarget
from models.plans import Item, Plan
from models.tasks import OPEN_STATUSES, Task
from models.users import Role, User

RECIPIENT_ROLES = ("responsible", "agency_head", "coordinator", "reports_to")
CATCH_UP_DAYS = 3


def rung_label(at: int) -> str:
    """'-7', '0', '+1': the offset in working days from the due date."""
    return f"+{at}" if at > 0 else str(at)


def rung_kind(rung: dict) -> str:
    """The rung's kind; unset means a reminder before or on the due day, overdue after."""
    return rung.get("kind") or ("reminder" if rung["at"] <= 0 else "overdue")


def due_dates_for(
    calendar: WorkingCalendar, at: int, today: date, catch_up_days: int = CATCH_UP_DAYS,
    later_at: int | None = None,
) -> set[date]:
    """Due dates d whose rung day add_working_days(d, at) is today or within the catch-up days.

    A missed rung is skipped when `later_at`, the next rung of the same kind, is due by today:
    after a two-day outage the officer gets "1 day left", not also "3 days left".
    """
    first = today - timedelta(days=catch_up_days)
    # a working day spans at most a few calendar days (Tết: ~9), so this window holds them all
    span = 2 * abs(at) + 20
    lo, hi = (first - timedelta(days=span), today) if at >= 0 else (first, today + timedelta(span))
    out = set()
    d = lo
    while d <= hi:
        if first <= calendar.add_working_days(d, at) <= today and (
                later_at is None or calendar.add_working_days(d, later_at) > today):
            out.add(d)
        d += timedelta(days=1)
    return out


def _payload(dialect: str, task_id, due_on, agency_id):
    """A JSON object built by the database, so no task row passes through Python."""
    fn = sa.func.json_build_object if dialect == "postgresql" else sa.func.json_object
    return fn("task_id", task_id, "due_on", sa.cast(due_on, sa.String), "agency_id", agency_id)


def _as_text(column):
    return sa.cast(column, sa.String)


def _recipients(roles: Iterable[str], tasks, reports_to: tuple[int, ...], smtp_url: str | None):
    """(task, user, target) rows for the rung's recipients: users' and agencies' targets.

    With `smtp_url` (the server's mailto:// settings), a user with no target of their own is
    mailed at their account's address.
    """
    T, U, NT = tasks.c, User, NotificationTarget
    user_cond = {
        # leadership gets only the rungs that name it, not every routine reminder
        "responsible": sa.and_(U.agency_id == T.agency_id, U.role == Role.OFFICER,
                               U.is_agency_head.is_(False)),
        "agency_head": sa.and_(U.agency_id == T.agency_id, U.is_agency_head.is_(True)),
        "coordinator": sa.and_(U.agency_id == T.coordinator_id, U.role == Role.COORDINATOR),
        "reports_to": U.agency_id.in_(reports_to),
    }
    agency_cond = {
        "responsible": NT.agency_id == T.agency_id,
        "coordinator": NT.agency_id == T.coordinator_id,
        "reports_to": NT.agency_id.in_(reports_to),
    }
    own_target = sa.and_(NT.user_id == U.id, NT.active.is_(True))
    selects = []
    for role in roles:
        selects.append(
            sa.select(T.task_id, T.agency_id, T.due_on, U.id.label("user_id"),
                      NT.id.label("target_id"), ("target:" + _as_text(NT.id)).label("to_key"),
                      NT.url, U.locale)
            .select_from(tasks).join(U, user_cond[role]).join(NT, own_target)
            .where(U.is_active.is_(True))
        )
        if smtp_url:
            mailto = smtp_url + ("&" if "?" in smtp_url else "?") + "to="
            selects.append(
                sa.select(T.task_id, T.agency_id, T.due_on, U.id.label("user_id"),
                          sa.null().label("target_id"),
                          ("user:" + _as_text(U.id) + ":email").label("to_key"),
                          (sa.literal(mailto) + U.email).label("url"), U.locale)
                .select_from(tasks).join(U, user_cond[role])
                .where(U.is_active.is_(True), ~sa.exists().where(own_target))
            )
        if role in agency_cond:
            selects.append(
                sa.select(T.task_id, T.agency_id, T.due_on, sa.null().label("user_id"),
                          NT.id.label("target_id"), ("target:" + _as_text(NT.id)).label("to_key"),
                          NT.url, sa.literal("vi").label("locale"))
                .select_from(tasks)
                .join(NT, sa.and_(agency_cond[role], NT.active.is_(True)))
            )
    return sa.union(*selects).subquery("recipient")


def insert_rung(
    session: Session, *, rung: dict, item_ids: list[int], due_dates: set[date],
    reports_to: tuple[int, ...], now: datetime, smtp_url: str | None = None,
) -> int:
    """One INSERT … SELECT for one rung over a set of items; returns how many rows were new."""
    if not due_dates or not item_ids:
        return 0
    dialect = session.get_bind().dialect.name
    label, kind = rung_label(rung["at"]), rung_kind(rung)
    tasks = (
        sa.select(Task.id.label("task_id"), Task.agency_id, Task.due_on,
                  Plan.coordinator_id.label("coordinator_id"))
        .join(Item, Item.id == Task.item_id).join(Plan, Plan.id == Item.plan_id)
        .where(Task.item_id.in_(item_ids), Task.due_on.in_(sorted(due_dates)),
               Task.status.in_([s.value for s in OPEN_STATUSES]))
        .subquery("due_task")
    )
    roles = [r for r in rung["to"] if r in RECIPIENT_ROLES]
    if not roles:
        return 0
    r = _recipients(roles, tasks, reports_to, smtp_url).c
    key = ("task:" + _as_text(r.task_id) + ":due:" + _as_text(r.due_on)
           + f":rung:{label}:" + r.to_key)
    rows = sa.select(
        key, r.user_id, r.target_id, r.url, sa.literal("task"), r.task_id, sa.literal(label),
        sa.literal(kind), _payload(dialect, r.task_id, r.due_on, r.agency_id),
        sa.func.coalesce(r.locale, "vi"), sa.literal(NotificationStatus.PENDING.value),
        sa.literal(0), sa.literal(now, type_=Notification.next_attempt_at.type),
        sa.literal("", type_=sa.Text), sa.literal(now, type_=Notification.created_at.type),
    ).where(sa.true())  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    columns = ["dedupe_key", "recipient_user_id", "target_id", "target", "subject_type",
               "subject_id", "rung", "kind", "payload", "locale", "status", "attempts",
               "next_attempt_at", "last_error", "created_at"]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(Notification).from_select(columns, rows)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notification.id))
    return len(session.execute(stmt).all())


def _ladders(session: Session) -> dict[tuple, list[int]]:
    """Items grouped by (plan time zone, rung, reports-to agencies): one insert per group."""
    codes = dict(session.execute(sa.select(Agency.code, Agency.id)).all())
    groups: dict[tuple, list[int]] = defaultdict(list)
    items = session.scalars(
        sa.select(Item).join(Plan).where(Item.active.is_(True)).order_by(Item.id)
    )
    for item in items:
        reports_to = tuple(sorted(codes[c] for c in item.reports_to or [] if c in codes))
        ladder = item.effective_reminders
        for rung in ladder:
            kind = rung_kind(rung)
            later = [r["at"] for r in ladder if r["at"] > rung["at"] and rung_kind(r) == kind]
            spec = (rung["at"], kind, tuple(sorted(set(rung["to"]))), min(later, default=None))
            rt = reports_to if "reports_to" in rung["to"] else ()
            groups[(item.plan.timezone, spec, rt)].append(item.id)
    return groups


def sweep(
    session: Session, *, now: datetime, catch_up_days: int = CATCH_UP_DAYS,
    smtp_url: str | None = None,
) -> dict[str, int]:
    """Write today's reminders, overdue notices and escalations; returns new rows per rung."""
    calendar = load_calendar(session)
    created: dict[str, int] = {}
    for (tz, (at, kind, to, later), reports_to), item_ids in sorted(
            _ladders(session).items(), key=repr):
        today = local_today(now, tz)
        dates = due_dates_for(calendar, at, today, catch_up_days, later)
        n = insert_rung(session, rung={"at": at, "kind": kind, "to": list(to)},
                        item_ids=item_ids, due_dates=dates, reports_to=reports_to, now=now,
                        smtp_url=smtp_url)
        if n:
            label = rung_label(at)
            created[label] = created.get(label, 0) + n
    return created
