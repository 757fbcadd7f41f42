"""The inspector's desk, agency oversight, the timeline, dashboard tiles and the annual plan."""

from datetime import date

import pytest
import sqlalchemy as sa

from models.core.errors import NotFound
from models.oversight.corrective_actions import change_action_status, raise_action
from models.oversight.inspections import change_inspection_status, create_inspection, log_finding
from models.oversight.queries import (
    action_tiles,
    agency_actions,
    agency_oversight,
    annual_duty_coverage,
    annual_inspection_plan,
    inspection_timeline,
    inspector_desk,
    visible_findings,
)
from models.plans.entities import Item
from tests.factories import at, bring_to, make_world


@pytest.fixture
def world(session):
    return make_world(session)


def test_desk_lists_what_waits_for_the_inspector(session, world):
    inspector = world["inspector"]
    bare = log_finding(session, inspector, world.inspection, agency_id=world.agency_a.id,
                       text="Thiếu sổ theo dõi", severity="minor", now=at(8))
    log_finding(session, inspector, world.inspection, agency_id=world.agency_a.id,
                text="Làm tốt", severity="observation", now=at(8))
    desk = inspector_desk(session, inspector, date(2025, 10, 22))
    assert desk.open_inspections == [world.inspection]
    assert desk.findings_without_actions == [bare]  # observations need no action
    assert desk.overdue == [world.action]  # due 21/10
    assert desk.awaiting_verification == []
    bring_to(session, world, "submitted")
    desk = inspector_desk(session, inspector, date(2025, 10, 22))
    assert desk.awaiting_verification == [world.action] and desk.overdue == []
    assert action_tiles(session, inspector, date(2025, 10, 22)) == {
        "overdue_actions": 0, "awaiting_verification": 1}


def test_tiles_and_workspace_are_limited_to_the_officers_agency(session, world):
    assert action_tiles(session, world["officer"], date(2025, 10, 22))["overdue_actions"] == 1
    assert action_tiles(session, world["other_officer"], date(2025, 10, 22)) == {
        "overdue_actions": 0, "awaiting_verification": 0}
    assert agency_actions(session, world["officer"]) == [world.action]
    assert agency_actions(session, world["other_officer"]) == []
    bring_to(session, world, "verified")
    assert agency_actions(session, world["officer"]) == []
    assert agency_actions(session, world["officer"], open_only=False) == [world.action]


def test_oversight_separates_open_and_closed_with_time_taken(session, world):
    inspector = world["inspector"]
    second = raise_action(session, inspector, world.finding, description="Lập sổ theo dõi",
                          due_in_working_days=5, now=at(7))
    change_action_status(session, world["officer"], world.action, "submitted", note="xong",
                         now=at(10))
    change_action_status(session, inspector, world.action, "verified", now=at(17))
    view = agency_oversight(session, world["coordinator"], world.agency_a.id, date(2025, 10, 20))
    assert view.findings == [world.finding]
    assert view.open_actions == [second]
    assert [(c.action, c.days, c.working_days) for c in view.closed_actions] == [
        (world.action, 10, 8)]  # 7/10 to 17/10: ten days, eight of them working
    assert view.overdue_ids == {second.id}  # due 14/10
    with pytest.raises(NotFound):
        agency_oversight(session, world["other_officer"], world.agency_a.id, date(2025, 10, 20))


def test_timeline_shows_each_step_in_order_and_only_own_agency_to_officers(session, world):
    inspector, officer = world["inspector"], world["officer"]
    change_action_status(session, officer, world.action, "submitted", note="đã nộp", now=at(9))
    change_action_status(session, inspector, world.action, "reopened", note="thiếu phụ lục",
                         now=at(10))
    change_action_status(session, officer, world.action, "submitted", note="bổ sung", now=at(13))
    change_action_status(session, inspector, world.action, "verified", note="đạt", now=at(14))
    # a second agency in the same inspection: its finding is not shown to AG-A's officer
    world.inspection.agencies.append(world.agency_b)
    log_finding(session, inspector, world.inspection, agency_id=world.agency_b.id,
                text="Của B", severity="minor", now=at(14, hour=5))
    change_inspection_status(session, inspector, world.inspection, "concluded",
                             conclusion="Kết luận", now=at(15))
    steps = inspection_timeline(session, world["coordinator"], world.inspection)
    assert [s.action for s in steps] == [
        "inspection.create", "inspection.start", "finding.log", "corrective_action.raise",
        "corrective_action.submit", "corrective_action.reopen", "corrective_action.submit",
        "corrective_action.verify", "finding.log", "inspection.conclude"]
    reopen = steps[5]
    assert (reopen.actor, reopen.from_status, reopen.to_status, reopen.note) == (
        "Thanh tra viên", "submitted", "reopened", "thiếu phụ lục")
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    officer_steps = inspection_timeline(session, officer, world.inspection)
    assert [s.note for s in officer_steps] == [s.note for s in steps if s.note != "Của B"]
    assert len(officer_steps) == len(steps) - 1


