"""Task lists with every filter a coordinator combines: period, category, text, sort, pages.

The drill-down page, the review inbox, the exports and `GET /api/v1/tasks` all build their rows
here, so a list on screen, its XLSX and the API answer hold the same tasks in the same order.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import GenericFunction

from models.org.agencies import Agency
from models.org.users import User
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import Task, overdue_on
from models.tasks.periods import (
    Category,
    ReportPeriod,
    category_case,
    category_clause,
    category_of,
)
from models.tasks.queries import TaskFilter, given, task_clauses

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50

# sort key → columns; every order ends on Task.id so pages never overlap or skip. "due" breaks
# ties by agency and item in the order they were loaded (the plan's and the agencies file's
# order), which the indexes on open tasks give without sorting
SORTS = {
    "due": (Task.due_on, Task.agency_id, Task.item_id, Task.id),
    "-due": (Task.due_on.desc(), Task.agency_id, Task.item_id, Task.id),
    "agency": (Agency.code, Task.due_on, Item.code, Task.id),
    "item": (Item.code, Task.due_on, Agency.code, Task.id),
    "status": (Task.status, Task.due_on, Agency.code, Task.id),
    "submitted": (Task.submitted_at, Task.due_on, Task.id),
}


@dataclass
class TaskListFilter(TaskFilter):
    """`TaskFilter` plus the report period, the category on `as_of`, and free text."""

    period: ReportPeriod | None = None
    category: str | None = None
    search: str | None = None


class casefold(GenericFunction):  # noqa: N801  (an SQL function name)
    """Lower case for every script: PostgreSQL's lower(); SQLite's lower() knows only ASCII."""

    type = sa.String()
    inherit_cache = True


@compiles(casefold)
def _casefold_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element, compiler, **kw):
    return f"pw_casefold({compiler.process(element.clauses, **kw)})"


@sa.event.listens_for(sa.Engine, "connect")
def _sqlite_casefold(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("pw_casefold", 1, lambda v: v.lower() if v else v,
                                         deterministic=True)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def search_clause(text: str):
    """Item code or title, agency code or name contain `text` (case-insensitive)."""
    pattern = _like(text.strip())
    columns = (Item.code, Item.title_vi, Item.title_en, Agency.code, Agency.name_vi,
               Agency.name_en)
    return sa.or_(*(casefold(c).like(pattern, escape="\\") for c in columns))


def list_clauses(user: User | None, filters: TaskFilter, as_of: date) -> tuple[list, bool]:
    """The WHERE terms of a list, and whether they need the agency and item joins (a search
    does; every other filter is on task columns)."""
    clauses = task_clauses(user, filters, as_of)
    joins = False
    if isinstance(filters, TaskListFilter):
        if filters.period is not None:
            clauses.append(filters.period.clause())
        if filters.category:
            clauses.append(category_clause(Category(filters.category), as_of))
        if filters.search and filters.search.strip():
            clauses.append(search_clause(filters.search))
            joins = True
    return clauses, joins


def _joined(query: sa.Select) -> sa.Select:
    return (query.join(Agency, Task.agency_id == Agency.id)
            .join(Item, Task.item_id == Item.id)
            .join(Plan, Item.plan_id == Plan.id))


def list_query(user: User | None, filters: TaskFilter, as_of: date,
               sort: str = "due") -> sa.Select:
    """(task, agency code, item code, plan code) matching every filter, in `sort` order."""
    clauses, _ = list_clauses(user, filters, as_of)
    return (_joined(sa.select(Task, Agency.code, Item.code, Plan.code)).where(*clauses)
            .order_by(*SORTS.get(sort, SORTS["due"])))


def count(session: Session, query: sa.Select) -> int:
    """How many rows a list query gives (its order dropped)."""
    inner = query.order_by(None).with_only_columns(Task.id)
    return session.scalar(sa.select(sa.func.count()).select_from(inner.subquery()))


def count_query(user: User | None, filters: TaskFilter, as_of: date) -> sa.Select:
    """How many tasks match, counted on `task` and its indexes (joined only for a search)."""
    clauses, joins = list_clauses(user, filters, as_of)
    query = sa.select(sa.func.count()).select_from(Task)
    return (_joined(query) if joins else query).where(*clauses)


ROW_FIELDS = ("id", "plan", "agency", "item", "period_start", "period_end", "due_on",
              "status", "late")


def row_query(user: User | None, filters: TaskFilter, as_of: date, sort: str = "due", *,
              with_total: bool = False, by_id: bool = False) -> sa.Select:
    """The list as plain columns (`ROW_FIELDS`, no entities), in `sort` order; `with_total`
    adds the count of every matching row as a last column (`total`), so a page and its total
    are one statement. `by_id` (a sort of `TASK_SORTS`, no search) selects the task's item
    and agency ids where the codes would be, without the joins: `Codes.name` names them."""
    clauses, joins = list_clauses(user, filters, as_of)
    if by_id and (joins or sort not in TASK_SORTS):
        raise ValueError(f"sort {sort!r} or a search needs the codes joined")
    rest = [Task.period_start, Task.period_end, Task.due_on, Task.status, Task.late]
    if by_id:
        columns = [Task.id, Task.item_id, Task.agency_id, *rest]
        names = ("id", "item_id", "agency_id", *ROW_FIELDS[4:])
    else:
        columns, names = [Task.id, Plan.code, Agency.code, Item.code, *rest], ROW_FIELDS
    labelled = [c.label(n) for c, n in zip(columns, names, strict=True)]
    if with_total:
        labelled.append(count_query(user, filters, as_of).scalar_subquery().label("total"))
    query = sa.select(*labelled) if by_id else _joined(sa.select(*labelled))
    return query.where(*clauses).order_by(*SORTS.get(sort, SORTS["due"]))


# the sorts on task columns alone: their pages can be read without joins (row_query's by_id)
TASK_SORTS = ("due", "-due", "submitted")


class Codes:
    """The codes of agencies and of items (with their plan's) by id, kept by one worker for one
    database (the API's short way keeps one per app), for pages read `by_id` on PostgreSQL:
    the joins cost PostgreSQL half of an agency's page (0.11 ms of CPU against 0.05 ms for
    `task` alone, 1M tasks).

    A code names its row for good (a plan file and an agencies file are imported by code, so
    another code is another row) and PostgreSQL never gives an id twice, so a code once read
    is never stale; an id not seen yet is read with the rest of the page's unknown ids."""

    _AGENCIES = "SELECT id, code FROM agency WHERE id = ANY(%s)"
    _ITEMS = ("SELECT item.id, item.code, plan.code FROM item JOIN plan ON plan.id = "
              "item.plan_id WHERE item.id = ANY(%s)")

    def __init__(self, limit: int = 100_000):
        self.agencies: dict[int, str] = {}
        self.items: dict[int, tuple[str, str]] = {}  # id -> (item code, plan code)
        self.limit = limit

    def name(self, cursor, rows: list) -> list[tuple]:
        """`by_id` rows as `row_query`'s: (id, plan, agency, item, ...the rest)."""
        if len(self.agencies) + len(self.items) > self.limit:
            # new maps, not cleared ones: a worker's threads share this object, and another
            # thread naming its page from the old maps must still find what it read into them
            self.agencies, self.items = {}, {}
        agencies, items = self.agencies, self.items
        unknown_agencies = {row[2] for row in rows if row[2] not in agencies}
        unknown_items = {row[1] for row in rows if row[1] not in items}
        if unknown_agencies:
            cursor.execute(self._AGENCIES, (list(unknown_agencies),))
            agencies.update(cursor.fetchall())
        if unknown_items:
            cursor.execute(self._ITEMS, (list(unknown_items),))
            items.update((id_, (item, plan)) for id_, item, plan in cursor.fetchall())
        return [(row[0], items[row[1]][1], agencies[row[2]], items[row[1]][0], *row[3:])
                for row in rows]


def plain_row(row, as_of: date) -> dict:
    """One `row_query` row as the API and the CLI show a task in a list (dates as `date`
    objects: orjson writes them as ISO text)."""
    return plain_values(row, as_of)


def plain_values(values, as_of) -> dict:
    """`plain_row` of the first nine values of a row (ROW_FIELDS' order), from the ORM or a
    bare DB-API cursor; `as_of` of the same kind as the row's dates (SQLite's driver gives
    ISO text: then the ISO text of the day)."""
    id_, plan, agency, item, start, end, due_on, status, late = values[:9]
    late = bool(late)
    return {
        "id": id_, "plan": plan, "agency": agency, "item": item,
        "period_start": start, "period_end": end, "due_on": due_on,
        "status": status, "late": late,
        "overdue": overdue_on(status, due_on, as_of),  # the entity's rule
        "category": category_of(status, late, due_on, as_of).value,
    }


@dataclass(frozen=True)
class _Scope:
    """What `agency_filter` reads of a user, with the agency as a bound parameter."""

    role: str
    agency_id: object


# filters whose values only fill bound parameters; `overdue` and `category` change the SQL
_BOUND = ("plan", "section", "item", "agency", "status", "due_from", "due_to")
_STATEMENTS: dict[tuple, sa.Select] = {}


class TotalCache:
    """Totals of long lists, kept `seconds` by one worker for the same filters and user.

    Counting 70,000 open tasks reads 70,000 index entries on every page; a total of at least
    `min_total` rows is reused instead (so it may lag up to `seconds` behind changes, as the
    API documents); smaller totals cost little and are always counted. `clock` is monotonic
    seconds (a performance cache, not the business clock)."""

    def __init__(self, seconds: float = 5, min_total: int = 1000, clock=time.monotonic):
        self.seconds, self.min_total, self.clock = seconds, min_total, clock
        self._entries: dict[tuple, tuple[float, int]] = {}

    def get(self, key: tuple) -> int | None:
        entry = self._entries.get(key)
        if entry is None or self.clock() >= entry[0] + self.seconds:
            return None
        return entry[1]

    def put(self, key: tuple, total: int) -> None:
        if total < self.min_total:
            return
        if len(self._entries) >= 10_000:
            self._entries.clear()
        self._entries[key] = (self.clock(), total)


def _statement(key: tuple, user: User | None, filters: TaskListFilter, present: tuple,
               sort: str, with_total: bool, by_id: bool = False) -> sa.Select:
    key = (*key, with_total, by_id)
    statement = _STATEMENTS.get(key)
    if statement is None:
        scope = None if user is None else _Scope(
            user.role, None if user.agency_id is None else sa.bindparam("scope_agency"))
        bound = TaskListFilter(overdue=filters.overdue, category=filters.category,
                               **{name: sa.bindparam(f"f_{name}") for name in present})
        statement = row_query(scope, bound, sa.bindparam("as_of", type_=sa.Date), sort,
                              with_total=with_total, by_id=by_id)
        if len(_STATEMENTS) < 1000:
            _STATEMENTS[key] = statement
    return statement


def _shape(user: User | None, filters: TaskListFilter, sort: str, as_of: date):
    """What names a cached statement (which filters are set, the sort, the user's role), its
    bound values, and the key of its total in a `TotalCache`."""
    present = tuple(name for name in _BOUND if given(getattr(filters, name)))
    key = (present, filters.overdue, filters.category, sort,
           None if user is None else user.role, None if user is None else user.agency_id is None)
    params = {f"f_{name}": getattr(filters, name) for name in present}
    params["as_of"] = as_of
    if user is not None:
        params["scope_agency"] = user.agency_id
    total_key = (key[:3], key[4:], tuple(sorted(params.items(), key=lambda kv: kv[0])))
    return present, key, params, total_key


def page_rows(session: Session, user: User | None, filters: TaskListFilter, as_of: date,
              sort: str, limit: int, offset: int,
              totals: TotalCache | None = None) -> tuple[list, int | None]:
    """A page of `row_query` rows and the total of the list (None past the last page).

    The statement is built once per shape of the filters (which are set, the sort, the user's
    role) and cached in this process; the values are bound at execution. The total comes
    in the same statement; a long list's total is then kept in `totals`, so following pages
    and repeated requests read only their rows. A period or a search is built each time."""
    if filters.period is not None or (filters.search and filters.search.strip()):
        query = row_query(user, filters, as_of, sort, with_total=True)
        rows = session.execute(query.limit(limit).offset(offset)).all()
        return rows, rows[0].total if rows else None
    present, key, params, total_key = _shape(user, filters, sort, as_of)
    known = totals.get(total_key) if totals is not None else None
    if known is not None:
        statement = _statement(key, user, filters, present, sort, with_total=False)
        return session.execute(statement.limit(limit).offset(offset), params).all(), known
    statement = _statement(key, user, filters, present, sort, with_total=True)
    rows = session.execute(statement.limit(limit).offset(offset), params).all()
    if not rows:
        return rows, None
    if totals is not None:
        totals.put(total_key, rows[0].total)
    return rows, rows[0].total


@dataclass(frozen=True)
class DriverStatement:
    """A cached list statement compiled to its driver's own SQL, for a bare DB-API cursor."""

    sql: str
    names: tuple[str, ...]  # the parameters, in placeholder order when `positional`
    positional: bool
    defaults: dict
    text_dates: bool  # SQLite keeps dates as ISO text, and its driver gives them back so

    def bind(self, values: dict):
        params = {**self.defaults, **values}
        if self.text_dates:
            params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        if self.positional:
            return tuple(params[n] for n in self.names)
        return {n: params[n] for n in self.names}


_DRIVER: dict[tuple, DriverStatement | None] = {}


def _driver_statement(dialect, key: tuple, user, filters, present, sort,
                      with_total: bool, by_id: bool = False) -> DriverStatement | None:
    """`_statement` with its page as parameters, compiled once per dialect (None when its SQL
    depends on the values, e.g. an expanding IN: then it goes through the session)."""
    cache_key = (dialect.name, *key, with_total, by_id)
    if cache_key in _DRIVER:
        return _DRIVER[cache_key]
    statement = (_statement(key, user, filters, present, sort, with_total, by_id)
                 .limit(sa.bindparam("page_limit", type_=sa.Integer))
                 .offset(sa.bindparam("page_offset", type_=sa.Integer)))
    compiled = statement.compile(dialect=dialect)
    driver = None
    if not (compiled.literal_execute_params or compiled.post_compile_params):
        binds = compiled.binds  # name -> bind parameter; a value where the statement has one
        driver = DriverStatement(
            compiled.string,
            tuple(compiled.positiontup) if compiled.positional else tuple(binds),
            bool(compiled.positional),
            {name: b.value for name, b in binds.items() if b.value is not None},
            dialect.name == "sqlite")
    if len(_DRIVER) < 1000:
        _DRIVER[cache_key] = driver
    return driver


def driver_connection(engine: sa.Engine):
    """A DB-API connection of its own for `driver_page`, out of the engine's pool.

    On PostgreSQL it is in autocommit (a read per statement, no BEGIN and ROLLBACK) and uses
    generic plans: psycopg prepares a statement run 5 times, but PostgreSQL would still plan
    each run anew when a custom plan looks cheaper (LIMIT and OFFSET unknown), and planning
    cost more than reading the page. These statements are written for their indexes (the
    order is the index's), so the generic plan is the plan."""
    fairy = engine.raw_connection()
    conn = fairy.driver_connection
    fairy.detach()  # never handed back to the session's pool
    if engine.dialect.name == "postgresql":
        conn.autocommit = True
        conn.execute("SET plan_cache_mode = force_generic_plan")
    return conn


def driver_page(cursor, dialect, user: User, filters: TaskListFilter, as_of: date, sort: str,
                limit: int, offset: int, totals: TotalCache | None = None,
                codes: Codes | None = None) -> tuple[list[dict], int] | None:
    """`page_rows` then `plain_row` on a bare DB-API cursor: the same statement, the same rows,
    the same total, without the ORM session. None when the list needs the session (a period,
    a search, a page past the end): the caller then goes the usual way."""
    if filters.period is not None or (filters.search and filters.search.strip()):
        return None
    present, key, params, total_key = _shape(user, filters, sort, as_of)
    known = totals.get(total_key) if totals is not None else None
    # on PostgreSQL a page in task order is read without joins, and named from `codes`
    by_id = codes is not None and dialect.name == "postgresql" and sort in TASK_SORTS
    statement = _driver_statement(dialect, key, user, filters, present, sort,
                                  with_total=known is None, by_id=by_id)
    if statement is None:
        return None
    cursor.execute(statement.sql, statement.bind(
        {**params, "page_limit": limit, "page_offset": offset}))
    rows = cursor.fetchall()
    if by_id and rows:
        rows = codes.name(cursor, rows)
    if known is not None:
        total = known
    elif rows:
        total = rows[0][-1]
        if totals is not None:
            totals.put(total_key, total)
    elif offset:
        return None  # past the last page: the total is counted on its own
    else:
        total = 0
    day = as_of.isoformat() if statement.text_dates else as_of
    return [plain_values(row, day) for row in rows], total


@dataclass
class Page:
    """One page of a list, with what a pager needs."""

    rows: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.size)


