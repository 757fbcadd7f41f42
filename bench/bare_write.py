"""The least a committed change can cost here: one small row INSERTed and committed per request.

`gunicorn bench.bare_write:app` with PLANWATCH_DATABASE_URL: no Flask, no token, no parsing,
no read; each request, whatever its method and path, inserts one row into `bench_write` (made
by the bench, `create_table`) on a bare DB-API connection opened as the API's short way opens
its own (`models.tasks.listing.driver_connection`: autocommit on PostgreSQL, the app's pragmas
on SQLite: WAL, its default synchronous=FULL) and commits it. So it is one round trip and one
wait for the disk. A status change does two round trips (the task's read, then its write),
writes three rows and their indexes and extends the audit chain, then waits for the disk once:
the figure compared with this floor in the same run shows what of its time is the machine's.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from models.core.db import make_engine
from models.tasks.listing import driver_connection

TABLE = "bench_write"
_state: dict = {}


def create_table(engine: sa.Engine) -> None:
    """The floor's table, empty (dropped first if an earlier run left it)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        key = ("id SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql"
               else "id INTEGER PRIMARY KEY")
        conn.exec_driver_sql(f"CREATE TABLE {TABLE} ({key}, at VARCHAR(40) NOT NULL, "
                             "note VARCHAR(40) NOT NULL)")


def drop_table(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


def _connection():
    if _state.get("pid") != os.getpid():
        engine = make_engine(os.environ["PLANWATCH_DATABASE_URL"])
        conn = driver_connection(engine)
        postgresql = engine.dialect.name == "postgresql"
        sql = (f"INSERT INTO {TABLE} (at, note) VALUES (%s, %s)" if postgresql
               else f"INSERT INTO {TABLE} (at, note) VALUES (?, ?)")
        _state.update(pid=os.getpid(), conn=conn, sql=sql, commit=not postgresql)
    return _state["conn"]


def app(environ, start_response):
    conn = _connection()
    length = environ.get("CONTENT_LENGTH", "")
    if length.isdigit():
        environ["wsgi.input"].read(int(length))  # the body a status change sends, unread
    cursor = conn.cursor()
    try:
        cursor.execute(_state["sql"], (environ.get("HTTP_IF_MATCH", ""), "bench"))
        if _state["commit"]:
            conn.commit()
    finally:
        cursor.close()
    body = b'{"written": true}'
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]
