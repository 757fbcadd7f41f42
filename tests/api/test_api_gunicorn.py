"""The API under `planwatch web` as deployed: gunicorn, 2 workers of 4 threads each.

Concurrent reads all answer, and concurrent status changes through several threads of
several workers each land once, with an audit chain that still verifies.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.core.audit import verify_chain
from models.org.agencies import Agency
from models.tasks.entities import Task

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base: str, path: str, token: str, body: dict | None = None, etag: str | None = None):
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if etag:
        headers["If-Match"] = etag
    request = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def served(db_url, tmp_path, world):
    """`planwatch web` on a free port, on the test database."""
    port = _free_port()
    env = {**os.environ, "PLANWATCH_DATABASE_URL": db_url, "PLANWATCH_HOME": str(tmp_path),
           "PLANWATCH_SECRET_KEY": "test", "PLANWATCH_NOW": "2025-10-01T09:00:00+07:00"}
    log = open(tmp_path / "web.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("planwatch")), "web", "--port",
                             str(port), "--workers", "2", "--threads", "4"],
                            env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "web.log").read_text()
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).read()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_threaded_workers_answer_concurrent_reads_and_writes(served, world, session):
    officer = world.tokens["officer"]
    agency_a = session.get(Agency, world.agency_a)
    tasks = session.execute(sa.select(Task.id, Task.version).where(
        Task.agency_id == agency_a.id, Task.status == "not_started")).all()
    assert len(tasks) >= 3
    with ThreadPoolExecutor(12) as pool:
        reads = list(pool.map(lambda _: _call(served, "/api/v1/tasks?overdue=true", officer),
                              range(24)))
        writes = list(pool.map(lambda t: _call(
            served, f"/api/v1/tasks/{t.id}/status", officer,
            {"status": "in_progress", "note": "bắt đầu"}, f'"{t.version}"'), tasks))
    assert {status for status, _ in reads} == {200}
    assert len({json.dumps(body, sort_keys=True) for _, body in reads}) == 1  # the same answer
    assert all(row["agency"] == "AG-A" for row in reads[0][1]["items"])
    assert [status for status, _ in writes] == [200] * len(tasks)
    session.expire_all()
    moved = session.scalars(sa.select(Task.status).where(Task.id.in_([t.id for t in tasks])))
    assert set(moved) == {"in_progress"}
    assert verify_chain(session) is None  # no fork in the hash chain
