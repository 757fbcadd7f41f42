"""API and pages under gunicorn, each against a hello-world Flask app in the same run."""

from __future__ import annotations

import http.cookiejar
import inspect
import json
import os
import re
import shutil
import statistics
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.data import PASSWORD, settle
from bench.disk import DiskProbe
from bench.harness import Context, Figure, Skip
from bench.servers import (
    WORKER_CLASSES,
    children,
    gunicorn,
    latencies,
    peak_rss_mb,
    pss_mb,
    wrk,
)
from models.org.users import User

LOGIN_PATHS = ("/login", "/auth/login", "/accounts/login")
PAGE_REQUESTS = 50
# the coordinator's dashboard and an officer's workspace, by the paths the web app may use
PAGES = {"page dashboard": ("/dashboard/", "/dashboard"),
         "page workspace": ("/tasks", "/workspace", "/workspace/")}
ROOT = Path(__file__).resolve().parent.parent  # so gunicorn finds bench.hello and webapp


def _need_wrk() -> None:
    if not shutil.which("wrk"):
        raise Skip("wrk not installed (apt-get install -y wrk)")


def _seconds(ctx: Context) -> float:
    """wrk duration: 10 s, 2 s with --quick, 1 s in the tiny smoke run."""
    return 1 if ctx.notes.get("tiny") else 2 if ctx.quick else 10


def _requests(ctx: Context) -> int:
    return 5 if ctx.notes.get("tiny") else PAGE_REQUESTS


def _env(ctx: Context) -> dict:
    return {"PLANWATCH_DATABASE_URL": ctx.url, "PLANWATCH_HOME": str(ctx.workdir),
            "PLANWATCH_SECRET_KEY": "bench-secret", "PYTHONPATH": str(ROOT)}


def hello_floor(ctx: Context) -> dict:
    """wrk and page latencies of the hello-world app, measured once per run."""
    _need_wrk()
    if "hello" not in ctx.notes:
        with gunicorn("bench.hello:app", _env(ctx)) as (base, pid):
            floor = wrk(base + "/", _seconds(ctx))
            floor["page"] = latencies(urllib.request.build_opener(), base + "/page",
                                      _requests(ctx))
            floor["rss"] = max(peak_rss_mb(p) for p in children(pid))
        ctx.notes["hello"] = floor
    return ctx.notes["hello"]


def _create_token(ctx: Context, email: str) -> str:
    """A Bearer token through models.org.tokens.create_token, whatever its exact keywords."""
    from models.org.tokens import create_token

    with Session(ctx.engine) as session:
        user = session.scalar(sa.select(User).where(User.email == email))
        params = inspect.signature(create_token).parameters
        values = {"session": session, "actor": user, "user": user, "owner": user,
                  "name": "bench", "label": "bench", "now": ctx.shape.now}
        args, kwargs = [], {}
        for name, param in params.items():
            if name not in values:
                if param.default is inspect.Parameter.empty:
                    raise Skip(f"create_token wants {name!r}, which the bench does not know")
                continue
            if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD) and not kwargs:
                args.append(values[name])
            else:
                kwargs[name] = values[name]
        result = create_token(*args, **kwargs)
        session.commit()
    candidates = result if isinstance(result, tuple) else (result,)
    for candidate in candidates:  # models.org.tokens returns (ApiToken, secret)
        if isinstance(candidate, str):
            return candidate
    for candidate in candidates:
        for attr in ("plaintext", "token", "secret", "value"):
            if isinstance(getattr(candidate, attr, None), str):
                return getattr(candidate, attr)
    raise Skip(f"cannot find the plaintext token in {type(result).__name__}")


def _get(url: str, headers: dict) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


API_CONNECTIONS = 8  # wrk -t2 -c8, for planwatch and hello-world alike


# the read figures and their floors run in turns, each round a third of the time, so a drift
# of this shared machine over the minute they take weighs on a figure and its floor alike
ROUNDS = 3


