"""Every operation, called with a token of each role and of another agency."""

from __future__ import annotations

import io

import pytest

from tests.api.conftest import ROLES
from tests.factories import real_file

EVERYONE = dict.fromkeys(ROLES, 200)
AGENCY_A = {**EVERYONE, "officer_b": 404}  # another agency's objects are simply not found
CHANGERS = {"admin": 200, "coordinator": 200, "officer": 200,
            "inspector": 403, "viewer": 403, "officer_b": 404}
OPENERS = {"admin": 200, "coordinator": 200, "inspector": 200,
           "officer": 403, "viewer": 403, "officer_b": 404}
INSPECTORS = {**OPENERS, "coordinator": 403}
AGENCY_STEPS = {**INSPECTORS, "inspector": 403, "officer": 200}
STAFF_ONLY = {**dict.fromkeys(ROLES, 403), "admin": 200, "coordinator": 200}
CREATED = {**dict.fromkeys(ROLES, 403), "admin": 201, "inspector": 201}
REVIEWERS = {"admin": 200, "coordinator": 200, "officer": 403,
             "inspector": 403, "viewer": 403, "officer_b": 404}


def _etag(c, task_id):
    return c.get(f"/tasks/{task_id}", headers={}).headers.get("ETag", '"1"')


def _etag_of(c, path):
    return c.get(path).headers.get("ETag", '"1"')


def _insp(w, name):
    return w.inspections[name]


def _act(c, w, verb, **kwargs):
    path = f"/corrective-actions/{w.actions[verb]}"
    return c.post(f"{path}/{verb}", etag=_etag_of(c, path), **kwargs)


def _pdf():
    return {"note": "xong", "files": [(io.BytesIO(real_file("x.pdf", "ok")), "bao-cao.pdf")]}


