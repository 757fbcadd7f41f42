"""`change_status` without the ORM session: the API's short way for a change.

The same rules (`status_step`), the same rows. On PostgreSQL (`change_status_driver`, a bare
DB-API connection in autocommit) the task's versioned UPDATE, its history row and its audit
event (`planwatch_audit_append`, the function `record` calls) are one statement, so the change
is one transaction and one round trip, after the read of the task (one more). On SQLite
(`change_status_sqlite`, a bare sqlite3 connection) the read and the three writes are one
transaction, each statement compiled once.
What a Session would add (the unit of work, the ORM's objects, expiry) is left out. A caller
that gets a DomainError or None has written nothing and can go the usual way.
"""

from __future__ import annotations

import enum
import functools
import json
from datetime import datetime

from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite as sqlite_dialect

from models.core.audit import APPEND_ARGUMENTS, _append_statement, event_values
from models.org.users import User
from models.tasks.entities import Task, TaskUpdate
from models.tasks.errors import TaskNotFound
from models.tasks.operations import (
    _INSERT_UPDATE,
    _TASK_ROW,
    TaskRow,
    _change_statement,
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


class _Compiled:
    """A Core statement compiled once for a bare DB-API cursor: its SQL, the values it fixes
    itself (a literal, a LIMIT) and each parameter's bind processor (a timestamp in UTC, JSON
    as text), so the driver stores what a Core execution stores."""

    def __init__(self, statement, dialect, column_keys=None):
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql = compiled.string
        self.processors = {}
        self.fixed = {}
        for name, bind in compiled.binds.items():
            process = bind.type._cached_bind_processor(dialect)
            if process is not None:
                self.processors[name] = process
            if not bind.required and bind.callable is None:
                self.fixed[name] = process(bind.value) if process else bind.value

    def params(self, values: dict) -> dict:
        processors = self.processors
        params = dict(self.fixed)
        for name, value in values.items():
            value = _plain(value)
            process = processors.get(name)
            params[name] = process(value) if process else value
        return params


_SQLITE = sqlite_dialect(paramstyle="named")  # sqlite3 takes :name with a dict


@functools.cache
def _sqlite_writes(columns: tuple[str, ...]) -> tuple[_Compiled, _Compiled, _Compiled]:
    """The versioned UPDATE of these columns, the history INSERT and the event's append
    (`append_event`'s statement), compiled for sqlite3."""
    history = ("task_id", *_HISTORY_COLUMNS)
    event = tuple(name for name, _ in APPEND_ARGUMENTS if name != "canonical")
    return (_Compiled(_change_statement(columns, False), _SQLITE),
            _Compiled(_INSERT_UPDATE, _SQLITE, column_keys=history),
            _Compiled(_append_statement("sqlite"), _SQLITE, column_keys=event))


def change_status_sqlite(connection, actor: User, task_id: int, to_status: str, *,
                         now: datetime, note: str = "", expected_version: int | None = None,
                         nil_return: bool = False) -> TaskRow | None:
    """`change_status_driver` on SQLite: on a bare sqlite3 connection outside any transaction
    (the driver's default: it begins at the first write), the task read, the step, then the
    UPDATE where the version is still the one read, the history row and the event, committed
    together. The statements are those of the session's way (`_change_statement`,
    `_INSERT_UPDATE`, `append_event`'s), compiled once, without the Core execution around
    each. As through the session, the write lock is taken by the UPDATE, not before the read:
    a writer holds it only while it writes, and the chain's last hash is read under it. None
    when the version moved (nothing written); a DomainError writes nothing."""
    if connection.in_transaction:
        raise ValueError("change_status_sqlite begins its own transaction")
    cursor = connection.cursor()
    try:
        task = read_task(cursor, _SQLITE, actor, task_id)
        changed, values, step, event = _prepare(actor, task, to_status, now=now, note=note,
                                                expected_version=expected_version,
                                                nil_return=nil_return)
        update, history, append = _sqlite_writes(tuple(values))
        cursor.execute(update.sql, update.params(
            {**{f"v_{k}": v for k, v in values.items()}, "b_id": task.id,
             "b_version": task.version}))
        if cursor.rowcount != 1:
            connection.rollback()
            return None
        cursor.execute(history.sql, history.params(
            {"task_id": task.id, **step.history_values(actor, now)}))
        cursor.execute(append.sql, append.params(event))
        cursor.fetchone()
        connection.commit()
    except BaseException:
        connection.rollback()  # nothing of a failed change stays (none begun: a no-op)
        raise
    finally:
        cursor.close()
    return changed


def _prepare(actor: User, task: TaskRow, to_status: str, **kwargs):
    """The step the rules allow, the task as it will be, its new values and its event."""
    step = status_step(actor, task, to_status, **kwargs)
    values = {**step.values, "version": task.version + 1}
    changed = TaskRow(**{**vars(task), **values})
    event = event_values(actor=actor, now=kwargs["now"], **step.event(changed))
    return changed, values, step, event

