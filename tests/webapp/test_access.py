"""Every route × every role, against another agency's data: no leak, 404 for others' tasks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.attachments import Attachment
from models.core.audit import AuditEvent
from models.notify.entities import Notification
from models.notify.targets import set_target
from models.tasks.entities import Task
from models.tasks.feeds import issue_feed
from tests.factories import make_notification, make_user
from tests.webapp.conftest import WEB_NOW, submit

ROLES = ["anonymous", "officer_a", "officer_b", "coordinator", "inspector", "viewer", "admin"]
SEE_A = {"officer_a", "coordinator", "inspector", "viewer", "admin"}  # may see AG-A's work
READERS = {"coordinator", "inspector", "viewer", "admin"}
REVIEWERS = {"coordinator", "admin"}

# (method, url template, form data, status for a role that may act, status for the others);
# the data of AG-A's submitted task; state-changing requests are made harmless (stale version,
# impossible transition, invalid input) so each role meets the same data.
ROUTES = [
    ("GET", "/", None, 302, 302, None),
    ("GET", "/tasks", None, 200, 200, None),
    ("GET", "/tasks/{task}", None, 200, 404, SEE_A),
    ("POST", "/tasks/{task}/status", {"status": "not_started"}, 409, 404, SEE_A),
    ("POST", "/tasks/{task}/report", {"note": "x"}, 409, 404, SEE_A),
    # an empty note: refused as invalid for those who may write, 403 for read-only roles
    ("POST", "/tasks/{task}/note", {"note": ""},
     {"officer_a": 422, "coordinator": 422, "admin": 422, "inspector": 403, "viewer": 403},
     404, SEE_A),
    ("GET", "/attachments/{attachment}", None, 200, 404, SEE_A),
    ("GET", "/review/", None, 200, 403, REVIEWERS),
    ("POST", "/review/{task}/accept", {"version": "999"}, 412, 403, REVIEWERS),
    ("POST", "/review/{task}/return", {"version": "999", "reason": "r"}, 412, 403, REVIEWERS),
    ("POST", "/review/accept", {}, 422, 403, REVIEWERS),  # nothing chosen
    ("GET", "/dashboard/", None, 200, 403, READERS),
    ("GET", "/dashboard/tasks?state=all", None, 200, 403, READERS),
    ("GET", "/admin/users", None, 200, 403, {"admin"}),
    ("POST", "/admin/users", {"email": "not-an-email", "role": "viewer"}, 422, 403, {"admin"}),
    ("GET", "/admin/users/{spare}", None, 200, 403, {"admin"}),
    ("POST", "/admin/users/{spare}", {"role": "nope"}, 422, 403, {"admin"}),
    ("POST", "/admin/users/{spare}/password", {}, 302, 403, {"admin"}),
    ("GET", "/notifications/", None, 200, 200, None),
    ("GET", "/notifications/channels", None, 200, 200, None),
    ("GET", "/notifications/delivery", None, 200, 200, None),
    ("POST", "/notifications/delivery", {"immediate": "nope"}, 422, 422, None),
    ("POST", "/notifications/channels", {"url": "not a url"}, 422, 422, None),
    # {target} is the spare account's own address: nobody else may touch it, admins included
    ("POST", "/notifications/channels/{target}/active", {"active": "0"}, 404, 404, None),
    ("POST", "/notifications/channels/{target}/remove", {}, 404, 404, None),
    ("GET", "/notifications/outbox?status=dead", None, 200, 403, REVIEWERS),
    # {notification} was sent: retrying it is refused even for an admin
    ("POST", "/notifications/outbox/{notification}/retry", {}, 409, 403, {"admin"}),
    ("GET", "/notifications/agency-channels", None, 200, 403, {"admin"}),
    ("POST", "/notifications/agency-channels", {"agency": "AG-A", "url": "x"}, 422, 403,
     {"admin"}),
    ("POST", "/notifications/agency-channels/{target}/remove", {}, 404, 403, {"admin"}),
    # the report sent upward (DOCX); {inspection} does not exist: not found for its readers
    ("GET", "/reports/period?plan=MINI-1&period=2025-09", None, 200, 403, REVIEWERS),
    ("GET", "/reports/inspection/{inspection}", None, 404, 403,
     {"coordinator", "inspector", "admin"}),
    ("GET", "/reports/templates", None, 200, 403, {"admin"}),
    ("POST", "/reports/templates", {"name": "nope"}, 422, 403, {"admin"}),
    ("GET", "/reports/templates/default/{template}", None, 200, 403, {"admin"}),
    ("GET", "/dashboard/agency/{agency}?period=2025", None, 200, 404, SEE_A),
    ("GET", "/exports/tasks.{fmt}?period=2025-Q3", None, 200, 403, READERS),
    ("GET", "/exports/agencies.{fmt}?period=2025", None, 200, 403, READERS),
    ("GET", "/exports/sections.{fmt}?period=2025", None, 200, 403, READERS),
    ("GET", "/exports/scorecard/{agency}.{fmt}?period=2025", None, 200, 404, SEE_A),
    # every signed-in user exports their own workspace (an officer's agency filter is ignored)
    ("GET", "/exports/workspace.{fmt}?agency=AG-A", None, 200, 200, None),
    ("GET", "/feeds/", None, 200, 200, None),
    ("POST", "/feeds/", {"agency": "NO-SUCH"}, 404, 404, None),
    # {feed} is the spare account's: nobody else may renew or revoke it, admins included
    ("POST", "/feeds/{feed}/renew", {}, 404, 404, None),
    ("POST", "/feeds/{feed}/revoke", {}, 404, 404, None),
    ("GET", "/feeds/{token}.ics", None, 404, 404, None),
    ("GET", "/notifications/settings", None, 200, 403, {"admin"}),
    # invalid input each time: refused as such for an admin, 403 for everyone else
    ("POST", "/notifications/settings/smtp", {"host": "", "port": "x"}, 422, 403, {"admin"}),
    ("POST", "/notifications/settings/smtp/test", {"to": "nobody"}, 422, 403, {"admin"}),
    ("POST", "/notifications/settings/allowlist", {"allowlist": "no scheme"}, 422, 403,
     {"admin"}),
    ("POST", "/notifications/settings/telegram", {}, 302, 403, {"admin"}),
    ("POST", "/notifications/settings/zalo", {"base_url": "ftp://x"}, 422, 403, {"admin"}),
    # drafting a plan from its document: nothing uploaded (refused), a form without a draft
    # (sent back to the upload page); the editor: an item the plan does not have
    ("GET", "/plans/draft/", None, 200, 403, REVIEWERS),
    ("POST", "/plans/draft/", {}, 422, 403, REVIEWERS),
    ("POST", "/plans/draft/review", {"base": "not a draft"}, 302, 403, REVIEWERS),
    ("GET", "/plans/edit/", None, 302, 403, REVIEWERS),
    ("GET", "/plans/edit/{plan}", None, 200, 403, REVIEWERS),
    ("POST", "/plans/edit/{plan}", {"item": "NO-SUCH"}, 404, 403, REVIEWERS),
    ("POST", "/language", {"lang": "vi"}, 302, 302, None),
    ("POST", "/logout", {}, 302, 302, None),
]
PUBLIC = {"/", "/language", "/feeds/{token}.ics"}


@pytest.fixture
def a_submission(world, as_user, session):
    """AG-A's quarterly report, submitted with one file; and a spare account."""
    task_id = world["task_of"]("AG-A")
    assert submit(as_user("officer_a"), task_id).status_code == 302
    spare = make_user(session, email="spare@example.org", role="viewer", agency=None)
    target = set_target(session, CONSOLE, url="json://127.0.0.1:9/spare", user_email=spare.email,
                        now=WEB_NOW)
    sent = make_notification(session, recipient_id=world["users"]["officer_a"], subject_id=task_id)
    feed, _secret = issue_feed(session, spare, agency=None, now=WEB_NOW)
    session.commit()
    return {"task": task_id, "attachment": session.scalar(sa.select(Attachment.id)),
            "spare": spare.id, "target": target.id, "notification": sent.id, "agency": "AG-A",
            "fmt": "csv", "feed": feed.id, "token": "pwf_not-a-feed",
            "inspection": 999999, "template": "period-report.docx", "plan": "MINI-1"}


