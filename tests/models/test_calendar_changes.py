"""A change of the calendar moves the due dates of open tasks, says so first, and tells the
agencies whose deadlines moved (one message each, delivered on a loopback receiver)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.audit import AuditEvent
from models.core.db import make_session_factory
from models.core.errors import Forbidden, NotFound
from models.notify.dispatch import dispatch
from models.notify.entities import Notification
from models.notify.targets import set_target
from models.org.agencies import Agency
from models.plans.calendar_days import (
    CalendarOverride,
    load_calendar,
    preview_calendar_change,
    remove_override,
    set_override,
)
from models.plans.entities import Item
from models.tasks.entities import Task, TaskStatus
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, reschedule
from plan_items import BUNDLED
from plan_items.calendar_file import import_calendar, read_calendar
from plan_items.loader import PlanFileError
from tests.factories import T0, load_mini, make_user

MARCH_20 = date(2026, 3, 20)  # a Friday: the mini plan's Q1 report is due then
MONDAY = date(2026, 3, 23)
LATER = datetime(2026, 3, 2, 2, tzinfo=UTC)


def q1_due(session, agency: str) -> date:
    return session.scalar(
        sa.select(Task.due_on).join(Task.item).join(Task.agency)
        .where(Item.code == "M-RPT-Q", Agency.code == agency,
               Task.period_start == date(2026, 1, 1)))


@pytest.fixture
def march(session, http_receiver):
    """The mini plan's tasks through March 2026, each reporting agency with an HTTP channel."""
    load_mini(session)
    generate_tasks(session, through=date(2026, 3, 31), now=T0)
    for code in ("AG-A", "AG-B"):
        set_target(session, CONSOLE, url=http_receiver.url(f"/{code}"), agency_code=code, now=T0)
    session.commit()
    assert q1_due(session, "AG-A") == MARCH_20
    return session


def test_a_day_off_moves_the_open_tasks_due_that_day_and_tells_each_agency(
        march, engine, http_receiver):
    session = march
    set_override(session, CONSOLE, MARCH_20, "day_off", "nghỉ lễ của tỉnh", now=LATER)
    session.commit()
    assert q1_due(session, "AG-A") == MONDAY
    assert q1_due(session, "AG-B") == MONDAY
    rows = session.scalars(sa.select(Notification).where(
        Notification.kind == "deadline_moved")).all()
    assert len(rows) == 2  # one per agency (one channel each), not one per task
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "calendar.override"))
    assert {m["agency"] for m in event.after["moved"]} == {"AG-A", "AG-B"}
    assert all(m["from"] == "2026-03-20" and m["to"] == "2026-03-23"
               for m in event.after["moved"])

    counts = dispatch(make_session_factory(engine), now=LATER, limit=10)
    assert counts["sent"] == 2
    received = {path: body for path, body in http_receiver.received}
    assert set(received) == {"/AG-A", "/AG-B"}
    body = received["/AG-A"]["message"]
    assert "Điều chỉnh thời hạn" in received["/AG-A"]["title"]
    assert "Đơn vị A" in body and "Báo cáo quý" in body
    assert "20/03/2026 → 23/03/2026" in body
    assert "20/03/2026 nghỉ" in body


def test_the_preview_lists_what_moves_and_writes_nothing(march):
    session = march
    before = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    change = preview_calendar_change(session, set_days={MARCH_20: "day_off"})
    assert {(m.agency_code, m.item_code, m.old_due, m.new_due) for m in change.moves} == {
        ("AG-A", "M-RPT-Q", MARCH_20, MONDAY), ("AG-B", "M-RPT-Q", MARCH_20, MONDAY)}
    assert q1_due(session, "AG-A") == MARCH_20
    assert session.scalar(sa.select(CalendarOverride)) is None
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
    assert session.scalar(sa.select(Notification).where(
        Notification.kind == "deadline_moved")) is None
    dry = set_override(session, CONSOLE, MARCH_20, "day_off", "", now=LATER, dry_run=True)
    assert dry is None and q1_due(session, "AG-A") == MARCH_20


def test_submitted_and_hand_rescheduled_tasks_keep_their_dates(march):
    session = march
    officer = make_user(session, email="a@a.example.org", agency="AG-A")
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency=None)
    task_a = session.scalar(sa.select(Task).join(Task.item).join(Task.agency).where(
        Item.code == "M-RPT-Q", Agency.code == "AG-A", Task.period_start == date(2026, 1, 1)))
    change_status(session, officer, task_a, TaskStatus.IN_PROGRESS, now=LATER)
    change_status(session, officer, task_a, TaskStatus.SUBMITTED, now=LATER, note="xong")
    task_b = session.scalar(sa.select(Task).join(Task.item).join(Task.agency).where(
        Item.code == "M-RPT-Q", Agency.code == "AG-B", Task.period_start == date(2026, 1, 1)))
    reschedule(session, coordinator, task_b, MARCH_20, reason="giữ nguyên", now=LATER)
    session.commit()
    change = set_override_change(session)
    assert [m.task_id for m in change.kept] == []  # B's date equals the rule's: it moves
    # now a real hand-set date: B due 25/3, which the calendar change must not touch
    reschedule(session, coordinator, task_b, date(2026, 3, 25), reason="gia hạn", now=LATER)
    remove_override(session, CONSOLE, MARCH_20, now=LATER)
    assert task_a.due_on == MARCH_20  # submitted: untouched by both changes
    assert task_b.due_on == date(2026, 3, 25)


