"""The task page and the API show a rolled-back due date and the data cut-off (issue 14)."""

from datetime import date

import sqlalchemy as sa

from models.org.agencies import Agency
from models.plans.entities import Item
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from plan_items.importer import import_plan
from tests.factories import DATA, T0


def february_task(session) -> int:
    import_plan(session, DATA / "mini-rules-plan.yaml", now=T0)
    generate_tasks(session, through=date(2026, 3, 31), now=T0, plan_code="MINI-RULES")
    session.commit()
    return session.scalar(sa.select(Task.id).join(Task.item).join(Task.agency).where(
        Item.code == "R-RPT-M", Agency.code == "AG-A", Task.period_start == date(2026, 2, 1)))


def test_task_page_shows_the_data_period_and_the_move_back_before_tet(world, as_user, session):
    task_id = february_task(session)
    page = as_user("officer_a").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "<strong>13/02/2026</strong>" in page
    assert "trùng ngày nghỉ thì chuyển về ngày làm việc liền trước" in page
    assert "nên hạn được chuyển về ngày làm việc liền trước" in page
    assert "17/02/2026: Tết Nguyên Đán" in page and "20/02/2026" in page
    assert "số liệu từ 15/01/2026 đến 14/02/2026" in page
