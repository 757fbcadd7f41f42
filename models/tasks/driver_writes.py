"""`change_status` on a bare DB-API connection (PostgreSQL): the API's short way for a change.

The same rules (`status_step`), the same rows: the task's versioned UPDATE, its history row and
its audit event (`planwatch_audit_append`, the function `record` calls) are one statement, so
in autocommit the change is one transaction and one round trip, after the read of the task
(one more). What a Session would add (BEGIN, COMMIT, the unit of work, the ORM's objects) is
left out. A caller that gets a DomainError or None has written nothing and can go the usual way.
"""

from __future__ import annotations

import enum
import functools
import json
from datetime import datetime

from models.core.access import may_see
from models.core.audit import APPEND_ARGUMENTS, event_values
from models.org.users import User
from models.tasks.entities import Task, TaskUpdate
from models.tasks.errors import TaskNotFound
from models.tasks.operations import _CONTEXT, _TASK_ROW, TaskRow, snapshot, status_step

_TASK = Task.__table__
_HISTORY = TaskUpdate.__table__
# the history row's columns besides its id and task (as StatusStep.history fills them)
_HISTORY_COLUMNS = ("actor_id", "at", "action", "from_status", "to_status", "note", "late")


@functools.cache
def _read(dialect) -> tuple[str, tuple]:
    """`get_task_row`'s statement in the driver's SQL, and per column (task column or
    `<related>__<column>`, its result processor)."""
    compiled = _TASK_ROW.compile(dialect=dialect)
    columns = tuple((c.key, c.type._cached_result_processor(dialect, None))
                    for c in _TASK_ROW.selected_columns)
    return compiled.string, columns


def read_task(cursor, dialect, user: User, task_id: int) -> TaskRow:
    """`get_task_row` on a DB-API cursor: the TaskRow if the user may see it, else
    TaskNotFound."""
    sql, columns = _read(dialect)
    cursor.execute(sql, {"id": task_id})
    row = cursor.fetchone()
    if row is None:
        raise TaskNotFound(task_id=task_id)
    values = {name: (process(value) if process else value)
              for (name, process), value in zip(columns, row, strict=True)}
    task = TaskRow(**{c.key: values[c.key] for c in _TASK.c})
    item, plan, section, agency = (
        TaskRow(**{c: values[f"{name}__{c}"] for c in names})
        for name, (_, names) in _CONTEXT.items())
    item.plan, item.section, task.item, task.agency = plan, section, item, agency
    if not may_see(user, task):
        raise TaskNotFound(task_id=task_id)
    return task


def _sql_type(column, dialect) -> str:
    return column.type.compile(dialect=dialect)


@functools.cache
def _write(dialect, columns: tuple[str, ...]) -> str:
    """The change as one statement: UPDATE the task where its version is the one read, INSERT
    its history row from what the UPDATE returned, and append the audit event from what the
    INSERT returned (so nothing is appended when the version had moved: no row, no call)."""
    sets = ", ".join(f"{c} = CAST(%(v_{c})s AS {_sql_type(_TASK.c[c], dialect)})"
                     for c in columns)
    casts = ", ".join(f"CAST(%(h_{c})s AS {_sql_type(_HISTORY.c[c], dialect)})"
                      for c in _HISTORY_COLUMNS)
    arguments = ", ".join("CAST(history.task_id AS text)" if name == "entity_id"
                          else f"CAST(%(a_{name})s AS {kind})" for name, kind in APPEND_ARGUMENTS)
    return (
        f"WITH changed AS (UPDATE task SET {sets} "
        f"WHERE id = %(b_id)s AND version = %(b_version)s RETURNING id), "
        f"history AS (INSERT INTO task_update (task_id, {', '.join(_HISTORY_COLUMNS)}) "
        f"SELECT id, {casts} FROM changed RETURNING id, task_id) "
        f"SELECT history.id, event.id FROM history, "
        f"LATERAL planwatch_audit_append({arguments}) AS event")


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def change_status_driver(cursor, dialect, actor: User, task_id: int, to_status: str, *,
                         now: datetime, note: str = "", expected_version: int | None = None,
                         nil_return: bool = False) -> TaskRow | None:
    """Read the task, check the step (`status_step`: a DomainError refuses it), write it: the
    task as changed, or None when its version moved between the read and the write (nothing
    written). PostgreSQL only: `planwatch_audit_append` is its function."""
    if dialect.name != "postgresql":
        raise ValueError("change_status_driver is PostgreSQL's")
    task = read_task(cursor, dialect, actor, task_id)
    step = status_step(actor, task, to_status, now=now, note=note,
                       expected_version=expected_version, nil_return=nil_return)
    values = {**step.values, "version": task.version + 1}
    changed = TaskRow(**{**vars(task), **values})
    event = event_values(actor=actor, action=f"task.{step.action}", entity_type="task",
                         entity_id=task.id, before=step.before,
                         after={**snapshot(changed), "note": step.note}, now=now)
    params = {f"v_{k}": _plain(v) for k, v in values.items()}
    # the history row's columns as StatusStep.history sets them (no ORM object needed here)
    params.update(h_actor_id=actor.id, h_at=now, h_action=step.action,
                  h_from_status=_plain(step.before["status"]), h_to_status=_plain(step.to),
                  h_note=step.note, h_late=step.late)
    params.update({f"a_{k}": json.dumps(v) if k in ("before", "after") and v is not None else v
                   for k, v in event.items() if k != "entity_id"})
    params.update(b_id=task.id, b_version=task.version)
    cursor.execute(_write(dialect, tuple(values)), params)
    if cursor.fetchone() is None:
        return None
    return changed
