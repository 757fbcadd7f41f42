"""Refused requests in the audit trail: every one of a known user, anonymous ones bounded to one
event per address and minute (counted), on the pages and on the API alike."""

from __future__ import annotations

import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.core.refusals import refusals_counted


def _refused(session) -> list[AuditEvent]:
    session.expire_all()
    return session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.refused")
                           .order_by(AuditEvent.id)).all()


def test_a_flood_of_anonymous_refusals_leaves_one_event_per_address_and_minute(
        app, world, session):
    client = app.test_client()
    for _ in range(60):  # the clock is fixed: one minute
        response = client.get("/tasks", environ_base={"REMOTE_ADDR": "203.0.113.7"})
        assert response.status_code == 302
    client.get("/tasks", environ_base={"REMOTE_ADDR": "198.51.100.20"})
    events = _refused(session)
    assert [(e.after["address"], e.after["status"]) for e in events] == [
        ("203.0.113.7", 401), ("198.51.100.20", 401)]
    assert refusals_counted(session, "203.0.113.7") == 60
    assert refusals_counted(session, "198.51.100.20") == 1


def test_refusals_of_a_logged_in_user_are_each_audited(world, as_user, session):
    viewer = as_user("viewer")
    for _ in range(3):
        assert viewer.get("/admin/users").status_code == 403
    assert [e.actor_label for e in _refused(session)] == ["viewer@example.org"] * 3


def test_api_refusals_are_audited_anonymous_ones_bounded(app, world, session):
    client = app.test_client()
    for _ in range(20):
        assert client.get("/api/v1/tasks").status_code == 401
    response = client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    events = _refused(session)
    assert [(e.actor_label, e.after["status"], e.entity_id) for e in events] == [
        ("anonymous", 401, "/api/v1/tasks")]
    assert refusals_counted(session, "127.0.0.1") == 21
