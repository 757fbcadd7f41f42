"""The short ways for `GET /api/v1/tasks` and `POST /api/v1/tasks/{id}/status`, by a token this
worker has just checked.

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

A status change (clients that report in bulk, the agencies' scripts) takes the lane when the
token is in the cache as above, the body is `application/json` with a Content-Length and in
StatusChangeSchema's plain form (`parse_status_body`), and If-Match names one version (`"3"`).
`models.tasks.driver_writes` reads the task and applies `status_step`, the rules of
`change_status`; on PostgreSQL the UPDATE, the history row and the audit event are then one
statement on the lane's connection, on SQLite one transaction on the same bare connection
(`change_status_sqlite`). A refusal of the rules, a version that moved (412) or a database
error has written nothing and goes to Flask, which answers it; the answer the lane gives is
Flask's (tests/api/test_status_lane.py compares them). On SQLite the lane's commits leave the
WAL's checkpoints to a thread of the worker's (models/core/wal.py), so none waits for one.
"""

from __future__ import annotations

import io
import os
import re
import threading
from datetime import date

import orjson

from models.core.clock import local_today
from models.core.db import db
from models.core.errors import DomainError
from models.core.wal import WalCheckpointer
from models.org.tokens import hash_secret
from models.tasks.driver_writes import change_status_driver, change_status_sqlite
from models.tasks.entities import TaskStatus
from models.tasks.listing import (
    SORTS,
    Codes,
    TaskListFilter,
    driver_connection,
    driver_page,
)
from models.tasks.periods import Category
from webapp import clock
from webapp.api.core import CODE, MAX_ID, PREFIX, Paging
from webapp.api.tasks.present import task_out
from webapp.api.tasks.schemas import StatusChangeSchema, TaskQueryArgsSchema
from webapp.input_guard import CONTROL, MAX_QUERY
from webapp.security import CSP

PATH = PREFIX + "/tasks"
_STATUS_PATH = re.compile(r"^" + re.escape(PATH) + r"/([1-9][0-9]{0,8})/status$")
_IF_MATCH = re.compile(r'^"([1-9][0-9]{0,8})"$')
_NOTE_MAX = next(v.max for v in StatusChangeSchema().fields["note"].validators
                 if hasattr(v, "max"))
_BODY_MAX = 16 * 1024  # bytes: a status change is a few hundred; more goes through Flask
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


