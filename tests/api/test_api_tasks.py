"""Tasks over the API: filters and pages, ETag/If-Match, transitions, review, errors."""

from __future__ import annotations

import sqlalchemy as sa

from models.tasks.entities import Task


def _state(session, task_id):
    session.expire_all()
    task = session.get(Task, task_id)
    return task.status, task.version


def test_my_overdue_tasks_a_page_at_a_time(as_role, world):
    c = as_role("officer")
    everything = c.get("/tasks?overdue=true").get_json()
    assert everything["total"] == 2
    assert {(r["item"], r["agency"], r["overdue"]) for r in everything["items"]} == {
        ("M-PLAN", "AG-A", True), ("M-RPT-Q", "AG-A", True)}
    first = c.get("/tasks?overdue=true&page_size=1").get_json()
    second = c.get("/tasks?overdue=true&page_size=1&page=2").get_json()
    assert first["total"] == second["total"] == 2
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [
        r["id"] for r in everything["items"]]


def test_filters_combine(as_role, world):
    c = as_role("coordinator")
    rows = c.get("/tasks?item=M-RPT-M&agency=AG-A&status=submitted").get_json()["items"]
    assert {r["id"] for r in rows} == {world.accept_a, world.return_a}
    due = c.get("/tasks?due_from=2025-10-01&due_to=2025-10-31&agency=AG-A").get_json()["items"]
    assert due and all("2025-10-01" <= r["due_on"] <= "2025-10-31" for r in due)
    assert c.get("/tasks?plan=NOPE").get_json() == {"items": [], "total": 0, "page": 1,
                                                   "page_size": 50}


def test_a_change_needs_the_current_etag(as_role, world, session):
    c = as_role("officer")
    url = f"/tasks/{world.task_a}/status"
    body = {"status": "in_progress"}
    read = c.get(f"/tasks/{world.task_a}")
    assert read.headers["ETag"] == f'"{read.get_json()["version"]}"'
    before = _state(session, world.task_a)

    missing = c.post(url, json=body)
    assert missing.status_code == 428 and missing.get_json()["code"] == 428
    stale = c.post(url, json=body, etag='"999"')
    assert stale.status_code == 412
    assert _state(session, world.task_a) == before  # nothing changed

    done = c.post(url, json=body, etag=read.headers["ETag"])
    assert done.status_code == 200 and done.get_json()["status"] == "in_progress"
    assert done.headers["ETag"] != read.headers["ETag"]
    again = c.post(url, json={"status": "submitted"}, etag=read.headers["ETag"])
    assert again.status_code == 412  # someone (we) changed it since that read
    assert _state(session, world.task_a) == ("in_progress", before[1] + 1)


def test_a_forbidden_transition_is_409(as_role, world):
    c = as_role("officer")
    etag = c.get(f"/tasks/{world.task_a}").headers["ETag"]
    response = c.post(f"/tasks/{world.task_a}/status", json={"status": "accepted"}, etag=etag)
    assert response.status_code in (403, 409)
    response = c.post(f"/tasks/{world.accept_a}/status", json={"status": "in_progress"},
                      etag=c.get(f"/tasks/{world.accept_a}").headers["ETag"])
    assert response.status_code == 409
    assert set(response.get_json()) == {"code", "error", "message", "errors"}
    assert response.get_json()["error"] == "task.transition_not_allowed"


def test_review_return_needs_a_reason_then_accept_after_resubmission(as_role, world):
    boss, officer = as_role("coordinator"), as_role("officer")
    etag = boss.get(f"/tasks/{world.return_a}").headers["ETag"]
    blank = boss.post(f"/tasks/{world.return_a}/return", json={"reason": "   "}, etag=etag)
    assert blank.status_code == 422
    returned = boss.post(f"/tasks/{world.return_a}/return", json={"reason": "thiếu số liệu"},
                         etag=etag)
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    assert officer.get(f"/tasks/{world.return_a}").get_json()["allowed_transitions"] == [
        "in_progress", "submitted"]
    history = officer.get(f"/tasks/{world.return_a}/history").get_json()
    assert history[-1]["action"] == "return" and history[-1]["note"] == "thiếu số liệu"
    accepted = boss.post(f"/tasks/{world.accept_a}/accept", json={"note": "đạt"},
                         etag=boss.get(f"/tasks/{world.accept_a}").headers["ETag"])
    assert accepted.get_json()["status"] == "accepted"


