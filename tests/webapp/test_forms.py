"""Forms that forgive: a refused form comes back with what was typed and the error next to its
field; every action says it was done; destructive ones ask first; the coordinator's tools."""

from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.org.users import User
from models.oversight.entities import Inspection
from models.plans.calendar_days import CalendarOverride
from models.tasks.entities import Task
from models.tasks.extensions import ExtensionRequest


def _html(response) -> str:
    return response.get_data(as_text=True)


def _error_after(page: str, field_id: str) -> str:
    """The error message shown right after the field with this id (same form)."""
    rest = page.split(f'id="{field_id}"', 1)[1]
    match = re.search(r'class="field-error" id="[^"]+">([^<]+)<', rest)
    assert match, f"no error after {field_id}"
    return match.group(1)


def test_an_invalid_report_keeps_the_note_and_says_why_next_to_the_files(world, as_user,
                                                                          session):
    task_id = world["task_of"]("AG-A")
    client = as_user("officer_a")
    typed = "Báo cáo quý III: đã hoàn thành 12/15 chỉ tiêu"
    response = client.post(f"/tasks/{task_id}/report", content_type="multipart/form-data",
                           data={"note": typed, "version": "1",
                                 "files": [(io.BytesIO(b"MZ..."), "run.exe")]})
    page = _html(response)
    assert response.status_code == 422
    assert f">{typed}</textarea>" in page  # the typed note is back in its box
    assert "Không chấp nhận loại tệp này" in page.split('id="report-files"')[1][:1500]
    assert 'aria-invalid="true"' in page.split('id="report-files"')[0][-400:] + \
        page.split('id="report-files"')[1][:400]
    assert "Về trang đầu" not in page  # not a dead end
    # the limits are stated next to the file input
    limits = page.split('id="report-files-limits"')[1][:300]
    assert "20 MB" in limits and "10" in limits and "PDF" in limits
    session.expire_all()
    assert session.get(Task, task_id).status == "not_started"


def test_an_empty_report_shows_the_error_next_to_the_files(world, as_user):
    task_id = world["task_of"]("AG-A")
    page = _html(as_user("officer_a").post(f"/tasks/{task_id}/report",
                                           data={"note": " ", "version": "1"}))
    assert _error_after(page, "report-files")  # the refusal sits under the file input
    assert 'aria-invalid="true"' in page.split('id="report-files"')[1][:300]


def test_a_report_says_it_was_submitted(world, as_user):
    task_id = world["task_of"]("AG-A")
    client = as_user("officer_a")
    client.post(f"/tasks/{task_id}/report", data={"note": "xong", "version": "1"})
    page = _html(client.get(f"/tasks/{task_id}"))
    assert '<p class="flash flash-info" role="status">Đã gửi báo cáo.</p>' in page


def test_an_invalid_user_form_keeps_every_value(world, as_user, session):
    client = as_user("admin")
    response = client.post("/admin/users", data={
        "email": "not-an-email", "display_name": "Nguyễn Văn Bình", "role": "officer",
        "agency": "AG-B", "locale": "en", "is_agency_head": "1"})
    page = _html(response)
    assert response.status_code == 422
    assert 'value="not-an-email"' in page and 'value="Nguyễn Văn Bình"' in page
    assert '<option value="officer" selected' in page
    assert '<option value="AG-B" selected' in page
    assert '<option value="en" selected' in page
    assert 'name="is_agency_head" value="1" checked' in page
    assert "not-an-email" in _error_after(page, "new-user")  # "… không phải địa chỉ email"
    assert session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.display_name == "Nguyễn Văn Bình")) == 0


def test_admin_edits_name_role_agency_and_head(world, as_user, session):
    client = as_user("admin")
    uid = world["users"]["viewer"]
    response = client.post(f"/admin/users/{uid}", data={
        "display_name": "Trần Thị Hoa", "role": "officer", "agency": "AG-A",
        "is_agency_head": "1", "is_active": "1"})
    assert response.status_code == 302
    session.expire_all()
    user = session.get(User, uid)
    assert (user.display_name, user.role, user.agency.code, user.is_agency_head) == (
        "Trần Thị Hoa", "officer", "AG-A", True)
    assert "Đã cập nhật tài khoản" in _html(client.get(f"/admin/users/{uid}"))
    # an officer without agency: refused, the typed name kept, the error at the agency
    page = _html(client.post(f"/admin/users/{uid}", data={
        "display_name": "Tên mới", "role": "officer", "agency": "", "is_active": "1"}))
    assert 'value="Tên mới"' in page
    assert "phải thuộc một đơn vị" in page.split('name="agency"')[1][:3000]


