"""The operator commands: targets, a deadlines run, a notify run and a rolled-back simulation."""

import json
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from models.notify.entities import Notification
from models.tasks.generation import generate_tasks
from tests.factories import T0, load_mini, make_user


@pytest.fixture
def run(session, db_url, monkeypatch):
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    make_user(session, email="a@a.example.org")
    session.commit()
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)

    def invoke(*args):
        result = CliRunner().invoke(main, list(args))
        return result.exit_code, result.output

    return invoke


def test_targets_refuse_an_invalid_url_and_list_the_valid(run):
    assert run("targets", "set", "--agency", "AG-A", "nonsense://x")[0] == 1
    assert run("targets", "set", "--user", "a@a.example.org", "json://127.0.0.1:9/a")[0] == 0
    code, out = run("targets", "list")
    assert code == 0 and "user a@a.example.org" in out and "json://127.0.0.1:9/a" in out


def test_simulate_writes_nothing_and_deadlines_run_does(run, session):
    run("targets", "set", "--agency", "AG-A", "json://127.0.0.1:9/a")
    code, out = run("simulate", "--from", "2025-09-29", "--to", "2025-10-01", "--agency", "AG-A")
    days = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert code == 0 and [d["day"] for d in days] == ["2025-09-30", "2025-10-01"]
    assert days[0]["created"] == {"0:reminder": 1}
    assert session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    code, out = run("deadlines", "run", "--as-of", "2025-09-30")
    assert code == 0 and json.loads(out) == {"created": {"0": 1}}
    # nothing listens on port 9: the send fails and is retried later; --as-of sends what that
    # day would send (today, a year later, that reminder would no longer be sent at all)
    code, out = run("notify", "run", "--limit", "5", "--as-of", "2025-09-30")
    assert json.loads(out) == {"sent": 0, "failed": 1, "dead": 0}
