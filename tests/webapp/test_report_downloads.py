"""The report sent upward from the web: the dashboard's button, the DOCX answer, who may have it."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tests.report_factories import make_report_world

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REPORT = "/reports/period?plan=516-KH/TU&period={period}"
PEOPLE = {
    "coordinator": ("c@btgdv.example.org", "coordinator", "BTGDV"),
    "admin": ("a@example.org", "admin", None),
    "inspector": ("i@example.org", "inspector", None),
    "viewer": ("v@example.org", "viewer", None),
    "officer": ("o@vptu2.example.org", "officer", "VPTU"),
}


@pytest.fixture
def seeded(app, session, tmp_path):
    """The seed plan in March 2026 (tests/report_factories.py), with a login per role."""
    app.config["PLANWATCH_NOW"] = datetime(2026, 3, 23, 2, tzinfo=UTC)
    app.config["PLANWATCH_HOME"] = str(tmp_path / "home")  # uploaded templates go here
    world = make_report_world(session)
    for email, role, agency in PEOPLE.values():
        make_user(session, email=email, role=role, agency=agency)
    session.commit()

    def client_of(who: str):
        client = app.test_client()
        answer = client.post("/login", data={"email": PEOPLE[who][0], "password": PASSWORD})
        assert answer.status_code == 302
        return client

    return world, client_of


def test_the_coordinator_downloads_the_months_report_from_the_dashboard(seeded):
    world, client_of = seeded
    client = client_of("coordinator")
    page = client.get("/dashboard/?plan=516-KH/TU").get_data(as_text=True)
    assert 'id="period-report-form"' in page and 'value="2026-03"' in page  # this month
    assert "Dự thảo báo cáo gửi cấp trên (DOCX)" in page
    answer = client.get(REPORT.format(period="2026-03"))
    assert answer.status_code == 200 and answer.mimetype == DOCX
    assert "bao-cao-516-KH-TU-2026-03.docx" in answer.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(answer.data))
    assert document.paragraphs[0].text == "BÁO CÁO"
    assert "tháng 3 năm 2026" in document.paragraphs[1].text
    quarter = docx.Document(io.BytesIO(client.get(REPORT.format(period="2026-Q1")).data))
    assert "quý I năm 2026" in quarter.paragraphs[1].text


def test_only_coordinators_and_admins_draft_the_report(seeded):
    _, client_of = seeded
    for who, status in [("admin", 200), ("viewer", 403), ("officer", 403), ("inspector", 403)]:
        client = client_of(who)
        assert client.get(REPORT.format(period="2026-03")).status_code == status, who
        page = client.get("/dashboard/").get_data(as_text=True)
        assert ('id="period-report-form"' in page) == (status == 200), who


def test_a_wrong_period_or_plan_is_refused(seeded):
    _, client_of = seeded
    client = client_of("coordinator")
    assert client.get(REPORT.format(period="2026-13")).status_code == 422
    assert client.get("/reports/period?plan=NO-PLAN&period=2026-03").status_code == 404


def test_the_inspection_page_offers_the_conclusion_notice(seeded):
    world, client_of = seeded
    url = f"/reports/inspection/{world.inspection.id}"
    for who, status in [("inspector", 200), ("coordinator", 200), ("officer", 403),
                        ("viewer", 403)]:
        client = client_of(who)
        answer = client.get(url)
        assert answer.status_code == status, who
        if status == 200:
            assert docx.Document(io.BytesIO(answer.data)).paragraphs[0].text == "THÔNG BÁO"
            page = client.get(f"/inspections/{world.inspection.id}").get_data(as_text=True)
            assert f'href="{url}"' in page and "Thông báo kết luận (DOCX)" in page


def test_an_admin_uploads_the_offices_template_and_the_next_report_uses_it(seeded, session):
    _, client_of = seeded
    admin = client_of("admin")
    assert 'id="templates-link"' in admin.get("/admin/users").get_data(as_text=True)
    listing = admin.get("/reports/templates").get_data(as_text=True)
    assert "period-report.docx" in listing and "516-KH/TU" in listing
    default = admin.get("/reports/templates/default/period-report.docx")
    own = docx.Document(io.BytesIO(default.data))
    heading = next(p for p in own.paragraphs if p.text.startswith("I- KẾT QUẢ"))
    heading.runs[0].text = "I- MẪU RIÊNG CỦA BAN"
    data = io.BytesIO()
    own.save(data)

    def upload(client, content: bytes, owner: str = "BTGDV"):
        return client.post("/reports/templates", content_type="multipart/form-data", data={
            "name": "period-report.docx", "owner": owner,
            "file": (io.BytesIO(content), "mau.docx")})

    assert upload(client_of("coordinator"), data.getvalue()).status_code == 403
    assert upload(admin, b"not a word file").status_code == 422
    assert upload(admin, data.getvalue()).status_code == 302
    listing = admin.get("/reports/templates").get_data(as_text=True)
    assert "templates/BTGDV/period-report.docx" in listing
    report = client_of("coordinator").get(REPORT.format(period="2026-03"))
    assert "I- MẪU RIÊNG CỦA BAN" in [p.text for p in docx.Document(io.BytesIO(report.data))
                                      .paragraphs]
    from models.core.audit import AuditEvent

    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "report.template_install")).one()
    assert event.entity_id == "templates/BTGDV/period-report.docx"
