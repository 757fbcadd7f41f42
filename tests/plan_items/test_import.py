"""Importing plans: idempotent, amendments applied and shown, broken files refused with lines."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from plan_items import SEED_PLAN
from plan_items.importer import import_agencies, import_plan
from plan_items.loader import PlanFileError, read_plan
from tests.factories import DATA, T0, load_mini, load_seed

LATER = datetime(2025, 9, 15, 3, tzinfo=UTC)


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_same_file_twice_changes_nothing(session):
    load_mini(session)
    snapshot = (count(session, Plan), count(session, Section), count(session, Item),
                count(session, AuditEvent))
    diff = import_plan(session, DATA / "mini-plan.yaml", now=LATER)
    assert diff.empty
    again = import_agencies(session, DATA / "mini-agencies.yaml", now=LATER)
    assert again.empty
    assert snapshot == (count(session, Plan), count(session, Section), count(session, Item),
                        count(session, AuditEvent))


def test_amended_file_applies_and_prints_the_difference(session, tmp_path):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    text = (DATA / "mini-plan.yaml").read_text(encoding="utf-8")
    amended = text.replace("due: {rule: day_of_last_month, day: 20}\n    allows_nil_return: true",
                           "due: {rule: day_of_last_month, day: 25}\n    allows_nil_return: true")
    amended += """  - code: M-NEW
    section: I.1
    kind: one_off
    title_vi: Việc mới
    title_en: New duty
    lead: {agencies: [AG-A]}
    cadence: once
    due: {rule: fixed_date, date: 2025-12-01}
"""
    path = tmp_path / "amended.yaml"
    path.write_text(amended, encoding="utf-8")

    dry = import_plan(session, path, now=LATER, dry_run=True)
    assert "+ item M-NEW (once)" in dry.lines
    assert session.scalar(sa.select(Item).where(Item.code == "M-NEW")) is None

    diff = import_plan(session, path, now=LATER)
    assert "+ item M-NEW (once)" in diff.lines
    assert any(line.startswith("~ item M-RPT-M.due_rule") for line in diff.lines)
    october = session.scalar(sa.select(Task).where(
        Task.item.has(code="M-RPT-M"), Task.agency.has(code="AG-A"),
        Task.period_start == date(2025, 10, 1)))
    assert october.due_on == date(2025, 10, 27)  # 25/10/2025 is a Saturday
    assert import_plan(session, path, now=LATER).empty


def test_removed_item_is_deactivated_and_its_tasks_kept(session, tmp_path):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    text = (DATA / "mini-plan.yaml").read_text(encoding="utf-8")
    start = text.index("  - code: M-PLAN")
    end = text.index("  - code: M-RPT-M")
    path = tmp_path / "less.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    diff = import_plan(session, path, now=LATER)
    assert any("M-PLAN" in line and line.startswith("-") for line in diff.lines)
    item = session.scalar(sa.select(Item).where(Item.code == "M-PLAN"))
    assert item.active is False
    assert count(session, Task) > 0 and session.scalar(
        sa.select(sa.func.count()).where(Task.item_id == item.id)) == 2


BROKEN = """format: planwatch/plan@1
plan:
  code: BROKEN-1
  title_vi: Hỏng
  title_en: Broken
  starts_on: 2025-09-01
  coordinator: COORD
sections:
  - code: I
    title_vi: Một
items:
  - code: X-1
    section: I
    kind: recurring_report
    title_vi: a
    title_en: a
    lead: {groups: [no_such_group]}
    cadence: weekly
  - code: X-2
    section: I
    kind: one_off
    title_vi: b
    title_en: b
    lead: {agencies: [AG-A]}
    cadence: once
    due: {rule: fixed_date, date: 2025-10-01}
  - code: X-2
    section: II
    kind: one_off
    title_vi: c
    title_en: c
    lead: {agencies: [AG-A]}
    cadence: once
    due: {rule: fixed_date, date: 2025-10-01}
"""


def test_broken_file_lists_every_error_with_its_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_plan(path)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"{path}:18:") and "cadence" in m for m in messages)
    assert any(m.startswith(f"{path}:27:") and "duplicate item code 'X-2'" in m
               for m in messages)
    assert any(m.startswith(f"{path}:28:") and "unknown section 'II'" in m for m in messages)


def test_unknown_group_refused_and_nothing_written(session, tmp_path):
    load_mini(session)
    session.commit()
    before = count(session, AuditEvent)
    path = tmp_path / "bad-group.yaml"
    path.write_text((DATA / "mini-plan.yaml").read_text(encoding="utf-8").replace(
        "code: MINI-1", "code: MINI-2").replace("lead: {groups: [reporting]}\n    cadence: once",
                                                "lead: {groups: [nobody]}\n    cadence: once"),
                    encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        import_plan(session, path, now=LATER)
    assert [p.message for p in caught.value.problems] == ["unknown agency group 'nobody'"]
    assert caught.value.problems[0].line == 32
    assert session.scalar(sa.select(Plan).where(Plan.code == "MINI-2")) is None
    assert count(session, AuditEvent) == before


@pytest.mark.parametrize("snippet,expected", [
    ("format: planwatch/plan@1\nplan: [\n", "YAML syntax"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("format: planwatch/plan@2\nplan: {}\nsections: []\nitems: []\n", "format"),
])
def test_malformed_files(tmp_path, snippet, expected):
    path = tmp_path / "x.yaml"
    path.write_text(snippet, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_plan(path)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"{path}:")


def test_seed_plan_tasks_cover_reports_one_offs_and_annual_duty(session):
    load_seed(session)
    generate_tasks(session, through=date(2026, 12, 31), now=T0)
    rows = session.execute(
        sa.select(Item.code, Item.cadence, sa.func.count(Task.id))
        .join(Task, Task.item_id == Item.id).group_by(Item.code, Item.cadence)).all()
    by_item = {code: (cadence, n) for code, cadence, n in rows}
    for code in ("III1-RPT-M", "III1-RPT-Q", "III1-RPT-Y", "III3-RPT-M", "III3-RPT-Q",
                 "III3-RPT-Y", "III1-PLAN", "III3-PLAN", "II1-ANNUAL-REVIEW"):
        assert code in by_item, code
    feb = session.scalars(sa.select(Task.due_on).where(
        Task.item.has(code="III3-RPT-M"), Task.period_start == date(2026, 2, 1))).all()
    assert feb and set(feb) == {date(2026, 2, 13)}  # 20/02/2026 is in Tết: back to 13/02
    december_monthly = session.scalar(sa.select(sa.func.count()).where(
        Task.item.has(code="III1-RPT-M"), Task.period_start == date(2025, 12, 1)))
    assert december_monthly == 0  # the annual report replaces it
    assert "III1-PLAN" in {i.code for i in session.scalars(sa.select(Item))}
    assert SEED_PLAN.exists()
