"""Writing many task rows at once, skipping those whose (item, agency, period) already exists."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from operator import itemgetter

from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from models.tasks.entities import Task

COLUMNS = ("item_id", "agency_id", "period_start", "period_end", "nominal_due_on", "due_on",
           "data_from", "data_to", "status", "request_note", "late", "nil_return", "created_at",
           "updated_at", "version")
KEY = ("item_id", "agency_id", "period_start")


def insert_missing(session: Session, rows: list[dict], chunk: int = 5000) -> Counter[int]:
    """Insert the rows that are new (the unique key decides); returns how many per item id."""
    if not rows:
        return Counter()
    if session.get_bind().dialect.name == "postgresql":
        # the rows were planned as missing, so they nearly always are: try the plain COPY,
        # and only when a concurrent run got there first take the slower, conflict-safe path
        return _copy(session, rows) or _copy_then_insert(session, rows)
    # one executemany per item (rows come grouped by item): its rowcount is that item's count,
    # without the cost of RETURNING through a multi-row VALUES statement
    stmt = sqlite.insert(Task.__table__).on_conflict_do_nothing(index_elements=list(KEY))
    conn = session.connection()
    created: Counter[int] = Counter()
    for item_id, group in groupby(rows, key=itemgetter("item_id")):
        group = list(group)
        for i in range(0, len(group), chunk):
            created[item_id] += conn.execute(stmt, group[i:i + chunk]).rowcount
    return +created


def _copy(session: Session, rows: list[dict]) -> Counter[int] | None:
    """COPY straight into the table; a unique violation undoes it (savepoint) and says so."""
    import psycopg

    cols = ", ".join(COLUMNS)
    raw = session.connection().connection.driver_connection
    try:
        with raw.transaction(), raw.cursor() as cur:  # a savepoint inside the session's transaction
            with cur.copy(f"COPY {Task.__tablename__} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in COLUMNS])
    except psycopg.errors.UniqueViolation:
        return None
    return Counter(row["item_id"] for row in rows)


def _copy_then_insert(session: Session, rows: list[dict]) -> Counter[int]:
    """COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.

    A multi-row INSERT with thousands of parameters costs psycopg more to parse and bind than
    the database spends writing the rows; COPY streams them, and the final INSERT keeps the
    unique key as the guard against a concurrent run, in the session's own transaction.
    """
    cols = ", ".join(COLUMNS)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS new_task ON COMMIT DELETE ROWS AS "
                    f"SELECT {cols} FROM {Task.__tablename__} WITH NO DATA")
        cur.execute("TRUNCATE new_task")
        with cur.copy(f"COPY new_task ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in COLUMNS])
        cur.execute(
            f"WITH ins AS (INSERT INTO {Task.__tablename__} ({cols}) SELECT {cols} FROM new_task "
            f"ON CONFLICT ({', '.join(KEY)}) DO NOTHING RETURNING item_id) "
            f"SELECT item_id, count(*) FROM ins GROUP BY item_id")
        return Counter(dict(cur.fetchall()))

