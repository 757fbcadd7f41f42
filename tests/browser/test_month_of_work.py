"""A month of work per role in Chromium, without the command line: the officer asks for more
time and submits; the coordinator decides two extension requests, moves a due date, asks for an
on-request report, declares a day off and accepts three reports at once (bulk); the admin
manages accounts.
Refused forms come back with what was typed and the error next to its field."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

import models  # noqa: F401  (registers every table)
from models.core.db import Base, make_engine, make_session_factory
from models.org.agencies import Agency
from models.org.users import User
from models.plans.calendar_days import CalendarOverride
from models.plans.entities import Item
from models.tasks.entities import Task
from models.tasks.extensions import ExtensionRequest, request_extension
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.browser.conftest import serving
from tests.factories import PASSWORD, T0, load_mini, make_user
from tests.webapp.conftest import USERS, WEB_NOW

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
TODAY = date(2025, 10, 1)


def _open_tasks(session, agency: str) -> list[Task]:
    return list(session.scalars(sa.select(Task).join(Task.agency).join(Task.item).where(
        Agency.code == agency, Task.status == "not_started", Task.due_on >= TODAY,
        Item.code != "M-REQ").order_by(Task.due_on, Task.id)))


def _task(session, agency: str, item: str) -> Task:
    return session.scalar(sa.select(Task).join(Task.agency).join(Task.item).where(
        Agency.code == agency, Item.code == item).order_by(Task.period_start))


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """The mini plan on SQLite; AG-B has asked twice for more time and sent three reports."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("month-browser")
    url = f"sqlite:///{folder / 'month.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        load_mini(session)
        generate_tasks(session, through=date(2025, 12, 31), now=T0)
        users = {}
        for who in ("officer_a", "officer_b", "coordinator", "admin", "viewer"):
            email, role, agency = USERS[who]
            users[who] = make_user(session, email=email, role=role, agency=agency)
        b_open = _open_tasks(session, "AG-B")
        reasons = ["Chờ số liệu của Sở Tài chính", "Cán bộ phụ trách đi công tác"]
        asked = [request_extension(session, users["officer_b"], task, due_on=date(2025, 12, 31),
                                   reason=reason, now=WEB_NOW)
                 for task, reason in zip(b_open[:2], reasons, strict=True)]
        submitted = [_task(session, "AG-B", code) for code in ("M-PLAN", "M-RPT-Q", "M-RPT-M")]
        for task in submitted:
            change_status(session, users["officer_b"], task, "submitted", note="Báo cáo",
                          now=WEB_NOW)
        session.commit()
        ids = {"approve": asked[0].id, "refuse": asked[1].id,
               "approve_task": asked[0].task_id, "refuse_task": asked[1].task_id,
               "submitted": [t.id for t in submitted],
               "a_open": [t.id for t in _open_tasks(session, "AG-A")],
               "a_overdue": _task(session, "AG-A", "M-PLAN").id}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "SECRET_KEY": "month-browser", "PLANWATCH_NOW": WEB_NOW,
                      "UPLOAD_FOLDER": str(folder / "uploads")})
    with serving(app) as base:
        yield {"url": base, "ids": ids, "sessions": sessions}
    engine.dispose()


def _login(browser, base_url: str, who: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", USERS[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#logout")).to_be_visible()
    return page


def _flash(page, text: str) -> None:
    expect(page.locator(".flash-info")).to_contain_text(text)


