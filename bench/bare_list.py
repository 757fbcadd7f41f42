"""The least a task list can cost here: the API's own statement on a bare DB-API connection.

`gunicorn bench.bare_list:app` with PLANWATCH_DATABASE_URL, PLANWATCH_BENCH_AGENCY and
PLANWATCH_BENCH_AS_OF: no Flask, no token, no query parsing; the cached statement of
`GET /api/v1/tasks?agency=A&overdue=true` (`models.tasks.listing.driver_page`, for a user who
sees every agency), its rows as the API writes them, orjson. The API figure is compared with it
in the same run: what is left between them is the API's own work (token, parsing, headers).
"""

from __future__ import annotations

import os
from datetime import date

import orjson

from models.core.db import make_engine
from models.tasks.listing import Codes, TaskListFilter, driver_connection, driver_page

_state: dict = {}


def _cursor():
    if _state.get("pid") != os.getpid():
        engine = make_engine(os.environ["PLANWATCH_DATABASE_URL"])
        conn = driver_connection(engine)  # as the API's short way
        _state.update(pid=os.getpid(), engine=engine, conn=conn, codes=Codes())
    return _state["conn"].cursor()


def app(environ, start_response):
    cursor = _cursor()
    try:
        rows, total = driver_page(
            cursor, _state["engine"].dialect, None,
            TaskListFilter(agency=os.environ["PLANWATCH_BENCH_AGENCY"], overdue=True),
            date.fromisoformat(os.environ["PLANWATCH_BENCH_AS_OF"]), "due", 50, 0,
            codes=_state["codes"])
    finally:
        cursor.close()
    body = orjson.dumps({"items": rows, "total": total, "page": 1, "page_size": 50})
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]
