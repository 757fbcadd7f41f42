"""Login throttling under gunicorn with two workers: the numbers hold across workers, and the
owner of a guessed account logs in from another address at once.

Real addresses: gunicorn listens on 127.0.0.1; the attacker connects from 127.0.0.2 and the owner
from 127.0.0.3 (the whole 127/8 is loopback on Linux).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.slow

ATTACKER, OWNER = "127.0.0.2", "127.0.0.3"
EMAIL = "victim@example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(db_url, session, tmp_path):
    """The web app under gunicorn, two sync workers, on the test database; the access log names
    the worker (pid) that answered each request."""
    make_user(session, email=EMAIL, role="viewer", agency=None)
    session.commit()
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "PLANWATCH_DATABASE_URL": db_url, "PLANWATCH_SECRET_KEY": "t" * 32,
           "PLANWATCH_UPLOADS": str(tmp_path / "uploads")}
    env.pop("PLANWATCH_NOW", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(h)s %(s)s %(U)s",
         "webapp.wsgi:app"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/login", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: "
                                   + proc.stderr.read().decode(errors="replace")[-2000:])
            time.sleep(0.3)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _client(base: str, address: str) -> tuple[httpx.Client, str]:
    """A browser at `address`: its cookie and the login form's CSRF token."""
    client = httpx.Client(base_url=base, timeout=30,
                          transport=httpx.HTTPTransport(local_address=address))
    page = client.get("/login").text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _post(client: httpx.Client, token: str, password: str) -> int:
    return client.post("/login", data={"email": EMAIL, "password": password,
                                       "csrf_token": token}).status_code


def test_thirty_wrong_passwords_then_the_owner_logs_in_from_another_address(two_workers):
    base, log = two_workers
    attacker, token = _client(base, ATTACKER)
    statuses = [_post(attacker, token, f"wrong-guess-{i}") for i in range(5)]
    assert statuses == [401] * 5
    with ThreadPoolExecutor(4) as pool:  # concurrent, so both workers answer
        statuses += list(pool.map(lambda i: _post(attacker, token, f"wrong-guess-{i}"),
                                  range(5, 30)))
    assert statuses[5:] == [429] * 25
    assert _post(attacker, token, PASSWORD) == 429  # the guesser stays out, even with it right

    owner, owner_token = _client(base, OWNER)
    response = owner.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                          "csrf_token": owner_token})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]

    time.sleep(0.5)  # the access log is written after the answer
    lines = [line.split() for line in log.read_text().splitlines()]
    refusing = {pid for pid, host, status, path in lines
                if host == ATTACKER and status == "429" and path == "/login"}
    assert len(refusing) == 2, lines  # both workers refused the attacker: shared counters
