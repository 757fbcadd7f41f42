"""Synthetic province-scale data, written in bulk (COPY on PostgreSQL, executemany on SQLite)."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from models.org.accounts import hash_password
from models.org.agencies import Agency, AgencyGroup, agency_group_member
from models.org.users import User
from models.plans.cadence import Cadence, DueRule, due_date, open_periods
from models.plans.calendar import WorkingCalendar
from models.plans.entities import Item, ItemParty, Plan, Section
from models.tasks.entities import Task

PASSWORD = "bench-password-1"
# per plan: (cadence, how many items); the mix of a typical provincial plan's reporting duties
ITEM_MIX = ((Cadence.MONTHLY, 4), (Cadence.QUARTERLY, 2), (Cadence.YEARLY, 2))
PERIODS_A_YEAR = {Cadence.MONTHLY: 12, Cadence.QUARTERLY: 4, Cadence.YEARLY: 1}
LADDER = [
    {"at": -7, "to": ["responsible"]},
    {"at": -3, "to": ["responsible"]},
    {"at": -1, "to": ["responsible"]},
    {"at": 0, "to": ["responsible"]},
    {"at": 1, "kind": "overdue", "to": ["responsible", "agency_head"]},
    {"at": 3, "kind": "escalation", "to": ["coordinator"]},
    {"at": 10, "kind": "escalation", "to": ["agency_head", "reports_to"]},
]
WINDOW_TARGET = 0.10  # share of tasks the deadline sweep has to look at
TASK_COLUMNS = ("item_id", "agency_id", "period_start", "period_end", "nominal_due_on", "due_on",
                "status", "request_note", "submitted_at", "late", "nil_return",
                "created_at", "updated_at", "version")


@dataclass(frozen=True)
class Shape:
    """How a scale in tasks becomes agencies, groups, plans and years."""

    tasks: int
    agencies: int
    groups: int
    plans: int
    years: int
    first_year: int

    @classmethod
    def for_scale(cls, tasks: int, first_year: int = 2022, years: int = 5) -> Shape:
        agencies = max(4, min(400, round(math.sqrt(tasks) / 2.5)))
        groups = min(4, agencies)
        per_agency_year = sum(PERIODS_A_YEAR[c] * n for c, n in ITEM_MIX)
        per_plan = agencies // groups * per_agency_year * years
        plans = max(1, math.ceil(tasks / per_plan))  # at least the scale asked for
        return cls(tasks, agencies, groups, plans, years, first_year)

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1

    @property
    def today(self) -> date:
        """The sweep's day: December's monthly reports fall due within the reminder ladder."""
        return date(self.last_year, 12, 16)

    @property
    def now(self) -> datetime:
        """08:00 in Hà Nội on `today`."""
        return datetime.combine(self.today, datetime.min.time(), UTC) + timedelta(hours=1)

    @property
    def next_month(self) -> date:
        """The first day of the month the generation figure opens (all cadences start then)."""
        return date(self.last_year + 1, 1, 1)


def _log(progress, message: str) -> None:
    if progress:
        progress(message)


def load_structure(engine: sa.Engine, shape: Shape, progress=None) -> dict:
    """Agencies, groups, users, plans and items; returns ids the figures need."""
    now = datetime(shape.first_year - 1, 12, 1, tzinfo=UTC)
    meta = {"agency_codes": [], "groups": {}, "items": []}
    pw_hash = hash_password(PASSWORD)  # one hash for all: argon2 is slow by design
    with engine.begin() as conn:
        conn.execute(sa.insert(Agency), [
            {"code": "COORD", "name_vi": "Ban Tuyên giáo và Dân vận", "name_en": "Coordinator",
             "note": ""}
        ] + [
            {"code": f"A{i:04d}", "name_vi": f"Cơ quan {i}", "name_en": f"Agency {i}", "note": ""}
            for i in range(1, shape.agencies + 1)
        ])
        ids = dict(conn.execute(sa.select(Agency.code, Agency.id)).all())
        conn.execute(sa.insert(AgencyGroup), [
            {"code": f"G{g}", "name_vi": f"Nhóm {g}", "name_en": f"Group {g}"}
            for g in range(shape.groups)
        ])
        gids = dict(conn.execute(sa.select(AgencyGroup.code, AgencyGroup.id)).all())
        members = [
            {"agency_id": ids[f"A{i:04d}"], "group_id": gids[f"G{(i - 1) % shape.groups}"]}
            for i in range(1, shape.agencies + 1)
        ]
        conn.execute(sa.insert(agency_group_member), members)
        users = [{"email": "coordinator@bench.example.org", "role": "coordinator",
                  "agency_id": ids["COORD"], "is_agency_head": False},
                 {"email": "admin@bench.example.org", "role": "admin", "agency_id": None,
                  "is_agency_head": False}]
        for i in range(1, shape.agencies + 1):
            code = f"A{i:04d}"
            users.append({"email": f"officer.{code.lower()}@bench.example.org", "role": "officer",
                          "agency_id": ids[code], "is_agency_head": False})
            users.append({"email": f"head.{code.lower()}@bench.example.org", "role": "officer",
                          "agency_id": ids[code], "is_agency_head": True})
        for u in users:
            u.update(display_name=u["email"].split("@")[0], password_hash=pw_hash, locale="vi",
                     is_active=True, session_version=1, created_at=now)
        conn.execute(sa.insert(User), users)
        _log(progress, f"{shape.agencies} agencies in {shape.groups} groups, {len(users)} users")
        for p in range(1, shape.plans + 1):
            plan_id = conn.execute(sa.insert(Plan).returning(Plan.id), {
                "code": f"P{p:03d}", "title_vi": f"Kế hoạch {p}", "title_en": f"Plan {p}",
                "issuer_id": ids["COORD"], "coordinator_id": ids["COORD"],
                "issued_on": date(shape.first_year - 1, 12, 1), "timezone": "Asia/Ho_Chi_Minh",
                "starts_on": date(shape.first_year, 1, 1), "ends_on": None, "documents": {},
                "reminders": LADDER, "version": 1}).scalar_one()
            section_id = conn.execute(sa.insert(Section).returning(Section.id), {
                "plan_id": plan_id, "code": "I", "position": 0, "title_vi": "Báo cáo",
                "title_en": "Reports", "text_vi": ""}).scalar_one()
            position = 0
            for cadence, count in ITEM_MIX:
                for n in range(count):
                    position += 1
                    group = (p + position) % shape.groups
                    item_id = conn.execute(sa.insert(Item).returning(Item.id), {
                        "plan_id": plan_id, "section_id": section_id,
                        "code": f"R-{cadence.value[0].upper()}{n + 1}", "position": position,
                        "kind": "recurring_report", "title_vi": f"Báo cáo {cadence.value} {n + 1}",
                        "title_en": f"{cadence.value} report {n + 1}", "text_vi": "",
                        "cadence": cadence.value,
                        "due_rule": {"rule": "day_of_last_month", "day": 20}, "absorbs": [],
                        "reminders": None, "reports_to": ["COORD"], "allows_nil_return": True,
                        "evidence_vi": "", "evidence_en": "", "starts_on": None, "ends_on": None,
                        "active": True}).scalar_one()
                    conn.execute(sa.insert(ItemParty), {
                        "item_id": item_id, "role": "lead", "group_id": gids[f"G{group}"],
                        "agency_id": None})
                    agencies = [m["agency_id"] for m in members
                                if m["group_id"] == gids[f"G{group}"]]
                    meta["items"].append((item_id, cadence, agencies))
        _log(progress, f"{shape.plans} plans, {len(meta['items'])} recurring items")
    meta["agency_codes"] = sorted(c for c in ids if c != "COORD")
    return meta


def load_targets(engine: sa.Engine) -> int:
    """Apprise targets for every user, when the notification tables exist (flows merged).

    The deadline sweep writes one outbox row per (task, target); the URLs point at a closed
    local port because the sweep only writes rows, and the dispatch figure brings its own.
    """
    if not sa.inspect(engine).has_table("notification_target"):
        return 0
    table = sa.Table("notification_target", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        users = conn.execute(sa.select(User.id).where(User.role != "admin")).scalars().all()
        rows = []
        for user_id in users:
            row = {"user_id": user_id, "agency_id": None, "url": f"json://127.0.0.1:9/u/{user_id}",
                   "label": "bench", "active": True}
            rows.append({k: v for k, v in row.items() if k in table.c})
        conn.execute(sa.insert(table), rows)
    return len(rows)


def _periods(shape: Shape, items, calendar: WorkingCalendar) -> list[tuple]:
    """(item, agencies, period, due) for every period up to the last December."""
    rule = DueRule.from_dict({"rule": "day_of_last_month", "day": 20})
    through = date(shape.last_year, 12, 1)
    out = []
    for item_id, cadence, agencies in items:
        for period in open_periods(cadence, date(shape.first_year, 1, 1), through):
            out.append((item_id, agencies, period, due_date(rule, period, calendar)))
    return out


def task_rows(shape: Shape, items, calendar: WorkingCalendar) -> Iterator[tuple]:
    """Task tuples in TASK_COLUMNS order; ~10% open and due within the sweep window."""
    today = shape.today
    recent = today - timedelta(days=35)
    horizon = today + timedelta(days=7)
    planned = _periods(shape, items, calendar)
    total = sum(len(a) for _, a, _, _ in planned)
    in_recent = sum(len(a) for _, a, _, d in planned if recent <= d.due_on <= horizon)
    older = sum(len(a) for _, a, _, d in planned if d.due_on < recent)
    # stale overdue tasks make up the rest of the window share
    stale_per_mille = max(0, min(1000, round(1000 * (WINDOW_TARGET * total - in_recent)
                                             / max(older, 1))))
    created = datetime(shape.first_year - 1, 12, 1, tzinfo=UTC)
    n = 0
    for item_id, agencies, period, due in planned:
        for agency_id in agencies:
            n += 1
            submitted_at = None
            if due.due_on > horizon:
                status = "not_started"
            elif due.due_on >= recent or (n * 2654435761) % 1000 < stale_per_mille:
                status = ("not_started", "in_progress", "returned")[n % 3]
            else:
                status = "accepted"
                submitted_at = datetime.combine(due.due_on, datetime.min.time(), UTC)
            yield (item_id, agency_id, period.start, period.end, due.nominal, due.due_on,
                   status, "", submitted_at, False, False, created, created, 1)


def insert_tasks(engine: sa.Engine, rows: Iterator[tuple], progress=None,
                 chunk: int = 50_000) -> int:
    """Bulk-insert task tuples: COPY on PostgreSQL, executemany elsewhere."""
    started = time.perf_counter()
    n = 0
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cur = raw.driver_connection.cursor()
            with cur.copy(f"COPY task ({', '.join(TASK_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
                    if n % 200_000 == 0:
                        _log(progress, f"  {n:,} tasks ({time.perf_counter() - started:.0f} s)")
            raw.commit()
        finally:
            raw.close()
        return n
    table = Task.__table__
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in rows:
            batch.append(dict(zip(TASK_COLUMNS, row, strict=True)))
            if len(batch) == chunk:
                conn.execute(sa.insert(table), batch)
                n += len(batch)
                batch = []
                _log(progress, f"  {n:,} tasks ({time.perf_counter() - started:.0f} s)")
        if batch:
            conn.execute(sa.insert(table), batch)
            n += len(batch)
    return n


def _maintain(engine: sa.Engine, postgresql: str, sqlite: str) -> None:
    """One maintenance statement of the engine's dialect, outside any transaction (PostgreSQL's
    VACUUM and CHECKPOINT refuse to run inside one)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(postgresql if engine.dialect.name == "postgresql" else sqlite)