def test_officer_asks_for_more_time_and_submits_a_report(browser, month, tmp_path):
    page = _login(browser, month["url"], "officer_a")
    task_id = month["ids"]["a_open"][0]
    page.goto(f"/tasks/{task_id}")
    # forgetting the reasons: the date typed stays, the error sits under the reasons
    page.fill("#extension-due", "2025-12-31")
    page.click("#ask-extension")
    expect(page.locator("#extension-due")).to_have_value("2025-12-31")
    expect(page.locator("#extension-reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#extension-reason-error")).to_have_text("Mục này bắt buộc.")
    page.fill("#extension-reason", "Chờ số liệu thống kê quý của Cục Thống kê")
    page.click("#ask-extension")
    _flash(page, "Đã gửi đề nghị điều chỉnh thời hạn")
    expect(page.locator("#pending-extension")).to_contain_text("31/12/2025")
    expect(page.locator("#extension-form")).to_have_count(0)  # one request at a time

    # a report with a file of a refused type: the note is kept, the error is at the files
    page.goto(f"/tasks/{month['ids']['a_overdue']}")
    expect(page.locator("#report-files-limits")).to_contain_text("20 MB")
    note = "Đã tổ chức triển khai kế hoạch tại 12/12 xã"
    page.fill("#report-note", note)
    bad = tmp_path / "chay.exe"
    bad.write_bytes(b"MZ not a report")
    page.set_input_files("#report-files", str(bad))
    page.click("#submit-report")
    expect(page.locator("#report-note")).to_have_value(note)
    expect(page.locator("#report-files-error")).to_contain_text("Không chấp nhận loại tệp")
    good = tmp_path / "bao-cao.pdf"
    good.write_bytes(b"%PDF-1.4 bao cao")
    page.set_input_files("#report-files", str(good))
    page.click("#submit-report")
    _flash(page, "Đã gửi báo cáo.")
    expect(page.locator("#task-status")).to_have_text("Đã gửi")
    expect(page.locator(".history")).to_contain_text("bao-cao.pdf")
    page.context.close()


def test_coordinator_decides_moves_requests_declares_and_accepts(browser, month):
    ids = month["ids"]
    page = _login(browser, month["url"], "coordinator")
    page.goto("/tasks")
    page.click("#link-extensions")
    expect(page.locator("#extension-list")).to_contain_text("Chờ số liệu của Sở Tài chính")

    # approve one: the due date moves, the first one is shown
    page.goto(f"/tasks/{ids['approve_task']}")
    page.fill("#decision-note", "Đồng ý, đề nghị gửi đúng hạn mới")
    page.click("#approve-extension")
    _flash(page, "Đã đồng ý điều chỉnh thời hạn: hạn mới là 31/12/2025")
    expect(page.locator("#due strong")).to_have_text("31/12/2025")
    expect(page.locator("#original-due")).to_be_visible()

    # refuse the other: a reason is required, and the refusal asks first
    page.goto(f"/tasks/{ids['refuse_task']}")
    page.click("#refuse-extension")
    expect(page.locator("#decision-note-error")).to_be_visible()
    page.fill("#decision-note", "Không có căn cứ điều chỉnh")
    page.click("#refuse-extension")
    expect(page.locator("#confirm")).to_contain_text("Không có căn cứ điều chỉnh")
    page.click("#confirm-button")
    _flash(page, "Đã không đồng ý điều chỉnh thời hạn")
    expect(page.locator("#extension-requests")).to_contain_text("Không đồng ý")

    # move a due date, with the reason
    target = ids["a_open"][-1]
    page.goto(f"/tasks/{target}")
    page.fill("#reschedule-due", "2026-01-15")
    page.fill("#reschedule-reason", "Điều chỉnh theo chỉ đạo của Thường trực")
    page.click("#reschedule")
    _flash(page, "hạn mới là 15/01/2026")
    expect(page.locator("#original-due")).to_be_visible()

    # ask AG-B for an on-request report; a missing date is said next to it, the note kept
    page.goto("/requests/new")
    page.select_option("#request-item", label="Báo cáo khi có yêu cầu (MINI-1)")
    page.select_option("#request-agency", index=2)
    page.fill("#request-note", "Báo cáo tình hình thực hiện đến 15/10")
    page.click("#request-report")
    expect(page.locator("#request-due_on-error")).to_have_text("Mục này bắt buộc.")
    expect(page.locator("#request-note")).to_have_value("Báo cáo tình hình thực hiện đến 15/10")
    page.fill("#request-due", "2025-10-15")
    page.click("#request-report")
    _flash(page, "hạn 15/10/2025")

    # declare an extra day off
    page.goto("/calendar-days")
    page.fill("#calendar-day", "2025-10-10")
    page.select_option("#calendar-kind", "day_off")
    page.fill("#calendar-note", "Nghỉ theo thông báo của UBND tỉnh")
    page.click("#add-day")
    _flash(page, "10/10/2025")
    expect(page.locator("#calendar-days")).to_contain_text("Nghỉ theo thông báo của UBND tỉnh")

    # accept three reports at once: tick them in the inbox, one button
    page.goto("/review/")
    for task_id in ids["submitted"]:
        page.locator(f"#submission-{task_id} input.choose").check()
    page.click("#accept-chosen")
    _flash(page, f"Đã tiếp nhận {len(ids['submitted'])} báo cáo.")
    for task_id in ids["submitted"]:
        expect(page.locator(f"#submission-{task_id}")).to_have_count(0)
    page.context.close()

    with month["sessions"]() as session:
        assert session.get(ExtensionRequest, ids["approve"]).status == "approved"
        assert session.get(ExtensionRequest, ids["refuse"]).status == "refused"
        assert session.get(Task, target).due_on == date(2026, 1, 15)
        assert session.scalar(sa.select(CalendarOverride.kind)) == "day_off"
        assert {session.get(Task, t).status for t in ids["submitted"]} == {"accepted"}


