"""Operations on tasks: every status change goes through here, checked, versioned and audited."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from models.core.access import can_see_agency, may_see
from models.core.actors import require_user
from models.core.audit import record
from models.core.clock import end_of_day
from models.core.errors import (
    DomainError,
    RecordChanged,
    UnknownValue,
)
from models.org.agencies import Agency
from models.org.users import Role, User
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import OPEN_STATUSES, Task, TaskStatus, TaskUpdate, lock_tasks
from models.tasks.errors import (
    BulkAcceptNothingChosen,
    BulkAcceptRefused,
    CommentForbidden,
    NilReturnNotAllowed,
    NoteEmpty,
    RescheduleCoordinatorOnly,
    RescheduleNeedsReason,
    RescheduleNotOpen,
    ReturnNeedsReason,
    TaskActionForbidden,
    TaskNotFound,
    TaskTransitionNotAllowed,
)

# (from, to) -> the action name and the roles allowed to take it
_REPORTERS = (Role.OFFICER, Role.COORDINATOR, Role.ADMIN)
_REVIEWERS = (Role.COORDINATOR, Role.ADMIN)
TRANSITIONS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS): ("start", _REPORTERS),
    (TaskStatus.NOT_STARTED, TaskStatus.SUBMITTED): ("submit", _REPORTERS),
    (TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED): ("submit", _REPORTERS),
    (TaskStatus.RETURNED, TaskStatus.IN_PROGRESS): ("start", _REPORTERS),
    (TaskStatus.RETURNED, TaskStatus.SUBMITTED): ("submit", _REPORTERS),
    (TaskStatus.SUBMITTED, TaskStatus.ACCEPTED): ("accept", _REVIEWERS),
    (TaskStatus.SUBMITTED, TaskStatus.RETURNED): ("return", _REVIEWERS),
}


def snapshot(task: Task) -> dict:
    """The fields of a task that history and audit compare."""
    return {
        "status": task.status,
        "due_on": task.due_on,
        "original_due_on": task.original_due_on,
        "agency_id": task.agency_id,
        "submitted_at": task.submitted_at,
        "late": task.late,
        "nil_return": task.nil_return,
        "version": task.version,
    }


# what a task is shown and checked with (its item, plan, section and agency): one query
TASK_WITH_CONTEXT = (
    joinedload(Task.item).joinedload(Item.plan),
    joinedload(Task.item).joinedload(Item.section),
    joinedload(Task.agency),
)


# the same, as a statement built once (its cache key and compiled form are reused; building a
# query per call cost about as much as the ORM's loading of the five rows)
_TASK_BY_ID = sa.select(Task).options(*TASK_WITH_CONTEXT).where(Task.id == sa.bindparam("id"))


def get_task(session: Session, user: User, task_id: int) -> Task:
    """The task if the user may see it (another agency's task is simply not found), with its
    item, plan, section and agency in the same query (none if the session has it loaded)."""
    task = session.identity_map.get(identity_key(Task, task_id))
    if task is None or sa.inspect(task).expired:
        task = session.scalars(_TASK_BY_ID, {"id": task_id}).unique().one_or_none()
    if task is None or not may_see(user, task):
        raise TaskNotFound(task_id=task_id)
    return task


class TaskRow(SimpleNamespace):
    """A task read for a change through the API: its columns, and the fields of its item, plan,
    section and agency that the rules and the answer use (`row.item.plan.timezone`,
    `row.agency.code`), from one statement of plain columns. `change_status` takes it as it
    takes a Task; it is not an ORM object, so nothing of it is tracked, flushed or expired.
    """

    is_overdue = Task.is_overdue  # the same rule, on the same attributes


_CONTEXT = {  # what of each related row a TaskRow carries
    "item": (Item.__table__, ("id", "code", "title_vi", "title_en", "due_rule",
                              "allows_nil_return")),
    "plan": (Plan.__table__, ("id", "code", "timezone", "due_roll")),
    "section": (Section.__table__, ("id", "code")),
    "agency": (Agency.__table__, ("id", "code")),
}
_T, _I, _P, _S, _A = Task.__table__, *(table for table, _ in _CONTEXT.values())
_TASK_ROW = (
    sa.select(*_T.c, *(table.c[c].label(f"{name}__{c}")
                       for name, (table, columns) in _CONTEXT.items() for c in columns))
    .select_from(_T.join(_I, _I.c.id == _T.c.item_id).join(_P, _P.c.id == _I.c.plan_id)
                 .join(_S, _S.c.id == _I.c.section_id).join(_A, _A.c.id == _T.c.agency_id))
    .where(_T.c.id == sa.bindparam("id")))


def get_task_row(session: Session, user: User, task_id: int) -> TaskRow:
    """The task as a TaskRow if the user may see it (else TaskNotFound, as `get_task`)."""
    return read_task_row(session.connection(), user, task_id)


def read_task_row(connection: sa.Connection, user: User, task_id: int) -> TaskRow:
    """`get_task_row` on a Core connection (the API's short way on SQLite)."""
    row = connection.execute(_TASK_ROW, {"id": task_id}).first()
    if row is None:
        raise TaskNotFound(task_id=task_id)
    return task_row(row._mapping, user, task_id)


def task_row(values, user: User, task_id: int) -> TaskRow:
    """A TaskRow of `_TASK_ROW`'s values (by column key: `code`, `item__code`...) if the user
    may see it, else TaskNotFound."""
    task = TaskRow(**{c.key: values[c.key] for c in _T.c})
    item, plan, section, agency = (
        SimpleNamespace(**{c: values[f"{name}__{c}"] for c in columns})
        for name, (_, columns) in _CONTEXT.items())
    item.plan, item.section, task.item, task.agency = plan, section, item, agency
    if not may_see(user, task):
        raise TaskNotFound(task_id=task_id)
    return task


def check_version(obj, expected_version: int | None) -> None:
    """Refuse a change based on a stale read."""
    if expected_version is not None and obj.version != expected_version:
        raise RecordChanged(
            expected=expected_version,
            current=obj.version,
        )


def allowed_targets(task: Task, user: User) -> list[str]:
    """The statuses this user may move the task to now (for buttons and API hints)."""
    out = []
    for (src, dst), (_, roles) in TRANSITIONS.items():
        if src == task.status and user.role in roles:
            if user.role == Role.OFFICER and user.agency_id != task.agency_id:
                continue
            out.append(str(dst))
    return out


@dataclass(frozen=True)
class StatusStep:
    """A status change as the rules allow it, before it is written: the task's new values
    (its version aside), the history row's action, lateness and note, the audit's before."""

    action: str
    to: TaskStatus
    values: dict
    late: bool
    note: str
    before: dict

    def history_values(self, actor: User, now: datetime) -> dict:
        """The history row's columns besides its id and its task."""
        return {"actor_id": actor.id, "at": now, "action": self.action,
                "from_status": self.before["status"], "to_status": self.to, "note": self.note,
                "late": self.late}

    def history(self, actor: User, task, now: datetime) -> TaskUpdate:
        return TaskUpdate(task_id=task.id, **self.history_values(actor, now))

    def event(self, changed) -> dict:
        """The audit event of the step (`record`'s and `event_values`' keywords besides the
        actor and the time), from the task as the step left it."""
        return {"action": f"task.{self.action}", "entity_type": "task",
                "entity_id": changed.id, "before": self.before,
                "after": {**snapshot(changed), "note": self.note}}


def status_step(actor: User, task: Task | TaskRow, to_status: str, *, now: datetime,
                note: str = "", expected_version: int | None = None,
                nil_return: bool = False) -> StatusStep:
    """The rules of `change_status`, on a task as read: the step, or the DomainError that
    refuses it (nothing written either way)."""
    require_user(actor)
    if not can_see_agency(actor, task.agency_id):
        raise TaskNotFound(task_id=task.id)
    try:
        to = TaskStatus(to_status)
    except ValueError:
        raise UnknownValue(field="status", value=to_status) from None
    rule = TRANSITIONS.get((task.status, to))
    if rule is None:
        check_version(task, expected_version)  # moved on since it was read: that is the reason
        raise TaskTransitionNotAllowed(current=task.status, target=to)
    action, roles = rule
    if actor.role not in roles:
        raise TaskActionForbidden(action=action, role=actor.role)
    check_version(task, expected_version)
    note = (note or "").strip()
    if action == "return" and not note:
        raise ReturnNeedsReason(field="note")
    if nil_return and not (action == "submit" and task.item.allows_nil_return):
        raise NilReturnNotAllowed(field="nil_return")
    late = False
    values = {"status": to, "updated_at": now}
    if to == TaskStatus.SUBMITTED:
        late = now > end_of_day(task.due_on, task.item.plan.timezone)
        values.update(submitted_at=now, late=late, nil_return=nil_return)
    return StatusStep(action="nil_return" if nil_return else action, to=to, values=values,
                      late=late, note=note, before=snapshot(task))


def change_status(
    session: Session,
    actor: User,
    task: Task | TaskRow,
    to_status: str,
    *,
    now: datetime,
    note: str = "",
    expected_version: int | None = None,
    nil_return: bool = False,
) -> TaskUpdate:
    """Move a task along its workflow, recording who, when, late or not, and why."""
    step = status_step(actor, task, to_status, now=now, note=note,
                       expected_version=expected_version, nil_return=nil_return)
    update = _write_change(session, task, step.values, step.history(actor, task, now))
    record(session, actor=actor, now=now, **step.event(task))
    return update


_TASK = Task.__table__
_TASK_UPDATE = TaskUpdate.__table__
_INSERT_UPDATE = sa.insert(_TASK_UPDATE)  # built once: its compiled form is cached
_HISTORY = tuple(c.key for c in _TASK_UPDATE.columns if c.key != "id")


def _set(columns: tuple[str, ...]) -> dict:
    return {c: sa.bindparam(f"v_{c}", type_=_TASK.c[c].type) for c in columns}


def _changed(columns: tuple[str, ...]):
    """UPDATE task SET <columns> WHERE id = :b_id AND version = :b_version."""
    return (sa.update(_TASK).where(_TASK.c.id == sa.bindparam("b_id"),
                                   _TASK.c.version == sa.bindparam("b_version"))
            .values(_set(columns)))


@functools.cache
def _change_statement(columns: tuple[str, ...], postgres: bool):
    """The task's versioned UPDATE, built once per set of columns (values come with the
    execution as v_<column>). On PostgreSQL one statement also inserts the history row (h_<column>)
    when the UPDATE matched: RETURNING the new row's id."""
    if not postgres:
        return _changed(columns)
    changed = _changed(columns).returning(_TASK.c.id).cte("changed")
    others = [c for c in _HISTORY if c != "task_id"]
    history = sa.select(changed.c.id, *(
        sa.bindparam(f"h_{c}", type_=_TASK_UPDATE.c[c].type) for c in others))
    return (sa.insert(_TASK_UPDATE).from_select(["task_id", *others], history)
            .returning(_TASK_UPDATE.c.id).add_cte(changed))


def _write_change(session: Session, task: Task | TaskRow, values: dict,
                  update: TaskUpdate) -> TaskUpdate:
    """Write a change of `task` and its history row, without the unit of work: one statement
    on PostgreSQL, two on SQLite.

    The UPDATE checks the version the task was read at (a change made since by someone else
    matches no row: RecordChanged, as the ORM's version check answered) and bumps it. The
    task and the history row are then set as the database has them, as if loaded: nothing is
    left to flush, and the answer is built without reloading them.
    """
    if session.dirty or session.new or session.deleted:
        session.flush()  # the caller's own pending changes first (and the version they bump)
    version = task.version
    values = {**values, "version": version + 1}
    postgres = session.get_bind().dialect.name == "postgresql"
    connection = session.connection()
    params = {**{f"v_{k}": v for k, v in values.items()}, "b_id": task.id, "b_version": version}
    history = {c: getattr(update, c) for c in _HISTORY}
    if postgres:
        params.update({f"h_{c}": v for c, v in history.items() if c != "task_id"})
        row = connection.execute(_change_statement(tuple(values), True), params).first()
        if row is None:
            raise RecordChanged()
        update.id = row[0]
    elif connection.execute(_change_statement(tuple(values), False), params).rowcount != 1:
        raise RecordChanged()
    else:
        update.id = connection.execute(_INSERT_UPDATE, history).inserted_primary_key[0]
    make_transient_to_detached(update)
    session.add(update)  # persistent, as loaded: its attachments and actor load when asked for
    if not isinstance(task, Task):  # a TaskRow: its new values, nothing more to keep in step
        for key, value in values.items():
            setattr(task, key, value)
        return update
    for key, value in values.items():
        set_committed_value(task, key, value)
    set_committed_value(update, "task", task)
    if "updates" in task.__dict__:  # a history already loaded shows the new step, as before
        set_committed_value(task, "updates", [*task.updates, update])
    return update


def accept_many(
    session: Session,
    actor: User,
    choices: list[tuple[int, int | None]],
    *,
    now: datetime,
    note: str = "",
) -> list[TaskUpdate]:
    """Accept several submitted reports at once: each accepted and audited as `change_status`
    does, or none of them (a savepoint) with an error naming the report that could not be.

    `choices` are (task id, the version the reviewer saw); a task changed since is refused.
    """
    require_user(actor)
    seen: dict[int, int | None] = {}
    for task_id, version in choices:
        seen.setdefault(task_id, version)
    if not seen:
        raise BulkAcceptNothingChosen(field="task_ids")
    updates = []
    savepoint = session.begin_nested()
    try:
        lock_tasks(session, Task.id.in_(seen))  # one changed meanwhile is refused below
        for task_id, version in seen.items():
            task = get_task(session, actor, task_id)
            try:
                updates.append(change_status(session, actor, task, TaskStatus.ACCEPTED, now=now,
                                             note=note, expected_version=version))
            except DomainError as exc:
                raise BulkAcceptRefused(
                    task_id=task.id, agency=task.agency.name("vi"), item=task.item.title("vi"),
                    due=task.due_on.strftime("%d/%m/%Y"), cause=type(exc).code) from exc
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return updates


def add_note(session: Session, actor: User, task: Task, note: str, *, now: datetime) -> TaskUpdate:
    """A note on a task without a status change."""
    require_user(actor)
    if not can_see_agency(actor, task.agency_id):
        raise TaskNotFound(task_id=task.id)
    if actor.role not in (Role.OFFICER, Role.COORDINATOR, Role.ADMIN):
        raise CommentForbidden(role=actor.role)
    note = (note or "").strip()
    if not note:
        raise NoteEmpty(field="note")
    update = TaskUpdate(
        task=task, actor_id=actor.id, at=now, action="note",
        from_status=task.status, to_status=task.status, note=note,
    )
    session.add(update)
    session.flush()
    record(session, actor=actor, action="task.note", entity_type="task", entity_id=task.id,
           before=None, after={"note": note}, now=now)
    return update


def reschedule(
    session: Session,
    actor: User,
    task: Task,
    due_on: date,
    *,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> TaskUpdate:
    """A coordinator moves a task's due date, with a reason kept in its history."""
    require_user(actor)
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise RescheduleCoordinatorOnly(role=actor.role)
    if task.status not in OPEN_STATUSES:
        raise RescheduleNotOpen(current=task.status)
    if not (reason or "").strip():
        raise RescheduleNeedsReason(field="reason")
    check_version(task, expected_version)
    before = snapshot(task)
    move_due(task, due_on, now=now)
    update = TaskUpdate(
        task=task, actor_id=actor.id, at=now, action="reschedule",
        from_status=task.status, to_status=task.status,
        note=f"{before['due_on'].isoformat()} → {due_on.isoformat()}: {reason.strip()}",
    )
    session.add(update)
    session.flush()
    record(session, actor=actor, action="task.reschedule", entity_type="task",
           entity_id=task.id, before=before, after=snapshot(task) | {"reason": reason}, now=now)
    return update


def move_due(task: Task, due_on: date, *, now: datetime) -> None:
    """Set a new due date, keeping the first one; a submitted task's lateness is judged again
    against it (a report sent within an approved extension is on time)."""
    if task.original_due_on is None:
        task.original_due_on = task.due_on
    task.due_on = due_on
    if task.submitted_at is not None and task.status in (TaskStatus.SUBMITTED,
                                                          TaskStatus.ACCEPTED):
        task.late = task.submitted_at > end_of_day(due_on, task.item.plan.timezone)
    task.updated_at = now