# (method, spec path, how to call it, expected status per role); changes come last
OPERATIONS = [
    ("get", "/api/v1/me", lambda c, w: c.get("/me"), EVERYONE),
    ("get", "/api/v1/me/tokens", lambda c, w: c.get("/me/tokens"), EVERYONE),
    ("get", "/api/v1/agencies", lambda c, w: c.get("/agencies"), EVERYONE),
    ("get", "/api/v1/agencies/{agency_id}", lambda c, w: c.get(f"/agencies/{w.agency_a}"),
     EVERYONE),
    ("get", "/api/v1/plans", lambda c, w: c.get("/plans"), EVERYONE),
    ("get", "/api/v1/plans/{plan_id}", lambda c, w: c.get(f"/plans/{w.plan}"), EVERYONE),
    ("get", "/api/v1/tasks", lambda c, w: c.get("/tasks"), EVERYONE),
    ("get", "/api/v1/figures", lambda c, w: c.get("/figures?plan=MINI-1&period=2025"), EVERYONE),
    ("get", "/api/v1/tasks/{task_id}", lambda c, w: c.get(f"/tasks/{w.task_a}"), AGENCY_A),
    ("get", "/api/v1/tasks/{task_id}/history",
     lambda c, w: c.get(f"/tasks/{w.return_a}/history"), AGENCY_A),
    ("get", "/api/v1/attachments/{attachment_id}",
     lambda c, w: c.get(f"/attachments/{w.attachment_a}"), AGENCY_A),
    ("get", "/api/v1/extensions", lambda c, w: c.get("/extensions"), EVERYONE),
    ("get", "/api/v1/tasks/{task_id}/extensions",
     lambda c, w: c.get(f"/tasks/{w.yearly_a}/extensions"), AGENCY_A),
    ("get", "/api/v1/extensions/{request_id}",
     lambda c, w: c.get(f"/extensions/{w.extension_b}"), {**EVERYONE, "officer": 404}),
    ("get", "/api/v1/audit-events", lambda c, w: c.get("/audit-events"),
     {**dict.fromkeys(ROLES, 403), "admin": 200}),
    ("post", "/api/v1/tasks/{task_id}/status",
     lambda c, w: c.post(f"/tasks/{w.task_a}/status", etag=_etag(c, w.task_a),
                         json={"status": "in_progress", "note": "bắt đầu"}), CHANGERS),
    ("patch", "/api/v1/tasks/{task_id}",
     lambda c, w: c.open("PATCH", f"/tasks/{w.task_a}", etag=_etag(c, w.task_a),
                         json={"due_on": "2025-10-15", "reason": "gia hạn"}),
     {**REVIEWERS, "officer": 403}),
    ("post", "/api/v1/tasks/{task_id}/extensions",
     lambda c, w: c.post(f"/tasks/{w.yearly_a}/extensions",
                         json={"due_on": "2025-12-31", "reason": "chờ số liệu"}),
     {**dict.fromkeys(ROLES, 403), "officer": 201, "officer_b": 404}),
    ("post", "/api/v1/extensions/{request_id}/decision",
     lambda c, w: c.post(f"/extensions/{w.extension_b}/decision",
                         etag=_etag_of(c, f"/extensions/{w.extension_b}"),
                         json={"decision": "approve"}),
     {**REVIEWERS, "officer": 404, "officer_b": 403}),  # AG-B's request
    ("post", "/api/v1/tasks/{task_id}/submissions",
     lambda c, w: c.post(f"/tasks/{w.open_a}/submissions", etag=_etag(c, w.open_a),
                         data=_pdf()), {**CHANGERS, "admin": 201, "coordinator": 201,
                                        "officer": 201}),
    ("post", "/api/v1/tasks/{task_id}/accept",
     lambda c, w: c.post(f"/tasks/{w.accept_a}/accept", etag=_etag(c, w.accept_a), json={}),
     REVIEWERS),
    ("post", "/api/v1/tasks/{task_id}/return",
     lambda c, w: c.post(f"/tasks/{w.return_a}/return", etag=_etag(c, w.return_a),
                         json={"reason": "thiếu số liệu"}), REVIEWERS),
    ("get", "/api/v1/inspections", lambda c, w: c.get("/inspections?status=in_progress"),
     EVERYONE),
    ("get", "/api/v1/inspections/{inspection_id}",
     lambda c, w: c.get(f"/inspections/{_insp(w, 'running')}"), AGENCY_A),
    ("get", "/api/v1/inspections/{inspection_id}/timeline",
     lambda c, w: c.get(f"/inspections/{_insp(w, 'running')}/timeline"), AGENCY_A),
    ("get", "/api/v1/inspections/{inspection_id}/findings",
     lambda c, w: c.get(f"/inspections/{_insp(w, 'running')}/findings"), AGENCY_A),
    ("get", "/api/v1/findings/{finding_id}", lambda c, w: c.get(f"/findings/{w.finding_a}"),
     AGENCY_A),
    ("get", "/api/v1/corrective-actions", lambda c, w: c.get("/corrective-actions?overdue=false"),
     EVERYONE),
    ("get", "/api/v1/corrective-actions/{action_id}",
     lambda c, w: c.get(f"/corrective-actions/{w.actions['verify']}"), AGENCY_A),
    ("get", "/api/v1/corrective-actions/{action_id}/history",
     lambda c, w: c.get(f"/corrective-actions/{w.actions['verify']}/history"), AGENCY_A),
    ("get", "/api/v1/notifications", lambda c, w: c.get("/notifications"), STAFF_ONLY),
    ("get", "/api/v1/me/notifications", lambda c, w: c.get("/me/notifications"), EVERYONE),
    ("post", "/api/v1/inspections",
     lambda c, w: c.post("/inspections", json={"title": "Kiểm tra mới", "agency_ids": [w.agency_a],
                                               "planned_on": "2025-11-03"}),
     {**CREATED, "coordinator": 201}),
    ("post", "/api/v1/inspections/{inspection_id}/start",
     lambda c, w: c.post(f"/inspections/{_insp(w, 'planned')}/start",
                         etag=_etag_of(c, f"/inspections/{_insp(w, 'planned')}")), OPENERS),
    ("post", "/api/v1/inspections/{inspection_id}/conclude",
     lambda c, w: c.post(f"/inspections/{_insp(w, 'to_conclude')}/conclude",
                         etag=_etag_of(c, f"/inspections/{_insp(w, 'to_conclude')}"),
                         json={"conclusion": "Đạt yêu cầu"}), OPENERS),
    ("post", "/api/v1/inspections/{inspection_id}/findings",
     lambda c, w: c.post(f"/inspections/{_insp(w, 'running')}/findings",
                         json={"agency_id": w.agency_a, "severity": "minor", "text": "Thiếu"}),
     {**CREATED, "officer_b": 404}),
    ("post", "/api/v1/findings/{finding_id}/corrective-actions",
     lambda c, w: c.post(f"/findings/{w.finding_a}/corrective-actions",
                         json={"description": "Bổ sung", "due_in_working_days": 5}),
     {**CREATED, "officer_b": 404}),
    ("post", "/api/v1/corrective-actions/{action_id}/start",
     lambda c, w: _act(c, w, "start", json={"note": "bắt đầu"}), AGENCY_STEPS),
    ("post", "/api/v1/corrective-actions/{action_id}/submit",
     lambda c, w: _act(c, w, "submit", data=_pdf()), AGENCY_STEPS),
    ("post", "/api/v1/corrective-actions/{action_id}/verify",
     lambda c, w: _act(c, w, "verify", json={}), INSPECTORS),
    ("post", "/api/v1/corrective-actions/{action_id}/reopen",
     lambda c, w: _act(c, w, "reopen", json={"note": "thiếu biên bản"}), INSPECTORS),
    ("post", "/api/v1/corrective-actions/{action_id}/extend",
     lambda c, w: _act(c, w, "extend", json={"reason": "chờ kinh phí",
                                             "due_in_working_days": 5}), INSPECTORS),
    ("post", "/api/v1/me/tokens/{token_id}/revoke",
     lambda c, w: c.post(f"/me/tokens/{w.token_ids['officer_b']}/revoke"),
     {**dict.fromkeys(ROLES, 404), "officer_b": 200}),  # only one's own, admins too
]


