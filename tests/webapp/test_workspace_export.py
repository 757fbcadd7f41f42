"""The workspace's export: every task of the officer's own agency, in every group, no cap."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import sqlalchemy as sa

from models.org.agencies import Agency
from models.tasks.entities import Task

TODAY = date(2025, 10, 1)  # WEB_NOW in Hà Nội


def _table(data: bytes):
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    return rows[:at], rows[at], rows[at + 1:]


def _ids(session, code: str) -> list[int]:
    return list(session.scalars(sa.select(Task.id).join(Agency, Task.agency_id == Agency.id)
                                .where(Agency.code == code)))


def test_an_officer_exports_every_task_of_their_agency_with_its_group(world, as_user, session):
    client = as_user("officer_a")
    assert 'id="export-workspace-xlsx"' in client.get("/tasks").get_data(as_text=True)
    response = client.get("/exports/workspace.xlsx?agency=AG-B")  # not theirs: ignored
    assert response.status_code == 200 and response.is_streamed
    heading, header, rows = _table(response.get_data())
    mine, theirs = _ids(session, "AG-A"), _ids(session, "AG-B")
    assert sorted(r[0] for r in rows) == sorted(mine)  # every group, every row
    assert not set(r[0] for r in rows) & set(theirs)
    group = header.index("Nhóm")
    by_id = {r[0]: r for r in rows}
    overdue = world["task_of"]("AG-A")  # September's quarterly report, due 22/09/2025
    assert by_id[overdue][group] == "Quá hạn"
    later = session.get(Task, max(mine, key=lambda i: session.get(Task, i).due_on))
    assert later.due_on > TODAY and by_id[later.id][group] == "Sắp tới"
    assert any(r and r[0] == "Đơn vị" for r in heading)  # the agency written above the table


def test_the_workspace_csv_for_staff_narrows_to_the_chosen_agency(world, as_user, session):
    response = as_user("coordinator").get("/exports/workspace.csv?agency=AG-B&plan=MINI-1")
    data = response.get_data()
    assert response.status_code == 200 and data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "AG-B" in text and "AG-A" not in text.split("STT", 1)[1]
    lines = text.split("STT", 1)[1].strip().splitlines()[1:]
    assert len(lines) == len(_ids(session, "AG-B"))