def test_the_matrix_covers_every_route(app):
    rules = {(m, r.rule) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
             if r.endpoint not in ("static", "main.healthz", "auth.login")
             and not r.endpoint.startswith("inspections.")  # test_inspection_access.py
             and not r.rule.startswith("/api/")}  # tests/api/test_api_access.py
    covered = set()
    for method, url, *_ in ROUTES:
        path = url.split("?")[0]
        for rule in app.url_map.iter_rules():
            if method in rule.methods:
                pattern = rule.rule.replace("<int:task_id>", "{task}").replace(
                    "<int:attachment_id>", "{attachment}").replace("<int:user_id>", "{spare}"
                ).replace("<int:target_id>", "{target}").replace(
                    "<int:notification_id>", "{notification}").replace(
                    "<int:inspection_id>", "{inspection}").replace("<name>", "{template}").replace(
                    "<code>", "{agency}").replace("<fmt>", "{fmt}").replace(
                    "<int:feed_id>", "{feed}").replace("<token>", "{token}").replace(
                    "<path:code>", "{plan}")
                if pattern == path:
                    covered.add((method, rule.rule))
    assert rules - covered == set()


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(app, as_user, a_submission, session, role):
    client = app.test_client() if role == "anonymous" else as_user(role)
    for method, url, data, allowed, refused, who in ROUTES:  # logout comes last
        target = url.format(**a_submission)
        response = client.open(target, method=method, data=data)
        if role == "anonymous":
            expected = allowed if url in PUBLIC else 302  # (never a dict for public routes)
            if response.status_code == 302 and url not in PUBLIC:
                assert "/login" in response.headers["Location"], target
        else:
            expected = allowed if who is None or role in who else refused
            if isinstance(expected, dict):
                expected = expected[role]
        assert response.status_code == expected, (role, method, target)
        if expected == 404:
            body = response.get_data(as_text=True)
            assert "report.pdf" not in body and "Đơn vị A" not in body
        response.close()  # streamed exports hold their request until read or closed
    session.expire_all()
    assert session.get(Task, a_submission["task"]).status == "submitted"
    assert session.get(Notification, a_submission["notification"]).status == "sent"


def test_officers_never_see_another_agencys_tasks_in_lists(world, as_user, a_submission):
    page = as_user("officer_b").get("/tasks").get_data(as_text=True)
    assert f'/tasks/{a_submission["task"]}"' not in page
    assert "AG-A" not in page


def test_refused_access_is_audited(world, as_user, a_submission, session):
    as_user("officer_b").get(f"/tasks/{a_submission['task']}")
    as_user("viewer").get("/admin/users")
    events = session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
    assert {e.after["status"] for e in events} == {403, 404}
    assert {e.actor_label for e in events} == {"officer@b.example.org", "viewer@example.org"}


def test_errors_answer_json_when_json_is_asked_for(world, as_user, a_submission):
    response = as_user("officer_b").get(f"/tasks/{a_submission['task']}",
                                        headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["code"] == 404 and response.json["error"] == "task.not_found"
