"""Browser journey: inspect, find, issue, answer with a file, reopen, answer again, verify."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

import models  # noqa: F401  (registers every table)
from models.core.db import Base, make_engine, make_session_factory
from tests.browser.conftest import serving
from tests.factories import load_mini, make_people

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TET_EVE = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)  # Tuesday 10/2/2026, 9:00 in Hà Nội


@pytest.fixture(scope="module")
def inspection_site(tmp_path_factory):
    """A live app on a fresh SQLite file: the mini plan, one user per role, CSRF on."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("inspection-browser")
    url = f"sqlite:///{folder / 'browser.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    session = make_session_factory(engine)()
    load_mini(session)
    people = {role: user.email for role, user in make_people(session).items()}
    session.commit()
    session.close()
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "SECRET_KEY": "inspection-browser", "PLANWATCH_NOW": TET_EVE,
                      "UPLOAD_FOLDER": str(folder / "uploads")})
    with serving(app) as url:
        yield app, people, url


def test_inspection_journey(page_as, inspection_site, tmp_path):
    _, people, base = inspection_site
    inspector = page_as(base, people["inspector"])
    officer = page_as(base, people["officer"])
    evidence = tmp_path / "so-theo-doi.pdf"
    evidence.write_bytes(b"%PDF-1.4 so theo doi")

    inspector.goto("/inspections/new")
    inspector.select_option("select[name=kind]", "inspection")
    inspector.fill("input[name=title]", "Kiểm tra Đơn vị A năm 2026")
    # a checkbox list with a filter box, not a multi-select that needs Ctrl-click
    inspector.get_by_label("Đơn vị A (AG-A)").check()
    inspector.fill("input[name=planned_on]", "2026-02-10")
    inspector.click("#new-inspection button[type=submit]")
    inspector.click("#start-form button")
    assert inspector.locator("#inspection-status").inner_text() == "Đang thực hiện"

    inspector.select_option("#finding-form select[name=severity]", "major")
    inspector.fill("#finding-form textarea[name=text]", "Không lập sổ theo dõi báo cáo")
    inspector.click("#log-finding")
    inspector.fill("#action-form textarea[name=description]", "Lập sổ theo dõi báo cáo")
    inspector.fill("#action-form input[name=due_in_working_days]", "10")
    inspector.click("#issue-action")
    assert "03/03/2026" in inspector.locator("#due").inner_text()  # Tết skipped
    action_url = inspector.url

    officer.goto("/inspections/actions")
    officer.click("text=Lập sổ theo dõi báo cáo")
    officer.fill("#response-form textarea[name=note]", "Đã lập sổ")
    officer.set_input_files("#response-form input[type=file]", str(evidence))
    officer.click("#submit-response")
    assert officer.locator("#action-status").inner_text() == "Đã gửi"

    inspector.goto(action_url)
    inspector.fill("#review-form textarea[name=note]", "Sổ chưa có chữ ký")
    inspector.click("#reopen")
    assert inspector.locator("#action-status").inner_text() == "Yêu cầu làm lại"

    officer.reload()
    officer.fill("#response-form textarea[name=note]", "Đã bổ sung chữ ký")
    officer.click("#submit-response")
    inspector.reload()
    inspector.click("#verify")
    assert inspector.locator("#action-status").inner_text() == "Đã xác nhận khắc phục"

    inspector.click(".crumbs a >> nth=0")
    steps = inspector.locator("#timeline li strong").all_inner_texts()
    assert steps[:2] == ["Lập kế hoạch kiểm tra", "Bắt đầu kiểm tra"]
    assert steps[2:] == ["Ghi nhận nội dung phát hiện", "Ban hành yêu cầu khắc phục",
                         "Đơn vị gửi kết quả khắc phục", "Đính kèm tệp",
                         "Cán bộ kiểm tra yêu cầu khắc phục lại",
                         "Đơn vị gửi kết quả khắc phục", "Cán bộ kiểm tra xác nhận đã khắc phục"]
    notes = inspector.locator("#timeline").inner_text()
    assert re.search("Đã lập sổ.*Sổ chưa có chữ ký.*Đã bổ sung chữ ký", notes, re.S)
    assert "so-theo-doi.pdf" in notes
