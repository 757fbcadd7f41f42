"""The Prefect dashboard that `make up` opens: nothing beyond loopback, no promotions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from cli.up import PREFECT_OFFLINE

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_ui(tmp_path_factory):
    """`prefect server start` with the environment `planwatch up` gives it, on a free port."""
    port = _free_port()
    env = {**os.environ, **PREFECT_OFFLINE,
           "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-home")),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    prefect = os.path.join(os.path.dirname(sys.executable), "prefect")
    proc = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port",
                             str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # a fresh database on a loaded machine
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("prefect server did not start") from None
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_dashboard_asks_only_loopback_and_shows_no_promotions(page, prefect_ui):
    requests: list[str] = []
    # the whole context: pages, their workers and service workers
    page.context.on("request", lambda request: requests.append(request.url))
    texts: dict[str, str] = {}
    # the page `make up` opens, then the dashboard's own pages, as a user clicks through them
    for path in ("/", "/dashboard", "/runs", "/deployments", "/flows"):
        page.goto(prefect_ui + path, wait_until="networkidle", timeout=60_000)
        # analytics calls come 1-2 s after the page is idle: leaving at once missed the v2
        # dashboard's 6 calls in 2 of 5 runs
        page.wait_for_timeout(3000)
        texts[path] = page.content()
    hosts = {urlsplit(url).hostname for url in requests if url.startswith("http")}
    assert requests and hosts == {"127.0.0.1"}, sorted(hosts)
    for path, text in texts.items():
        assert "Upgrade" not in text and "Prefect Cloud" not in text, path
