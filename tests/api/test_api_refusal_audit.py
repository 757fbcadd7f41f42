"""API refusals are audited like the pages' refusals, naming the token's owner."""

from __future__ import annotations

import sqlalchemy as sa

from models.core.audit import AuditEvent


def _refused(session) -> list[AuditEvent]:
    session.expire_all()
    return session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.refused")
                           .order_by(AuditEvent.id)).all()


def test_a_token_owners_refusals_are_each_audited(as_role, world, session):
    officer = as_role("officer_b")
    assert officer.get(f"/tasks/{world.open_a}").status_code == 404  # another agency's task
    assert as_role("viewer").get("/audit-events").status_code == 403  # the admin's trail
    events = _refused(session)
    assert [(e.actor_label, e.after["status"]) for e in events] == [
        ("officer@b.example.org", 404), ("viewer@example.org", 403)]
    assert events[0].entity_id == f"/api/v1/tasks/{world.open_a}"
