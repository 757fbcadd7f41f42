"""Due rules as real plans say them (issue 14): roll back, windows, data cut-off, overrides per
agency group, deadlines after other items or an event, first periods; and the corrected seed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.org.agencies import Agency
from models.org.users import Role
from models.plans.cadence import DueRule, due_date, parse_first_period, period_containing
from models.plans.calendar import WorkingCalendar
from models.plans.entities import Item
from models.tasks.entities import Task
from models.tasks.errors import RequestNeedsEventDate
from models.tasks.generation import generate_tasks
from models.tasks.reports import request_report
from plan_items.importer import import_agencies, import_plan, validate_plan
from plan_items.loader import PlanFileError
from tests.factories import DATA, T0, load_seed, make_user

CAL = WorkingCalendar()
FEB_2026 = period_containing("monthly", date(2026, 2, 1))
Q4_2028 = period_containing("quarterly", date(2028, 10, 1))
OLD_SEED = DATA / "516-KH-TU-before-issue-14.yaml"


def rule(**fields) -> DueRule:
    return DueRule.from_dict(fields)


# ------------------------------------------------------------------ the rules, pure

def test_february_2026_report_rolls_back_to_the_last_working_day_before_tet():
    monthly = {"rule": "day_of_last_month", "day": 20}
    back = due_date(rule(**monthly, roll="back"), FEB_2026, CAL)
    assert back.nominal == date(2026, 2, 20)  # the fourth day of the Tết 2026 break
    assert back.due_on == date(2026, 2, 13)  # Friday, the last working day before the break
    assert [d for d, _ in back.skipped] == [date(2026, 2, d) for d in range(14, 21)]
    # the plan's direction applies when the item names none; forward is the Civil Code's
    assert due_date(rule(**monthly), FEB_2026, CAL, roll="back").due_on == date(2026, 2, 13)
    assert due_date(rule(**monthly), FEB_2026, CAL).due_on == date(2026, 2, 23)
    assert due_date(rule(**monthly, roll="forward"), FEB_2026, CAL,
                    roll="back").due_on == date(2026, 2, 23)


def test_a_window_rule_for_q4_2028_stays_inside_the_quarter():
    # "trong quý IV/2028": 31/12/2028 is a Sunday; rolled forward it would be 2/1/2029
    assert due_date(rule(rule="month_day", month=12, day=31), Q4_2028,
                    CAL).due_on == date(2029, 1, 2)
    one_off = due_date(rule(rule="window", start="2028-10-01", end="2028-12-31"), Q4_2028, CAL)
    quarterly = due_date(rule(rule="window"), Q4_2028, CAL)
    for due in (one_off, quarterly):
        assert due.due_on == date(2028, 12, 29)
        assert Q4_2028.start <= due.due_on <= Q4_2028.end


def test_a_data_cut_off_follows_decree_09_2019_article_12():
    # a month's data from the 15th of the month before to the 14th ("số liệu từ 15/02 đến 14/03")
    cut = rule(rule="day_of_last_month", day=20, cutoff=15)
    march = cut.data_period(period_containing("monthly", date(2026, 3, 1)))
    assert (march.start, march.end) == (date(2026, 2, 15), date(2026, 3, 14))
    q1 = cut.data_period(period_containing("quarterly", date(2026, 1, 1)))
    assert (q1.start, q1.end) == (date(2025, 12, 15), date(2026, 3, 14))
    year = cut.data_period(period_containing("yearly", date(2026, 1, 1)))
    assert (year.start, year.end) == (date(2025, 12, 15), date(2026, 12, 14))
    assert rule(rule="day_of_last_month", day=20).data_period(FEB_2026) is None


def test_an_event_deadline_counts_working_days_across_tet():
    # "05 ngày làm việc sau khi kết thúc kiểm tra": an inspection ending Thu 12/2/2026
    after = rule(rule="working_days_after", days=5, event="inspection_end")
    due = due_date(after, FEB_2026, CAL, event_on=date(2026, 2, 12))
    assert due.due_on == date(2026, 2, 26)  # 13/2, then 23, 24, 25, 26/2 after the break


@pytest.mark.parametrize("fields,message", [
    ({"rule": "day_of_last_month", "day": 20, "roll": "sideways"}, "forward or back"),
    ({"rule": "window", "start": "2028-10-01"}, "both 'start' and 'end'"),
    ({"rule": "window", "start": "2028-12-31", "end": "2028-10-01"}, "before 'start'"),
    ({"rule": "working_days_after", "days": 5}, "either 'after'"),
    ({"rule": "working_days_after", "days": 5, "event": "party"}, "unknown event"),
    ({"rule": "day_of_last_month", "day": 20, "cutoff": 31}, "between 2 and 28"),
    ({"rule": "day_of_last_month", "day": 20, "overrides": [{"group": "x", "month": 2}]},
     "does not have"),
])
def test_bad_rules_are_refused_with_a_reason(fields, message):
    with pytest.raises(ValueError, match=message):
        DueRule.from_dict(fields)


def test_first_periods_are_written_per_cadence():
    assert parse_first_period("quarterly", "2025-Q4").start == date(2025, 10, 1)
    assert parse_first_period("yearly", "2026").start == date(2026, 1, 1)
    with pytest.raises(ValueError, match="YYYY-Qn"):
        parse_first_period("quarterly", "2025-10")


# ------------------------------------------------------------------ files and the database

AGENCIES = """format: planwatch/agencies@1
groups:
  - {code: communes, name_vi: "Các xã, phường"}
  - {code: departments, name_vi: "Các sở, ngành"}
