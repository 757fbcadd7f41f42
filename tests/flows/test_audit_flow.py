"""The daily audit flow: verifies the chain, and tells the admins through the outbox when
history was rewritten (once a day), under a real (test) Prefect server."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.audit import AuditEvent
from models.notify.entities import Notification
from models.notify.targets import set_target
from tests.factories import T0, make_user

DAY = datetime(2025, 9, 30, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]


def test_audit_flow_tells_the_admins_once_when_history_was_rewritten(
        session, flow_db, http_receiver, monkeypatch, tmp_path):
    from flows.audit import audit_verify_flow
    from flows.notify import notify_flow

    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path / "home"))
    make_user(session, email="admin@example.org", role="admin", agency=None)
    make_user(session, email="viewer@example.org", role="viewer", agency=None)
    set_target(session, CONSOLE, url=http_receiver.url("/admin"), user_email="admin@example.org",
               now=T0)
    session.commit()
    intact = audit_verify_flow(now=DAY)
    assert intact["ok"] and intact["events"] == 3 and intact["admins_alerted"] == 0
    assert session.scalar(sa.select(sa.func.count(Notification.id))) == 0

    first = session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).first()
    session.execute(sa.delete(AuditEvent).where(AuditEvent.id == first))  # an intruder's edit
    session.commit()
    broken = audit_verify_flow(now=DAY + timedelta(hours=1))
    assert not broken["ok"] and broken["admins_alerted"] == 1
    assert any("deleted" in problem for problem in broken["problems"])
    assert audit_verify_flow(now=DAY + timedelta(hours=2))["admins_alerted"] == 0  # once a day

    assert notify_flow(now=DAY + timedelta(hours=2))["sent"] == 1
    [(path, body)] = http_receiver.received
    text = json.dumps(body, ensure_ascii=False)
    assert path == "/admin" and "nhật ký kiểm toán không còn nguyên vẹn" in text
    assert "deleted" in text  # what was found, for the admin to act on
