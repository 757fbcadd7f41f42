"""Generating again only adds what is missing: new periods, a lost task, a newly added agency."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from models.org.agencies import Agency, AgencyGroup
from models.plans.entities import Item
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from tests.factories import T0, load_mini

LATER = datetime(2025, 12, 1, 2, tzinfo=UTC)


def _tasks(session, item_code: str) -> set[tuple[str, date]]:
    rows = session.execute(
        sa.select(Agency.code, Task.period_start).join(Task.agency).join(Task.item)
        .where(Item.code == item_code)).all()
    return set(rows)


def test_a_second_run_creates_nothing_and_a_later_through_only_the_new_month(session):
    load_mini(session)
    first = generate_tasks(session, through=date(2025, 11, 30), now=T0)
    # Oct and Nov for AG-A and AG-B; September's is absorbed by the quarterly report
    assert first["MINI-1:M-RPT-M"] == 2 * 2
    assert generate_tasks(session, through=date(2025, 11, 30), now=LATER) == {}
    later = generate_tasks(session, through=date(2026, 1, 1), now=LATER)
    assert later["MINI-1:M-RPT-M"] == 2  # January; December's is absorbed
    assert ("AG-A", date(2026, 1, 1)) in _tasks(session, "M-RPT-M")
    assert ("AG-A", date(2025, 12, 1)) not in _tasks(session, "M-RPT-M")


def test_a_task_missing_from_a_past_period_is_recreated(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 11, 30), now=T0)
    before = _tasks(session, "M-RPT-M")
    session.execute(sa.delete(Task).where(
        Task.period_start == date(2025, 10, 1),
        Task.item_id == session.scalar(sa.select(Item.id).where(Item.code == "M-RPT-M")),
        Task.agency_id == session.scalar(sa.select(Agency.id).where(Agency.code == "AG-B"))))
    assert ("AG-B", date(2025, 10, 1)) not in _tasks(session, "M-RPT-M")
    created = generate_tasks(session, through=date(2025, 11, 30), now=LATER)
    assert created == {"MINI-1:M-RPT-M": 1}
    assert _tasks(session, "M-RPT-M") == before


def test_an_agency_added_to_the_group_gets_every_past_period(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 11, 30), now=T0)
    group = session.scalar(sa.select(AgencyGroup).where(AgencyGroup.code == "reporting"))
    newcomer = Agency(code="AG-C", name_vi="Đơn vị C", name_en="Agency C", note="")
    newcomer.groups.append(group)
    session.add(newcomer)
    session.flush()
    generate_tasks(session, through=date(2025, 11, 30), now=LATER)
    periods = {p for code, p in _tasks(session, "M-RPT-M") if code == "AG-C"}
    assert periods == {date(2025, 10, 1), date(2025, 11, 1)}