agencies:
  - {code: COORD, name_vi: Ban điều phối}
  - {code: XA-1, name_vi: Xã Một, parent: COORD, groups: [communes]}
  - {code: SO-1, name_vi: Sở Một, parent: COORD, groups: [departments]}
"""

PLAN = """format: planwatch/plan@1
plan:
  code: RULES-1
  title_vi: Kế hoạch thử
  title_en: Test plan
  starts_on: 2026-01-01
  ends_on: 2028-12-31
  coordinator: COORD
  roll: {roll}
sections:
  - {{code: I, title_vi: Tổ chức thực hiện}}
items:
  - code: RPT-M
    section: I
    kind: recurring_report
    title_vi: Báo cáo tháng
    title_en: Monthly report
    lead: {{groups: [communes, departments]}}
    reports_to: [COORD]
    cadence: monthly
    due: {{rule: day_of_last_month, day: 15, cutoff: 15, overrides: [{{group: communes, day: 10}}]}}
    first_period: 2026-02
  - code: CONSOL-M
    section: I
    kind: recurring_report
    title_vi: Báo cáo tổng hợp tháng
    title_en: Monthly consolidation
    lead: {{agencies: [COORD]}}
    cadence: monthly
    due: {{rule: working_days_after, days: 3, after: [RPT-M]}}
    first_period: 2026-02
  - code: SURVEY-Q4
    section: I
    kind: one_off
    title_vi: Điều tra trong quý IV/2028
    title_en: Survey in Q4/2028
    lead: {{agencies: [COORD]}}
    cadence: once
    due: {{rule: window, start: 2028-10-01, end: 2028-12-31}}
  - code: INSPECT-RPT
    section: I
    kind: on_request_report
    title_vi: Báo cáo kết quả kiểm tra
    title_en: Report on an inspection
    lead: {{groups: [communes, departments]}}
    reports_to: [COORD]
    cadence: on_request
    due: {{rule: working_days_after, days: 5, event: inspection_end}}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def rules_plan(session, tmp_path):
    import_agencies(session, write(tmp_path, "agencies.yaml", AGENCIES), now=T0)
    import_plan(session, write(tmp_path, "plan.yaml", PLAN.format(roll="back")), now=T0)
    generate_tasks(session, through=date(2028, 12, 31), now=T0)
    session.flush()

    def task(item: str, agency: str, start: date) -> Task:
        return session.scalar(sa.select(Task).join(Task.item).join(Task.agency).where(
            Item.code == item, Agency.code == agency, Task.period_start == start))

    return task


def test_communes_by_the_10th_departments_by_the_15th(rules_plan):
    # March 2026: 10/3 and 15/3 (a Sunday: back to Fri 13/3)
    assert rules_plan("RPT-M", "XA-1", date(2026, 3, 1)).due_on == date(2026, 3, 10)
    assert rules_plan("RPT-M", "SO-1", date(2026, 3, 1)).due_on == date(2026, 3, 13)
    # February 2026: the communes' 10/2 is a working day, the departments' 15/2 is in Tết
    assert rules_plan("RPT-M", "XA-1", date(2026, 2, 1)).due_on == date(2026, 2, 10)
    assert rules_plan("RPT-M", "SO-1", date(2026, 2, 1)).due_on == date(2026, 2, 13)


def test_the_cut_off_is_stored_on_the_task(rules_plan):
    task = rules_plan("RPT-M", "SO-1", date(2026, 3, 1))
    assert (task.data_from, task.data_to) == (date(2026, 2, 15), date(2026, 3, 14))


