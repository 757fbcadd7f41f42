"""GET /tasks: `as_of`, one statement per page, and the short-lived total of long lists."""

from __future__ import annotations

import sqlalchemy as sa

from models.tasks.entities import Task
from models.tasks.listing import TotalCache


def test_overdue_is_judged_on_as_of(as_role):
    coordinator = as_role("coordinator")
    today = coordinator.get("/tasks?overdue=true&page_size=200").get_json()
    earlier = coordinator.get("/tasks?overdue=true&as_of=2025-09-01&page_size=200").get_json()
    assert today["total"] > earlier["total"]
    assert all(row["due_on"] < "2025-09-01" and row["overdue"] for row in earlier["items"])
    assert all(row["category"] == "overdue" for row in earlier["items"])
    bad = coordinator.get("/tasks?as_of=yesterday")
    assert bad.status_code == 422 and "as_of" in bad.get_json()["errors"]["query"]


def test_a_long_lists_total_is_reused_for_its_seconds_and_the_items_stay_current(
        as_role, world, app, session):
    seconds = [0.0]
    app.extensions["planwatch_task_totals"] = TotalCache(seconds=5, min_total=1,
                                                         clock=lambda: seconds[0])
    officer = as_role("officer")
    first = officer.get("/tasks?overdue=true").get_json()
    assert first["total"] == len(first["items"]) >= 1
    task = session.get(Task, first["items"][0]["id"])
    moved = officer.post(f"/tasks/{task.id}/status", json={"status": "submitted", "note": ""},
                         etag=f'"{task.version}"')
    assert moved.status_code == 200, moved.get_json()
    again = officer.get("/tasks?overdue=true").get_json()
    assert [r["id"] for r in again["items"]] == [r["id"] for r in first["items"][1:]]
    assert again["total"] == first["total"]  # the documented lag: counted 0 s ago
    seconds[0] = 5.0
    assert officer.get("/tasks?overdue=true").get_json()["total"] == first["total"] - 1


def test_the_first_page_and_its_total_are_one_statement(as_role, app):
    """Through Flask (the lane switched off for this request: tests/api/test_task_list_lane.py
    counts the lane's own statements)."""
    from models.core.db import db
    from webapp.api.tasks.lane import DISABLE

    coordinator = as_role("coordinator")
    coordinator.get("/me")  # the token is now known to this worker
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        page = coordinator.get("/tasks?overdue=true&page_size=2",
                               environ_overrides={DISABLE: True}).get_json()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert page["total"] > 2 and len(page["items"]) == 2
    assert len(statements) == 1, statements
