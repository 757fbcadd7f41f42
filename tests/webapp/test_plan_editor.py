"""The plan editor: one item at a time, audited, checked like `plan validate`, reported like
`plan import`."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.plans.editing import edit_item, plan_file_data
from models.plans.entities import Item, Plan
from models.plans.errors import PlanEditCoordinatorOnly
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from plan_items.loader import PlanFileError
from tests.factories import T0, load_seed, make_user
from tests.webapp.conftest import WEB_NOW, login

PLAN = "516-KH/TU"
LATER = dt.datetime(2025, 9, 10, 2, tzinfo=dt.UTC)


def _item(session, code):
    return session.scalar(sa.select(Item).join(Plan).where(Plan.code == PLAN, Item.code == code))


def test_the_imported_plan_round_trips_without_a_change(session):
    load_seed(session)
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency="BTGDV")
    before = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    diff = edit_item(session, coordinator, plan_code=PLAN, item_code="III1-RPT-M", changes={},
                     now=LATER)
    assert diff.empty
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
    data = plan_file_data(session, session.scalar(sa.select(Plan).where(Plan.code == PLAN)))
    active = session.scalar(sa.select(sa.func.count()).select_from(Item).where(Item.active))
    assert [i["code"] for i in data["items"]][:2] == ["II1-ANNUAL-REVIEW", "II1-LEAD"]
    assert len(data["items"]) == active


def test_a_due_rule_change_is_one_audited_operation_and_moves_open_tasks(session):
    load_seed(session)
    generate_tasks(session, through=dt.date(2025, 12, 31), now=T0)
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency="BTGDV")
    diff = edit_item(session, coordinator, plan_code=PLAN, item_code="III1-RPT-M",
                     changes={"due": {"rule": "day_of_last_month", "day": 25}}, now=LATER)
    assert diff.lines[0] == ("~ item III1-RPT-M.due_rule: {'rule': 'day_of_last_month', 'day': 20}"
                             " -> {'rule': 'day_of_last_month', 'day': 25}")
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "plan.edit")).all()
    assert len(events) == 1 and events[0].after["changes"] == diff.lines
    october = session.scalar(sa.select(Task).join(Task.item).where(
        Item.code == "III1-RPT-M", Task.period_start == dt.date(2025, 10, 1)).limit(1))
    # 25/10/2025 is a Saturday; the seed plan rolls back ("trước ngày"): Friday 24/10
    assert october.due_on == dt.date(2025, 10, 24)


def test_a_change_that_would_not_validate_changes_nothing(session):
    load_seed(session)
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency="BTGDV")
    with pytest.raises(PlanFileError) as refused:
        edit_item(session, coordinator, plan_code=PLAN, item_code="III1-RPT-M",
                  changes={"lead": {"groups": [], "agencies": ["NO-SUCH"], "exclude": []}},
                  now=LATER)
    assert "unknown agency 'NO-SUCH'" in str(refused.value)
    with pytest.raises(PlanFileError, match="needs a due rule"):
        edit_item(session, coordinator, plan_code=PLAN, item_code="III1-RPT-M",
                  changes={"due": None}, now=LATER)
    assert _item(session, "III1-RPT-M").due_rule == {"rule": "day_of_last_month", "day": 20}


def test_only_coordinators_edit_plans(session):
    load_seed(session)
    officer = make_user(session, email="o@example.org", role="officer", agency="VPTU")
    with pytest.raises(PlanEditCoordinatorOnly):
        edit_item(session, officer, plan_code=PLAN, item_code="III1-RPT-M", changes={},
                  now=LATER)
    with pytest.raises(TypeError):
        edit_item(session, "someone", plan_code=PLAN, item_code="III1-RPT-M", changes={},
                  now=LATER)


def test_the_editor_page_saves_responsible_bodies_and_keeps_a_refused_form(app, session):
    app.config["PLANWATCH_NOW"] = WEB_NOW
    load_seed(session)
    make_user(session, email="c@example.org", role="coordinator", agency="BTGDV")
    session.commit()
    client = app.test_client()
    login(client, "c@example.org")
    page = client.get("/plans/edit/516-KH/TU")
    assert page.status_code == 200 and 'id="item-III2-SURVEYS"' in page.get_data(as_text=True)
    form = {"item": "III2-GUIDE", "title_vi": "Chỉ đạo, hướng dẫn nghiệp vụ", "title_en": "Guide",
            "kind": "standing_duty", "cadence": "none", "due": "", "lead_groups": "",
            "lead_agencies": "BTGDV", "lead_exclude": "", "coordinating_groups": "directly_under",
            "coordinating_agencies": "UBMTTQ", "reports_to": ""}
    saved = client.post("/plans/edit/516-KH/TU", data=form)
    assert saved.status_code == 302
    item = _item(session, "III2-GUIDE")
    session.refresh(item)
    assert {(p.role, p.agency.code if p.agency else p.group.code) for p in item.parties} == {
        ("lead", "BTGDV"), ("coordinating", "directly_under"), ("coordinating", "UBMTTQ")}
    shown = client.get(saved.location).get_data(as_text=True)
    assert "III2-GUIDE" in shown and "parties" in shown
    refused = client.post("/plans/edit/516-KH/TU", data={**form, "cadence": "monthly"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    row = html.split('id="item-III2-GUIDE"')[1].split("</tr>")[0]
    assert "a monthly item needs a due rule" in row and "<option selected>monthly</option>" in row
