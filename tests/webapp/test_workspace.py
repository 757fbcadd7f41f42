"""The agency workspace: grouping, the task page, reports with evidence, stale forms."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models.core.attachments import Attachment
from models.tasks.entities import Task
from tests.webapp.conftest import submit


def _status(session, task_id: int) -> str:
    session.expire_all()
    return session.get(Task, task_id).status


def test_workspace_groups_my_agencys_tasks_by_urgency(world, as_user):
    client = as_user("officer_a")
    page = client.get("/tasks").get_data(as_text=True)
    overdue = page.split('id="group-overdue"')[1].split("</section>")[0]
    mine = world["task_of"]("AG-A", "M-PLAN")
    theirs = world["task_of"]("AG-B", "M-PLAN")
    assert f'/tasks/{mine}"' in overdue
    assert f'/tasks/{theirs}"' not in page
    assert "Quá hạn" in page and "Đến hạn trong 7 ngày tới" in page


def test_filter_by_plan_and_section(world, as_user):
    client = as_user("officer_a")
    page = client.get("/tasks?plan=MINI-1&section=I.1").get_data(as_text=True)
    assert f'/tasks/{world["task_of"]("AG-A", "M-PLAN")}"' in page
    assert client.get("/tasks?plan=NOPE").get_data(as_text=True).count('href="/tasks/') == 0


def test_task_page_explains_the_weekend_shift(world, as_user):
    client = as_user("officer_a")
    page = client.get(f"/tasks/{world['task_of']('AG-A')}").get_data(as_text=True)
    assert "22/09/2025" in page  # 20/09/2025 is a Saturday
    assert "20/09/2025: Thứ Bảy" in page and "21/09/2025: Chủ nhật" in page
    assert "vào ngày 20 của tháng cuối kỳ" in page
    assert "Định kỳ báo cáo hằng tháng, quý" in page  # the plan section's text


def test_submit_a_report_with_evidence_and_download_it(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    client = as_user("officer_a")
    response = submit(client, task_id, version=1)
    assert response.status_code == 302
    assert _status(session, task_id) == "submitted"
    attachment = session.scalar(sa.select(Attachment))
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "report.pdf" in page and "chậm" in page  # submitted after 22/09
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 report"
    assert as_user("coordinator").get(f"/attachments/{attachment.id}").status_code == 200
    assert as_user("officer_b").get(f"/attachments/{attachment.id}").status_code == 404


def test_a_stale_form_is_refused_with_a_clear_message(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    client = as_user("officer_a")
    client.post(f"/tasks/{task_id}/status", data={"status": "in_progress", "version": "1"})
    response = submit(client, task_id, version=1)
    assert response.status_code == 412
    assert "đã được người khác thay đổi" in response.get_data(as_text=True)
    assert _status(session, task_id) == "in_progress"


def test_nil_return_only_where_the_item_allows_it(world, as_user, session):
    client = as_user("officer_a")
    monthly = world["task_of"]("AG-A", "M-RPT-M")
    page = client.get(f"/tasks/{monthly}").get_data(as_text=True)
    assert 'id="nil-return"' in page
    response = client.post(f"/tasks/{monthly}/report", data={"nil_return": "1"})
    assert response.status_code == 302 and _status(session, monthly) == "submitted"
    once = world["task_of"]("AG-A", "M-PLAN")
    assert 'id="nil-return"' not in client.get(f"/tasks/{once}").get_data(as_text=True)
    response = client.post(f"/tasks/{once}/report", data={"nil_return": "1"})
    assert response.status_code == 422 and _status(session, once) == "not_started"


def test_a_file_of_a_refused_type_is_not_stored(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    response = submit(as_user("officer_a"), task_id, content=b"MZ...", name="run.exe")
    assert response.status_code == 422
    assert "Không chấp nhận loại tệp này" in response.get_data(as_text=True)
    assert _status(session, task_id) == "not_started"


def test_return_then_resubmit_then_accept(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    officer, coordinator = as_user("officer_a"), as_user("coordinator")
    submit(officer, task_id)
    assert f"submission-{task_id}" in coordinator.get("/review/").get_data(as_text=True)
    assert coordinator.post(f"/review/{task_id}/return", data={"reason": ""}).status_code == 422
    coordinator.post(f"/review/{task_id}/return", data={"reason": "Thiếu số liệu quý"})
    page = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Trả lại, đề nghị bổ sung" in page and "Thiếu số liệu quý" in page
    submit(officer, task_id, name="report-v2.pdf")
    coordinator.post(f"/review/{task_id}/accept")
    assert _status(session, task_id) == "accepted"
    assert f"submission-{task_id}" not in coordinator.get("/review/").get_data(as_text=True)


def test_task_page_names_the_tet_holidays_skipped(world, as_user, session):
    task = session.get(Task, world["task_of"]("AG-A", "M-RPT-Y"))
    task.nominal_due_on, task.due_on = date(2026, 2, 14), date(2026, 2, 23)
    session.commit()
    client = as_user("officer_a")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "23/02/2026" in page and "17/02/2026: Tết Nguyên Đán" in page
    assert "14/02/2026: Thứ Bảy" in page
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "17/02/2026: Lunar New Year" in page


def test_coordinators_filter_the_task_list_by_agency(world, as_user):
    page = as_user("coordinator").get("/tasks?agency=AG-B").get_data(as_text=True)
    assert f'/tasks/{world["task_of"]("AG-B")}"' in page
    assert f'/tasks/{world["task_of"]("AG-A")}"' not in page
    # an officer cannot widen the list to another agency
    page = as_user("officer_a").get("/tasks?agency=AG-B").get_data(as_text=True)
    assert f'/tasks/{world["task_of"]("AG-B")}"' not in page


def test_a_note_records_progress_without_changing_the_status(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    client = as_user("officer_a")
    assert client.post(f"/tasks/{task_id}/note",
                       data={"note": "Đã họp triển khai"}).status_code == 302
    assert "Đã họp triển khai" in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert _status(session, task_id) == "not_started"


def _files_under(folder) -> list:
    """Every file under the upload folder, its staging folder included."""
    from pathlib import Path

    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def test_an_empty_report_is_refused_with_the_same_error_as_the_api(world, as_user, session):
    from flask_babel import force_locale, gettext

    from models.tasks.errors import ReportNeedsContent

    task_id = world["task_of"]("AG-A")
    client = as_user("officer_a")
    page = client.post(f"/tasks/{task_id}/report", data={"note": "  "})
    assert page.status_code == 422
    with client.application.test_request_context(), force_locale("vi"):
        vietnamese = gettext(ReportNeedsContent.message)
    assert vietnamese != ReportNeedsContent.message
    assert vietnamese in page.get_data(as_text=True)
    answer = client.post(f"/tasks/{task_id}/report", data={"note": ""},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == ReportNeedsContent.code == "task.report_needs_content"  # as the API
    assert body["message"] == vietnamese
    assert any("files" in fields for fields in body["errors"].values()), body
    assert _status(session, task_id) == "not_started"


def test_a_refused_second_file_of_three_leaves_no_file_and_no_row(world, as_user, session, app):
    import io

    task_id = world["task_of"]("AG-A")
    data = {"note": "ba tệp", "files": [(io.BytesIO(b"%PDF-1.4 a"), "a.pdf"),
                                        (io.BytesIO(b"MZ"), "b.exe"),
                                        (io.BytesIO(b"%PDF-1.4 c"), "c.pdf")]}
    response = as_user("officer_a").post(f"/tasks/{task_id}/report", data=data,
                                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert _files_under(app.config["UPLOAD_FOLDER"]) == []
    assert session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert _status(session, task_id) == "not_started"


def test_three_accepted_files_are_in_place_after_the_commit(world, as_user, session, app):
    import io

    task_id = world["task_of"]("AG-A")
    data = {"note": "", "files": [(io.BytesIO(b"%PDF-1.4 a"), "a.pdf"),
                                  (io.BytesIO(b"x;y"), "b.csv"),
                                  (io.BytesIO(b"%PDF-1.4 c"), "c.pdf")]}
    response = as_user("officer_a").post(f"/tasks/{task_id}/report", data=data,
                                         content_type="multipart/form-data")
    assert response.status_code == 302
    stored = session.scalars(sa.select(Attachment.stored_name)).all()
    on_disk = _files_under(app.config["UPLOAD_FOLDER"])
    assert len(stored) == 3 and sorted(p.name for p in on_disk) == sorted(stored)
    assert all(p.parent.name != ".staging" for p in on_disk)