def test_admin_manages_accounts_and_a_refused_user_form_keeps_its_values(browser, month):
    page = _login(browser, month["url"], "admin")
    page.goto("/admin/users")
    page.fill("#new-user input[name=email]", "khong-phai-email")
    page.fill("#new-user input[name=display_name]", "Nông Thị Mai")
    page.select_option("#new-user select[name=role]", "officer")
    page.select_option("#new-user select[name=agency]", "AG-A")
    page.check("#new-user input[name=is_agency_head]")
    page.locator("#new-user input[name=email]").evaluate("e => e.type = 'text'")  # past HTML5
    page.click("#create-user")
    expect(page.locator("#new-user input[name=email]")).to_have_value("khong-phai-email")
    expect(page.locator("#new-user input[name=display_name]")).to_have_value("Nông Thị Mai")
    expect(page.locator("#new-user select[name=role]")).to_have_value("officer")
    expect(page.locator("#new-user select[name=agency]")).to_have_value("AG-A")
    expect(page.locator("#new-user input[name=is_agency_head]")).to_be_checked()
    expect(page.locator("#user-email-error")).to_contain_text("khong-phai-email")
    page.locator("#new-user input[name=email]").evaluate("e => e.type = 'text'")
    page.fill("#new-user input[name=email]", "mai@a.example.org")
    page.click("#create-user")
    expect(page.locator(".flash-secret")).to_contain_text("mai@a.example.org")

    page.fill("#user-search input[name=q]", "mai@")
    page.click("#user-search button")
    expect(page.locator("#user-list tbody tr")).to_have_count(1)
    page.click("#user-list a")
    page.fill("#user-form input[name=display_name]", "Nông Thị Mai (Trưởng phòng)")
    page.click("#save-user")
    _flash(page, "Đã cập nhật tài khoản")
    expect(page.locator("#user-form input[name=display_name]")).to_have_value(
        "Nông Thị Mai (Trưởng phòng)")

    page.click("#reset-password")
    expect(page.locator("#confirm")).to_be_visible()  # asks first
    page.click("#confirm-button")
    expect(page.locator(".flash-secret")).to_contain_text("mai@a.example.org")
    page.context.close()
    with month["sessions"]() as session:
        mai = session.scalar(sa.select(User).where(User.email == "mai@a.example.org"))
        assert (mai.display_name, mai.is_agency_head, mai.agency.code) == (
            "Nông Thị Mai (Trưởng phòng)", True, "AG-A")


def test_a_user_changes_their_own_password(browser, month):
    page = _login(browser, month["url"], "viewer")
    page.click("a.who")
    page.fill("#current-password", "sai-mat-khau")
    page.fill("#new-password", "mat-khau-moi-dai")
    page.fill("#repeat-password", "mat-khau-moi-dai")
    page.click("#change-password")
    expect(page.locator("#password-current_password-error")).to_have_text(
        "Mật khẩu hiện tại không đúng.")
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", "mat-khau-moi-dai")
    page.fill("#repeat-password", "mat-khau-moi-dai")
    page.click("#change-password")
    _flash(page, "Đã đổi mật khẩu")
    expect(page.locator("#logout")).to_be_visible()  # this session stays
    page.context.close()
