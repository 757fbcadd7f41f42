"""Task generation: opening one new month for every recurring item and agency."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.harness import Context, Figure, timed
from models.core.actors import SYSTEM
from models.tasks.entities import Task

ROUNDS = 3  # generate and floor alternate; the best of each counts


def _new_rows(conn, after_id: int) -> list[dict]:
    table = Task.__table__
    cols = [c for c in table.c if c.name != "id"]
    rows = conn.execute(sa.select(*cols).where(table.c.id > after_id)).mappings().all()
    return [dict(r) for r in rows]


def _delete_new(engine: sa.Engine, after_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(Task.__table__).where(Task.__table__.c.id > after_id))


def _bulk_insert(engine: sa.Engine, rows: list[dict]) -> None:
    """The floor: the same rows by the fastest bare bulk path (COPY, or one executemany)."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.insert(Task.__table__), rows)
        return
    cols = list(rows[0])
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cur:
            with cur.copy(f"COPY task ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in cols])
        raw.commit()
    finally:
        raw.close()


def figure(ctx: Context) -> list[Figure]:
    """generate_tasks(through=next month) against a bare executemany INSERT of the same rows."""
    from models.tasks.generation import generate_tasks

    engine, shape = ctx.engine, ctx.shape
    gen_now = shape.now + timedelta(days=15)
    with engine.connect() as conn:
        before = conn.scalar(sa.select(sa.func.max(Task.id))) or 0

    def generate() -> dict:
        with Session(engine) as session:
            created = generate_tasks(session, through=shape.next_month, now=gen_now,
                                     actor=SYSTEM)
            session.commit()
        return created

    gen_times, floor_times, rows = [], [], []
    for round_ in range(ROUNDS):
        seconds, created = timed(generate)
        gen_times.append(seconds)
        with engine.connect() as conn:
            rows = _new_rows(conn, before)
        if sum(created.values()) != len(rows) or not rows:
            raise RuntimeError(f"generate created {sum(created.values())}, found {len(rows)}")
        _delete_new(engine, before)

        floor_times.append(timed(lambda rows=rows: _bulk_insert(engine, rows))[0])
        if round_ < ROUNDS - 1:
            _delete_new(engine, before)
    # the floor's rows stay: the database now holds the new month, as after a real run
    with engine.connect() as conn:
        total = conn.scalar(sa.select(sa.func.count()).select_from(Task))
    ctx.notes["generated_rows"] = len(rows)
    gen, flo = min(gen_times), min(floor_times)
    return [Figure(
        "task generation", gen, "s", flo, goal="<= 2x",
        detail=f"{len(rows):,} new tasks into {total - len(rows):,}; "
               f"generate runs {', '.join(f'{t:.3f}' for t in gen_times)} s, "
               f"floor runs {', '.join(f'{t:.3f}' for t in floor_times)} s")]