def page_of(session: Session, query: sa.Select, number: int, size: int) -> Page:
    """Page `number` (from 1) of `size` rows; a number past the end shows the last page."""
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    total = count(session, query)
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    rows = session.execute(query.limit(size).offset((number - 1) * size)).all()
    return Page(rows=rows, total=total, number=number, size=size)


EXPORT_FIELDS = ("id", "plan", "section", "item", "item_title", "agency", "agency_name",
                 "period_start", "period_end", "due_on", "status", "category", "submitted_at",
                 "late")


def export_query(user: User | None, filters: TaskFilter, as_of: date, sort: str = "due",
                 locale: str = "vi") -> sa.Select:
    """The same tasks as `list_query`, as flat rows of `EXPORT_FIELDS` (no entities loaded)."""
    section = aliased(Section)
    en = locale.startswith("en")
    item_title = (sa.func.coalesce(sa.func.nullif(Item.title_en, ""), Item.title_vi)
                  if en else Item.title_vi)
    agency_name = (sa.func.coalesce(sa.func.nullif(Agency.name_en, ""), Agency.name_vi)
                   if en else Agency.name_vi)
    columns = (Task.id, Plan.code, section.code, Item.code, item_title, Agency.code,
               agency_name, Task.period_start, Task.period_end, Task.due_on, Task.status,
               category_case(as_of), Task.submitted_at, Task.late)
    query = list_query(user, filters, as_of, sort)
    labelled = (c.label(n) for c, n in zip(columns, EXPORT_FIELDS, strict=True))
    return (query.with_only_columns(*labelled, maintain_column_froms=True)
            .join(section, Item.section_id == section.id))


def export_row(row) -> dict:
    """One export row as the API's JSON would write it."""
    out = dict(row._mapping)
    for key in ("period_start", "period_end", "due_on"):
        out[key] = out[key].isoformat()
    out["submitted_at"] = out["submitted_at"].isoformat() if out["submitted_at"] else None
    return out