def test_annual_plan_shows_planned_inspected_and_not_yet(session, world):
    from models.tasks.generation import generate_tasks

    generate_tasks(session, through=date(2025, 10, 31), now=world.inspection.created_at)
    create_inspection(session, world["inspector"], kind="supervision", title="Giám sát B",
                      agency_ids=[world.agency_b.id], planned_on=date(2025, 12, 1), now=at(8))
    create_inspection(session, world["inspector"], kind="inspection", title="Năm sau",
                      agency_ids=[world.agency_b.id], planned_on=date(2026, 3, 1), now=at(8))
    rows = {r.agency.code: r for r in annual_inspection_plan(session, 2025)}
    # started, not concluded: in progress, not "inspected" yet (issue 16)
    assert rows["AG-A"].state == "in_progress" and rows["AG-A"].inspected == [world.inspection]
    assert rows["AG-B"].state == "planned" and [i.title for i in rows["AG-B"].planned] == [
        "Giám sát B"]
    assert rows["COORD"].state == "not_planned"  # owns the annual inspection duty's task
    assert [r.agency.code for r in annual_inspection_plan(session, 2026)
            if r.state == "planned"] == ["AG-B"]
    change_inspection_status(session, world["inspector"], world.inspection, "concluded",
                             conclusion="Kết luận", now=at(20))
    rows = {r.agency.code: r for r in annual_inspection_plan(session, 2025)}
    assert rows["AG-A"].state == "inspected"


def test_annual_duty_is_covered_by_a_concluded_inspection_in_scope(session, world):
    coverage = {i.code: v for i, v in annual_duty_coverage(session, 2025).items()}
    assert coverage == {"M-INSPECT": []}

    duty = session.scalar(sa.select(Item).where(Item.code == "M-INSPECT"))
    inspection = create_inspection(session, world["inspector"], kind="inspection",
                                   title="Kiểm tra năm", agency_ids=[world.agency_b.id],
                                   planned_on=date(2025, 11, 3), item_ids=[duty.id], now=at(8))
    change_inspection_status(session, world["inspector"], inspection, "in_progress",
                             now=at(3, 11))
    change_inspection_status(session, world["inspector"], inspection, "concluded",
                             conclusion="Đạt", now=at(4, 11))
    coverage = {i.code: v for i, v in annual_duty_coverage(session, 2025).items()}
    assert coverage == {"M-INSPECT": [inspection]}
    assert {i.code: v for i, v in annual_duty_coverage(session, 2026).items()} == {
        "M-INSPECT": []}


def test_visible_findings_gives_an_officer_only_their_agencys(session, world):
    inspector = world["inspector"]
    inspection = create_inspection(
        session, inspector, kind="inspection", title="Kiểm tra A và B",
        agency_ids=[world.agency_a.id, world.agency_b.id], planned_on=date(2025, 10, 6),
        now=at(6))
    change_inspection_status(session, inspector, inspection, "in_progress", now=at(6))
    at_a = log_finding(session, inspector, inspection, agency_id=world.agency_a.id,
                       text="Thiếu hồ sơ", severity="minor", now=at(8))
    at_b = log_finding(session, inspector, inspection, agency_id=world.agency_b.id,
                       text="Chậm báo cáo", severity="major", now=at(8))
    mine = visible_findings(session, world["officer"], inspection=inspection)
    assert mine == [at_a]
    assert visible_findings(session, world["other_officer"], inspection=inspection) == [at_b]
    assert visible_findings(session, inspector, inspection=inspection) == [at_a, at_b]
    everything = visible_findings(session, world["officer"])
    assert at_b not in everything and {f.agency_id for f in everything} == {world.agency_a.id}
    # the desk's list is the same query: B's finding awaits an action, and only staff see it
    assert visible_findings(session, world["other_officer"], awaiting_action=True) == [at_b]
    assert at_b in inspector_desk(session, inspector, date(2025, 10, 22)).findings_without_actions
