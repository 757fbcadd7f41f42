"""Inspections and findings: opening, starting, concluding, logging, by whom, with audit."""

from datetime import date

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from models.oversight.inspections import (
    attach_to_finding,
    attach_to_inspection,
    change_inspection_status,
    create_inspection,
    edit_finding,
    get_finding,
    get_inspection,
    log_finding,
)
from models.plans.entities import Item, Section
from tests.factories import DAY0, agency, at, load_mini, make_people, make_world, real_upload

OPENER_ROLES = ["admin", "inspector", "coordinator"]
REFUSED = {"officer": Forbidden, "viewer": Forbidden, "other_officer": NotFound}


@pytest.fixture
def people(session):
    load_mini(session)
    return make_people(session)


def planned(session, people, role="inspector", codes=("AG-A",)):
    return create_inspection(
        session, people[role], kind="supervision", title="Giám sát việc báo cáo",
        agency_ids=[agency(session, c).id for c in codes], planned_on=date(2025, 10, 6),
        now=DAY0)


def audit_actions(session, entity_type, entity_id):
    return [e.action for e in session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id))]


def test_inspection_is_planned_with_scope_and_audited(session, people):
    item = session.scalar(sa.select(Item).where(Item.code == "M-RPT-Q"))
    section = session.scalar(sa.select(Section).where(Section.code == "I.1"))
    inspection = create_inspection(
        session, people["coordinator"], kind="inspection", title="Kiểm tra năm 2025",
        agency_ids=[agency(session, "AG-B").id, agency(session, "AG-A").id],
        planned_on=date(2025, 11, 10), item_ids=[item.id], section_ids=[section.id],
        inspector_ids=[people["inspector"].id], now=DAY0)
    assert inspection.status == "planned" and inspection.plan.code == "MINI-1"
    assert [a.code for a in inspection.agencies] == ["AG-A", "AG-B"]
    assert inspection.inspectors == [people["inspector"]]
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "inspection.create"))
    assert event.after["agencies"] == ["AG-A", "AG-B"] and event.after["items"] == ["M-RPT-Q"]


def test_an_inspector_opening_an_inspection_is_its_inspector(session, people):
    assert planned(session, people).inspectors == [people["inspector"]]


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_staff_open_inspections(session, people, role):
    with pytest.raises(Forbidden):
        planned(session, people, role=role)


@pytest.mark.parametrize("kwargs,field", [
    ({"kind": "audit"}, "kind"),
    ({"title": "  "}, "title"),
    ({"agency_ids": []}, "agency_ids"),
    ({"agency_ids": [99999]}, "agency_ids"),
    ({"inspector_ids": "officer"}, "inspector_ids"),
])
def test_bad_inspection_input_is_refused_by_field(session, people, kwargs, field):
    args = {"kind": "inspection", "title": "Kiểm tra",
            "agency_ids": [agency(session, "AG-A").id], "planned_on": date(2025, 10, 6)}
    if kwargs.get("inspector_ids") == "officer":
        kwargs = {"inspector_ids": [people["officer"].id]}
    with pytest.raises(InvalidInput) as caught:
        create_inspection(session, people["inspector"], now=DAY0, **(args | kwargs))
    assert caught.value.details["field"] == field


@pytest.mark.parametrize("role", OPENER_ROLES)
def test_inspection_lifecycle_by_staff(session, people, role):
    inspection = planned(session, people)
    actor = people[role]
    for other, error in REFUSED.items():
        with pytest.raises(error):
            change_inspection_status(session, people[other], inspection, "in_progress", now=DAY0)
    change_inspection_status(session, actor, inspection, "in_progress", now=at(7))
    assert inspection.status == "in_progress" and inspection.started_on == date(2025, 10, 7)
    for other, error in REFUSED.items():
        with pytest.raises(error):
            change_inspection_status(session, people[other], inspection, "concluded",
                                     conclusion="x", now=at(8))
    with pytest.raises(InvalidInput, match="conclusion"):
        change_inspection_status(session, actor, inspection, "concluded", now=at(8))
    change_inspection_status(session, actor, inspection, "concluded",
                             conclusion="Đơn vị thực hiện tốt", now=at(9))
    assert inspection.concluded_on == date(2025, 10, 9)
    assert inspection.conclusion == "Đơn vị thực hiện tốt"
    assert audit_actions(session, "inspection", inspection.id) == [
        "inspection.create", "inspection.start", "inspection.conclude"]


@pytest.mark.parametrize("src,dst", [
    ("planned", "concluded"), ("planned", "planned"), ("in_progress", "planned"),
    ("concluded", "in_progress"), ("concluded", "planned"),
])
def test_inspection_transitions_outside_the_lifecycle_change_nothing(session, people, src, dst):
    inspection = planned(session, people)
    if src != "planned":
        change_inspection_status(session, people["inspector"], inspection, "in_progress",
                                 now=at(7))
    if src == "concluded":
        change_inspection_status(session, people["inspector"], inspection, "concluded",
                                 conclusion="xong", now=at(8))
    session.flush()
    version = inspection.version
    with pytest.raises(TransitionNotAllowed, match=f"{src} cannot become {dst}"):
        change_inspection_status(session, people["admin"], inspection, dst, conclusion="x",
                                 now=at(9))
    session.flush()
    assert (inspection.status, inspection.version) == (src, version)