def merged(runs: list[dict]) -> dict:
    """wrk runs of equal length as one: mean req/s, median p50, the worst p99, every request."""
    out = {"rps": statistics.fmean(r["rps"] for r in runs),
           "p50": statistics.median(r["p50"] for r in runs),
           "p99": max(r["p99"] for r in runs), "rounds": [r["rps"] for r in runs]}
    for key in ("requests", "non2xx", "errors"):
        out[key] = sum(r[key] for r in runs)
    return out


def read_rounds(ctx: Context, worker_class: str, targets: dict) -> dict:
    """hello-world, the bare statement of the agency's list (bench/bare_list.py) and each of
    `targets` (name -> (url, headers)) under the same gunicorn settings (worker class, c=8),
    all running at once and measured in ROUNDS interleaved turns; name -> merged run
    ("hello" with its workers' PSS, "bare")."""
    from models.core.clock import local_today

    _need_wrk()
    agency = ctx.meta["agency_codes"][0]
    bare_env = {**_env(ctx), "PLANWATCH_BENCH_AGENCY": agency,
                "PLANWATCH_BENCH_AS_OF": local_today(datetime.now(UTC)).isoformat()}
    rounds = 1 if ctx.notes.get("tiny") else ROUNDS
    seconds = max(1, round(_seconds(ctx) / rounds))
    with (gunicorn("bench.hello:app", _env(ctx), worker_class=worker_class) as (hello, pid),
          gunicorn("bench.bare_list:app", bare_env, worker_class=worker_class) as (bare, _)):
        urls = {"hello": (hello + "/", None), "bare": (bare + "/", None), **targets}
        runs: dict[str, list] = {name: [] for name in urls}
        for turn in range(rounds):
            for name, (url, headers) in urls.items():
                runs[name].append(wrk(url, seconds, connections=API_CONNECTIONS,
                                      headers=headers, warm=turn == 0))
        out = {name: merged(found) for name, found in runs.items()}
        out["hello"]["pss"] = max(pss_mb(p) for p in children(pid))
    return out


def api_figures(ctx: Context) -> list[Figure]:
    """The API under gunicorn, each figure against hello-world in the same run and settings:
    one agency's overdue list, the all-overdue page with its total, status changes
    (sequential and c=8), and the workers' memory (PSS) afterwards."""
    try:
        import webapp.api  # noqa: F401
    except ImportError as why:
        raise Skip(f"webapp.api not importable: {why}") from None
    token = _create_token(ctx, "coordinator@bench.example.org")
    auth = {"Authorization": f"Bearer {token}"}
    agency = ctx.meta["agency_codes"][0]
    seconds = _seconds(ctx)
    figures = []
    reads = (("API agency overdue list", f"/api/v1/tasks?agency={agency}&overdue=true",
              ">= 0.5x"),
             ("API all overdue, page and total", "/api/v1/tasks?overdue=true", ">= 0.25x"))
    for worker_class in WORKER_CLASSES:
        settle(ctx.engine)  # the load's and the last worker class's writes on disk first
        tag = f" [{worker_class}]"
        with gunicorn("webapp.wsgi:app", _env(ctx), probe="/healthz",
                      worker_class=worker_class) as (base, pid):
            for _name, path, _goal in reads:
                status, body, _ = _get(base + path, auth)
                if status != 200:
                    raise Skip(f"GET {path} answered {status}: {body[:200]!r}")
            runs = read_rounds(ctx, worker_class,
                               {name: (base + path, auth) for name, path, _goal in reads})
            floor, bare = runs["hello"], runs["bare"]
            for name, _path, goal in reads:
                figures.append(_wrk_figure(name + tag, runs[name], floor, goal, p99=50))
            # what the machine allows for that list: its statement with nothing around it
            agency_run = runs[reads[0][0]]
            figures.append(Figure(
                "API agency overdue list against the bare statement" + tag, agency_run["rps"],
                "req/s", bare["rps"],
                detail=(f"bare statement (bench/bare_list.py: no Flask, no token) "
                        f"{bare['rps']:,.0f} req/s, p99 {bare['p99']:.1f} ms, that is "
                        f"{bare['rps'] / floor['rps']:.2f}x hello-world")))
            figures += _sequential_figures(ctx, worker_class, base, auth, tag)
            name = "API status change, c=8"
            # one connection per wrk thread: each connection owns its tasks and sends a task's
            # next step only once the last was answered, however long a write waited
            script = _update_script(ctx, base, auth, 1, API_CONNECTIONS)
            if not isinstance(script, str):
                figures.append(Figure(name + tag, skipped=script[1]))
            else:
                with DiskProbe(ctx.workdir) as disk:
                    run = wrk(f"{base}/api/v1/tasks", seconds, connections=API_CONNECTIONS,
                              threads=API_CONNECTIONS, script=script)
                figures.append(Figure(name + tag, run["rps"], "req/s", floor["rps"],
                                      detail=(f"wrk -t{API_CONNECTIONS} -c{API_CONNECTIONS}, "
                                              "one connection per thread; "
                                              + _detail(run, floor) + disk.describe()),
                                      extra_goal=("all 2xx", not run["non2xx"])))
            pss = max(pss_mb(p) for p in children(pid))
        figures.append(Figure(f"memory API worker PSS{tag}", pss, "MB", floor["pss"],
                              detail="proportional set size of the largest worker after the "
                                     "API run (/proc/PID/smaps_rollup); floor: hello-world's",
                              extra_goal=("<= 100 MB", pss <= 100)))
    return figures


