"""Reporting periods and the five categories offices count tasks in (QĐ 42/2014/QĐ-TTg).

A coordinator's monthly, quarterly, 6-month or yearly report counts the tasks whose due date falls
in the period, each in one category, judged on the report's date (`as_of`):

| category | Vietnamese | rule |
| --- | --- | --- |
| `done_on_time` | hoàn thành đúng hạn | submitted or accepted, not late |
| `done_late` | hoàn thành quá hạn | submitted or accepted, late |
| `in_progress` | đang thực hiện trong hạn | open, started (in progress or returned), not past due |
| `overdue` | quá hạn chưa hoàn thành | open and the due day has passed |
| `not_due` | chưa đến hạn | open, not started, not past due |

Tasks the agency has started count as being carried out within the term; those it has not
touched and whose day has not come are "not yet due". "Late" is judged against the due date in
force: a task whose due date a coordinator moved (an approved extension request, or a
reschedule) and that was completed by the new date is completed on time — its `late` flag is
set against that date (`models.tasks.operations.move_due`), and both `classify` and
`category_clause` read the flag, so Python and SQL agree. The same rules serve the dashboard, the
lists, the exports and the report sent upward, so their numbers agree.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.access import agency_filter
from models.core.errors import N_
from models.org.users import User
from models.plans.entities import Item, Plan
from models.tasks.entities import Task, TaskStatus, status_in
from models.tasks.errors import InvalidPeriod  # noqa: F401  (raised here)

DONE = (TaskStatus.SUBMITTED.value, TaskStatus.ACCEPTED.value)
STARTED = (TaskStatus.IN_PROGRESS.value, TaskStatus.RETURNED.value)


class Category(enum.StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    NOT_DUE = "not_due"


CATEGORY_LABELS = {  # msgids; the web translates them
    Category.DONE_ON_TIME: N_("Completed on time"),
    Category.DONE_LATE: N_("Completed late"),
    Category.IN_PROGRESS: N_("In progress within the term"),
    Category.OVERDUE: N_("Overdue, not completed"),
    Category.NOT_DUE: N_("Not yet due"),
}


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    RANGE = "range"


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class ReportPeriod:
    """A span of due dates a report covers: a month, quarter, half-year, year or date range."""

    kind: PeriodKind
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        """The period as written in URLs and on the command line (`2026-03`, `2026-Q1`, …)."""
        y = self.start.year
        if self.kind is PeriodKind.MONTH:
            return f"{y}-{self.start.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{y}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.HALF:
            return f"{y}-H{1 if self.start.month == 1 else 2}"
        if self.kind is PeriodKind.YEAR:
            return str(y)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def label(self, locale: str = "vi") -> str:
        """How an office names the period: "tháng 3 năm 2026", "quý I năm 2026", …"""
        y, m = self.start.year, self.start.month
        en = locale.startswith("en")
        if self.kind is PeriodKind.MONTH:
            return f"{calendar.month_name[m]} {y}" if en else f"tháng {m} năm {y}"
        if self.kind is PeriodKind.QUARTER:
            q = (m - 1) // 3 + 1
            return f"Q{q} {y}" if en else f"quý {_ROMAN[q]} năm {y}"
        if self.kind is PeriodKind.HALF:
            first = m == 1
            if en:
                return f"{'first' if first else 'second'} half of {y}"
            return f"6 tháng {'đầu' if first else 'cuối'} năm {y}"
        if self.kind is PeriodKind.YEAR:
            return f"year {y}" if en else f"năm {y}"
        a, b = self.start, self.end
        if en:
            return f"{a:%d/%m/%Y} to {b:%d/%m/%Y}"
        return f"từ ngày {a:%d/%m/%Y} đến ngày {b:%d/%m/%Y}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def clause(self):
        """Tasks whose due date falls in the period, as SQL."""
        return Task.due_on.between(self.start, self.end)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month(year: int, m: int) -> ReportPeriod:
    return ReportPeriod(PeriodKind.MONTH, date(year, m, 1), _month_end(year, m))


def parse_period(text: str) -> ReportPeriod:
    """`2026-03`, `2026-Q1`, `2026-H1`, `2026`, or `2026-03-01..2026-03-31` (inclusive)."""
    value = (text or "").strip().upper()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            return month(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            y, q = int(m[1]), int(m[2])
            return ReportPeriod(PeriodKind.QUARTER, date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        if m := re.fullmatch(r"(\d{4})-H([12])", value):
            y, h = int(m[1]), int(m[2])
            return ReportPeriod(PeriodKind.HALF, date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
        if m := re.fullmatch(r"(\d{4})", value):
            y = int(m[1])
            return ReportPeriod(PeriodKind.YEAR, date(y, 1, 1), date(y, 12, 31))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if start <= end and (end - start) <= timedelta(days=3660):
                return ReportPeriod(PeriodKind.RANGE, start, end)
    except ValueError:
        pass
    raise InvalidPeriod(field="period", value=text)


def period_of(kind: str, as_of: date) -> ReportPeriod:
    """The month, quarter, half-year or year that contains `as_of` ("this month" is one click)."""
    y, m = as_of.year, as_of.month
    keys = {"month": f"{y}-{m:02d}", "quarter": f"{y}-Q{(m - 1) // 3 + 1}",
            "half": f"{y}-H{1 if m <= 6 else 2}", "year": str(y)}
    if kind not in keys:
        raise InvalidPeriod(field="period", value=kind)
    return parse_period(keys[kind])


def classify(task: Task, as_of: date) -> Category:
    """The category of one task on `as_of` (the same rule as `category_case`)."""
    return category_of(task.status, task.late, task.due_on, as_of)


def category_of(status: str, late: bool, due_on, as_of) -> Category:
    """`classify` on bare values (dates, or ISO date strings on both sides)."""
    if status in DONE:
        return Category.DONE_LATE if late else Category.DONE_ON_TIME
    if due_on < as_of:
        return Category.OVERDUE
    return Category.IN_PROGRESS if status in STARTED else Category.NOT_DUE


def category_clause(category: Category | str, as_of: date):
    """The tasks of one category on `as_of`, as SQL."""
    done = status_in(DONE)
    not_past = Task.due_on >= as_of
    return {
        Category.DONE_ON_TIME: sa.and_(done, Task.late.is_(False)),
        Category.DONE_LATE: sa.and_(done, Task.late.is_(True)),
        Category.OVERDUE: Task.overdue_clause(as_of),
        Category.IN_PROGRESS: sa.and_(status_in(STARTED), not_past),
        Category.NOT_DUE: sa.and_(Task.status == TaskStatus.NOT_STARTED.value, not_past),
    }[Category(category)]


def category_case(as_of: date):
    """The category of each task on `as_of`, as one SQL expression (the rule of `classify`)."""
    return sa.case(*((category_clause(c, as_of), c.value) for c in Category), else_=None)


_NAMES = tuple(c.value for c in Category)


@dataclass(slots=True)
class CategoryCounts:
    """The five numbers of one row of a period report, and its rates."""

    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    overdue: int = 0
    not_due: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.in_progress + self.overdue + self.not_due

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def due(self) -> int:
        """Tasks whose day has come, or that are done: what the completion rate counts."""
        return self.done + self.overdue

    @property
    def completion_rate(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        """Completed on time among the tasks whose day has come (late or overdue lower it)."""
        return self.done_on_time / self.due if self.due else None

    def add(self, other: CategoryCounts) -> None:
        # spelled out: this runs once per (agency, item) cell of a period, thousands a page
        self.done_on_time += other.done_on_time
        self.done_late += other.done_late
        self.in_progress += other.in_progress
        self.overdue += other.overdue
        self.not_due += other.not_due

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in _NAMES}


def category_measures(as_of: date) -> list:
    """One count per category, each with its FILTER (one pass over the tasks, any grouping)."""
    return [sa.func.count().filter(category_clause(c, as_of)).label(c.value) for c in Category]


def counts_from(values) -> CategoryCounts:
    """The five counts in `Category` order (a row's measure columns) as CategoryCounts."""
    return CategoryCounts(*(v or 0 for v in values))


def plan_items(plan_code: str):
    """The item ids of a plan, as a subquery (the unique task index then finds the tasks)."""
    return (sa.select(Item.id).join(Plan, Item.plan_id == Plan.id)
            .where(Plan.code == plan_code).scalar_subquery())


def counts_by(session: Session, user: User, period: ReportPeriod, as_of: date, *,
              plan_code: str | None = None, by: tuple = (Task.agency_id,),
              where=()) -> dict[tuple, CategoryCounts]:
    """The five counts per group (agency by default) over the tasks due in `period`."""
    query = (sa.select(*by, *category_measures(as_of)).select_from(Task)
             .where(agency_filter(user, Task.agency_id), period.clause(), *where)
             .group_by(*by))
    if plan_code:
        query = query.where(Task.item_id.in_(plan_items(plan_code)))
    n = len(by)
    return {tuple(row[:n]): counts_from(row[n:]) for row in session.execute(query)}


def total(counts: dict[tuple, CategoryCounts]) -> CategoryCounts:
    out = CategoryCounts()
    for c in counts.values():
        out.add(c)
    return out