def test_stale_inspection_version_is_refused(session, people):
    inspection = planned(session, people)
    with pytest.raises(VersionConflict):
        change_inspection_status(session, people["inspector"], inspection, "in_progress",
                                 now=at(7), expected_version=inspection.version + 1)
    assert inspection.status == "planned"


def test_officers_see_only_inspections_of_their_agency(session, people):
    inspection = planned(session, people)
    assert get_inspection(session, people["officer"], inspection.id) is inspection
    assert get_inspection(session, people["viewer"], inspection.id) is inspection
    with pytest.raises(NotFound):
        get_inspection(session, people["other_officer"], inspection.id)


def test_findings_logged_by_inspectors_while_in_progress(session, people):
    inspection = planned(session, people, codes=("AG-A", "AG-B"))
    a, b = agency(session, "AG-A"), agency(session, "AG-B")
    with pytest.raises(TransitionNotAllowed, match="in progress"):
        log_finding(session, people["inspector"], inspection, agency_id=a.id, text="x",
                    severity="minor", now=at(7))
    change_inspection_status(session, people["inspector"], inspection, "in_progress", now=at(7))
    for role in ("coordinator", "officer", "viewer"):
        with pytest.raises(Forbidden):
            log_finding(session, people[role], inspection, agency_id=a.id, text="x",
                        severity="minor", now=at(7))
    with pytest.raises(InvalidInput):
        log_finding(session, people["inspector"], inspection, agency_id=a.id, text="x",
                    severity="critical", now=at(7))
    root = agency(session, "ROOT")
    with pytest.raises(InvalidInput, match="covers"):
        log_finding(session, people["inspector"], inspection, agency_id=root.id, text="x",
                    severity="minor", now=at(7))
    fa = log_finding(session, people["inspector"], inspection, agency_id=a.id,
                     text="Hồ sơ lưu trữ chưa đầy đủ", severity="minor", now=at(8))
    fb = log_finding(session, people["admin"], inspection, agency_id=b.id,
                     text="Tốt", severity="observation", now=at(8))
    assert [f.id for f in inspection.findings] == [fa.id, fb.id]
    assert get_finding(session, people["officer"], fa.id) is fa
    with pytest.raises(NotFound):
        get_finding(session, people["officer"], fb.id)
    assert audit_actions(session, "finding", fa.id) == ["finding.log"]
    change_inspection_status(session, people["inspector"], inspection, "concluded",
                             conclusion="xong", now=at(9))
    with pytest.raises(TransitionNotAllowed):
        log_finding(session, people["inspector"], inspection, agency_id=a.id, text="muộn",
                    severity="minor", now=at(10))


def test_finding_about_a_task_fills_in_item_and_section(session):
    from models.tasks.entities import Task
    from models.tasks.generation import generate_tasks

    world = make_world(session)
    generate_tasks(session, through=date(2025, 10, 31), now=DAY0)
    task = session.scalar(sa.select(Task).where(Task.agency_id == world.agency_a.id,
                                                Task.item.has(code="M-RPT-M")))
    finding = log_finding(session, world["inspector"], world.inspection,
                          agency_id=world.agency_a.id, text="Báo cáo nộp muộn", severity="minor",
                          task_id=task.id, now=at(8))
    assert (finding.item_id, finding.section_id) == (task.item_id, task.item.section_id)
    other_task = session.scalar(sa.select(Task).where(Task.agency_id == world.agency_b.id))
    with pytest.raises(InvalidInput, match="this agency"):
        log_finding(session, world["inspector"], world.inspection, agency_id=world.agency_a.id,
                    text="x", severity="minor", task_id=other_task.id, now=at(8))


def test_officers_cannot_edit_findings(session):
    world = make_world(session)
    finding = world.finding
    for role, error in (("officer", Forbidden), ("coordinator", Forbidden),
                        ("other_officer", NotFound)):
        with pytest.raises(error):
            edit_finding(session, world[role], finding, text="không có gì", severity="observation",
                         now=at(8))
    session.flush()
    assert finding.text == "Chưa báo cáo tháng 9" and finding.version == 1
    edit_finding(session, world["inspector"], finding, text="Chưa báo cáo tháng 9 và 10",
                 severity="major", now=at(8))
    session.flush()
    assert finding.version == 2
    assert audit_actions(session, "finding", finding.id) == ["finding.log", "finding.edit"]


def test_attachments_on_inspection_and_finding(session, tmp_path):
    world = make_world(session)
    [doc] = attach_to_inspection(session, world["inspector"], world.inspection,
                                 [real_upload("quyết định.pdf")],
                                 folder=tmp_path, now=at(7))
    with pytest.raises(Forbidden):
        attach_to_inspection(session, world["officer"], world.inspection,
                             [real_upload("x.pdf")], folder=tmp_path, now=at(7))
    with pytest.raises(InvalidInput):
        attach_to_inspection(session, world["inspector"], world.inspection, [],
                             folder=tmp_path, now=at(7))
    assert (doc.owner_type, doc.owner_id, doc.agency_id) == ("inspection", world.inspection.id,
                                                             None)
    photo = attach_to_finding(session, world["inspector"], world.finding,
                              real_upload("ảnh.jpg"), folder=tmp_path,
                              now=at(7))
    assert photo.agency_id == world.agency_a.id
    with pytest.raises(Forbidden):
        attach_to_finding(session, world["officer"], world.finding,
                          real_upload("x.pdf"), folder=tmp_path, now=at(7))