def test_the_consolidation_is_due_working_days_after_the_latest_report(rules_plan):
    # March 2026: the latest report is the departments' (13/3); 3 working days on: 18/3
    assert rules_plan("CONSOL-M", "COORD", date(2026, 3, 1)).due_on == date(2026, 3, 18)


def test_no_task_before_the_first_period(rules_plan, session):
    starts = session.scalars(sa.select(Task.period_start).join(Task.item).where(
        Item.code.in_(["RPT-M", "CONSOL-M"]))).all()
    assert starts and min(starts) == date(2026, 2, 1)


def test_a_one_off_window_in_q4_2028_is_due_inside_the_quarter(rules_plan, session):
    task = session.scalar(sa.select(Task).join(Task.item).where(Item.code == "SURVEY-Q4"))
    assert task.due_on == date(2028, 12, 29)


def test_a_report_after_an_inspection_is_due_five_working_days_after_its_end(
        rules_plan, session):
    coordinator = make_user(session, email="c@example.org", role=Role.COORDINATOR,
                            agency="COORD")
    item = session.scalar(sa.select(Item).where(Item.code == "INSPECT-RPT"))
    agency = session.scalar(sa.select(Agency).where(Agency.code == "XA-1"))
    now = datetime(2026, 2, 12, 3, tzinfo=UTC)
    with pytest.raises(RequestNeedsEventDate):
        request_report(session, coordinator, item, agency.id, note="", now=now)
    task = request_report(session, coordinator, item, agency.id, note="Đoàn kiểm tra số 3",
                          now=now, event_on=date(2026, 2, 12))
    assert (task.event_on, task.due_on) == (date(2026, 2, 12), date(2026, 2, 26))


def test_changing_the_plans_roll_moves_the_open_tasks(rules_plan, session, tmp_path):
    diff = import_plan(session, write(tmp_path, "plan.yaml", PLAN.format(roll="forward")),
                       now=T0)
    assert "~ plan.due_roll: 'back' -> 'forward'" in diff.lines
    assert any(line.startswith("~ item RPT-M:") and "new due date" in line for line in diff.lines)
    session.expire_all()
    assert rules_plan("RPT-M", "SO-1", date(2026, 3, 1)).due_on == date(2026, 3, 16)
    # the consolidation follows the reports it consolidates
    assert rules_plan("CONSOL-M", "COORD", date(2026, 3, 1)).due_on == date(2026, 3, 19)


@pytest.mark.parametrize("old,new,message", [
    ("roll: back", "roll: backwards", "roll: Must be one of"),
    ("after: [RPT-M]", "after: [RPT-X]", "follows unknown item 'RPT-X'"),
    ("after: [RPT-M]", "after: [SURVEY-Q4]", "the periods must match"),
    ("first_period: 2026-02\n  - code: CONSOL", "first_period: 2026-Q1\n  - code: CONSOL",
     "written YYYY-MM"),
    ("group: communes", "group: villages", "unknown agency group 'villages'"),
    ("due: {rule: window, start: 2028-10-01, end: 2028-12-31}", "due: {rule: window}",
     "names its start and end"),
    ("cutoff: 15,", "cutoff: 40,", "between 2 and 28"),
])
def test_mistakes_in_due_rules_are_reported_with_their_line(
        session, tmp_path, old, new, message):
    import_agencies(session, write(tmp_path, "agencies.yaml", AGENCIES), now=T0)
    text = PLAN.format(roll="back")
    assert old in text
    path = write(tmp_path, "bad.yaml", text.replace(old, new, 1))
    with pytest.raises(PlanFileError) as error:
        validate_plan(session, path)
    line = next(i for i, row in enumerate(text.replace(old, new, 1).splitlines(), 1)
                if new.splitlines()[0] in row)
    assert any(p.line == line and message in p.message for p in error.value.problems), \
        error.value.problems


# ------------------------------------------------------------------ the corrected seed plan

@pytest.fixture
def seed_2027(session):
    load_seed(session)
    generate_tasks(session, through=date(2027, 12, 31), now=T0)
    session.flush()
    return session


def tasks_of(session, item: str, agency: str | None = None) -> list[Task]:
    query = sa.select(Task).join(Task.item).join(Task.agency).where(Item.code == item)
    if agency:
        query = query.where(Agency.code == agency)
    return list(session.scalars(query.order_by(Task.period_start)))


