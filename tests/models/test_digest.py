"""The daily digest: one message per person, channel and day, grouped, worst first."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.db import make_session_factory
from models.notify.dispatch import dispatch
from models.notify.entities import Notification
from models.notify.ladder import sweep
from models.notify.targets import set_target
from models.plans.entities import Item
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, reschedule
from tests.factories import T0, load_mini, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "https://planwatch.example.org"


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, tzinfo=HCM)


def task_of(session, agency: str, item: str) -> Task:
    return session.scalar(sa.select(Task).where(Task.agency.has(code=agency),
                                                Task.item.has(code=item)).order_by(Task.due_on))


def setup(session, receiver, early_plan_reminder: bool = True):
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    if early_plan_reminder:
        # M-PLAN (due 30/9) reminded 5 working days ahead: on 23/9, with the quarterly report
        # (which absorbs September's monthly one) due 22/9 one day overdue
        session.scalar(sa.select(Item).where(Item.code == "M-PLAN")).reminders = [
            {"at": -5, "to": ["responsible"]}]
    people = {
        "a": make_user(session, email="a@a.example.org"),
        "a2": make_user(session, email="a2@a.example.org"),
        "b": make_user(session, email="b@b.example.org", agency="AG-B"),
        "coord": make_user(session, email="c@coord.example.org", role="coordinator",
                           agency="COORD"),
    }
    for who in ("a", "a2", "coord"):
        set_target(session, CONSOLE, url=receiver.url(f"/{who}"),
                   user_email=people[who].email, now=T0)
    set_target(session, CONSOLE, url=receiver.url("/a-chat"), user_email="a@a.example.org",
               now=T0)
    for agency in ("AG-A", "AG-B"):
        set_target(session, CONSOLE, url=receiver.url(f"/mailbox-{agency}"), agency_code=agency,
                   now=T0)
    session.flush()
    return people


def test_one_digest_per_person_and_channel_grouped_worst_first(
        session, http_receiver):  # noqa: F811
    setup(session, http_receiver)
    day = morning(date(2025, 9, 23))
    created = sweep(session, now=day)
    # per rung: AG-A's three channels of its two officers and AG-B's mailbox
    assert created == {"+1": 4, "-5": 4}
    assert sweep(session, now=day + timedelta(hours=2)) == {}
    session.commit()
    counts = dispatch(make_session_factory(session.get_bind()), now=day + timedelta(minutes=5),
                      limit=50, base_url=BASE)
    got = {path: body for path, body in http_receiver.received}
    # one message per person and channel: officer a on two channels, a2, AG-B's mailbox (its
    # officer has no channel of their own); AG-A's mailbox gets nothing (both have their own)
    assert sorted(got) == ["/a", "/a-chat", "/a2", "/mailbox-AG-B"]
    assert counts["sent"] == 4 and len(http_receiver.received) == 4
    body = got["/a"]
    assert body["type"] == "failure"  # something is overdue
    assert body["title"].startswith("Đôn đốc thực hiện MINI-1: Đơn vị A, quý III/2025")
    assert body["title"].endswith("(2 việc)")
    text = body["message"]
    assert text.startswith("Kính gửi: a@a.example.org.")
    assert text.index("QUÁ HẠN CHƯA BÁO CÁO (1)") < text.index("SẮP ĐẾN HẠN (1)")
    assert "ĐẾN HẠN HÔM NAY" not in text
    assert "hạn 22/09/2025, đã quá hạn 1 ngày" in text and "còn 7 ngày" in text
    quarterly, plan_task = task_of(session, "AG-A", "M-RPT-Q"), task_of(session, "AG-A", "M-PLAN")
    assert f"{BASE}/tasks/{quarterly.id}" in text and f"{BASE}/tasks/{plan_task.id}" in text
    assert "Đề nghị khẩn trương hoàn thành" in text
    mailbox = got["/mailbox-AG-B"]["message"]
    assert mailbox.startswith("Kính gửi: Đơn vị B.") and "đề nghị đơn vị" in mailbox
    # the coordinator hears of AG-A's and AG-B's late quarterly reports on +3, in one message
    for d in (date(2025, 9, 24), date(2025, 9, 25)):
        sweep(session, now=morning(d))
    session.commit()
    dispatch(make_session_factory(session.get_bind()),
             now=morning(date(2025, 9, 25)) + timedelta(minutes=5), limit=50, base_url=BASE)
    [coord] = [b for p, b in http_receiver.received if p == "/coord"]
    assert "ĐƠN VỊ CHẬM BÁO CÁO, ĐỀ NGHỊ ĐÔN ĐỐC" in coord["message"]
    assert "Đề nghị đồng chí đôn đốc" in coord["message"]
    assert coord["title"] == "Đôn đốc thực hiện MINI-1: 2 đơn vị, quý III/2025 (2 việc)"
    assert coord["type"] == "failure"


def test_a_digest_whose_items_were_all_submitted_is_cancelled(
        session, http_receiver):  # noqa: F811
    people = setup(session, http_receiver)
    day = morning(date(2025, 9, 22))  # the quarterly report due today
    sweep(session, now=day)
    for item in ("M-RPT-Q",):
        change_status(session, people["a"], task_of(session, "AG-A", item), "submitted",
                      note="xong", now=day + timedelta(minutes=1))
    session.commit()
    counts = dispatch(make_session_factory(session.get_bind()), now=day + timedelta(minutes=5),
                      limit=50, base_url=BASE)
    paths = [p for p, _ in http_receiver.received]
    assert not any(p in ("/a", "/a-chat", "/a2") for p in paths)
    assert counts["cancelled"] >= 3  # AG-A's three digests
    assert "/mailbox-AG-B" in paths  # AG-B did not submit: its digest still goes


def test_a_catch_up_sends_the_overdue_notice_not_also_the_reminder(
        session, http_receiver):  # noqa: F811
    setup(session, http_receiver, early_plan_reminder=False)
    plan_task = task_of(session, "AG-A", "M-PLAN")
    assert plan_task.due_on == date(2025, 9, 30)
    # the flow did not run on the due day; the next morning it catches up
    sweep(session, now=morning(date(2025, 10, 1)))
    rungs = set(session.scalars(sa.select(Notification.rung).where(
        Notification.subject_type == "task", Notification.subject_id == plan_task.id)))
    assert rungs == {"+1"}


def test_a_late_reminder_is_dropped_not_sent_saying_overdue(
        session, http_receiver):  # noqa: F811
    people = setup(session, http_receiver, early_plan_reminder=False)
    people["a"].notify_immediate = ["reminder"]
    sweep(session, now=morning(date(2025, 9, 30)))  # M-PLAN due today: an immediate reminder
    session.commit()
    # the dispatcher was down until the next day
    counts = dispatch(make_session_factory(session.get_bind()),
                      now=morning(date(2025, 10, 1)) + timedelta(hours=3), limit=50,
                      base_url=BASE)
    assert counts["cancelled"] >= 1
    for _path, body in http_receiver.received:
        assert "quá hạn" not in body["message"].lower() or not body["title"].startswith("Nhắc")
    assert not any(p == "/a" and b["title"].startswith("Nhắc hạn")
                   for p, b in http_receiver.received)


def test_a_second_sweep_on_the_same_day_sends_the_items_the_first_digest_lacked(
        session, http_receiver):  # noqa: F811
    setup(session, http_receiver)
    coordinator = make_user(session, email="lead@coord.example.org", role="coordinator",
                            agency="COORD")
    day = morning(date(2025, 9, 23))
    sweep(session, now=day)
    session.commit()
    factory = make_session_factory(session.get_bind())
    dispatch(factory, now=day + timedelta(minutes=5), limit=50, base_url=BASE)
    [first] = [b for p, b in http_receiver.received if p == "/a"]
    assert first["title"].endswith("(2 việc)")
    # at noon the coordinator brings October's monthly report forward to today; the sweep
    # runs again: its reminder for today must reach officer a, whose digest already went
    october = session.scalar(sa.select(Task).where(
        Task.agency.has(code="AG-A"), Task.due_on > date(2025, 9, 30)).order_by(Task.due_on))
    noon = day + timedelta(hours=6)
    reschedule(session, coordinator, october, date(2025, 9, 23), reason="họp sớm", now=noon)
    created = sweep(session, now=noon)
    assert created.get("0")
    # a third sweep before the dispatcher ran adds nothing, and joins the waiting follow-up
    assert sweep(session, now=noon + timedelta(minutes=30)) == {}
    session.commit()
    dispatch(factory, now=noon + timedelta(minutes=5), limit=50, base_url=BASE)
    to_a = [b for p, b in http_receiver.received if p == "/a"]
    assert len(to_a) == 2
    follow_up = to_a[1]["message"]
    assert f"{BASE}/tasks/{october.id}" in follow_up and "ĐẾN HẠN HÔM NAY (1)" in follow_up
    # the follow-up has only what the first one lacked
    assert to_a[1]["title"].endswith("(1 việc)")
    # the day's digest and its follow-up: both of 23 September
    follow_ups = session.scalars(sa.select(Notification.dedupe_key).where(
        Notification.subject_type == "digest", Notification.dedupe_key.like("%#2"))).all()
    assert follow_ups and all(k.startswith("digest:2025-09-23:") for k in follow_ups)


def test_items_of_a_rerun_join_the_day_s_digest_while_it_waits(
        session, http_receiver):  # noqa: F811
    setup(session, http_receiver)
    coordinator = make_user(session, email="lead@coord.example.org", role="coordinator",
                            agency="COORD")
    day = morning(date(2025, 9, 23))
    sweep(session, now=day)
    october = session.scalar(sa.select(Task).where(
        Task.agency.has(code="AG-A"), Task.due_on > date(2025, 9, 30)).order_by(Task.due_on))
    reschedule(session, coordinator, october, date(2025, 9, 23), reason="họp sớm",
               now=day + timedelta(minutes=10))
    sweep(session, now=day + timedelta(minutes=20))
    session.commit()
    dispatch(make_session_factory(session.get_bind()), now=day + timedelta(minutes=30),
             limit=50, base_url=BASE)
    [to_a] = [b for p, b in http_receiver.received if p == "/a"]  # still one message a day
    assert to_a["title"].endswith("(3 việc)") and f"/tasks/{october.id}" in to_a["message"]
