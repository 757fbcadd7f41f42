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
    from models.notify.digest import KINDS
    from models.org.users import User

    # single messages (no digest): these tests count rows
    session.execute(sa.update(User).values(notify_immediate=list(KINDS)))
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
    # nothing listens on port 9: the send fails and is retried later; the run says so, with
    # apprise's own reason, and exits non-zero
    code, out = run("notify", "run", "--limit", "5", "--as-of", "2025-09-30")
    summary = json.loads(out)
    assert code == 1 and {k: summary[k] for k in ("sent", "failed", "dead")} == {
        "sent": 0, "failed": 1, "dead": 0}
    [failure] = summary["failures"]
    assert "Connection error" in failure["reason"]
    session.expire_all()
    row = session.scalar(sa.select(Notification).where(Notification.attempts > 0))
    assert row.last_error == failure["reason"] and row.status == "failed"


def test_notify_run_sends_only_what_is_due_as_of(run, session, http_receiver):  # noqa: F811
    run("targets", "set", "--agency", "AG-A", http_receiver.url("/a"))
    assert run("deadlines", "run", "--as-of", "2025-09-30")[0] == 0
    # the day before the rows were written nothing is due yet
    code, out = run("notify", "run", "--as-of", "2025-09-29")
    assert code == 0 and json.loads(out)["sent"] == 0 and http_receiver.received == []
    code, out = run("notify", "run", "--as-of", "2025-09-30T12:00:00+07:00")
    assert code == 0 and json.loads(out)["sent"] == 1
    [(path, body)] = http_receiver.received
    session.expire_all()
    row_id = session.scalar(sa.select(Notification.id).where(Notification.status == "sent"))
    assert path == "/a" and body["outbox_id"] == str(row_id)
