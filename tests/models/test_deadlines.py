"""The reminder ladder over time: which rungs fire on which day, for whom, and only once."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.notify.entities import Notification
from models.notify.ladder import due_dates_for, sweep
from models.notify.targets import set_target
from models.org.agencies import Agency
from models.plans.calendar import WorkingCalendar
from models.plans.entities import Item
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, reschedule
from tests.factories import T0, load_mini, load_seed, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, tzinfo=HCM)


def days(start: date, end: date):
    while start <= end:
        yield start
        start += timedelta(days=1)


@pytest.fixture
def world(session):
    """The mini plan, its tasks to the end of 2025, and a target for every kind of recipient."""
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    people = {
        "officer_a": make_user(session, email="a@a.example.org"),
        "head_a": make_user(session, email="head@a.example.org", is_agency_head=True,
                            locale="en"),
        "officer_b": make_user(session, email="b@b.example.org", agency="AG-B"),
        "coordinator": make_user(session, email="c@coord.example.org", role="coordinator",
                                 agency="COORD"),
    }
    for name, user in people.items():
        set_target(session, "test", url=f"json://127.0.0.1:9/{name}", user_email=user.email,
                   now=T0)
    set_target(session, "test", url="json://127.0.0.1:9/coord-mailbox", agency_code="COORD",
               now=T0)
    session.flush()
    return people


def plan_task(session, agency: str) -> Task:
    return session.scalar(sa.select(Task).where(
        Task.agency.has(code=agency), Task.item.has(code="M-PLAN")))


def rungs_of(session, task: Task) -> dict[str, set[str]]:
    """For one task: rung -> the targets it went to (last path segment of the URL)."""
    out: dict[str, set[str]] = {}
    for rung, target in session.execute(sa.select(Notification.rung, Notification.target).where(
            Notification.subject_id == task.id, Notification.subject_type == "task")):
        out.setdefault(rung, set()).add(target.rsplit("/", 1)[1])
    return out


def test_inverse_of_working_days_matches_the_calendar():
    cal = WorkingCalendar()
    # Friday 3 Oct 2025 is 3 working days after Tuesday 30 Sep
    assert due_dates_for(cal, 3, date(2025, 10, 3), 0) == {date(2025, 9, 30)}
    # the +1 rung on Monday 6 Oct covers tasks due on Friday and over the weekend
    assert due_dates_for(cal, 1, date(2025, 10, 6), 0) == {
        date(2025, 10, 3), date(2025, 10, 4), date(2025, 10, 5)}
    # across Tết 2026 (16-20 Feb off): 7 working days before 27 Feb is 11 Feb
    assert due_dates_for(cal, -7, date(2026, 2, 11), 0) == {date(2026, 2, 27)}


def test_a_missed_rung_is_dropped_when_a_later_one_is_due():
    cal = WorkingCalendar()
    friday = date(2025, 9, 26)
    # the -3 rung of a task due Mon 29 fell on Wed 24 and was missed; its -1 is due today, so
    # only that one is sent; a task due Tue 30 (-3 on Thu 25, missed) still gets its -3
    assert due_dates_for(cal, -3, friday, 3, later_at=-1) == {date(2025, 9, 30), date(2025, 10, 1)}
    assert date(2025, 9, 29) in due_dates_for(cal, -3, friday, 3)


def test_each_rung_fires_on_its_day_for_its_recipients(session, world):
    task = plan_task(session, "AG-A")  # due Tuesday 30 Sep 2025
    fired: dict[date, set[str]] = {}
    for day in days(date(2025, 9, 20), date(2025, 10, 10)):
        sweep(session, now=morning(day))
        session.flush()
        seen = {r for r, _ in session.execute(sa.select(Notification.rung, Notification.id).where(
            Notification.subject_id == task.id, Notification.created_at == morning(day)))}
        if seen:
            fired[day] = seen
    assert fired == {
        date(2025, 9, 25): {"-3"}, date(2025, 9, 30): {"0"},
        date(2025, 10, 1): {"+1"}, date(2025, 10, 3): {"+3"},
    }
    assert rungs_of(session, task) == {
        "-3": {"officer_a"}, "0": {"officer_a"}, "+1": {"officer_a", "head_a"},
        # the coordinating body's mailbox is read by its officers too, who cannot open another
        # agency's task: escalations go to its coordinators' own channels only
        "+3": {"coordinator"},
    }
    head = session.scalar(sa.select(Notification).where(
        Notification.subject_id == task.id, Notification.target.endswith("/head_a")))
    assert head.kind == "overdue" and head.locale == "en"
    assert head.payload["due_on"] == "2025-09-30"


def test_second_run_the_same_day_adds_nothing(session, world):
    first = sweep(session, now=morning(date(2025, 9, 30)))
    assert first.get("0", 0) > 0
    assert sweep(session, now=morning(date(2025, 9, 30)) + timedelta(hours=5)) == {}


def test_a_missed_day_is_caught_up_once(session, world):
    task = plan_task(session, "AG-A")
    sweep(session, now=morning(date(2025, 9, 30)))
    # no run on 1 October; the run of 2 October sends the +1 notice it missed
    sweep(session, now=morning(date(2025, 10, 2)))
    sweep(session, now=morning(date(2025, 10, 3)))
    assert set(rungs_of(session, task)) == {"0", "+1", "+3"}


def test_submitted_task_gets_no_later_rungs(session, world):
    task_b, task_a = plan_task(session, "AG-B"), plan_task(session, "AG-A")
    for day in days(date(2025, 9, 24), date(2025, 9, 30)):
        sweep(session, now=morning(day))
    change_status(session, world["officer_b"], task_b, "submitted",
                  now=morning(date(2025, 9, 30)) + timedelta(hours=3))
    for day in days(date(2025, 10, 1), date(2025, 10, 20)):
        sweep(session, now=morning(day))
    assert set(rungs_of(session, task_b)) == {"-3", "0"}
    assert set(rungs_of(session, task_a)) == {"-3", "0", "+1", "+3"}


def test_rescheduled_task_follows_its_new_date(session, world):
    task = plan_task(session, "AG-A")
    sweep(session, now=morning(date(2025, 9, 25)))
    reschedule(session, world["coordinator"], task, date(2025, 10, 14), reason="flood",
               now=morning(date(2025, 9, 26)))
    for day in days(date(2025, 9, 26), date(2025, 10, 16)):
        sweep(session, now=morning(day))
    keys = set(session.scalars(sa.select(Notification.dedupe_key).where(
        Notification.subject_id == task.id, Notification.target.endswith("/officer_a"))))
    assert keys == {
        f"task:{task.id}:due:2025-09-30:rung:-3:target:{_target(session, 'officer_a')}",
        f"task:{task.id}:due:2025-10-14:rung:-3:target:{_target(session, 'officer_a')}",
        f"task:{task.id}:due:2025-10-14:rung:0:target:{_target(session, 'officer_a')}",
        f"task:{task.id}:due:2025-10-14:rung:+1:target:{_target(session, 'officer_a')}",
    }


def _target(session, name: str) -> int:
    from models.notify.entities import NotificationTarget

    return session.scalar(sa.select(NotificationTarget.id).where(
        NotificationTarget.url.endswith(f"/{name}")))


def test_seed_plan_chases_the_parent_head_not_the_reports_to_bodies(session):
    """Plan 516-KH/TU: +10 escalates to the head of the agency above, not where reports go."""
    load_seed(session)
    generate_tasks(session, through=date(2026, 3, 31), now=T0)
    item, task = next(
        (i, t) for i in session.scalars(sa.select(Item).order_by(Item.id))
        if i.reports_to and i.reports_to[0] != i.plan.coordinator.code
        for t in [session.scalar(sa.select(Task).where(Task.item_id == i.id)
                                 .order_by(Task.due_on, Task.id).limit(1))] if t)
    agency = session.get(Agency, task.agency_id)
    assert agency.parent is not None
    make_user(session, email="o@seed.example.org", agency=agency.code)
    make_user(session, email="h@seed.example.org", agency=agency.code, is_agency_head=True)
    # the leadership of the agency above reads every agency (viewer); an officer-role head of
    # another agency could not open the task, so is never told about it
    make_user(session, email="p@seed.example.org", role="viewer", agency=agency.parent.code,
              is_agency_head=True)
    body = make_user(session, email="b@seed.example.org", agency=item.reports_to[0],
                     is_agency_head=True)
    for who, email in [("officer", "o"), ("head", "h"), ("parent", "p"), ("body-head", "b")]:
        set_target(session, "test", url=f"json://127.0.0.1:9/{who}",
                   user_email=f"{email}@seed.example.org", now=T0)
    set_target(session, "test", url="json://127.0.0.1:9/body", agency_code=item.reports_to[0],
               now=T0)
    assert body.agency_id != agency.id
    cal = WorkingCalendar()
    for day in days(cal.add_working_days(task.due_on, -8), cal.add_working_days(task.due_on, 11)):
        sweep(session, now=morning(day))
    assert rungs_of(session, task) == {
        "-7": {"officer"}, "-3": {"officer"}, "-1": {"officer"}, "0": {"officer"},
        "+1": {"officer", "head"}, "+10": {"parent"},
    }


def test_rerun_after_a_crash_writes_what_the_crashed_run_lost(session, world):
    day = morning(date(2025, 9, 30))
    crashed = session.begin_nested()
    first = sweep(session, now=day)
    crashed.rollback()  # the run died before its commit: rows and markers are gone alike
    assert first.get("0", 0) > 0
    assert sweep(session, now=day + timedelta(hours=1)) == first
    assert sweep(session, now=day + timedelta(hours=2)) == {}


def test_a_target_set_later_the_same_day_is_served_by_the_rerun(session, world):
    day = morning(date(2025, 9, 30))
    sweep(session, now=day)
    make_user(session, email="new@a.example.org")
    set_target(session, "test", url="json://127.0.0.1:9/newcomer", user_email="new@a.example.org",
               now=day)
    task = plan_task(session, "AG-A")
    assert sweep(session, now=day + timedelta(hours=1)) == {"0": 1}
    assert rungs_of(session, task)["0"] == {"officer_a", "newcomer"}