def _sequential_figures(ctx: Context, worker_class: str, base: str, auth: dict,
                        tag: str) -> list[Figure]:
    """Status changes by one client against two floors of one client under the same gunicorn
    settings, in ROUNDS interleaved turns: hello-world, and a bare committed INSERT
    (bench/bare_write.py: the least a durable change costs on this machine and database).
    Each turn walks the tasks on from where the last one left them (a new script)."""
    from bench import bare_write

    name = "API status change, sequential"
    rounds = 1 if ctx.notes.get("tiny") else ROUNDS
    seconds = max(1, round(_seconds(ctx) / rounds))
    bare_write.create_table(ctx.engine)
    runs: dict[str, list] = {"hello": [], "bare": [], "app": []}
    post = _post_script(ctx)
    try:
        with (gunicorn("bench.hello:app", _env(ctx), worker_class=worker_class) as (hello, _),
              gunicorn("bench.bare_write:app", _env(ctx), worker_class=worker_class)
              as (bare, _),
              DiskProbe(ctx.workdir) as disk):
            for turn in range(rounds):
                runs["hello"].append(wrk(hello + "/", seconds, connections=1, threads=1,
                                         warm=turn == 0))
                if turn == 0:  # the floor's workers open their connections unmeasured
                    wrk(bare + "/", 1, connections=1, threads=1, script=post)
                runs["bare"].append(wrk(bare + "/", seconds, connections=1, threads=1,
                                        script=post))
                # read the versions the last turn left seconds after it ended, once its last
                # request (cut off by wrk, still running in the worker) has committed
                script = _update_script(ctx, base, auth, 0, 1)
                if not isinstance(script, str):
                    return [Figure(name + tag, skipped=script[1])]
                runs["app"].append(wrk(f"{base}/api/v1/tasks", seconds, connections=1,
                                       threads=1, script=script))
    finally:
        bare_write.drop_table(ctx.engine)
    run, floor, bare_run = (merged(runs[k]) for k in ("app", "hello", "bare"))
    return [
        Figure(name + tag, run["rps"], "req/s", floor["rps"],
               detail=_detail(run, floor, "hello-world, one client") + disk.describe(),
               extra_goal=("sequential >= 400/s, p99 <= 10 ms, all 2xx",
                           run["rps"] >= 400 and run["p99"] <= 10 and not run["non2xx"])),
        Figure(f"{name}, against a bare committed write{tag}", run["rps"], "req/s",
               bare_run["rps"],
               detail=(f"bare write (bench/bare_write.py: one row INSERTed and committed per "
                       f"request, no Flask, no read) {bare_run['rps']:,.0f} req/s, p50 "
                       f"{bare_run['p50']:.1f} ms, p99 {bare_run['p99']:.1f} ms, "
                       f"{bare_run['non2xx']} non-2xx; that is "
                       f"{bare_run['rps'] / floor['rps']:.2f}x hello-world with one client"))]


