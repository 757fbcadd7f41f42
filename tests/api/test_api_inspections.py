"""Inspections, findings and corrective actions through the API, with ETags."""

from __future__ import annotations

import io

from tests.factories import real_file


def _etag(c, path):
    response = c.get(path)
    assert response.status_code == 200, response.get_json()
    return response.headers["ETag"]


def test_corrective_action_lifecycle_with_etags(as_role, world):
    inspector, officer = as_role("inspector"), as_role("officer")
    raised = inspector.post(f"/findings/{world.finding_a}/corrective-actions",
                            json={"description": "Công khai kế hoạch trên cổng",
                                  "due_in_working_days": 10})
    assert raised.status_code == 201, raised.get_json()
    action = raised.get_json()
    path = f"/corrective-actions/{action['id']}"
    assert action["status"] == "open" and action["agency"] == "AG-A"
    assert raised.headers["ETag"] == f'"{action["version"]}"'

    assert officer.get(path).get_json()["allowed_transitions"] == ["in_progress", "submitted"]
    started = officer.post(f"{path}/start", etag=_etag(officer, path), json={})
    assert started.status_code == 200 and started.get_json()["status"] == "in_progress"

    files = {"note": "Đã đăng tải",
             "files": [(io.BytesIO(real_file("x.pdf", "bang chung")), "bằng chứng.pdf")]}
    submitted = officer.post(f"{path}/submit", etag=started.headers["ETag"], data=files)
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "submitted"

    reopened = inspector.post(f"{path}/reopen", etag=_etag(inspector, path),
                              json={"note": "Thiếu đường dẫn"})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "reopened"
    again = officer.post(f"{path}/submit", etag=_etag(officer, path),
                         data={"note": "Bổ sung đường dẫn"}, content_type="multipart/form-data")
    assert again.status_code == 200, again.get_json()
    verified = inspector.post(f"{path}/verify", etag=again.headers["ETag"], json={})
    assert verified.status_code == 200, verified.get_json()
    assert verified.get_json()["status"] == "verified" and verified.get_json()["verified_at"]

    history = officer.get(f"{path}/history").get_json()
    assert [h["action"] for h in history] == ["raise", "start", "submit", "reopen", "submit",
                                              "verify"]
    assert history[3]["note"] == "Thiếu đường dẫn"
    evidence = history[2]["attachments"]
    assert [a["filename"] for a in evidence] == ["bằng chứng.pdf"]
    download = officer.get(evidence[0]["url"].removeprefix("/api/v1"))
    assert download.status_code == 200 and download.data == real_file("x.pdf", "bang chung")
    timeline = inspector.get(f"/inspections/{world.inspections['running']}/timeline").get_json()
    assert "corrective_action.verify" in [e["action"] for e in timeline]


def test_a_step_without_if_match_is_428_and_a_stale_one_412(as_role, world, session):
    officer = as_role("officer")
    path = f"/corrective-actions/{world.actions['start']}"
    stale = _etag(officer, path)
    assert officer.post(f"{path}/start", json={}).status_code == 428
    assert officer.post(f"{path}/start", etag=stale, json={}).status_code == 200
    refused = officer.post(f"{path}/submit", etag=stale, data={"note": "x"},
                           content_type="multipart/form-data")
    assert refused.status_code == 412
    assert refused.get_json()["code"] == 412
    assert officer.get(path).get_json()["status"] == "in_progress"  # nothing changed
    inspection = f"/inspections/{world.inspections['planned']}"
    assert as_role("inspector").post(f"{inspection}/start").status_code == 428
    assert as_role("inspector").post(f"{inspection}/start", etag='"99"').status_code == 412


def test_another_agency_gets_404_and_sees_none_in_lists(as_role, world):
    other = as_role("officer_b")
    for path in (f"/corrective-actions/{world.actions['start']}",
                 f"/findings/{world.finding_a}",
                 f"/inspections/{world.inspections['running']}",
                 f"/inspections/{world.inspections['running']}/findings"):
        response = other.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["code"] == 404
    assert other.post(f"/corrective-actions/{world.actions['start']}/start", etag='"1"',
                      json={}).status_code == 404
    assert other.get("/corrective-actions").get_json()["total"] == 0
    assert other.get("/inspections").get_json()["total"] == 0
    mine = as_role("officer").get("/corrective-actions?page_size=2").get_json()
    assert mine["total"] == 5 and len(mine["items"]) == 2


def test_inspection_plan_start_log_raise_conclude(as_role, world):
    c = as_role("inspector")
    created = c.post("/inspections", json={"kind": "supervision", "title": "Giám sát quý IV",
                                           "agency_ids": [world.agency_a],
                                           "planned_on": "2025-10-06"})
    assert created.status_code == 201, created.get_json()
    path = f"/inspections/{created.get_json()['id']}"
    started = c.post(f"{path}/start", etag=created.headers["ETag"])
    assert started.status_code == 200 and started.get_json()["started_on"] == "2025-10-01"
    finding = c.post(f"{path}/findings", json={"agency_id": world.agency_a,
                                               "severity": "minor", "text": "Chậm báo cáo"})
    assert finding.status_code == 201, finding.get_json()
    listed = c.get(f"{path}/findings").get_json()
    assert [f["text"] for f in listed] == ["Chậm báo cáo"]
    blank = c.post(f"{path}/conclude", etag=started.headers["ETag"], json={"conclusion": ""})
    assert blank.status_code == 422 and "conclusion" in blank.get_json()["errors"]["json"]
    done = c.post(f"{path}/conclude", etag=started.headers["ETag"],
                  json={"conclusion": "Cơ bản đạt"})
    assert done.status_code == 200 and done.get_json()["status"] == "concluded"
    concluded = c.get("/inspections?status=concluded&year=2025").get_json()
    assert [i["title"] for i in concluded["items"]] == ["Giám sát quý IV"]


def test_bad_input_is_422_with_field_errors(as_role, world):
    c = as_role("inspector")
    cases = [
        ("/inspections", {"title": "x", "agency_ids": ["1"], "planned_on": "2025-10-06"},
         "agency_ids"),
        ("/inspections", {"title": "x", "agency_ids": [999999], "planned_on": "2025-10-06"},
         "agency_ids"),
        (f"/findings/{world.finding_a}/corrective-actions",
         {"description": "x", "due_in_working_days": 2.5}, "due_in_working_days"),
        (f"/findings/{world.finding_a}/corrective-actions",
         {"description": "x", "due_on": "2025-10-06", "due_in_working_days": 3}, "due_on"),
        (f"/inspections/{world.inspections['running']}/findings",
         {"agency_id": world.agency_a, "severity": "huge", "text": "x", "extra": 1}, "severity"),
    ]
    for path, body, field in cases:
        response = c.post(path, json=body)
        assert response.status_code == 422, (path, body, response.get_json())
        errors = response.get_json()["errors"]
        assert field in str(errors), (field, errors)


def test_the_outbox_is_for_staff_and_own_notifications_for_everyone(as_role, world):
    assert as_role("officer").get("/notifications").status_code == 403
    everything = as_role("coordinator").get("/notifications?status=pending").get_json()
    # the pending reminder, and the coordinator's notice of the pending extension request
    assert everything["total"] == 2
    assert sorted(i["subject_type"] for i in everything["items"]) == [
        "corrective_action", "extension"]
    assert as_role("officer").get("/me/notifications").get_json()["items"][0]["id"] == (
        world.notification_a)
    assert as_role("officer_b").get("/me/notifications").get_json()["total"] == 0