def test_no_seed_report_is_due_before_the_first_periods(seed_2027):
    reports = seed_2027.scalars(sa.select(Task).join(Task.item).where(
        Item.kind == "recurring_report")).all()
    assert reports
    own_plans_due = date(2025, 10, 15)  # III3-PLAN; III1-PLAN is due 30/9/2025
    for task in reports:
        assert task.due_on > own_plans_due, (task.item.code, task.due_on)
        assert task.period_start >= parse_first_period(task.item.cadence,
                                                       task.item.first_period).start
    first_quarterly = tasks_of(seed_2027, "III1-RPT-Q", "VPTU")[0]
    assert first_quarterly.period_start == date(2026, 1, 1)  # Q4/2025 is in the annual report
    assert tasks_of(seed_2027, "III1-RPT-M", "VPTU")[0].due_on == date(2025, 10, 20)


def test_seed_reports_roll_back_and_the_commission_reports_monthly_upward(seed_2027):
    feb = [t for t in tasks_of(seed_2027, "III3-RPT-M") if t.period_start == date(2026, 2, 1)]
    assert feb and {t.due_on for t in feb} == {date(2026, 2, 13)}
    upward = tasks_of(seed_2027, "III3-CONSOL-M", "BTGDV")
    assert upward and upward[0].period_start == date(2025, 10, 1)
    by_month = {t.period_start: t.due_on for t in upward}
    assert by_month[date(2026, 2, 1)] == date(2026, 2, 27)  # 5 working days after 13/2
    # the quarter's last month and December go into the quarterly and annual reports
    assert date(2026, 3, 1) not in by_month and date(2026, 12, 1) not in by_month
    item = seed_2027.scalar(sa.select(Item).where(Item.code == "III3-CONSOL-M"))
    assert item.reports_to == ["BTGDV-TW", "BTV"]


def test_seed_duties_go_to_the_right_bodies(seed_2027):
    assert {t.agency.code for t in tasks_of(seed_2027, "III3-ASSIGN")} == {
        "DU-UBND", "DU-CQD", "DUQS", "DUCA", "DUBP"}  # no Fatherland Front
    assert seed_2027.scalar(sa.select(Item).where(Item.code == "III2-HEAD")) is None
    assert "BTGDV" not in {t.agency.code for t in tasks_of(seed_2027, "III1-PLAN")}
    review = tasks_of(seed_2027, "II1-ANNUAL-REVIEW")
    assert {t.agency.code for t in review} == {"BTGDV"}
    assert review[0].item.reports_to == ["BTV"]
    assert [t.due_on for t in review] == [date(2026, 12, 31), date(2027, 12, 31)]
    for code in ("III3-DU-UBND-RULES", "III3-DU-UBND-CTV", "III3-DU-UBND-FUNDING"):
        item = seed_2027.scalar(sa.select(Item).where(Item.code == code))
        coordinating = {p.agency.code for p in item.parties
                        if p.role == "coordinating" and p.agency}
        assert coordinating == {"UBND", "BTGDV"}
    # no item owes a report to its own lead
    for item in seed_2027.scalars(sa.select(Item)):
        leads = {p.agency.code for p in item.parties if p.role == "lead" and p.agency}
        assert not leads & set(item.reports_to or []), item.code


def test_seed_surveys_of_2028_are_due_inside_2028(session):
    load_seed(session)
    generate_tasks(session, through=date(2028, 12, 31), now=T0)
    due = {t.period_start.year: t.due_on for t in tasks_of(session, "III2-SURVEYS", "BTGDV")}
    assert due[2028] == date(2028, 12, 29)


def test_importing_the_corrected_seed_over_the_old_one_shows_each_item(session):
    from plan_items import SEED_AGENCIES, SEED_PLAN

    import_agencies(session, SEED_AGENCIES, now=T0)
    import_plan(session, OLD_SEED, now=T0)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    diff = import_plan(session, SEED_PLAN, now=T0)
    lines = diff.lines
    assert "~ plan.due_roll: 'forward' -> 'back'" in lines
    assert "+ item III3-CONSOL-M (monthly)" in lines
    assert "- item III2-HEAD (deactivated; its tasks are kept)" in lines
    assert "~ item III3-ASSIGN.parties: -lead agency UBMTTQ" in lines
    assert "~ item III3-DU-UBND-CTV.parties: +coordinating agency BTGDV" in lines
    assert any(line.startswith("~ item II1-ANNUAL-REVIEW.due_rule") for line in lines)
    assert "~ item III1-RPT-M.first_period: None -> '2025-10'" in lines
    assert not any(".position" in line for line in lines)  # III2-HEAD's removal moved them
    # the Q3/2025 reports of the old file are kept, and said so
    assert "! item III1-RPT-Q: 4 open task(s) of periods before its first period 2025-Q4 are " \
           "kept (not deleted)" in lines
    assert import_plan(session, SEED_PLAN, now=T0).empty