def set_override_change(session):
    preview = preview_calendar_change(session, set_days={MARCH_20: "day_off"})
    set_override(session, CONSOLE, MARCH_20, "day_off", "", now=LATER)
    return preview


def test_removing_the_day_off_moves_them_back(march):
    session = march
    set_override(session, CONSOLE, MARCH_20, "day_off", "", now=LATER)
    change = remove_override(session, CONSOLE, MARCH_20, now=LATER)
    assert len(change.moves) == 2 and q1_due(session, "AG-A") == MARCH_20
    assert load_calendar(session).is_working_day(MARCH_20)
    with pytest.raises(NotFound):
        remove_override(session, CONSOLE, MARCH_20, now=LATER)


def test_an_officer_may_not_change_the_calendar(march):
    officer = make_user(march, email="a@a.example.org", agency="AG-A")
    with pytest.raises(Forbidden):
        set_override(march, officer, MARCH_20, "day_off", "", now=LATER)
    assert q1_due(march, "AG-A") == MARCH_20


CALENDAR = """\
format: planwatch/calendar@1
year: 2026
days_off:
  - day: 2026-03-20
    note: Ngày nghỉ của tỉnh
working_days:
  - day: 2026-03-21
    note: Làm bù
"""


def test_importing_a_year_moves_tasks_and_a_reimport_changes_nothing(march, tmp_path):
    session = march
    path = tmp_path / "calendar-2026.yaml"
    path.write_text(CALENDAR, encoding="utf-8")
    dry = import_calendar(session, path, actor=CONSOLE, now=LATER, dry_run=True)
    assert {m.new_due for m in dry.moves} == {date(2026, 3, 21)}  # the Saturday worked
    assert q1_due(session, "AG-A") == MARCH_20
    change = import_calendar(session, path, actor=CONSOLE, now=LATER)
    assert len(change.moves) == 2 and change.notified == 2
    assert q1_due(session, "AG-A") == date(2026, 3, 21)
    assert import_calendar(session, path, actor=CONSOLE, now=LATER).moves == []
    # the corrected notice drops the swap: its days go, the tasks come back
    path.write_text(CALENDAR.split("days_off:")[0] + "days_off:\n  - day: 2026-01-02\n",
                    encoding="utf-8")
    import_calendar(session, path, actor=CONSOLE, now=LATER)
    assert q1_due(session, "AG-A") == MARCH_20
    assert [r.day for r in session.scalars(sa.select(CalendarOverride))] == [date(2026, 1, 2)]


def test_the_bundled_2026_notice_has_the_official_swap():
    loaded = read_calendar(BUNDLED / "calendar-2026.yaml")
    off = {d["day"] for d in loaded.data["days_off"]}
    assert date(2026, 1, 2) in off and date(2026, 2, 17) in off
    assert [d["day"] for d in loaded.data["working_days"]] == [date(2026, 1, 10)]


def test_the_bundled_notice_imports_into_the_seed(session):
    from tests.factories import load_seed

    load_seed(session)
    import_calendar(session, BUNDLED / "calendar-2026.yaml", actor=CONSOLE, now=T0)
    calendar = load_calendar(session)
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 10))


def test_a_broken_calendar_file_names_each_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "format: planwatch/calendar@1\n"
        "year: 2026\n"
        "days_off:\n"
        "  - day: 2026-03-20\n"
        "  - day: 2025-12-31\n"
        "  - day: 2026-02-30\n"
        "working_days:\n"
        "  - day: 2026-03-20\n"
        "  - day: 2026-03-18\n", encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_calendar(path)
    found = {(p.line, p.message.split(":")[0]) for p in caught.value.problems}
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"{path}:5:") and "not in 2026" in m for m in messages)
    assert any(m.startswith(f"{path}:6:") for m in messages), found  # 30 February
    assert any(m.startswith(f"{path}:8:") and "both a day off and a working day" in m
               for m in messages)
    assert any(m.startswith(f"{path}:9:") and "already a working day" in m for m in messages)


def test_the_seed_files_are_where_the_cli_says(tmp_path):
    assert Path(BUNDLED / "calendar-2026.yaml").exists()


def test_a_report_asked_for_by_a_day_that_becomes_a_day_off_moves_too(march):
    from models.tasks.reports import request_report

    session = march
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency=None)
    item = session.scalar(sa.select(Item).where(Item.code == "M-REQ"))
    agency_b = session.scalar(sa.select(Agency).where(Agency.code == "AG-B"))
    asked = request_report(session, coordinator, item, agency_b.id, due_on=date(2026, 3, 26),
                           note="báo cáo nhanh", now=LATER)
    change = set_override_change_on(session, date(2026, 3, 26))
    assert [(m.task_id, m.new_due) for m in change.moves] == [(asked.id, date(2026, 3, 27))]
    assert asked.due_on == date(2026, 3, 27)


def set_override_change_on(session, day):
    preview = preview_calendar_change(session, set_days={day: "day_off"})
    set_override(session, CONSOLE, day, "day_off", "", now=LATER)
    return preview
