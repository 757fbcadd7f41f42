"""The outbox table, reflected, and a hand-written INSERT … SELECT that fills it (the floor)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bench.data import LADDER
from bench.harness import Skip
from models.org.users import User
from models.tasks.entities import OPEN_STATUSES, Task

# outbox columns whose value is the same on every row the floor writes
FIXED = {"status": "pending", "subject_type": "task", "entity_type": "task", "kind": "reminder",
         "locale": "vi", "last_error": ""}


def reflect_outbox(engine: sa.Engine) -> sa.Table:
    """The notification table as the database has it; Skip when the flows are not merged."""
    try:
        from models.notify.entities import Notification
    except ImportError as why:
        raise Skip(f"models.notify.targets not importable: {why}") from None
    name = Notification.__tablename__
    if not sa.inspect(engine).has_table(name):
        raise Skip(f"table {name!r} absent (migration not merged?)")
    return sa.Table(name, sa.MetaData(), autoload_with=engine)


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(table))


def _value_for(col: sa.Column, src: dict, now: datetime, today: date, sqlite_db: bool):
    """A SELECT expression for one outbox column, by name first, then by type."""
    name = col.name.lower()
    for key, expr in src.items():
        if name == key:
            return sa.cast(expr, col.type) if isinstance(col.type, sa.String) else expr
    if "dedupe" in name or name in ("key", "dedup_key"):
        return src["_key"]
    if name in ("recipient_id", "recipient_user_id"):
        return src["user_id"]
    if name in ("subject_id", "entity_id"):
        return sa.cast(src["task_id"], col.type)
    if name in FIXED:
        return sa.literal(FIXED[name], col.type)
    if col.nullable or col.server_default is not None:
        return None
    stamp = now.replace(tzinfo=None) if sqlite_db else now
    type_ = col.type
    if isinstance(type_, sa.JSON):
        return sa.literal({}, type_)
    if isinstance(type_, sa.DateTime):
        return sa.literal(stamp, type_)
    if isinstance(type_, sa.Date):
        return sa.literal(today, type_)
    if isinstance(type_, sa.Boolean):
        return sa.literal(False, type_)
    if isinstance(type_, sa.Integer | sa.Numeric):
        return sa.literal(0, type_)
    if "target" in name or "url" in name or "address" in name:
        return sa.literal("json://127.0.0.1:9/bench", col.type)
    return sa.literal("", col.type)


def floor_insert(engine: sa.Engine, outbox: sa.Table, *, now: datetime, today: date,
                 limit: int | None):
    """One INSERT … SELECT: open tasks × the ladder's rungs reached × the agency's users."""
    sqlite_db = engine.dialect.name == "sqlite"
    t, u = Task.__table__, User.__table__
    rungs = sa.union_all(*[sa.select(sa.literal(r["at"]).label("at")) for r in LADDER]).subquery()
    if sqlite_db:
        fires_on = sa.func.date(t.c.due_on, sa.cast(rungs.c.at, sa.String).concat(" days"))
        reached = fires_on <= today.isoformat()
    else:
        reached = t.c.due_on + rungs.c.at <= today
    key = (sa.literal("floor:task:") + sa.cast(t.c.id, sa.String) + ":rung:"
           + sa.cast(rungs.c.at, sa.String) + ":user:" + sa.cast(u.c.id, sa.String))
    src = {"task_id": t.c.id, "agency_id": t.c.agency_id, "user_id": u.c.id,
           "rung": rungs.c.at, "_key": key}
    names, exprs = [], []
    for col in outbox.c:
        if col.primary_key and isinstance(col.type, sa.Integer):
            continue
        expr = _value_for(col, src, now, today, sqlite_db)
        if expr is not None:
            names.append(col.name)
            exprs.append(expr.label(col.name))
    select = (
        sa.select(*exprs)
        .select_from(t)
        .join(u, sa.and_(u.c.agency_id == t.c.agency_id, u.c.is_active.is_(True)))
        .join(rungs, sa.true())
        .where(t.c.status.in_([s.value for s in OPEN_STATUSES]),
               t.c.due_on <= today + timedelta(days=max(-r["at"] for r in LADDER)),
               reached)
    )
    if limit is not None:
        select = select.limit(limit)
    insert = (postgresql.insert if not sqlite_db else sqlite.insert)(outbox)
    return insert.from_select(names, select).on_conflict_do_nothing()


def timed_floor(engine: sa.Engine, outbox: sa.Table, *, now: datetime, today: date,
                limit: int | None) -> tuple[float, int]:
    """Seconds and rows of the floor insert, rolled back so the database is unchanged."""
    import time

    stmt = floor_insert(engine, outbox, now=now.astimezone(UTC), today=today, limit=limit)
    with engine.connect() as conn:
        trans = conn.begin()
        before = conn.scalar(sa.select(sa.func.count()).select_from(outbox))
        started = time.perf_counter()
        conn.execute(stmt)
        seconds = time.perf_counter() - started
        rows = conn.scalar(sa.select(sa.func.count()).select_from(outbox)) - before
        trans.rollback()
    return seconds, rows
