"""Exports: the XLSX holds the API's rows; the CSV opens in LibreOffice, Vietnamese intact."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime

import openpyxl
import pytest

from tests.webapp.period_world import PLAN, build_seed_world

FILTERS = {"plan": PLAN, "period": "2025-Q4", "category": "overdue", "sort": "agency"}


@pytest.fixture
def seed(app, session):
    return build_seed_world(app, session)


@pytest.fixture
def coordinator(app, seed):
    client = app.test_client()
    client.post("/login", data={"email": "coord@example.org", "password": "correct-horse-battery"})
    return client


def api_ids(client, token: str, **filters) -> list[int]:
    ids, page = [], 1
    while True:
        answer = client.get("/api/v1/tasks", query_string={**filters, "page": page,
                                                           "page_size": 20},
                            headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.json
        ids += [row["id"] for row in answer.json["items"]]
        if len(ids) >= answer.json["total"]:
            return ids
        page += 1


def sheet_rows(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] in ("STT", "No."))
    return sheet, rows[:header], rows[header], rows[header + 1:]


def test_the_xlsx_of_a_filtered_list_holds_exactly_the_api_rows(app, coordinator, seed):
    expected = api_ids(app.test_client(), seed.token, **FILTERS)
    assert len(expected) > 20  # more than one API page
    response = coordinator.get("/exports/tasks.xlsx", query_string=FILTERS)
    assert response.status_code == 200 and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    sheet, heading, header, rows = sheet_rows(response.get_data())
    assert [r[0] for r in rows] == expected  # the same tasks, in the same order
    assert sheet.freeze_panes == f"A{len(heading) + 2}"  # the header row stays in view
    assert isinstance(rows[0][header.index("Thời hạn")], datetime)  # dates as dates
    assert sheet.column_dimensions["E"].width >= 40  # the item title is readable
    lines = {r[0]: r[1] for r in heading if r and r[0]}
    assert lines["Kỳ báo cáo"] == "quý IV năm 2025"
    assert lines["Phân loại"] == "Quá hạn chưa hoàn thành"
    assert {r[header.index("Phân loại")] for r in rows} == {"Quá hạn chưa hoàn thành"}
    # the drill-down on screen counts the same tasks
    page = coordinator.get("/dashboard/tasks", query_string=FILTERS).get_data(as_text=True)
    assert f'id="task-total">{len(expected)}<' in page


def test_the_api_filters_by_period_category_and_text(app, seed):
    client = app.test_client()
    every = api_ids(client, seed.token, plan=PLAN, period="2025-Q4")
    overdue = api_ids(client, seed.token, **FILTERS)
    assert set(overdue) < set(every)
    found = api_ids(client, seed.token, plan=PLAN, period="2025-Q4", search="VPTU")
    assert found and set(found) < set(every)
    bad = client.get("/api/v1/tasks?period=2025-13",
                     headers={"Authorization": f"Bearer {seed.token}"})
    assert bad.status_code == 422


def test_the_agency_overview_exports_the_dashboard_numbers(coordinator, seed):
    from tests.webapp.period_world import agency_rows

    page = coordinator.get(f"/dashboard/?plan={PLAN}&period=2025-Q4").get_data(as_text=True)
    shown = agency_rows(page)
    response = coordinator.get(f"/exports/agencies.xlsx?plan={PLAN}&period=2025-Q4")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Mã đơn vị")
    out = {r[0]: r for r in rows[header + 1:]}
    assert set(out) == set(shown)
    for code, counts in shown.items():
        assert list(out[code][3:8]) == list(counts.values()), code


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="soffice (LibreOffice) is not installed: .ci/run installs it")
def test_the_csv_opens_in_libreoffice_with_vietnamese_intact(coordinator, seed, tmp_path):
    response = coordinator.get("/exports/tasks.csv", query_string=FILTERS)
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    source = tmp_path / "tasks.csv"
    source.write_bytes(data)
    profile = tmp_path / "lo-profile"
    # headless LibreOffice takes the import options a user picks in its CSV dialog:
    # comma, double quotes, Unicode (UTF-8), from line 1 (left alone it assumes Latin-1)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir",
                    str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    book = openpyxl.load_workbook(tmp_path / "tasks.xlsx")
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert cells[0] == "Nhiệm vụ"  # the BOM is read as such, not left in the first cell
    assert "Quá hạn chưa hoàn thành" in cells
    assert "quý IV năm 2025" in cells
    names = {c for c in cells if isinstance(c, str) and c.startswith("Văn phòng")}
    assert names, "agency names in Vietnamese"


def test_the_api_figures_are_the_dashboards(app, coordinator, seed):
    from tests.webapp.period_world import agency_rows

    page = coordinator.get(f"/dashboard/?plan={PLAN}&period=2025-12").get_data(as_text=True)
    answer = app.test_client().get("/api/v1/figures", query_string={"plan": PLAN,
                                                                   "period": "2025-12"},
                                   headers={"Authorization": f"Bearer {seed.token}"})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["period"] == "2025-12" and body["as_of"] == "2025-12-22"
    api = {a["agency"]: {k: a[k] for k in ("done_on_time", "done_late", "in_progress",
                                            "overdue", "not_due")} for a in body["agencies"]}
    assert api == agency_rows(page)
    assert [a["agency"] for a in body["agencies"]] == list(agency_rows(page))  # worst first