def test_user_search(world, as_user):
    client = as_user("admin")
    page = _html(client.get("/admin/users?q=officer"))
    assert "officer@a.example.org" in page and "coord@example.org" not in page
    page = _html(client.get("/admin/users?role=viewer"))
    assert "viewer@example.org" in page and "officer@a.example.org" not in page


def test_a_password_reset_asks_first(world, as_user, session):
    client = as_user("admin")
    uid = world["users"]["viewer"]
    before = session.get(User, uid).password_hash
    first = client.post(f"/admin/users/{uid}/password")
    assert first.status_code == 200 and 'id="confirm-button"' in _html(first)
    session.expire_all()
    assert session.get(User, uid).password_hash == before
    done = client.post(f"/admin/users/{uid}/password", data={"confirmed": "1"})
    assert done.status_code == 200 and "chỉ hiện một lần" in _html(done)
    session.expire_all()
    assert session.get(User, uid).password_hash != before


def test_change_my_password(world, as_user, app):
    from tests.factories import PASSWORD

    client = as_user("officer_a")
    wrong = client.post("/account/password", data={
        "current_password": "wrong", "new_password": "a-new-long-password",
        "repeat_password": "a-new-long-password"})
    assert wrong.status_code == 422
    assert "mật khẩu hiện tại" in _error_after(_html(wrong), "current-password").lower()
    assert "a-new-long-password" not in _html(wrong)  # passwords are never sent back
    ok = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-long-password",
        "repeat_password": "a-new-long-password"})
    assert ok.status_code == 302
    assert client.get("/tasks").status_code == 200  # this session stays
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "officer@a.example.org",
                                      "password": "a-new-long-password"}).status_code == 302
    assert "/login" not in fresh.get("/tasks").headers.get("Location", "")


def test_an_invalid_inspection_form_keeps_every_value(world, as_user, session):
    client = as_user("inspector")
    page = _html(client.get("/inspections/new"))
    agency_ids = re.findall(r'<option value="(\d+)">AG-', page)
    response = client.post("/inspections/new", data={
        "kind": "supervision", "title": "Giám sát công tác báo cáo",
        "agency_ids": agency_ids[:2], "planned_on": "31/02/2026"})
    page = _html(response)
    assert response.status_code == 422
    assert 'value="Giám sát công tác báo cáo"' in page
    assert '<option value="supervision" selected' in page
    for agency_id in agency_ids[:2]:
        assert f'<option value="{agency_id}" selected' in page
    assert 'value="31/02/2026"' in page
    assert "dd/mm/yyyy" in page.split('name="planned_on"')[1][:600]
    assert session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0


def test_reschedule_form_keeps_the_original_due_date(world, as_user, session):
    task_id = world["task_of"]("AG-A", "M-RPT-Y")
    client = as_user("coordinator")
    first_due = session.get(Task, task_id).due_on
    refused = client.post(f"/tasks/{task_id}/reschedule", data={"due_on": "2026-01-15",
                                                               "reason": ""})
    assert refused.status_code == 422
    assert 'value="2026-01-15"' in _html(refused)
    assert _error_after(_html(refused), "reschedule-reason")
    done = client.post(f"/tasks/{task_id}/reschedule",
                       data={"due_on": "2026-01-15", "reason": "Chờ số liệu thống kê"})
    assert done.status_code == 302
    page = _html(client.get(f"/tasks/{task_id}"))
    assert "15/01/2026" in page and first_due.strftime("%d/%m/%Y") in page.split(
        'id="original-due"')[1][:200]


def test_extension_asked_then_refused_with_confirmation_then_approved(world, as_user, session):
    task_id = world["task_of"]("AG-A", "M-RPT-Y")
    officer, coordinator = as_user("officer_a"), as_user("coordinator")
    assert 'id="extension-form"' in _html(officer.get(f"/tasks/{task_id}"))
    bad = officer.post(f"/tasks/{task_id}/extension",
                       data={"due_on": "2025-12-01", "reason": "Thiếu số liệu"})
    assert bad.status_code == 422 and ">Thiếu số liệu</textarea>" in _html(bad)
    assert "muộn hơn" in _error_after(_html(bad), "extension-due")
    officer.post(f"/tasks/{task_id}/extension",
                 data={"due_on": "2025-12-31", "reason": "Thiếu số liệu"})
    req = session.scalar(sa.select(ExtensionRequest))
    assert req.status == "pending"
    assert "Thiếu số liệu" in _html(coordinator.get("/extensions"))
    # refusing asks first, then needs a reason
    no_reason = coordinator.post(f"/extensions/{req.id}/decision",
                                 data={"decision": "refuse", "note": ""})
    assert no_reason.status_code == 422
    ask = coordinator.post(f"/extensions/{req.id}/decision",
                           data={"decision": "refuse", "note": "Không có căn cứ"})
    assert 'id="confirm-button"' in _html(ask)
    session.expire_all()
    assert session.get(ExtensionRequest, req.id).status == "pending"
    coordinator.post(f"/extensions/{req.id}/decision",
                     data={"decision": "refuse", "note": "Không có căn cứ", "confirmed": "1"})
    session.expire_all()
    assert session.get(ExtensionRequest, req.id).status == "refused"
    assert "Không có căn cứ" in _html(officer.get(f"/tasks/{task_id}"))
    # a second request, approved: the due date moves
    officer.post(f"/tasks/{task_id}/extension",
                 data={"due_on": "2025-12-26", "reason": "Chờ ý kiến Sở"})
    second = session.scalar(sa.select(ExtensionRequest).where(
        ExtensionRequest.status == "pending"))
    coordinator.post(f"/extensions/{second.id}/decision", data={"decision": "approve"})
    session.expire_all()
    task = session.get(Task, task_id)
    assert task.due_on == date(2025, 12, 26) and task.original_due_on == date(2025, 12, 15)
    page = _html(officer.get(f"/tasks/{task_id}"))
    assert "26/12/2025" in page and "15/12/2025" in page.split('id="original-due"')[1][:100]