def _post_script(ctx: Context) -> str:
    """A wrk Lua script of the POST a status change sends, for the bare write."""
    lua = Path(ctx.workdir) / "bare-write.lua"
    lua.write_text('''
request = function()
  return wrk.format("POST", "/", {["Content-Type"] = "application/json", ["If-Match"] = '"1"'},
                    '{"status": "in_progress", "note": "bench"}')
end
''')
    return str(lua)


def _detail(run: dict, floor: dict, floor_name: str = "hello-world") -> str:
    turns = ""
    if len(run.get("rounds", ())) > 1:
        turns = (f" ({len(run['rounds'])} turns interleaved: "
                 f"{' / '.join(f'{r:,.0f}' for r in run['rounds'])} against "
                 f"{' / '.join(f'{r:,.0f}' for r in floor['rounds'])} req/s)")
    return (f"p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms, {run['requests']:,} requests, "
            f"{run['non2xx']} non-2xx ({run['non2xx'] / max(run['requests'], 1):.1%}), "
            f"{run['errors']} socket errors; {floor_name} {floor['rps']:,.0f} req/s, "
            f"p99 {floor['p99']:.1f} ms{turns}")


def _wrk_figure(name: str, run: dict, floor: dict, goal: str = ">= 0.5x",
                p99: float = 50) -> Figure:
    return Figure(
        name, run["rps"], "req/s", floor["rps"], goal=goal, detail=_detail(run, floor),
        extra_goal=(f"p99 <= {p99:g} ms and all 2xx", run["p99"] <= p99 and run["non2xx"] == 0))


# the status changes the bench cycles through, each a real change the coordinator may make:
# start, submit, return (with the note as the reason), start again... A task not started or
# returned enters the cycle at "in_progress", one in progress at "submitted", one submitted at
# "returned"; its version grows by one with each step.
CYCLE = ("in_progress", "submitted", "returned")
FIRST_STEP = {"not_started": 0, "returned": 0, "in_progress": 1, "submitted": 2}


def _update_script(ctx: Context, base: str, auth: dict, part: int = 0, threads: int = 1):
    """A wrk Lua script of status changes that all succeed, or (None, reason).

    Each wrk thread owns its own tasks (run `part`, 0 or 1, takes every other task of those not
    accepted, so the two runs never touch each other's) and walks them in passes, one step of
    `CYCLE` per task per pass, sending the version the previous pass left (If-Match). Run wrk
    with one connection per thread: a thread then has one request in flight, so a task's step
    is never sent before the one it follows was answered, however few tasks a thread has."""
    from models.tasks.entities import Task

    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.select(Task.id, Task.version, Task.status).where(
            Task.status.in_(list(FIRST_STEP))).order_by(Task.id).limit(200_000)).all()
    rows = rows[part % 2::2]
    if len(rows) < 2 * threads:
        return None, f"only {len(rows)} tasks to change (not accepted)"
    task_id, version, _ = rows[0]
    status, body, headers = _get(f"{base}/api/v1/tasks/{task_id}", auth)
    if status != 200:
        return None, f"GET /api/v1/tasks/{task_id} answered {status}"
    etag = headers.get("ETag", "")
    if etag.strip('W/"') != str(version):
        return None, f"ETag {etag!r} is not the version; the bench cannot predict it"
    try:
        spec = json.loads(_get(f"{base}/api/v1/openapi.json", auth)[1])
    except ValueError:
        return None, "no /api/v1/openapi.json"
    if not any(re.fullmatch(r"/api/v1/tasks/\{[^}]+\}/status", path) and "post" in ops
               for path, ops in spec.get("paths", {}).items()):
        return None, "no POST /api/v1/tasks/{id}/status in the OpenAPI document"
    ids = ",".join(str(i) for i, _, _ in rows)
    versions = ",".join(str(v) for _, v, _ in rows)
    steps = ",".join(str(FIRST_STEP[s]) for _, _, s in rows)
    cycle = ",".join(f'"{s}"' for s in CYCLE)
    lua = Path(ctx.workdir) / f"update-{part}.lua"
    lua.write_text(f"""
local ids = {{{ids}}}
local versions = {{{versions}}}
local steps = {{{steps}}}
local cycle = {{{cycle}}}
local threads = {threads}
local thread_count = 0
function setup(thread) thread:set("tid", thread_count); thread_count = thread_count + 1 end
local mine = {{}}
local sent = 0
local checked = true
function init(args)
  for i = tid + 1, #ids, threads do mine[#mine + 1] = i end
  checked = tid ~= 0  -- tid is set by setup(), after this file was loaded
end
request = function()
  local i = mine[sent % #mine + 1]
  local pass = math.floor(sent / #mine)
  -- wrk calls request() once on the first thread to check the request, without sending it:
  -- that call must not take a step, or the first task would run one version ahead
  if checked then sent = sent + 1 else checked = true end
  local headers = {{}}
  headers["Authorization"] = "{auth['Authorization']}"
  headers["Content-Type"] = "application/json"
  headers["If-Match"] = '"' .. (versions[i] + pass) .. '"'
  local body = '{{"status": "' .. cycle[(steps[i] + pass) % #cycle + 1] .. '", "note": "bench"}}'
  return wrk.format("POST", string.format("/api/v1/tasks/%d/status", ids[i]), headers, body)
end
""")
    return str(lua)


