"""Every inspection route × every role, on AG-A's data: no leak, 404 for another agency."""

from __future__ import annotations

import pytest

from models.core.audit import AuditEvent
from models.oversight.inspections import attach_to_finding
from tests.factories import at, make_world, real_upload

ROLES = ["anonymous", "admin", "inspector", "coordinator", "officer", "other_officer", "viewer"]
SEE_A = {"admin", "inspector", "coordinator", "officer", "viewer"}
STAFF = {"admin", "inspector", "coordinator", "viewer"}
RUNNERS = {"admin", "inspector", "coordinator"}
INSPECTORS = {"admin", "inspector"}

# (method, url, form, status for who may act, status for the others, who may act);
# state-changing requests are made harmless (impossible transition or invalid input), and
# for the others the answer is 403, or 404 where the data is another agency's.
ROUTES = [
    ("GET", "/inspections/", None, 200, 302, STAFF),  # officers go to their actions
    ("GET", "/inspections/plan", None, 200, 403, STAFF),
    ("GET", "/inspections/new", None, 200, 403, STAFF),
    ("POST", "/inspections/new", {"kind": "inspection", "title": "", "planned_on": "2025-10-08",
                                  "agency_ids": "{agency}"}, 422, 403, RUNNERS),
    ("GET", "/inspections/{inspection}", None, 200, 404, SEE_A),
    ("POST", "/inspections/{inspection}/status", {"status": "planned"}, 409, 404, SEE_A),
    ("POST", "/inspections/{inspection}/findings",
     {"agency_id": "{agency}", "severity": "bogus", "text": "x"}, 422, 403, INSPECTORS),
    ("POST", "/inspections/{inspection}/files", {}, 422, 403, RUNNERS),
    ("GET", "/inspections/{inspection}/report", None, 200, 404, SEE_A),
    ("GET", "/inspections/files/{attachment}", None, 200, 404, SEE_A),
    ("GET", "/inspections/findings/{finding}", None, 200, 404, SEE_A),
    ("POST", "/inspections/findings/{finding}/edit", {"severity": "bogus", "text": "x"},
     422, 403, INSPECTORS),
    ("POST", "/inspections/findings/{finding}/actions",
     {"description": "", "due_in_working_days": "5"}, 422, 403, INSPECTORS),
    ("GET", "/inspections/actions", None, 200, 200, None),
    ("GET", "/inspections/actions/{action}", None, 200, 404, SEE_A),
    ("POST", "/inspections/actions/{action}/status", {"status": "verified"}, 409, 404, SEE_A),
    ("POST", "/inspections/actions/{action}/extend",
     {"reason": "", "due_in_working_days": "5"}, 422, 403, INSPECTORS),
    ("GET", "/inspections/agencies/{agency}", None, 200, 404, SEE_A),
]


@pytest.fixture
def site(app, session, tmp_path):
    world = make_world(session)
    attachment = attach_to_finding(session, world["inspector"], world.finding,
                                   real_upload("ảnh.jpg"),
                                   folder=app.config["UPLOAD_FOLDER"], now=at(7))
    session.commit()
    app.config["PLANWATCH_NOW"] = at(8)
    ids = {"inspection": world.inspection.id, "finding": world.finding.id,
           "action": world.action.id, "agency": world.agency_a.id, "attachment": attachment.id}
    return app, world, ids


def expected_for(role, allowed, refused, who, url):
    if who is None or role in who:
        return allowed
    if role == "other_officer" and refused == 403 and "{" in url and "/new" not in url:
        return 404  # another agency's finding or action does not exist for them
    return refused


def test_the_matrix_covers_every_inspection_route(site):
    app, _, _ = site
    rules = {(m, r.rule) for r in app.url_map.iter_rules() if r.endpoint.startswith("inspections.")
             for m in r.methods - {"HEAD", "OPTIONS"}}
    covered = set()
    for method, url, *_ in ROUTES:
        for rule in app.url_map.iter_rules():
            pattern = rule.rule
            for name in ("inspection", "finding", "action", "agency", "attachment"):
                pattern = pattern.replace(f"<int:{name}_id>", "{" + name + "}")
            if method in rule.methods and pattern == url:
                covered.add((method, rule.rule))
    assert rules - covered == set()


@pytest.mark.parametrize("role", ROLES)
def test_every_inspection_route_for_every_role(site, session, role, as_user):
    app, world, ids = site
    client = app.test_client() if role == "anonymous" else as_user(world[role])
    for method, url, data, allowed, refused, who in ROUTES:
        target = url.format(**ids)
        form = {k: v.format(**ids) for k, v in data.items()} if data is not None else None
        response = client.open(target, method=method, data=form)
        if role == "anonymous":
            assert response.status_code in (302, 401), target
            if response.status_code == 302:
                assert "login" in response.headers["Location"], target
            continue
        expected = expected_for(role, allowed, refused, who, url)
        assert response.status_code == expected, (role, method, target, response.status_code)
        if expected in (403, 404):
            body = response.get_data(as_text=True)
            assert "Chưa báo cáo tháng 9" not in body and "Nộp báo cáo tháng 9" not in body
    session.expire_all()
    assert world.action.status == "open" and world.finding.text == "Chưa báo cáo tháng 9"
    assert world.inspection.status == "in_progress"
    assert session.query(AuditEvent).filter(AuditEvent.action.like("inspection.%")).count() == 2
