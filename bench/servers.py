"""Gunicorn processes, wrk runs and plain HTTP timing for the web figures."""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

WORKERS = max(2, os.cpu_count() or 2)  # the same settings for planwatch and hello-world
# the API figures are measured under each (PLANWATCH_BENCH_WORKER_CLASSES=sync,gthread)
WORKER_CLASSES = tuple(
    os.environ.get("PLANWATCH_BENCH_WORKER_CLASSES", "sync,gthread").split(","))
THREADS = 4  # threads per gthread worker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict, probe: str = "/", worker_class: str = "sync"):
    """A gunicorn master with WORKERS workers of `worker_class` (gthread: THREADS threads
    each, keep-alive 5 s); yields (base_url, master pid)."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", worker_class,
           "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    if worker_class == "gthread":
        cmd += ["--threads", str(THREADS), "--keep-alive", "5"]
    cmd.append(app_spec)
    log = Path(env.get("PLANWATCH_HOME", "/tmp")) / f"gunicorn-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(base + probe, timeout=5).read()
                break
            except urllib.error.HTTPError:
                break  # it answers; the figure decides what a status means
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn silent: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def children(pid: int) -> list[int]:
    """Processes whose parent is pid (gunicorn's workers)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def pss_mb(pid: int) -> float:
    """Proportional set size of a live process (shared pages split among their users), MB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss for {pid}")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, seconds: float, *, connections: int = 32, threads: int = 2,
        headers: dict | None = None, script: str | None = None, warm: bool = True) -> dict:
    """requests/s, p50/p99 latency (ms) and non-2xx count from one wrk run.

    A read (no script) is first run for a tenth of the time (at least 1 s), unmeasured, so
    every figure and its floor start on warm workers: each worker's first requests import,
    connect, compile and fill caches (`warm=False`: already warm). A script changes data
    (status changes): it runs once, measured."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", "--latency", "--timeout", "10s"]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    if script:
        cmd += ["-s", script]
    elif warm:
        # wrk takes whole seconds
        subprocess.run(cmd + [f"-d{max(round(seconds / 10), 1)}s", url], capture_output=True,
                       check=True)
    out = subprocess.run(cmd + [f"-d{seconds:g}s", url], capture_output=True, text=True,
                         check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "non2xx": 0, "errors": 0}
    for pct, key in (("50", "p50"), ("99", "p99")):
        result[key] = _ms(re.search(rf"\s{pct}(?:\.000)?%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        result["non2xx"] = int(bad.group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        result["errors"] = sum(int(g) for g in errors.groups())
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return result


def latencies(opener: urllib.request.OpenerDirector, url: str, n: int) -> dict:
    """p50 and p95 (ms) over n sequential GETs, after one warm-up; raises on a non-200."""
    opener.open(url, timeout=60).read()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        with opener.open(url, timeout=60) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
        times.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50": statistics.median(times), "p95": quantiles[94]}
