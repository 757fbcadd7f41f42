"""Every page of every role, on the seed plan, at a phone's and an office screen's width.

The route matrix is built from the app's url_map: every GET rule that renders a page is either
visited (its arguments filled from the seed data) or listed in NOT_PAGES with the reason, so a new
page cannot escape the checks. On each page: no horizontal overflow
(document.documentElement.scrollWidth <= the viewport's width) and no serious or critical
accessibility violation found by axe-core (bundled by axe-playwright-python, injected from the
file: nothing is loaded from the internet).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import models  # noqa: F401  (registers every table)
from models.core.db import Base, make_engine, make_session_factory
from models.notify.entities import Notification
from models.org.agencies import Agency
from models.oversight.corrective_actions import extend_action, raise_action
from models.oversight.inspections import change_inspection_status, create_inspection, log_finding
from models.plans.entities import Item
from models.tasks.entities import Task, TaskStatus
from models.tasks.operations import change_status
from tests.browser.conftest import serving
from tests.factories import PASSWORD, make_notification, person
from tests.webapp.period_world import SEED_NOW, build_seed_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (390, 1366)
OFFICER_AGENCY = "BTGDV"
# GET rules that are not pages a person reads: downloads, feeds, health, the API, static files
NOT_PAGES = {
    "static": "static files",
    "main.healthz": "a health check for the load balancer",
    "workspace.attachment": "a file download",
    "inspections.attachment": "a file download",
    "exports.tasks": "an XLSX/CSV download",
    "exports.agencies": "an XLSX/CSV download",
    "exports.sections": "an XLSX/CSV download",
    "exports.scorecard_export": "an XLSX/CSV download",
    "exports.workspace": "an XLSX/CSV download",
    "reports.period": "a DOCX download",
    "reports.inspection": "a DOCX download",
    "reports.default_template": "a DOCX download",
    "feeds.ics": "an iCalendar feed",
    "auth.home": "a redirect to the role's first page",
}
ROLES = ("officer", "coordinator", "inspector", "viewer", "admin")
# docs/screenshots, retaken here on the seed plan at 1366 px: (role, path or id key, file)
SHOTS = [("officer", "/tasks", "workspace.png"), ("officer", "task_id", "task-returned.png"),
         ("coordinator", "/dashboard/", "dashboard.png"), ("coordinator", "/review/", "inbox.png")]


def _at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    """The seed plan with reports, a started inspection, an extended corrective action,
    notifications and one user of every role, served from a thread."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("pages-browser")
    url = f"sqlite:///{folder / 'seed.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "SECRET_KEY": "pages-browser", "UPLOAD_FOLDER": str(folder / "up")})
    session = make_session_factory(engine)()
    build_seed_world(app, session)
    users = {
        "coordinator": "coord@example.org",
        "officer": person(session, "officer@btgdv.example.org", "officer", OFFICER_AGENCY,
                          "Nguyễn Thị Lan").email,
        "inspector": person(session, "insp@example.org", "inspector", name="Hoàng Văn Minh").email,
        "viewer": person(session, "viewer@example.org", "viewer", name="Lê Văn Hùng").email,
        "admin": person(session, "admin@example.org", "admin", name="Quản trị").email,
    }
    ids = _oversight_and_returns(session)
    session.commit()
    session.close()
    engine.dispose()
    with serving(app) as base:
        yield app, base, users, ids


def _oversight_and_returns(session) -> dict[str, int]:
    """A returned task and notifications for the officer; an inspection with a finding and an
    extended corrective action; the ids the route matrix fills arguments with."""
    from models.org.users import User

    agency = session.scalar(sa.select(Agency).where(Agency.code == OFFICER_AGENCY))
    officer = session.scalar(sa.select(User).where(User.role == "officer"))
    coordinator = session.scalar(sa.select(User).where(User.role == "coordinator"))
    inspector = session.scalar(sa.select(User).where(User.role == "inspector"))
    submitted = session.scalars(
        sa.select(Task).where(Task.agency_id == agency.id, Task.status == TaskStatus.SUBMITTED)
        .order_by(Task.due_on)).all()
    returned = submitted[0]
    change_status(session, coordinator, returned, TaskStatus.RETURNED, now=SEED_NOW,
                  note="Thiếu số liệu về kết quả thực hiện trong tháng; đề nghị bổ sung.")
    for task in session.scalars(sa.select(Task).where(Task.agency_id == agency.id)
                                .order_by(Task.due_on).limit(3)):
        make_notification(session, recipient_id=officer.id, subject_id=task.id)
    item = session.scalar(sa.select(Item).where(Item.code.like("%RPT%")).order_by(Item.id))
    inspection = create_inspection(
        session, inspector, kind="inspection",
        title="Kiểm tra việc thực hiện Kế hoạch 516 năm 2025",
        agency_ids=[agency.id], planned_on=date(2025, 12, 1), item_ids=[item.id],
        inspector_ids=[inspector.id], now=_at(date(2025, 11, 20)))
    change_inspection_status(session, inspector, inspection, "in_progress",
                             now=_at(date(2025, 12, 1)))
    finding = log_finding(session, inspector, inspection, agency_id=agency.id, severity="major",
                          text="Chưa lập sổ theo dõi việc thực hiện báo cáo tháng",
                          item_id=item.id, now=_at(date(2025, 12, 2)))
    action = raise_action(session, inspector, finding,
                          description="Lập sổ theo dõi và báo cáo bổ sung",
                          due_in_working_days=10, now=_at(date(2025, 12, 2)))
    extend_action(session, inspector, action, reason="Đơn vị đề nghị do trùng đợt tổng kết năm",
                  due_in_working_days=5, now=_at(date(2025, 12, 10)))
    session.flush()
    return {"task_id": returned.id, "inspection_id": inspection.id, "finding_id": finding.id,
            "action_id": action.id, "agency_id": agency.id, "user_id": officer.id,
            "code": OFFICER_AGENCY, "year": 2025,
            "notifications": session.scalar(sa.select(sa.func.count(Notification.id)))}


