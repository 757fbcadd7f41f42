"""The operator's commands for the calendar and for agencies that come and go."""

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from models.core.db import make_engine
from plan_items import BUNDLED, SEED_AGENCIES, SEED_PLAN
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

NEW_COMMUNE = """\
format: planwatch/agencies@1
agencies:
  - code: DU-XA-MOI
    name_vi: Đảng uỷ xã (thành lập mới)
    parent: TU
    groups: [directly_under]
    active_from: 2026-12-01
"""


def query(url: str, sql: str, **params):
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql), params).all()
    engine.dispose()
    return rows


def test_communes_after_the_bundled_file_and_a_commune_added_late(run, empty_db_url, tmp_path):
    run("init")
    run("agencies", "import", str(SEED_AGENCIES))
    out = run("agencies", "import", str(DATA / "communes-cao-bang.yaml")).output
    assert "+ agency DU-PH-THUCPHAN" in out and "3 change(s)" in out
    late = tmp_path / "new-commune.yaml"
    late.write_text(NEW_COMMUNE, encoding="utf-8")
    run("agencies", "import", str(late))
    run("plan", "import", str(SEED_PLAN))
    run("tasks", "generate", "--through", "2027-12-31")
    dues = [d for (d,) in query(
        empty_db_url, "SELECT t.due_on FROM task t JOIN agency a ON a.id = t.agency_id "
                      "WHERE a.code = 'DU-XA-MOI' ORDER BY t.due_on")]
    assert dues, "the new commune owes the reports due after it was set up"
    assert str(dues[0]) >= "2026-12-01"
    ward = query(empty_db_url, "SELECT count(*) FROM task t JOIN agency a ON a.id = t.agency_id "
                               "WHERE a.code = 'DU-PH-THUCPHAN'")[0][0]
    assert ward > len(dues)  # the 1/7/2025 wards owe every period of the plan


def test_calendar_set_dry_run_then_apply_and_import(run, empty_db_url, tmp_path):
    run("init")
    run("agencies", "import", str(DATA / "mini-agencies.yaml"))
    run("plan", "import", str(DATA / "mini-plan.yaml"))
    run("tasks", "generate", "--through", "2026-03-31")
    dry = run("calendar", "set", "2026-03-20", "day_off", "--dry-run").output
    assert "AG-A MINI-1:M-RPT-Q 2026-01-01: 2026-03-20 -> 2026-03-23" in dry
    assert "2 open task(s) of 2 agency(ies) would move (dry run, nothing written)" in dry
    assert query(empty_db_url, "SELECT count(*) FROM calendar_override")[0][0] == 0
    done = run("calendar", "set", "2026-03-20", "day_off", "--note", "nghỉ của tỉnh").output
    assert "2 open task(s) of 2 agency(ies) moved" in done
    rows = json.loads(run("tasks", "list", "--agency", "AG-A", "--item", "M-RPT-Q",
                          "--format", "json").output)
    assert {r["due_on"] for r in rows if r["period_start"] == "2026-01-01"} == {"2026-03-23"}
    back = run("calendar", "remove", "2026-03-20").output
    assert "2026-03-23 -> 2026-03-20" in back

    out = run("calendar", "import", str(BUNDLED / "calendar-2026.yaml")).output
    assert "moved" in out
    listed = run("calendar", "list").output
    assert "2026-01-02  day_off" in listed and "2026-01-10  working_day" in listed
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: planwatch/calendar@1\nyear: 2026\nworking_days:\n"
                   "  - day: 2026-03-18\n", encoding="utf-8")
    refused = run("calendar", "import", str(bad), ok=False)
    assert f"{bad}:4: 2026-03-18 is already a working day" in refused.stderr
    assert "nothing was written" in refused.stderr


def test_merge_and_a_second_province_from_the_command_line(run, empty_db_url):
    run("init")
    run("agencies", "import", str(SEED_AGENCIES))
    run("plan", "import", str(SEED_PLAN))
    run("agencies", "import", str(DATA / "province-ls-agencies.yaml"))
    run("plan", "import", str(DATA / "province-ls-plan.yaml"))
    run("tasks", "generate", "--through", "2025-12-31")
    ls = json.loads(run("tasks", "list", "--agency", "LS:VPTU", "--format", "json").output)
    cb = json.loads(run("tasks", "list", "--agency", "VPTU", "--format", "json").output)
    assert ls and {r["item"] for r in ls} == {"LS-RPT-Q"}
    assert {r["agency"] for r in ls} == {"LS:VPTU"} and {r["agency"] for r in cb} == {"VPTU"}
    assert cb and "LS-RPT-Q" not in {r["item"] for r in cb}
    ubnd = json.loads(run("tasks", "list", "--agency", "LS:UBND", "--format", "json").output)
    assert {r["item"] for r in ubnd} == {"LS-RPT-Q", "LS-UBND"}

    out = run("agencies", "merge", "LS:VPTU", "LS:BTGDV", "--on", "2025-11-01").output
    assert "LS:VPTU -> LS:BTGDV:" in out and "LS:VPTU's last day 2025-10-31" in out
    assert not json.loads(run("tasks", "list", "--agency", "LS:VPTU", "--status",
                              "not_started", "--format", "json").output)
    refused = run("agencies", "merge", "LS:NOPE", "LS:BTGDV", "--on", "2025-11-01", ok=False)
    assert refused.exit_code == 1 and "LS:NOPE" in refused.stderr