def test_bad_input_is_422_with_field_errors(as_role, world):
    c = as_role("officer")
    etag = c.get(f"/tasks/{world.task_a}").headers["ETag"]
    url = f"/tasks/{world.task_a}/status"
    response = c.post(url, json={"status": "bogus", "extra": 1, "nil_return": 1}, etag=etag)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert set(errors) == {"status", "extra", "nil_return"}
    for query in ("page=2.5", "page=0", "page_size=1000", "overdue=1", "due_from=2025-13-01",
                  "color=red", "status=late", "page=99999999999999999999"):
        response = c.get(f"/tasks?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["errors"]["query"], query
    assert c.post(url, data="[1, 2]", content_type="application/json",
                  etag=etag).status_code == 422
    assert c.post(url, data="{not json", content_type="application/json",
                  etag=etag).status_code in (400, 422)


def test_405_says_which_methods_are_allowed(as_role, world):
    response = as_role("admin").open("DELETE", f"/tasks/{world.task_a}")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert response.get_json() == {"code": 405, "error": "http.method_not_allowed",
                                   "message": response.get_json()["message"], "errors": {}}
    assert "POST" in as_role("admin").get(f"/tasks/{world.task_a}/status").headers["Allow"]


def test_unknown_api_path_is_json_but_web_pages_are_not(as_role, client, world):
    response = as_role("admin").get("/nothing-here")
    assert response.status_code == 404 and response.get_json()["code"] == 404
    assert client.get("/nothing-here").mimetype != "application/json"


def test_huge_or_zero_ids_are_not_found(as_role, world):
    c = as_role("admin")
    for path in ("/tasks/0", "/tasks/999999999", "/tasks/99999999999999999999", "/tasks/-1"):
        assert c.get(path).status_code == 404, path


def test_api_is_exempt_from_csrf(app, as_role, world, session):
    app.config["WTF_CSRF_ENABLED"] = True  # the app's own CSRFProtect now checks every form
    assert app.test_client().post("/login", data={"email": "x@example.org"}).status_code == 400
    c = as_role("officer")
    response = c.post(f"/tasks/{world.task_a}/status", json={"status": "in_progress"},
                      etag=c.get(f"/tasks/{world.task_a}").headers["ETag"])
    assert response.status_code == 200
    assert session.scalar(sa.select(Task.status).where(Task.id == world.task_a)) == "in_progress"


def test_reschedule_needs_if_match_and_a_reason(as_role, world, session):
    c = as_role("coordinator")
    url = f"/tasks/{world.task_a}"
    etag = c.get(url).headers["ETag"]
    body = {"due_on": "2025-10-15", "reason": "gia hạn theo đề nghị"}
    assert c.open("PATCH", url, json=body).status_code == 428
    assert c.open("PATCH", url, json={**body, "reason": ""}, etag=etag).status_code == 422
    done = c.open("PATCH", url, json=body, etag=etag)
    assert done.status_code == 200 and done.get_json()["due_on"] == "2025-10-15"
    assert done.get_json()["overdue"] is False  # 1 October: no longer late
    assert c.open("PATCH", url, json=body, etag=etag).status_code == 412


def test_a_change_answers_the_task_as_a_read_shows_it(as_role, world):
    """The answer of a change is the task as GET shows it right after, with the same ETag
    (start, then a submission, which sets submitted_at and late)."""
    c = as_role("officer")
    url = f"/tasks/{world.task_a}"
    for status in ("in_progress", "submitted"):
        done = c.post(f"{url}/status", json={"status": status, "note": "ok"},
                      etag=c.get(url).headers["ETag"])
        assert done.status_code == 200
        read = c.get(url)
        assert done.get_json() == read.get_json()
        assert done.headers["ETag"] == read.headers["ETag"] == f'"{read.get_json()["version"]}"'
        assert done.headers["Content-Type"] == "application/json"
    assert read.get_json()["status"] == "submitted" and read.get_json()["submitted_at"]