def test_the_table_covers_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops if m != "parameters"}
    assert documented == {(m, p) for m, p, _, _ in OPERATIONS}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_rules_allow(as_role, world, role):
    c = as_role(role)
    got = {(method, path): call(c, world).status_code for method, path, call, _ in OPERATIONS}
    wanted = {(method, path): expected[role] for method, path, _, expected in OPERATIONS}
    assert got == wanted


def test_an_officer_lists_only_their_own_agency(as_role, world):
    rows = as_role("officer").get("/tasks?page_size=200").get_json()["items"]
    assert rows and {r["agency"] for r in rows} == {"AG-A"}
    everyone = as_role("viewer").get("/tasks?page_size=200").get_json()
    assert {r["agency"] for r in everyone["items"]} >= {"AG-A", "AG-B", "COORD"}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic YWRtaW46YWRtaW4=",
                                    "Bearer "])
def test_without_a_valid_token_every_operation_is_401(client, world, header):
    headers = {"Authorization": header} if header else {}
    for method, path, _, _ in OPERATIONS:
        url = path.format(agency_id=world.agency_a, plan_id=world.plan, task_id=world.task_a,
                          attachment_id=world.attachment_a, token_id=1,
                          inspection_id=world.inspections["running"], finding_id=world.finding_a,
                          action_id=world.actions["start"], request_id=world.extension_b)
        response = client.open(url, method=method.upper(), headers=headers)
        assert response.status_code == 401, url
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["code"] == 401
