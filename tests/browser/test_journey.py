"""The reporting loop in a real browser: submit, return, resubmit, accept; no leak; dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models.core.attachments import Attachment
from models.core.db import db
from models.tasks.entities import Task
from tests.webapp.conftest import USERS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _quarterly_task_of_agency_a(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(Task.id).join(Task.agency).join(Task.item)
            .where(sa.text("agency.code = 'AG-A' AND item.code = 'M-RPT-Q'")))


def _submit(page, task_id: int, file: Path, note: str) -> None:
    page.goto(f"/tasks/{task_id}")
    page.fill("#report textarea[name=note]", note)
    page.set_input_files("#report input[type=file]", str(file))
    page.click("#submit-report")
    expect(page.locator("#task-status")).to_have_text("Đã gửi")


def test_report_is_returned_resubmitted_accepted_and_kept_from_other_agencies(
        page_as, base_url, live_app, tmp_path):
    task_id = _quarterly_task_of_agency_a(live_app)
    report = tmp_path / "bao-cao-quy-3.pdf"
    report.write_bytes(b"%PDF-1.4 quarterly report")

    officer = page_as(base_url, USERS["officer_a"][0])
    expect(officer.locator("#group-overdue")).to_contain_text("M-RPT-Q")
    _submit(officer, task_id, report, "Báo cáo quý III")
    expect(officer.locator(".files")).to_contain_text("bao-cao-quy-3.pdf")

    coordinator = page_as(base_url, USERS["coordinator"][0])
    coordinator.goto("/review/")
    row = coordinator.locator(f"#submission-{task_id}")
    row.locator("input[name=reason]").fill("Thiếu số liệu tháng 9")
    row.locator("button.return").click()
    expect(coordinator.locator(f"#submission-{task_id}")).to_have_count(0)

    officer.goto(f"/tasks/{task_id}")
    expect(officer.locator("#task-status")).to_have_text("Trả lại, đề nghị bổ sung")
    expect(officer.locator(".history")).to_contain_text("Thiếu số liệu tháng 9")
    _submit(officer, task_id, report, "Đã bổ sung số liệu tháng 9")
    officer.goto("/tasks")  # (docs/screenshots: tests/browser/test_pages.py, on the seed plan)

    coordinator.goto("/review/")
    coordinator.locator(f"#submission-{task_id} button.accept").click()
    expect(coordinator.locator(".flash")).to_contain_text("Đã tiếp nhận báo cáo")

    outsider = page_as(base_url, USERS["officer_b"][0])
    assert outsider.goto(f"/tasks/{task_id}").status == 404
    with live_app.app_context():
        attachment_id = db.session.scalar(sa.select(Attachment.id).limit(1))
    assert outsider.request.get(f"/attachments/{attachment_id}").status == 404
    expect(outsider.locator("body")).not_to_contain_text("bao-cao-quy-3.pdf")

    coordinator.goto("/dashboard/?period=2025-Q3")  # the quarter of the report (default: October)
    expect(coordinator.locator("#total-accepted")).to_have_text("1")
    expect(coordinator.locator("#total-completion")).to_have_text("25%")
