"""The `planwatch` command as an operator uses it, on a database made by the migrations."""

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from models.core.audit import AuditEvent
from models.core.db import Base, make_engine
from plan_items import SEED_AGENCIES, SEED_PLAN
from tests.factories import DATA


@pytest.fixture
def run(empty_db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", empty_db_url)
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path / "home"))
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return invoke


def test_operator_session_from_empty_database_to_task_update(run, empty_db_url):
    out = run("init", "--admin-email", "admin@example.org").output
    assert "password (shown once):" in out
    assert "already exists" in run("init", "--admin-email", "admin@example.org").output
    run("agencies", "import", str(DATA / "mini-agencies.yaml"))
    first = run("plan", "import", str(DATA / "mini-plan.yaml")).output
    assert "+ item M-RPT-M (monthly)" in first
    assert run("plan", "import", str(DATA / "mini-plan.yaml")).output.strip() == "no change"

    assert "36 task(s) created" in run("tasks", "generate", "--through", "2026-12-31").output
    assert "0 task(s) created" in run("tasks", "generate", "--through", "2026-12-31").output

    rows = json.loads(run("tasks", "list", "--agency", "AG-A", "--overdue", "--as-of",
                          "2025-10-21", "--format", "json").output)
    assert {r["item"] for r in rows} == {"M-RPT-Q", "M-PLAN", "M-RPT-M"}
    assert all(r["overdue"] and r["agency"] == "AG-A" for r in rows)
    october = next(r for r in rows if r["item"] == "M-RPT-M")
    assert october == {**october, "period_start": "2025-10-01", "period_end": "2025-10-31",
                       "due_on": "2025-10-20", "status": "not_started"}

    run("users", "create", "officer@a.example.org", "--role", "officer", "--agency", "AG-A",
        "--password", "a-long-password")
    out = run("tasks", "update", str(october["id"]), "--status", "submitted", "--note",
              "đã gửi", "--as", "officer@a.example.org").output
    assert "not_started -> submitted (late)" in out
    refused = run("tasks", "update", str(october["id"]), "--status", "accepted",
                  "--as", "officer@a.example.org", ok=False)
    assert refused.exit_code == 1 and "may not accept" in refused.stderr

    refused = run("users", "create", "viewer@c.example.org", "--role", "viewer",
                  "--as", "officer@a.example.org", ok=False)
    assert refused.exit_code == 1 and "Only an administrator" in refused.stderr
    run("users", "create", "coord@c.example.org", "--role", "coordinator", "--agency", "COORD",
        "--password", "a-long-password", "--as", "admin@example.org")
    asked = run("tasks", "request", "M-REQ", "--plan", "MINI-1", "--agency", "AG-B",
                "--due", "2099-01-01", "--note", "báo cáo nhanh", "--as", "coord@c.example.org")
    assert "AG-B reports on M-REQ by 2099-01-02" in asked.output  # 1/1 is New Year's Day
    not_on_request = run("tasks", "request", "M-RPT-M", "--plan", "MINI-1", "--agency", "AG-B",
                         "--due", "2099-01-01", "--as", "coord@c.example.org", ok=False)
    assert "only for on-request items" in not_on_request.stderr
    no_due = run("tasks", "request", "M-REQ", "--plan", "MINI-1", "--agency", "AG-A",
                 "--as", "coord@c.example.org", ok=False)
    assert no_due.exit_code == 1 and "Give the due date of the request" in no_due.stderr

    engine = make_engine(empty_db_url)
    with engine.connect() as conn:
        event = conn.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "task.submit")).one()
    engine.dispose()
    assert event.actor_label == "officer@a.example.org"
    engine = make_engine(empty_db_url)
    with engine.connect() as conn:
        creators = conn.execute(sa.select(AuditEvent.actor_label).where(
            AuditEvent.action == "user.create").order_by(AuditEvent.id)).scalars().all()
    engine.dispose()
    assert creators == ["system:console", "system:console", "Administrator"]  # its name
    assert event.before["status"] == "not_started" and event.after["status"] == "submitted"


def test_broken_plan_reports_every_error_and_writes_nothing(run, empty_db_url, tmp_path):
    run("init")
    run("agencies", "import", str(DATA / "mini-agencies.yaml"))
    text = (DATA / "mini-plan.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("cadence: quarterly", "cadence: fortnightly")
                      .replace("lead: {agencies: [COORD]}", "lead: {groups: [ghosts]}"),
                      encoding="utf-8")
    result = run("plan", "import", str(broken), ok=False)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(broken))]
    assert [line.split(":")[1] for line in lines] == ["52", "84"]
    assert "items.2.cadence: Must be one of" in lines[0]
    assert lines[1].endswith("unknown agency group 'ghosts'")
    assert "2 error(s); nothing was written." in result.stderr
    engine = make_engine(empty_db_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM plan")).scalar() == 0
    engine.dispose()


def test_export_and_dry_run(run):
    run("init")
    run("agencies", "import", str(SEED_AGENCIES))
    dry = run("plan", "import", str(SEED_PLAN), "--dry-run").output
    assert "dry run, nothing written" in dry
    missing = run("plan", "export", "516-KH/TU", ok=False)  # the dry run wrote nothing
    assert missing.exit_code == 1 and "There is no plan with the code 516-KH/TU." in missing.stderr
    run("plan", "import", str(SEED_PLAN))
    data = json.loads(run("plan", "export", "516-KH/TU", "--format", "json").output)
    assert data["code"] == "516-KH/TU" and data["coordinator"] == "BTGDV"
    assert [s["code"] for s in data["sections"]] == ["I", "II", "III"]
    monthly = next(i for i in data["items"] if i["code"] == "III1-RPT-M")
    assert monthly["section"] == "III.1" and monthly["cadence"] == "monthly"
    assert monthly["due"] == {"rule": "day_of_last_month", "day": 20}


def test_migrations_match_the_models(empty_db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cli.migrate import upgrade

    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