def test_request_report_form(world, as_user, session):
    client = as_user("coordinator")
    page = _html(client.get("/requests/new"))
    item_id = re.search(r'<option value="(\d+)">Báo cáo khi có yêu cầu', page).group(1)
    agency_id = re.search(r'<option value="(\d+)">[^<]*</option>', page.split(
        'id="request-agency"')[1]).group(1)
    refused = client.post("/requests/new", data={"item_id": item_id, "agency_id": agency_id,
                                                 "due_on": "", "note": "Số liệu tháng 9"})
    assert refused.status_code == 422 and ">Số liệu tháng 9</textarea>" in _html(refused)
    assert _error_after(_html(refused), "request-due")
    done = client.post("/requests/new", data={"item_id": item_id, "agency_id": agency_id,
                                              "due_on": "2025-10-11", "note": "Số liệu"})
    assert done.status_code == 302
    task = session.scalar(sa.select(Task).where(Task.requested_by_id.is_not(None)))
    assert task.due_on == date(2025, 10, 13)  # Saturday 11/10 moves to Monday


def test_calendar_days_add_and_remove_with_confirmation(world, as_user, session):
    client = as_user("coordinator")
    refused = client.post("/calendar-days", data={"day": "", "kind": "day_off",
                                                  "note": "Nghỉ bù"})
    assert refused.status_code == 422 and 'value="Nghỉ bù"' in _html(refused)
    assert _error_after(_html(refused), "calendar-day")
    client.post("/calendar-days", data={"day": "2025-10-10", "kind": "day_off",
                                        "note": "Nghỉ bù"})
    page = _html(client.get("/calendar-days"))
    assert "10/10/2025" in page and "Nghỉ bù" in page
    ask = client.post("/calendar-days/remove", data={"day": "2025-10-10"})
    assert 'id="confirm-button"' in _html(ask)
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarOverride)) == 1
    client.post("/calendar-days/remove", data={"day": "2025-10-10", "confirmed": "1"})
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarOverride)) == 0
    assert session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.action == "calendar.remove")) == "calendar.remove"
    assert as_user("officer_a").post("/calendar-days", data={
        "day": "2025-10-10", "kind": "day_off"}).status_code == 403


def test_the_coordinator_is_notified_of_a_request_and_the_officer_of_the_decision(
        world, as_user, session):
    task_id = world["task_of"]("AG-A", "M-RPT-Y")
    as_user("officer_a").post(f"/tasks/{task_id}/extension",
                              data={"due_on": "2025-12-31", "reason": "Chờ số liệu"})
    page = _html(as_user("coordinator").get("/notifications/"))
    assert "Đề nghị điều chỉnh thời hạn: Báo cáo năm" in page
    assert f'href="/tasks/{task_id}"' in page
    req = session.scalar(sa.select(ExtensionRequest))
    as_user("coordinator").post(f"/extensions/{req.id}/decision", data={"decision": "approve"})
    assert "Đồng ý điều chỉnh thời hạn: Báo cáo năm" in _html(
        as_user("officer_a").get("/notifications/"))


def test_a_too_large_upload_says_the_limit(world, as_user, app):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    task_id = world["task_of"]("AG-A")
    response = as_user("officer_a").post(
        f"/tasks/{task_id}/report", content_type="multipart/form-data",
        data={"note": "x", "files": [(io.BytesIO(b"%PDF" + b"0" * 3 * 1024 * 1024), "big.pdf")]})
    assert response.status_code == 413
    page = _html(response)
    assert "lớn hơn 2 MB" in page and "mỗi tệp tối đa 20 MB" in page
    assert "Xin quay lại, chọn tệp nhỏ hơn" in page  # what to do, not the title again
