"""Deployed runs get their settings without secrets in Prefect's job variables."""

import concurrent.futures
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.notify.entities import Notification
from settings import PUBLIC_NAMES
from tests.factories import load_mini, make_user

SMTP_PASSWORD = "s3cret-smtp-pw"
SMTP = f"mailto://planwatch:{SMTP_PASSWORD}@127.0.0.1:2525?from=planwatch@example.org"
SECRET_KEY = "s3cret-flask-key"
DUE_DAY = datetime(2025, 9, 30, 6, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
pytestmark = pytest.mark.slow


def _job_variables(pool: str) -> list[dict]:
    """Deploy as `python -m flows.deploy` does: in a thread with no event loop running (Prefect
    answers a coroutine where one runs, as under the browser tests' Playwright)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool_thread:
        return pool_thread.submit(_deploy_and_read, pool).result()


def _deploy_and_read(pool: str) -> list[dict]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    from flows.deploy import deploy

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"), overwrite=True)
        ids = deploy(pool)
        return [client.read_deployment(i).job_variables for i in ids]


def test_deployments_carry_no_secret_and_a_run_reads_them_on_its_worker(
        session, flow_db, monkeypatch, tmp_path):
    from flows.cadence import cadence_flow
    from flows.deadlines import deadlines_flow

    home = tmp_path / "home"
    home.mkdir()
    env_file = home / "planwatch.env"  # the worker's own file, readable by its owner only
    env_file.write_text(f"PLANWATCH_DATABASE_URL={flow_db}\nPLANWATCH_SMTP_URL={SMTP}\n")
    env_file.chmod(0o600)
    # the machine that deploys has every setting in its environment
    monkeypatch.setenv("PLANWATCH_HOME", str(home))
    monkeypatch.setenv("PLANWATCH_SMTP_URL", SMTP)
    monkeypatch.setenv("PLANWATCH_SECRET_KEY", SECRET_KEY)

    variables = _job_variables("planwatch-test-pool")
    assert len(variables) == 4
    for job in variables:
        text = json.dumps(job)
        for secret in (SMTP_PASSWORD, SECRET_KEY, flow_db):
            assert secret not in text
        assert set(job["env"]) <= set(PUBLIC_NAMES)
        assert job["env"]["PLANWATCH_HOME"] == str(home)
        assert job["env"]["PLANWATCH_ENV_FILE"] == str(env_file)

    # a run on a worker sees the job variables, and the worker's file under PLANWATCH_HOME
    for name in ("PLANWATCH_SMTP_URL", "PLANWATCH_SECRET_KEY", "PLANWATCH_DATABASE_URL",
                 "PLANWATCH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables[0]["env"].items():
        monkeypatch.setenv(name, value)
    load_mini(session)
    user = make_user(session, email="a@a.example.org")  # no target of their own: mailed via SMTP
    session.commit()
    cadence_flow(now=DUE_DAY)
    assert deadlines_flow(now=DUE_DAY) == {"0": 1}
    # a user without a channel is written to only when the run sees the server's mail setting;
    # the row refers to no target (the dispatcher builds the mail from the settings)
    rows = session.execute(sa.select(Notification.recipient_user_id, Notification.target_id)).all()
    assert rows and all(r == (user.id, None) for r in rows)