def _login(base: str, email: str, page: str) -> urllib.request.OpenerDirector:
    """An opener logged in through the app's own form, checked by opening `page` unredirected."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for path in LOGIN_PATHS:
        try:
            html = opener.open(base + path, timeout=30).read().decode()
        except urllib.error.HTTPError:
            continue
        if 'type="password"' not in html:
            continue
        form = {m.group(1): m.group(2) for m in re.finditer(
            r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)}
        names = re.findall(r'<input[^>]*name="([^"]+)"', html)
        user_field = next((n for n in names if "email" in n or "login" in n or "user" in n),
                          "email")
        pass_field = next((n for n in names if "password" in n), "password")
        form.update({user_field: email, pass_field: PASSWORD})
        data = urllib.parse.urlencode(form).encode()
        opener.open(base + path, data=data, timeout=30).read()
        with opener.open(base + page, timeout=60) as response:
            if urllib.parse.urlsplit(response.geturl()).path == urllib.parse.urlsplit(page).path:
                return opener
    raise Skip(f"cannot log in as {email} at any of {', '.join(LOGIN_PATHS)}")


def _routes(ctx: Context) -> set[str]:
    """The app's URL rules, built with the bench's environment (restored afterwards)."""
    from webapp import create_app

    saved = {k: os.environ.get(k) for k in _env(ctx)}
    os.environ.update(_env(ctx))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": ctx.url})
        return {rule.rule for rule in app.url_map.iter_rules()}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def page_figures(ctx: Context) -> list[Figure]:
    """The dashboard (coordinator) and workspace (officer): p95 over 50 requests; worker RSS."""
    rules = _routes(ctx)
    paths = {name: next((p for p in candidates if p in rules), None)
             for name, candidates in PAGES.items()}
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        raise Skip(f"no route for {', '.join(missing)} in webapp")
    floor = hello_floor(ctx)
    officer = f"officer.{ctx.meta['agency_codes'][0].lower()}@bench.example.org"
    figures = []
    with gunicorn("webapp.wsgi:app", _env(ctx), probe="/healthz") as (base, pid):
        for name, email in (("page dashboard", "coordinator@bench.example.org"),
                            ("page workspace", officer)):
            path = paths[name]
            timing = latencies(_login(base, email, path), base + path, _requests(ctx))
            figures.append(Figure(
                f"{name} p95", timing["p95"], "ms", floor["page"]["p95"],
                detail=f"GET {path}; p50 {timing['p50']:.1f} ms; hello-world p50 "
                       f"{floor['page']['p50']:.2f} ms",
                extra_goal=("p95 <= 200 ms", timing["p95"] <= 200)))
        rss = max(peak_rss_mb(p) for p in children(pid))
    figures.append(Figure("memory web worker", rss, "MB", floor["rss"],
                          detail="peak RSS (VmHWM) of the largest worker after the page run; "
                                 "floor: hello-world worker",
                          extra_goal=("<= 200 MB", rss <= 200)))
    return figures
