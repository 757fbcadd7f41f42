"""The short way for `GET /api/v1/tasks`: a list read by a token this worker has just checked.

Clients poll the task list far more than anything else (sync tools, dashboards, the agencies'
own scripts). Through Flask such a request spends most of its time on what it does not need:
the request and app contexts, the cookie session, the ORM session, webargs, the hooks of the
web pages. This lane answers the common case before Flask sees it, with the same statement
(`models.tasks.listing.driver_page`: the cached statement of `page_rows`, compiled once, on
a bare DB-API connection kept by the worker), the same rows, the same JSON and the same headers.

It takes a request only when all of this holds, and passes anything else to Flask unchanged:
- `GET /api/v1/tasks` with `Authorization: Bearer <token>` whose token this worker has checked
  within `PLANWATCH_API_TOKEN_CACHE_SECONDS` (the same `TokenCache` as `require_token`: a first
  request, an expired entry or a revoked token goes through Flask, which checks and answers);
- a query string of the filters below, each once, each value in its plain form (a code, a
  status, `true`/`false`, an ISO date, a decimal page number); a period, a search, anything
  unknown, repeated, empty or malformed goes through Flask, which parses it and explains what is
  wrong (422);
- a page with rows, or the first page (past the end, the total is counted through Flask).
A database error drops the lane's connection and the request goes through Flask too. So the
lane never answers an error of its own: every refusal is Flask's, and every answer it gives is
one Flask gives (tests/api/test_task_list_lane.py compares the two, byte for byte).
"""

from __future__ import annotations

import os
import re
import threading
from datetime import date

import orjson

from models.core.clock import local_today
from models.core.db import db
from models.org.tokens import hash_secret
from models.tasks.entities import TaskStatus
from models.tasks.listing import SORTS, TaskListFilter, driver_connection, driver_page
from models.tasks.periods import Category
from webapp import clock
from webapp.api.core import CODE, PREFIX, Paging
from webapp.api.tasks.schemas import TaskQueryArgsSchema
from webapp.input_guard import MAX_QUERY
from webapp.security import CSP

PATH = PREFIX + "/tasks"
DISABLE = "planwatch.lane.off"  # an environ key: tests send a request through Flask alone
_CODE = re.compile(CODE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DIGITS = re.compile(r"^[1-9][0-9]{0,5}$")
_STATUSES = frozenset(s.value for s in TaskStatus)
_CATEGORIES = frozenset(c.value for c in Category)
_BOOLEANS = {"true": True, "false": False}
# what Flask's schema fills in when a request leaves these out
_DEFAULTS = {name: field.load_default for name, field in TaskQueryArgsSchema().fields.items()
             if name in ("page", "page_size", "sort")}
# the headers Flask gives this answer (security.py's, and Vary: the session was looked at)
HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
           ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"), ("Vary", "Cookie"))


def _date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _code(text: str) -> str | None:
    return text if _CODE.match(text) else None


def _page(low: int, high: int):
    def parse(text: str) -> int | None:
        return int(text) if _DIGITS.match(text) and low <= int(text) <= high else None
    return parse


PARSERS = {
    "plan": _code, "section": _code, "item": _code, "agency": _code,
    "status": lambda t: t if t in _STATUSES else None,
    "category": lambda t: t if t in _CATEGORIES else None,
    "overdue": _BOOLEANS.get,
    "due_from": _date, "due_to": _date, "as_of": _date,
    "sort": lambda t: t if t in SORTS else None,
    "page": _page(1, 100_000), "page_size": _page(1, 200),
}


def parse_query(query: str) -> dict | None:
    """The filters of a plain query string, or None when Flask must parse it."""
    if len(query) > MAX_QUERY:
        return None
    args: dict = {}
    if not query:
        return args
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        # percent-encoding, "+" and anything else unusual: Flask decodes and validates it
        if not eq or name in args or "%" in pair or "+" in pair:
            return None
        parser = PARSERS.get(name)
        parsed = parser(value) if parser is not None else None
        if parsed is None:
            return None
        args[name] = parsed
    return args


class TaskListLane:
    """WSGI middleware in front of the Flask app (`app.wsgi_app`): see the module's text."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._local = threading.local()  # one connection per worker thread
        self._engine = None
        self.served = 0  # answers given here (not by Flask), for tests and the curious

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "GET"
                and not environ.get(DISABLE)):
            body = self.answer(environ)
            if body is not None:
                start_response("200 OK", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body))), *HEADERS])
                return [body]
        return self.wsgi_app(environ, start_response)

    def answer(self, environ) -> bytes | None:
        """The JSON of the list, or None to let Flask answer."""
        scheme, _, secret = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        cache = self.app.extensions.get("planwatch_token_cache")
        if scheme.lower() != "bearer" or cache is None:
            return None
        secret = secret.strip()
        if not secret or len(secret) > 200:
            return None
        args = parse_query(environ.get("QUERY_STRING", ""))
        if args is None:
            return None
        now = clock.now(self.app)
        user = cache.get(hash_secret(secret), now)
        if user is None:
            return None
        page = Paging(args.pop("page", _DEFAULTS["page"]),
                      args.pop("page_size", _DEFAULTS["page_size"]))
        sort = args.pop("sort", _DEFAULTS["sort"])
        as_of = args.pop("as_of", None) or local_today(now)
        totals = self.app.extensions.get("planwatch_task_totals")
        try:
            cursor = self.cursor()
            try:
                found = driver_page(cursor, self._engine.dialect, user, TaskListFilter(**args),
                                    as_of, sort, page.size, page.offset, totals)
            finally:
                cursor.close()
        except Exception:  # the database: Flask answers (and logs) it with a fresh connection
            self.drop()
            return None
        if found is None:
            return None
        self.served += 1
        return orjson.dumps(page.of(*found))

    def cursor(self):
        """A cursor on this thread's own connection, opened on first use in this process."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.conn, local.pid = None, os.getpid()  # forked: not the parent's socket
        if local.conn is None:
            if self._engine is None:
                with self.app.app_context():
                    self._engine = db.engine
            local.conn = driver_connection(self._engine)
        return local.conn.cursor()

    def drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: S110 - already broken
                pass


def init_app(app) -> None:
    app.wsgi_app = TaskListLane(app, app.wsgi_app)
