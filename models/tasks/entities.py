"""Tasks (one item for one agency for one period) and their history."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.attachments import Attachment
from models.core.db import UTCDateTime, db
from models.org.agencies import Agency
from models.org.users import User
from models.plans.entities import Item


class TaskStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


# statuses in which the agency still owes the work: these can be overdue and are reminded
OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
# the same, as the SQL the partial indexes below are defined with: written out as literals,
# since a database uses a partial index only for a query whose WHERE repeats its condition
# (a bound parameter would not match it)
OPEN_SQL = "status IN ('not_started', 'in_progress', 'returned')"
_OPEN_VALUES = frozenset(s.value for s in OPEN_STATUSES)


def overdue_on(status: str, due_on, today) -> bool:
    """The overdue rule on bare values: an open status and a due day before `today` (dates,
    or ISO date strings on both sides, as SQLite's driver returns them)."""
    return status in _OPEN_VALUES and due_on < today


def open_clause():
    """Tasks in an open status, as SQL that the partial indexes on open tasks answer."""
    return status_in(OPEN_STATUSES)


def status_in(statuses) -> sa.ColumnElement:
    """`task.status IN ('a', 'b')` with the statuses written as literals (they are constants):
    a partial index can match it, and a cached statement's SQL does not depend on a list."""
    return Task.status.in_([sa.literal_column(f"'{TaskStatus(s).value}'") for s in statuses])


class Task(db.Model):
    __tablename__ = "task"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "agency_id", "period_start"),
        sa.Index("ix_task_agency_status_due", "agency_id", "status", "due_on"),
        sa.Index("ix_task_status_due", "status", "due_on"),
        # a plan's items: a period's figures (due dates in the period) and the dashboard's one
        # grouped pass over a plan's tasks, from this index alone on PostgreSQL (index-only
        # scan); an officer's (item, agency) goes by the unique index above. Migration 0022
        # dropped an (item_id, agency_id) index with the same columns: one entry fewer to
        # write per task insert and status change
        sa.Index("ix_task_item_due", "item_id", "due_on",
                 postgresql_include=["agency_id", "status", "late"]),
        # every task by due date: the lists' and exports' order streams without a full sort
        sa.Index("ix_task_list_due", "due_on"),
        # open tasks by due date, in the order of the lists ("due": due date, agency, item):
        # the overdue page reads its first rows and its total from the index, without a sort
        sa.Index("ix_task_open_due", "due_on", "agency_id", "item_id", "id",
                 sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL)),
        # one agency's open tasks by due date (the officer's and the API's overdue list)
        sa.Index("ix_task_open_agency_due", "agency_id", "due_on", "item_id", "id",
                 sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    nominal_due_on: Mapped[date]  # what the due rule gives, before the working-day shift
    due_on: Mapped[date]
    # the due date before a coordinator first moved it (reschedule or an approved extension)
    original_due_on: Mapped[date | None]


    # the data the report covers, when the rule sets a cut-off ("số liệu từ 15/02 đến 14/03")
    data_from: Mapped[date | None]
    data_to: Mapped[date | None]
    event_on: Mapped[date | None]  # the event a `working_days_after` deadline counts from
    status: Mapped[str] = mapped_column(sa.String(16), default=TaskStatus.NOT_STARTED)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    request_note: Mapped[str] = mapped_column(sa.Text, default="")  # for on-request reports
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(default=False)
    nil_return: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    item: Mapped[Item] = relationship()
    agency: Mapped[Agency] = relationship()
    updates: Mapped[list[TaskUpdate]] = relationship(
        back_populates="task", order_by="TaskUpdate.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, today: date) -> bool:
        """Derived: the due day has passed and the agency has not submitted."""
        return overdue_on(self.status, self.due_on, today)

    @classmethod
    def overdue_clause(cls, today: date):
        """The same rule as `is_overdue`, as SQL."""
        return sa.and_(open_clause(), cls.due_on < today)


def lock_tasks(session, *where) -> list[Task]:
    """The tasks `where` selects, locked (FOR UPDATE on PostgreSQL; SQLite has one writer) in
    id order and read as they are once locked. An operation that changes several tasks and
    audits each calls it before its first event: the event takes the audit chain's lock until
    the commit, so locking a task only when it comes to it would wait for a status change that
    holds the task while it waits for the chain, a deadlock. Locked first, the other change
    finishes first, or waits and is then refused as stale."""
    return list(session.scalars(sa.select(Task).where(*where).order_by(Task.id)
                                .with_for_update(of=Task)
                                .execution_options(populate_existing=True)))


class TaskUpdate(db.Model):
    """One step in a task's history: a status change or a note, by whom and when."""

    __tablename__ = "task_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(sa.String(32))  # status | submit | accept | return | ...
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    late: Mapped[bool] = mapped_column(default=False)

    task: Mapped[Task] = relationship(back_populates="updates")
    actor: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="task_update", order_by="Attachment.id"
    )
