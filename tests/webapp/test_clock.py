"""One clock: PLANWATCH_NOW decides what the pages and the API both call overdue."""

from datetime import date

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.org.tokens import create_token
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from tests.factories import PASSWORD, T0, load_mini, make_user

# AG-A's plan task (M-PLAN) is due on Tuesday 30 September 2025
CLOCKS = [("2025-09-29", False), ("2025-09-30T23:30:00+07:00", False),
          ("2025-10-01", True), ("2025-10-01T08:00:00+07:00", True)]


@pytest.mark.parametrize(("setting", "overdue"), CLOCKS)
def test_one_clock_setting_moves_pages_and_api_together(setting, overdue, monkeypatch, request,
                                                         session):
    monkeypatch.setenv("PLANWATCH_NOW", setting)
    app = request.getfixturevalue("app")  # built now, from this environment
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    officer = make_user(session)
    _, token = create_token(session, CONSOLE, officer, now=T0, name="clock")
    session.commit()
    task_id = session.scalar(sa.select(Task.id).join(Task.item).where(
        sa.text("item.code = 'M-PLAN'"), Task.agency_id == officer.agency_id))

    api = app.test_client().get(f"/api/v1/tasks/{task_id}",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert api.get_json()["overdue"] is overdue

    page = app.test_client()
    assert page.post("/login", data={"email": officer.email, "password": PASSWORD}
                     ).status_code == 302
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert ('class="badge-overdue"' in html) is overdue
