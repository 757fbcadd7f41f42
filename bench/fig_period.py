"""The coordinator's period: dashboard p95 for a month and a year; a 100k-row export's memory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request

from bench.fig_web import _env, _login, _requests, hello_floor
from bench.harness import Context, Figure
from bench.servers import gunicorn, latencies

EXPORT_ROWS = 100_000
GOALS_MS = {"month": 150, "year": 200}


def _page_floor(ctx: Context) -> dict:
    """The hello-world page's latencies: from the wrk floor if measured, else on their own."""
    if "hello" in ctx.notes or shutil.which("wrk"):
        return hello_floor(ctx)["page"]
    with gunicorn("bench.hello:app", _env(ctx)) as (base, _pid):
        return latencies(urllib.request.build_opener(), base + "/page", _requests(ctx))


def dashboard_figures(ctx: Context) -> list[Figure]:
    """GET /dashboard/?period=<a month>, ?period=<a year>: p95 over 50 requests vs hello-world."""
    floor = {"page": _page_floor(ctx)}
    year = ctx.shape.last_year
    periods = {"month": f"{year}-11", "year": str(year)}
    figures = []
    with gunicorn("webapp.wsgi:app", _env(ctx), probe="/healthz") as (base, _pid):
        opener = _login(base, "coordinator@bench.example.org", "/dashboard/")
        for kind, key in periods.items():
            path = f"/dashboard/?period={key}"
            timing = latencies(opener, base + path, _requests(ctx))
            goal = GOALS_MS[kind]
            figures.append(Figure(
                f"page dashboard {kind} p95", timing["p95"], "ms", floor["page"]["p95"],
                detail=f"GET {path}; p50 {timing['p50']:.1f} ms; hello-world p50 "
                       f"{floor['page']['p50']:.2f} ms",
                extra_goal=(f"p95 <= {goal} ms", timing["p95"] <= goal)))
    return figures


def _probe(ctx: Context, mode: str, rows: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.export_probe", ctx.url,
                           ctx.shape.today.isoformat(), str(rows), mode],
                          capture_output=True, text=True,
                          env={**_env(ctx), "PATH": os.environ.get("PATH", "")})
    if done.returncode:
        raise RuntimeError(f"the export probe failed: {done.stderr.strip()[-600:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_figures(ctx: Context) -> list[Figure]:
    """Peak RSS of a 100k-row CSV and XLSX export against the bare streamed query."""
    rows = min(EXPORT_ROWS, ctx.shape.tasks)
    bare = _probe(ctx, "bare", rows)
    figures = []
    for mode in ("csv", "xlsx"):
        out = _probe(ctx, mode, rows)
        figures.append(Figure(
            f"memory export {mode} {out['rows']:,} rows", out["peak_mb"], "MB", bare["peak_mb"],
            detail=f"{out['seconds']:.1f} s, {out['bytes'] / 1e6:.1f} MB written; floor: the "
                   f"bare streamed query, {bare['rows']:,} rows in {bare['seconds']:.1f} s; "
                   f"RSS before any row {bare['start_mb']:.0f} MB",
            extra_goal=("<= 200 MB", out["peak_mb"] <= 200)))
    return figures
