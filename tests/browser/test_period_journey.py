"""The coordinator's period in Chromium, on the seed plan: choose a period, drill down, export."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from models.core.db import Base, make_engine, make_session_factory
from tests.browser.conftest import serving
from tests.factories import PASSWORD
from tests.webapp.period_world import PLAN, build_seed_world

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def seed_url(tmp_path_factory):
    """The app on an SQLite file with the seed plan and its reports, served from a thread."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("period-browser")
    url = f"sqlite:///{folder / 'seed.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "SECRET_KEY": "browser-tests", "UPLOAD_FOLDER": str(folder / "up")})
    session = make_session_factory(engine)()
    build_seed_world(app, session)
    session.close()
    engine.dispose()
    with serving(app) as url:
        yield url


@pytest.fixture
def coordinator(browser, seed_url):
    context = browser.new_context(base_url=seed_url, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", "coord@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#logout")).to_be_visible()
    yield page
    context.close()


def test_choose_a_period_drill_down_and_download_the_export(coordinator, tmp_path):
    page = coordinator
    page.goto(f"/dashboard/?plan={PLAN}")
    expect(page.locator("#period-label")).to_have_text("tháng 12 năm 2025")  # this month
    page.screenshot(path=str(SCREENSHOTS / "dashboard-period-month.png"), full_page=True)

    page.select_option("#period", "2025-Q4")
    page.click("#period-form button[type=submit]")
    expect(page.locator("#period-label")).to_have_text("quý IV năm 2025")
    assert "period=2025-Q4" in page.url
    expect(page.locator("#period")).to_have_value("2025-Q4")  # the form keeps the choice
    page.screenshot(path=str(SCREENSHOTS / "dashboard-period-quarter.png"), full_page=True)

    # an agency's overdue figure opens the drill-down with every filter set
    rows = page.locator("#by-agency tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        n = int(row.locator("td.cat-overdue a").inner_text())
        if 0 < n < int(row.locator("td.num a").first.inner_text()):
            break  # overdue tasks, and others too
    code = row.get_attribute("data-agency")
    overdue = row.locator("td.cat-overdue a")
    overdue.click()
    expect(page.locator("#task-total")).to_have_text(str(n))
    assert all(f in page.url for f in (f"agency={code}", "category=overdue", "period=2025-Q4"))
    expect(page.locator("#category")).to_have_value("overdue")
    expect(page.locator("#drill-rows tbody tr")).to_have_count(n)

    # widen to every category of that agency, then search by text
    page.select_option("#category", "")
    page.click("#drill-form button[type=submit]")
    total = int(page.locator("#task-total").inner_text())
    assert total > n
    page.screenshot(path=str(SCREENSHOTS / "drill-down-filters.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#export-xlsx")
    target = tmp_path / "export.xlsx"
    info.value.save_as(target)
    assert info.value.suggested_filename.startswith("tasks-")
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    assert len(rows) - header - 1 == total
    assert {r[5] for r in rows[header + 1:]} == {code}  # the agency filter on screen


def test_late_this_month_and_the_scorecard(coordinator):
    page = coordinator
    page.goto(f"/dashboard/?plan={PLAN}")
    page.click("#late-this-month")
    expect(page.locator("h1")).to_contain_text("Quá hạn chưa hoàn thành")
    assert "period=2025-12" in page.url
    page.goto(f"/dashboard/?plan={PLAN}&period=2025")
    page.locator("#by-agency tbody tr td a").first.click()
    expect(page.locator(".report-kind")).to_be_visible()
    expect(page.locator("#scorecard-months tbody tr")).to_have_count(12)
    page.screenshot(path=str(SCREENSHOTS / "agency-scorecard.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()  # the print stylesheet applies
    page.screenshot(path=str(SCREENSHOTS / "agency-scorecard-print.png"), full_page=True)
    page.goto(f"/dashboard/?plan={PLAN}&period=2025-Q4")
    expect(page.locator("#period-form")).to_be_hidden()
    page.screenshot(path=str(SCREENSHOTS / "dashboard-print.png"), full_page=True)
