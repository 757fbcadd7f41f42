"""What the lane tests share: the lane itself, an answer to compare, the SQL its cursors run."""

from __future__ import annotations

from contextlib import contextmanager

from webapp.api.tasks.lane import TaskListLane


def lane_of(app) -> TaskListLane:
    """The app's lane (the WSGI middleware in front of Flask)."""
    lane = app.wsgi_app
    assert isinstance(lane, TaskListLane)
    return lane


def answer(response):
    """Status, headers (the date aside) and body: what two answers must share."""
    headers = sorted((k, v) for k, v in response.headers.items() if k != "Date")
    return response.status_code, headers, response.get_data()


@contextmanager
def statements_of(lane):
    """The SQL each cursor the lane opens inside the block runs, in order."""
    seen: list[str] = []
    real = lane.cursor
    lane.cursor = lambda: _Counting(real(), seen)
    try:
        yield seen
    finally:
        lane.cursor = real


class _Counting:
    def __init__(self, cursor, seen):
        self._cursor, self._seen = cursor, seen

    def execute(self, sql, params=None):
        self._seen.append(sql)
        return self._cursor.execute(sql, params)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()

    def __getattr__(self, name):
        return getattr(self._cursor, name)
