"""Deadline sweep: reminders and overdue notices into the outbox, first run and no-op rerun."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bench.harness import Context, Figure, Skip, timed
from bench.outbox import count, reflect_outbox, timed_floor


def figure(ctx: Context) -> list[Figure]:
    """sweep() twice against one hand-written INSERT … SELECT with the same effect."""
    outbox = reflect_outbox(ctx.engine)
    from models.notify.ladder import sweep

    engine, shape = ctx.engine, ctx.shape
    now, today = shape.now, shape.today
    if count(engine, outbox):
        raise Skip("the outbox is not empty before the sweep")

    def run(commit: bool) -> dict:
        with Session(engine) as session:
            created = sweep(session, now=now)
            if commit:
                session.commit()
            else:
                session.rollback()
        return created

    # a rolled-back first run warms caches and tells how many rows "the same effect" is
    warm_seconds, warm = timed(lambda: run(False))
    expected = sum(warm.values()) if isinstance(warm, dict) else None
    # the floor, on the same empty outbox, rolled back too
    floors = [timed_floor(engine, outbox, now=now, today=today, limit=expected) for _ in range(3)]
    floor_seconds = min(s for s, _ in floors)
    floor_rows = floors[0][1]
    first_seconds, created = timed(lambda: run(True))
    rows = count(engine, outbox)
    if not rows:
        raise Skip(f"the sweep wrote nothing at {now.isoformat()} ({created})")
    second_seconds, again = timed(lambda: run(True))
    rows_after = count(engine, outbox)
    ctx.notes["outbox_rows"] = rows
    sweep_seconds = min(warm_seconds, first_seconds)
    detail = (f"{rows:,} outbox rows ({created}); floor wrote {floor_rows:,}; "
              f"sweep runs {warm_seconds:.3f} (rolled back), {first_seconds:.3f} s")
    second = Figure(
        "deadline sweep, second run", second_seconds, "s", floor_seconds, goal="<= 0.3x",
        detail=f"new rows {rows_after - rows} ({again})",
        extra_goal=("no new rows", rows_after == rows))
    return [Figure("deadline sweep", sweep_seconds, "s", floor_seconds, goal="<= 1.5x",
                   detail=detail), second]