def analyse(engine: sa.Engine) -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would give a live system."""
    _maintain(engine, "VACUUM ANALYZE", "ANALYZE")


def settle(engine: sa.Engine) -> None:
    """Put the writes of the load and of earlier figures on disk before a timed figure: a
    CHECKPOINT (PostgreSQL) or a WAL checkpoint (SQLite), then the kernel's own flush. Without
    it a figure right after the 1M-row load measures the disk catching up (dirty shared buffers
    evicted by the backends, WAL syncs queued behind gigabytes of writeback), not the app."""
    _maintain(engine, "CHECKPOINT", "PRAGMA wal_checkpoint(TRUNCATE)")
    os.sync()


def _window(conn, shape: Shape) -> int:
    return conn.scalar(sa.select(sa.func.count()).select_from(Task).where(
        Task.status.in_(["not_started", "in_progress", "returned"]),
        Task.due_on <= shape.today + timedelta(days=7)))


def describe(engine: sa.Engine, shape: Shape) -> dict:
    """The metadata `generate` returns, read back from a database kept from an earlier run."""
    with engine.begin() as conn:
        # the generation figure leaves the month it opened; take it away again
        conn.execute(sa.delete(Task).where(Task.period_start >= shape.next_month))
        codes = sorted(c for c in conn.scalars(sa.select(Agency.code)) if c != "COORD")
        items = [(i, Cadence(c), []) for i, c in conn.execute(sa.select(Item.id, Item.cadence))]
        n = conn.scalar(sa.select(sa.func.count()).select_from(Task))
        window = _window(conn, shape)
        try:
            from models.notify.entities import Notification

            conn.execute(sa.delete(Notification.__table__))  # the sweep starts from empty
        except ImportError:
            pass
        try:
            from models.notify.sweep_runs import SweepRun

            conn.execute(sa.delete(SweepRun.__table__))  # else the sweep skips what it did
        except ImportError:
            pass
    if len(codes) != shape.agencies or not n:
        raise SystemExit("--reuse: the kept database was made at another scale")
    return {"agency_codes": codes, "items": items, "tasks": n, "window": window, "seconds": 0.0}


def generate(engine: sa.Engine, shape: Shape, progress=None) -> dict:
    """Load everything; returns the structure metadata plus counts."""
    started = time.perf_counter()
    meta = load_structure(engine, shape, progress)
    targets = load_targets(engine)
    if targets:
        _log(progress, f"{targets} notification targets")
    calendar = WorkingCalendar()
    n = insert_tasks(engine, task_rows(shape, meta["items"], calendar), progress)
    analyse(engine)
    with engine.connect() as conn:
        window = _window(conn, shape)
    meta.update(tasks=n, window=window, seconds=time.perf_counter() - started)
    _log(progress, f"{n:,} tasks, {window:,} ({window / max(n, 1):.0%}) open and due by "
                   f"{shape.today + timedelta(days=7)}, in {meta['seconds']:.1f} s")
    return meta
