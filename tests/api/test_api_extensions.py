"""Extension requests over the API: ask (201 with ETag), list, decide with If-Match."""

from __future__ import annotations

import sqlalchemy as sa

from models.org.agencies import Agency
from models.plans.entities import Item
from models.tasks.entities import Task


def _yearly_a(session) -> Task:
    return session.scalar(sa.select(Task).join(Task.agency).join(Task.item).where(
        Agency.code == "AG-A", Item.code == "M-RPT-Y").order_by(Task.period_start))


def test_ask_then_approve_with_if_match(as_role, world, session):
    task = _yearly_a(session)
    first_due = task.due_on.isoformat()
    officer, coordinator = as_role("officer"), as_role("coordinator")
    bad = officer.post(f"/tasks/{task.id}/extensions", json={"due_on": "2025-12-31"})
    assert bad.status_code == 422 and "reason" in str(bad.get_json()["errors"])
    asked = officer.post(f"/tasks/{task.id}/extensions",
                         json={"due_on": "2025-12-31", "reason": "Chờ số liệu"})
    assert asked.status_code == 201 and asked.headers["ETag"] == '"1"'
    req = asked.get_json()
    assert (req["status"], req["due_on"], req["proposed_due_on"]) == (
        "pending", first_due, "2025-12-31")
    again = officer.post(f"/tasks/{task.id}/extensions",
                         json={"due_on": "2025-12-30", "reason": "x"})
    assert again.status_code == 409 and again.get_json()["error"] == "extension.already_pending"
    pending = coordinator.get("/extensions?status=pending").get_json()["items"]
    assert {r["id"] for r in pending} == {req["id"], world.extension_b}
    url = f"/extensions/{req['id']}/decision"
    assert coordinator.post(url, json={"decision": "approve"}).status_code == 428
    assert coordinator.post(url, json={"decision": "approve"}, etag='"7"').status_code == 412
    forbidden = officer.post(url, json={"decision": "approve"}, etag='"1"')
    assert forbidden.status_code == 403
    done = coordinator.post(url, json={"decision": "approve"}, etag='"1"')
    assert done.status_code == 200 and done.get_json()["status"] == "approved"
    shown = coordinator.get(f"/tasks/{task.id}").get_json()
    assert (shown["due_on"], shown["original_due_on"]) == ("2025-12-31", first_due)


def test_refusal_needs_a_reason_and_others_do_not_see_it(as_role, world, session):
    task = _yearly_a(session)
    asked = as_role("officer").post(f"/tasks/{task.id}/extensions",
                                    json={"due_on": "2025-12-31", "reason": "Chờ số liệu"})
    url = f"/extensions/{asked.get_json()['id']}/decision"
    coordinator = as_role("coordinator")
    empty = coordinator.post(url, json={"decision": "refuse"}, etag='"1"')
    assert empty.status_code == 422 and empty.get_json()["error"] == \
        "extension.refusal_needs_reason"
    refused = coordinator.post(url, json={"decision": "refuse", "note": "Không có căn cứ"},
                               etag='"1"')
    assert refused.status_code == 200 and refused.get_json()["decision_note"] == \
        "Không có căn cứ"
    assert as_role("officer_b").get(f"/extensions/{asked.get_json()['id']}").status_code == 404
    theirs = as_role("officer_b").get("/extensions").get_json()["items"]
    assert [r["id"] for r in theirs] == [world.extension_b]  # AG-B's own, not AG-A's
