"""`change_status` without the ORM session: the API's short way for a change.

The same rules (`status_step`), the same rows. On PostgreSQL (`change_status_driver`, a bare
DB-API connection in autocommit) the task's versioned UPDATE, its history row and its audit
event (`planwatch_audit_append`, the function `record` calls) are one statement, so the change
is one transaction and one round trip, after the read of the task (one more). On SQLite
(`change_status_core`, a Core connection) the read and the three writes are one transaction.
What a Session would add (the unit of work, the ORM's objects, expiry) is left out. A caller
that gets a DomainError or None has written nothing and can go the usual way.
"""

from __future__ import annotations

import enum
import functools
import json
from datetime import datetime

import sqlalchemy as sa

from models.core.audit import APPEND_ARGUMENTS, append_event, event_values
from models.org.users import User
from models.tasks.entities import Task, TaskUpdate
from models.tasks.errors import TaskNotFound
from models.tasks.operations import (
    _INSERT_UPDATE,
    _TASK_ROW,
    TaskRow,
    _change_statement,
    read_task_row,
    status_step,
    task_row,
)

_TASK = Task.__table__
_HISTORY = TaskUpdate.__table__
# the history row's columns besides its id and task (StatusStep.history_values' keys)
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
    return task_row(values, user, task_id)


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
    changed, values, step, event = _prepare(actor, task, to_status, now=now, note=note,
                                            expected_version=expected_version,
                                            nil_return=nil_return)
    params = {f"v_{k}": _plain(v) for k, v in values.items()}
    params.update({f"h_{k}": _plain(v) for k, v in step.history_values(actor, now).items()})
    params.update({f"a_{k}": json.dumps(v) if k in ("before", "after") and v is not None else v
                   for k, v in event.items() if k != "entity_id"})
    params.update(b_id=task.id, b_version=task.version)
    cursor.execute(_write(dialect, tuple(values)), params)
    if cursor.fetchone() is None:
        return None
    return changed


def change_status_core(connection: sa.Connection, actor: User, task_id: int, to_status: str, *,
                       now: datetime, note: str = "", expected_version: int | None = None,
                       nil_return: bool = False) -> TaskRow | None:
    """`change_status_driver` on a Core connection outside any transaction (SQLite): the task
    read, the step, then the UPDATE where the version is still the one read, the history row
    and the event, committed together. As through the session, the write lock is taken by the
    UPDATE (SQLite's driver begins at the first write), not before the read: a writer holds it
    only while it writes. None when the version moved (nothing written); a DomainError
    writes nothing."""
    with connection.begin() as transaction:
        task = read_task_row(connection, actor, task_id)
        changed, values, step, event = _prepare(actor, task, to_status, now=now, note=note,
                                                expected_version=expected_version,
                                                nil_return=nil_return)
        params = {**{f"v_{k}": v for k, v in values.items()}, "b_id": task.id,
                  "b_version": task.version}
        if connection.execute(_change_statement(tuple(values), False), params).rowcount != 1:
            transaction.rollback()
            return None
        connection.execute(_INSERT_UPDATE,
                           {"task_id": task.id, **step.history_values(actor, now)})
        append_event(connection, event)
    return changed


def _prepare(actor: User, task: TaskRow, to_status: str, **kwargs):
    """The step the rules allow, the task as it will be, its new values and its event."""
    step = status_step(actor, task, to_status, **kwargs)
    values = {**step.values, "version": task.version + 1}
    changed = TaskRow(**{**vars(task), **values})
    event = event_values(actor=actor, now=kwargs["now"], **step.event(changed))
    return changed, values, step, event

