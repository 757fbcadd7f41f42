"""Inspection pages: the whole journey through the forms, access, refusals and the report."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from models.oversight.entities import CorrectiveAction, Finding, Inspection
from tests.factories import at, make_world


@pytest.fixture
def web(app, session):
    """The inspection world committed for the app to read, with the clock at 8/10/2025."""
    world = make_world(session)
    session.commit()
    app.config["PLANWATCH_NOW"] = at(8)
    return world


def text(response) -> str:
    """The page's visible text, tags stripped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def fresh(session, model, id_):
    session.expire_all()
    return session.get(model, id_)


def test_journey_open_find_issue_submit_reopen_resubmit_verify(app, as_user, session, web):
    inspector = as_user(web["inspector"])
    officer = as_user(web["officer"])
    app.config["PLANWATCH_NOW"] = at(10, 2, 2026)  # Tuesday 10/2/2026, before Tết

    r = inspector.post("/inspections/new", data={
        "kind": "inspection", "title": "Kiểm tra Đơn vị B năm 2026",
        "agency_ids": [str(web.agency_b.id)], "planned_on": "2026-02-10"})
    assert r.status_code == 302
    inspection_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    assert inspector.post(f"/inspections/{inspection_id}/status",
                          data={"status": "in_progress"}).status_code == 302
    r = inspector.post(f"/inspections/{inspection_id}/findings", data={
        "agency_id": str(web.agency_b.id), "severity": "major",
        "text": "Không lập sổ theo dõi báo cáo",
        "files": (io.BytesIO(b"\xff\xd8photo"), "ảnh.jpg")}, content_type="multipart/form-data")
    finding_id = int(r.headers["Location"].split("/")[-1])
    r = inspector.post(f"/inspections/findings/{finding_id}/actions", data={
        "description": "Lập sổ theo dõi", "due_in_working_days": "10"})
    action_id = int(r.headers["Location"].split("/")[-1])
    action = fresh(session, CorrectiveAction, action_id)
    assert action.due_on == date(2026, 3, 3)  # ten working days, Tết skipped

    officer_b = as_user(web["other_officer"])
    page = officer_b.get(f"/inspections/actions/{action_id}")
    assert page.status_code == 200 and "03/03/2026" in text(page)
    r = officer_b.post(f"/inspections/actions/{action_id}/status", data={
        "status": "submitted", "note": "Đã lập sổ", "version": str(action.version),
        "files": (io.BytesIO(b"%PDF-1.4 so"), "sổ theo dõi.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    r = inspector.post(f"/inspections/actions/{action_id}/status",
                       data={"status": "reopened", "note": "Sổ chưa có chữ ký"})
    assert r.status_code == 302
    r = officer_b.post(f"/inspections/actions/{action_id}/status",
                       data={"status": "submitted", "note": "Đã bổ sung chữ ký"})
    assert r.status_code == 302
    r = inspector.post(f"/inspections/actions/{action_id}/status",
                       data={"status": "verified", "note": "Đạt"})
    assert r.status_code == 302
    assert fresh(session, CorrectiveAction, action_id).status == "verified"

    page = text(inspector.get(f"/inspections/{inspection_id}"))
    steps = ["Sổ chưa có chữ ký", "Đã bổ sung chữ ký", "Đạt"]
    positions = [page.index(s) for s in ["Không lập sổ theo dõi báo cáo", "Đã lập sổ", *steps]]
    assert positions == sorted(positions)
    history = officer_b.get(f"/inspections/actions/{action_id}").get_data(as_text=True)
    assert "sổ theo dõi.pdf" in history and "Sổ chưa có chữ ký" in history
    # officers of the inspected agency see the inspection; others do not
    assert officer.get(f"/inspections/{inspection_id}").status_code == 404


def test_other_agency_gets_not_found_everywhere(app, as_user, web):
    other = as_user(web["other_officer"])
    for url in (f"/inspections/{web.inspection.id}", f"/inspections/findings/{web.finding.id}",
                f"/inspections/actions/{web.action.id}",
                f"/inspections/{web.inspection.id}/report",
                f"/inspections/agencies/{web.agency_a.id}"):
        assert other.get(url).status_code == 404, url
    r = other.post(f"/inspections/actions/{web.action.id}/status",
                   data={"status": "submitted", "note": "x"})
    assert r.status_code == 404
    assert "Chưa báo cáo tháng 9" not in text(other.get("/inspections/actions"))


def test_officer_workspace_lists_own_actions_and_desk_redirects(app, as_user, web):
    officer = as_user(web["officer"])
    r = officer.get("/inspections/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/inspections/actions")
    page = text(officer.get("/inspections/actions"))
    assert "Nộp báo cáo tháng 9" in page
    assert officer.get("/inspections/plan").status_code == 403
    assert officer.get("/inspections/new").status_code == 403


def test_refused_changes_answer_with_a_message_and_change_nothing(app, as_user, session, web):
    officer, inspector = as_user(web["officer"]), as_user(web["inspector"])
    action_id = web.action.id
    r = officer.post(f"/inspections/actions/{action_id}/status",
                     data={"status": "verified", "note": "tự xác nhận"})
    assert r.status_code == 409  # open cannot become verified
    r = inspector.post(f"/inspections/actions/{action_id}/status",
                       data={"status": "submitted", "note": "thay mặt"})
    assert r.status_code == 403
    assert officer.post(f"/inspections/actions/{action_id}/status",
                        data={"status": "submitted", "note": "xong"}).status_code == 302
    r = inspector.post(f"/inspections/actions/{action_id}/status", data={"status": "reopened"})
    assert r.status_code == 422
    r = officer.post(f"/inspections/actions/{action_id}/status",
                     data={"status": "verified", "note": "x"})
    assert r.status_code == 403
    action = fresh(session, CorrectiveAction, action_id)
    assert action.status == "submitted" and len(action.updates) == 2
    r = officer.post(f"/inspections/findings/{web.finding.id}/edit",
                     data={"text": "không có gì", "severity": "observation"})
    assert r.status_code == 403
    assert fresh(session, Finding, web.finding.id).text == "Chưa báo cáo tháng 9"


def test_stale_form_is_refused(app, as_user, session, web):
    officer = as_user(web["officer"])
    seen = web.action.version
    officer.post(f"/inspections/actions/{web.action.id}/status",
                 data={"status": "in_progress", "version": str(seen)})
    r = officer.post(f"/inspections/actions/{web.action.id}/status",
                     data={"status": "submitted", "note": "x", "version": str(seen)})
    assert r.status_code == 412
    assert fresh(session, CorrectiveAction, web.action.id).status == "in_progress"


def test_extension_once_from_the_action_page(app, as_user, session, web):
    inspector = as_user(web["inspector"])
    page = inspector.get(f"/inspections/actions/{web.action.id}").get_data(as_text=True)
    assert 'id="extend-form"' in page
    r = inspector.post(f"/inspections/actions/{web.action.id}/extend",
                       data={"due_in_working_days": "5", "reason": "Chờ số liệu quý"})
    assert r.status_code == 302
    page = inspector.get(f"/inspections/actions/{web.action.id}").get_data(as_text=True)
    assert 'id="extend-form"' not in page and "21/10/2025" in page and "28/10/2025" in page
    r = inspector.post(f"/inspections/actions/{web.action.id}/extend",
                       data={"due_in_working_days": "5", "reason": "lần hai"})
    assert r.status_code == 409
    assert fresh(session, CorrectiveAction, web.action.id).due_on == date(2025, 10, 28)


def test_desk_tiles_plan_and_oversight(app, as_user, web):
    app.config["PLANWATCH_NOW"] = at(22)  # the action was due 21/10
    inspector = as_user(web["inspector"])
    desk = inspector.get("/inspections/")
    assert desk.status_code == 200
    html = desk.get_data(as_text=True)
    assert re.search(r'id="tile-overdue".*?<span class="count">1</span>', html, re.S)
    assert re.search(r'id="tile-awaiting".*?<span class="count">0</span>', html, re.S)
    assert "Kiểm tra Đơn vị A" in html
    plan = text(inspector.get("/inspections/plan?year=2025"))
    assert "AG-A" in plan and "Kiểm tra Đơn vị A" in plan
    oversight = as_user(web["officer"]).get(f"/inspections/agencies/{web.agency_a.id}")
    assert oversight.status_code == 200 and "Nộp báo cáo tháng 9" in text(oversight)


def test_report_prints_in_vietnamese_with_the_print_stylesheet(app, as_user, session, web):
    inspector = as_user(web["inspector"])
    inspector.post(f"/inspections/{web.inspection.id}/status",
                   data={"status": "concluded", "conclusion": "Đơn vị cần khắc phục"})
    assert fresh(session, Inspection, web.inspection.id).status == "concluded"
    report = inspector.get(f"/inspections/{web.inspection.id}/report")
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and "print.css" in html
    page = text(report)
    for words in ("Báo cáo", "Kết luận", "Đơn vị cần khắc phục", "Chưa báo cáo tháng 9",
                  "Nộp báo cáo tháng 9", "Yêu cầu khắc phục", "Khuyết điểm, vi phạm"):
        assert words in page, words
    css = app.test_client().get("/static/print.css").get_data(as_text=True)
    assert "@media print" in css and "display: none" in css


def test_inspection_refusals_are_shown_by_their_code_in_the_readers_language(as_user, web):
    """The refusal's own words (found by its code, not by its English sentence), both languages."""
    inspector, officer = as_user(web["inspector"]), as_user(web["officer"])
    action_id = web.action.id
    r = inspector.post(f"/inspections/actions/{action_id}/status",
                       data={"status": "submitted", "note": "thay mặt"})
    assert r.status_code == 403
    assert ("Chỉ cán bộ của đơn vị được gửi kết quả khắc phục; cán bộ kiểm tra không gửi thay."
            in text(r))
    assert officer.post(f"/inspections/actions/{action_id}/status",
                        data={"status": "submitted", "note": "xong"}).status_code == 302
    r = inspector.post(f"/inspections/actions/{action_id}/status", data={"status": "reopened"})
    assert r.status_code == 422
    assert "Hãy ghi rõ còn thiếu gì trước khi yêu cầu khắc phục lại." in text(r)
    with inspector.session_transaction() as s:
        s["lang"] = "en"
    r = inspector.post(f"/inspections/actions/{action_id}/status", data={"status": "reopened"})
    assert "Write a note saying what is still missing before reopening." in text(r)
    r = inspector.post(f"/inspections/{web.inspection.id}/status",
                       data={"status": "concluded", "conclusion": " "})
    assert r.status_code == 422
    assert "Write the conclusion before concluding the inspection." in text(r)


def test_dashboard_tiles_partial_counts_for_the_reader(app, web):
    from flask import render_template_string

    app.config["PLANWATCH_NOW"] = at(22)

    def tiles_for(role):
        with app.test_request_context():
            from flask_login import login_user

            login_user(web[role])
            html = render_template_string('{% include "inspections/_tiles.html" %}')
        return re.findall(r'<span class="count">(\d+)</span>', html)

    assert tiles_for("coordinator") == ["1", "0"]
    assert tiles_for("officer") == ["1", "0"]
    assert tiles_for("other_officer") == ["0", "0"]
