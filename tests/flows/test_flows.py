"""Each flow once, end to end, under a real (test) Prefect server."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.notify.entities import Notification
from models.notify.targets import set_target
from models.tasks.entities import Task
from tests.factories import T0, load_mini, make_user

DUE_DAY = datetime(2025, 9, 30, 6, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]


def test_cadence_flow_opens_periods_once(session, flow_db):
    from flows.cadence import cadence_flow

    load_mini(session)
    session.commit()
    created = cadence_flow(now=datetime(2025, 9, 1, 6, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    # through 2 October: the September and October monthly reports, the plan, Q3 report
    assert created and sum(created.values()) == session.scalar(sa.select(sa.func.count(Task.id)))
    assert cadence_flow(now=DUE_DAY.replace(month=9, day=1)) == {}


def test_deadlines_then_notify_flow_deliver_once(session, flow_db, http_receiver):
    from flows.cadence import cadence_flow
    from flows.deadlines import deadlines_flow
    from flows.notify import notify_flow

    load_mini(session)
    make_user(session, email="a@a.example.org")
    set_target(session, "test", url=http_receiver.url("/a"), user_email="a@a.example.org", now=T0)
    session.commit()
    cadence_flow(now=DUE_DAY)
    assert deadlines_flow(now=DUE_DAY) == {"0": 1}
    assert deadlines_flow(now=DUE_DAY) == {}
    assert notify_flow(now=DUE_DAY)["sent"] == 1
    assert notify_flow(now=DUE_DAY)["sent"] == 0
    [(path, body)] = http_receiver.received
    assert path == "/a" and "https://planwatch.example.org/tasks/" in body["message"]
    assert session.scalar(sa.select(Notification.status)) == "sent"