def parse_status_body(raw: bytes) -> dict | None:
    """A status change's JSON in its plain form (StatusChangeSchema's fields, a known status,
    a note within its length without control characters, a JSON boolean), its defaults
    filled in; None when Flask must parse it and say what is wrong."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict) or not body.keys() <= {"status", "note", "nil_return"}:
        return None
    status, note = body.get("status"), body.get("note", "")
    nil_return = body.get("nil_return", False)
    if (not isinstance(status, str) or status not in _STATUSES or not isinstance(note, str)
            or len(note) > _NOTE_MAX or CONTROL.search(note)
            or not isinstance(nil_return, bool)):
        return None
    return {"status": status, "note": note, "nil_return": nil_return}


class TaskListLane:
    """WSGI middleware in front of the Flask app (`app.wsgi_app`): see the module's text."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._local = threading.local()  # one connection per worker thread
        self._engine = None
        self.served = 0  # answers given here (not by Flask), for tests and the curious
        self.codes = Codes()  # agencies' and items' codes by id, for pages read without joins
        # SQLite has one writer at a time, and a writer that finds the lock taken sleeps in
        # steps of up to 100 ms (its busy handler): this worker's threads queue here instead,
        # each woken as soon as the one before it has committed
        self._sqlite_writer = threading.Lock()
        self._checkpointer: tuple[int, WalCheckpointer | None] | None = None  # (pid, it)
        self._checkpointer_lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get(DISABLE):
            return self.wsgi_app(environ, start_response)
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        if path == PATH and method == "GET":
            body = self.answer(environ)
            if body is not None:
                start_response("200 OK", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body))), *HEADERS])
                return [body]
        elif method == "POST" and (match := _STATUS_PATH.match(path)):
            changed = self.change(environ, int(match.group(1)))
            if changed is not None:
                body, version = changed
                start_response("200 OK", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body))),
                                          ("ETag", f'"{version}"'), *HEADERS])
                return [body]
        return self.wsgi_app(environ, start_response)

    def _user(self, environ, now):
        """The cached user of the request's bearer token, or None (Flask checks it)."""
        scheme, _, secret = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        cache = self.app.extensions.get("planwatch_token_cache")
        if scheme.lower() != "bearer" or cache is None:
            return None
        secret = secret.strip()
        if not secret or len(secret) > 200:
            return None
        return cache.get(hash_secret(secret), now)

    def change(self, environ, task_id: int) -> tuple[bytes, int] | None:
        """`POST /tasks/{id}/status` in its plain form: the JSON of the changed task and its
        new version, or None to let Flask answer (the body is put back for it to read)."""
        if task_id > MAX_ID or environ.get("CONTENT_TYPE") != "application/json":
            return None
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or not 0 < int(length) <= _BODY_MAX:
            return None
        match = _IF_MATCH.match(environ.get("HTTP_IF_MATCH", ""))
        if match is None:
            return None
        raw = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(raw)  # Flask reads it again if it answers
        body = parse_status_body(raw)
        now = clock.now(self.app)
        if body is None or (user := self._user(environ, now)) is None:
            return None
        step = {"now": now, "note": body["note"], "expected_version": int(match.group(1)),
                "nil_return": body["nil_return"]}
        try:
            if self._engine_dialect() == "postgresql":
                cursor = self.cursor()
                try:
                    task = change_status_driver(cursor, self._engine.dialect, user, task_id,
                                                body["status"], **step)
                finally:
                    cursor.close()
            else:
                connection = self.connection()
                with self._sqlite_writer:
                    task = change_status_sqlite(connection, user, task_id, body["status"],
                                                **step)
                if task is not None and (checkpointer := self.checkpointer()) is not None:
                    checkpointer.committed()
        except DomainError:  # refused, nothing written: Flask refuses it in its own words
            return None
        except Exception:  # the database: Flask answers (and logs) it with a fresh connection
            self.drop()
            return None
        if task is None:  # changed by someone else since the read: Flask answers 412
            return None
        self.served += 1
        return orjson.dumps(task_out(task, user, now)), task.version

    def _engine_dialect(self) -> str:
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine.dialect.name

    def answer(self, environ) -> bytes | None:
        """The JSON of the list, or None to let Flask answer."""
        args = parse_query(environ.get("QUERY_STRING", ""))
        if args is None:
            return None
        now = clock.now(self.app)
        user = self._user(environ, now)
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
                                    as_of, sort, page.size, page.offset, totals, self.codes)
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
        """A cursor on this thread's own connection."""
        return self.connection().cursor()

    def connection(self):
        """This thread's own DB-API connection, opened on first use in this process."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.conn, local.pid = None, os.getpid()  # forked: not the parent's socket
        if local.conn is None:
            self._engine_dialect()
            local.conn = driver_connection(self._engine)
            if self.checkpointer() is not None:
                WalCheckpointer.adopt(local.conn)  # its commits leave checkpoints to the thread
        return local.conn

    def checkpointer(self) -> WalCheckpointer | None:
        """This process's WAL checkpointer for an SQLite file (models/core/wal.py), or None."""
        pid = os.getpid()
        with self._checkpointer_lock:
            if self._checkpointer is None or self._checkpointer[0] != pid:  # new, or forked
                self._engine_dialect()
                url = self._engine.url
                path = url.database if url.get_backend_name() == "sqlite" else None
                file = path and path != ":memory:" and "mode=memory" not in str(url)
                self._checkpointer = (pid, WalCheckpointer(path) if file else None)
            return self._checkpointer[1]

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