def page_rules(app) -> list:
    """The GET rules of pages (not the API), each once."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        if rule.endpoint in NOT_PAGES:
            continue
        out.append(rule)
    return sorted(out, key=lambda r: r.rule)


def route_matrix(app, ids: dict) -> list[str]:
    """The address of every page rule, its arguments filled from the seed data."""
    paths = []
    with app.test_request_context():
        from flask import url_for

        for rule in page_rules(app):
            missing = [a for a in rule.arguments if a not in ids]
            assert not missing, f"no seed value for {rule.rule} {missing}: add one, or a reason"
            paths.append(url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments}))
    return paths


# the innermost elements that stick out past the viewport's right edge (the message of a failure)
WIDEST = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 0.5
               && ![...e.children].some(c => c.getBoundingClientRect().right > width + 0.5))
  .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))"""


def _login(browser, base: str, email: str, width: int):
    context = browser.new_context(base_url=base, viewport={"width": width, "height": 900},
                                  locale="vi-VN")
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#logout")
    return context, page


def _axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def _serious(page, script: str) -> list[str]:
    page.evaluate(script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_the_matrix_names_every_page(seed_site):
    app, _base, _users, ids = seed_site
    paths = route_matrix(app, ids)
    for expected in ("/tasks", "/review/", "/dashboard/", "/inspections/", "/notifications/"):
        assert expected in paths
    assert len(paths) >= 25


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_width_and_passes_axe(browser, seed_site, role):
    app, base, users, ids = seed_site
    paths = route_matrix(app, ids)
    script = _axe_script()
    problems, visited = [], 0
    for width in WIDTHS:
        context, page = _login(browser, base, users[role], width)
        for path in paths:
            answer = page.goto(path)
            if answer.status in (403, 404):  # not this role's page (or not its agency's)
                continue
            assert answer.status == 200, f"{role} {path}: HTTP {answer.status}"
            visited += 1
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{role} {path} at {width}px: {scroll}px wide, "
                                f"past the edge: {page.evaluate(WIDEST, width)}")
            if width == WIDTHS[0]:  # the rules do not depend on the width; once is enough
                problems += [f"{role} {path} at {width}px: {v}" for v in _serious(page, script)]
            for who, where, name in SHOTS:
                target = f"/tasks/{ids[where]}" if where in ids else where
                if who == role and width == WIDTHS[-1] and path == target:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        context.close()
    assert visited >= 2 * 5, f"{role} saw only {visited} pages"
    assert not problems, "\n".join(problems)


def test_the_coordinator_bulk_accepts_three_reports(browser, seed_site):
    """Last in the module: it changes the seed data the pages above were checked on."""
    from playwright.sync_api import expect

    _app, base, users, _ids = seed_site
    context, page = _login(browser, base, users["coordinator"], 1366)
    page.goto("/review/")
    before = int(page.locator("#inbox-total").inner_text())
    rows = page.locator("table.inbox tbody tr")
    chosen = [rows.nth(i).get_attribute("id") for i in range(3)]
    for i in range(3):
        rows.nth(i).locator("input.choose").check()
    page.click("#accept-chosen")
    expect(page.locator(".flash")).to_contain_text("Đã tiếp nhận 3 báo cáo.")
    expect(page.locator("#inbox-total")).to_have_text(str(before - 3))
    for row_id in chosen:
        expect(page.locator(f"#{row_id}")).to_have_count(0)
    context.close()
