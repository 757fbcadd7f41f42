"""Corrective actions on the reminder ladder: which rungs fire when, for whom, and only once."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.core.db import make_session_factory
from models.notify.dispatch import dispatch
from models.notify.entities import Notification, NotificationTarget
from models.notify.ladder import sweep
from models.notify.targets import set_target
from models.oversight.corrective_actions import change_action_status
from models.plans.calendar import WorkingCalendar
from tests.factories import make_world, person

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "https://planwatch.example.org"


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, tzinfo=HCM)


def days(start: date, end: date):
    while start <= end:
        yield start
        start += timedelta(days=1)


@pytest.fixture
def world(session):
    """One open corrective action of AG-A (due Tue 21 Oct 2025) and a target per person."""
    w = make_world(session)
    head = person(session, "head@a.example.org", "officer", "AG-A")
    head.is_agency_head, head.locale = True, "en"
    w.users["head"] = head
    for name in ("officer", "head", "inspector", "other_officer"):
        set_target(session, "test", url=f"json://127.0.0.1:9/{name}",
                   user_email=w[name].email, now=morning(date(2025, 10, 7)))
    session.flush()
    return w


def rungs_of(session, action_id: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rung, target in session.execute(sa.select(Notification.rung, Notification.target).where(
            Notification.subject_type == "corrective_action",
            Notification.subject_id == action_id)):
        out.setdefault(rung, set()).add(target.rsplit("/", 1)[1])
    return out


def test_ladder_around_the_due_date(session, world):
    action = world.action
    assert action.due_on == date(2025, 10, 21)
    fired: dict[date, set[str]] = {}
    for day in days(date(2025, 10, 10), date(2025, 10, 31)):
        sweep(session, now=morning(day))
        sweep(session, now=morning(day) + timedelta(hours=4))  # a rerun the same day: nothing
        session.flush()
        seen = set(session.scalars(sa.select(Notification.rung).where(
            Notification.subject_type == "corrective_action",
            Notification.created_at == morning(day))))
        if seen:
            fired[day] = seen
    cal = WorkingCalendar()
    assert fired == {cal.add_working_days(action.due_on, k): {rung} for k, rung in
                     [(-3, "-3"), (-1, "-1"), (0, "0"), (1, "+1"), (3, "+3")]}
    assert rungs_of(session, action.id) == {
        "-3": {"officer"}, "-1": {"officer"}, "0": {"officer"}, "+1": {"officer", "head"},
        "+3": {"inspector"},
    }
    rows = {n.rung: n for n in session.scalars(sa.select(Notification).where(
        Notification.subject_type == "corrective_action"))}
    assert rows["+3"].kind == "escalation" and rows["-1"].kind == "reminder"
    assert rows["+3"].dedupe_key == (f"corrective_action:{action.id}:due:2025-10-21:rung:+3:"
                                     f"target:{rows['+3'].target_id}")
    total = session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.subject_type != "digest"))
    assert total == 6  # nothing twice, nothing for AG-B


def test_submitted_action_gets_no_later_rungs(session, world):
    for day in days(date(2025, 10, 14), date(2025, 10, 20)):
        sweep(session, now=morning(day))
    change_action_status(session, world["officer"], world.action, "submitted", note="đã nộp",
                         now=morning(date(2025, 10, 20)) + timedelta(hours=4))
    for day in days(date(2025, 10, 21), date(2025, 11, 5)):
        sweep(session, now=morning(day))
    assert set(rungs_of(session, world.action.id)) == {"-3", "-1"}
    # reopened by the inspector: the agency owes it again and the ladder resumes
    change_action_status(session, world["inspector"], world.action, "reopened", note="thiếu",
                         now=morning(date(2025, 11, 5)) + timedelta(hours=4))
    sweep(session, now=morning(date(2025, 11, 6)))
    assert set(rungs_of(session, world.action.id)) == {"-3", "-1"}  # its rungs lie in the past


def aim(session, receiver, *names: str) -> None:
    """Point these people's targets at the loopback receiver (path: their name)."""
    for target in session.scalars(sa.select(NotificationTarget)):
        name = target.url.rsplit("/", 1)[1]
        if name in names:
            target.url = receiver.url(f"/{name}")
    session.flush()


def test_overdue_notice_arrives_once(session, world, http_receiver):
    aim(session, http_receiver, "head", "officer")
    for who in ("head", "officer"):  # one message per overdue notice, not in the digest
        world[who].notify_immediate = ["overdue"]
    sweep(session, now=morning(date(2025, 10, 21)))  # the due-day reminder, sent that day
    session.commit()
    overdue_day = morning(date(2025, 10, 22))
    assert sweep(session, now=overdue_day) == {"+1": 2}
    session.execute(sa.update(Notification).where(Notification.rung.in_(["0", ""]))
                    .values(status="sent"))  # only the overdue notices are under test here
    session.commit()
    factory = make_session_factory(session.get_bind())
    assert dispatch(factory, now=overdue_day, limit=10, base_url=BASE)["sent"] == 2
    assert dispatch(factory, now=overdue_day + timedelta(minutes=1), base_url=BASE)["sent"] == 0
    got = {path: body for path, body in http_receiver.received}
    assert len(http_receiver.received) == 2
    assert got["/head"]["title"] == ("Overdue: corrective action after inspection "
                                     "“Kiểm tra Đơn vị A”")
    assert "Fix due: 21/10/2025" in got["/head"]["message"]
    assert "Overdue by 1 day(s)." in got["/head"]["message"]
    officer = got["/officer"]
    assert officer["title"].startswith("Quá hạn: khắc phục sau kiểm tra")
    assert "Biện pháp khắc phục: Nộp báo cáo tháng 9" in officer["message"]
    assert f"{BASE}/inspections/actions/{world.action.id}" in officer["message"]


def test_a_submitted_action_cancels_its_pending_notice(session, world, http_receiver):
    set_target(session, "test", url=http_receiver.url("/officer"),
               user_email="officer@a.example.org", now=morning(date(2025, 10, 7)))
    sweep(session, now=morning(date(2025, 10, 21)))
    change_action_status(session, world["officer"], world.action, "submitted", note="đã nộp",
                         now=morning(date(2025, 10, 21)) + timedelta(hours=1))
    session.commit()
    factory = make_session_factory(session.get_bind())
    counts = dispatch(factory, now=morning(date(2025, 10, 21)) + timedelta(hours=2),
                      base_url=BASE)
    assert counts["sent"] == 0 and counts["cancelled"] >= 1
    assert http_receiver.received == []
