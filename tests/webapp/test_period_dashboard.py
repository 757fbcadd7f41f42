"""The coordinator's period on the seed plan: the dashboard agrees with a count by hand."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date

import pytest
from click.testing import CliRunner

from cli import main
from tests.webapp.period_world import AS_OF, PLAN, agency_rows, build_seed_world

CATEGORIES = ("done_on_time", "done_late", "in_progress", "overdue", "not_due")


@pytest.fixture
def seed(app, session):
    return build_seed_world(app, session)


@pytest.fixture
def coordinator(app, seed):
    client = app.test_client()
    assert login_as(client).status_code == 302
    return client


def login_as(client):
    return client.post("/login", data={"email": "coord@example.org",
                                       "password": "correct-horse-battery"})


def by_hand(rows: list[dict], start: date, end: date, as_of: date) -> dict[str, Counter]:
    """The rule of QĐ 42/2014 applied to the CLI's JSON rows, per agency code."""
    out: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        due = date.fromisoformat(r["due_on"])
        if not start <= due <= end:
            continue
        if r["status"] in ("submitted", "accepted"):
            category = "done_late" if r["late"] else "done_on_time"
        elif due < as_of:
            category = "overdue"
        elif r["status"] in ("in_progress", "returned"):
            category = "in_progress"
        else:
            category = "not_due"
        out[r["agency"]][category] += 1
    return out


def cli_rows(db_url: str, monkeypatch) -> list[dict]:
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["tasks", "list", "--plan", PLAN, "--as-of",
                                       AS_OF.isoformat(), "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("period, start, end", [
    ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
    ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
])
def test_the_dashboard_shows_the_five_numbers_counted_by_hand(
        coordinator, seed, db_url, monkeypatch, period, start, end):
    expected = by_hand(cli_rows(db_url, monkeypatch), start, end, AS_OF)
    page = coordinator.get(f"/dashboard/?plan={PLAN}&period={period}").get_data(as_text=True)
    shown = agency_rows(page)
    assert set(shown) == set(expected)  # every agency with a task due in the period, no other
    for code, counts in expected.items():
        assert shown[code] == {c: counts.get(c, 0) for c in CATEGORIES}, code
    # the categories are all there: the seed world has each of them in the quarter
    if period == "2025-Q4":
        sums = {k: sum(c[k] for c in expected.values()) for k in CATEGORIES}
        assert all(sums.values()), sums
    totals = {c: int(re.search(rf'id="total-{c}">(\d+)<', page)[1]) for c in CATEGORIES}
    assert totals == {c: sum(v.get(c, 0) for v in expected.values()) for c in CATEGORIES}


def test_agencies_are_named_worst_first_and_paged(coordinator, seed, monkeypatch):
    import webapp.dashboard.routes as routes

    monkeypatch.setattr(routes, "AGENCY_PAGE", 5)
    seen, rates = [], []
    for n in range(1, 10):
        page = coordinator.get(f"/dashboard/?plan={PLAN}&period=2025-Q4&apage={n}"
                               ).get_data(as_text=True)
        rows = agency_rows(page)
        if not rows or (seen and list(rows)[0] in seen):
            break
        seen += list(rows)
        table = page.split('id="by-agency"')[1].split("</table>")[0]
        rates += [r for r in re.findall(r'<td class="num rate">([^<]*)</td>', table)[1::2]]
    assert len(seen) == len(set(seen)) > 5  # more than one page, no agency twice
    first_page = coordinator.get(f"/dashboard/?plan={PLAN}&period=2025-Q4").get_data(as_text=True)
    assert 'rel="next"' in first_page and "apage=2" in first_page
    numbers = [int(r[:-1]) for r in rates if r != "–"]
    assert numbers == sorted(numbers)  # the worst on-time rate first
    first = coordinator.get(f"/dashboard/?plan={PLAN}&period=2025-Q4").get_data(as_text=True)
    assert "Ban Tuyên giáo" in first or "Ủy ban" in first or "Sở" in first  # names, not codes
    assert 'class="muted code"' in first  # the code as a hint beside the name


def test_late_this_month_is_one_click_and_the_drill_down_filters(coordinator, seed):
    page = coordinator.get(f"/dashboard/?plan={PLAN}").get_data(as_text=True)
    assert "tháng 12 năm 2025" in page  # this month on the app clock
    link = re.search(r'id="late-this-month" [^>]*href="([^"]+)"', page)
    if link is None:
        link = re.search(r'href="([^"]+)"[^>]*id="late-this-month"', page)
    href = link[1].replace("&amp;", "&")
    assert "period=2025-12" in href and "category=overdue" in href
    drill = coordinator.get(href).get_data(as_text=True)
    total = int(re.search(r'id="task-total">(\d+)<', drill)[1])
    totals = int(re.search(r'id="total-overdue">(\d+)<', page)[1])
    assert total == totals > 0
    assert drill.count('class="cat-overdue overdue"') == total
    # the dashboard no longer lists every overdue task: it links to the drill-down
    assert "task-row" not in page and 'id="overdue-list"' in page


def test_drill_down_has_pages_not_a_silent_cap(coordinator, seed, session):
    # the corrected seed plan has exactly 200 tasks through 2026: open 2027's first quarter too,
    # so there are more tasks than the old cap of 200 rows
    from models.tasks.generation import generate_tasks
    from tests.factories import T0

    generate_tasks(session, through=date(2027, 3, 31), now=T0)
    session.commit()
    page = coordinator.get(f"/dashboard/tasks?plan={PLAN}&period=all&size=25"
                           ).get_data(as_text=True)
    total = int(re.search(r'id="task-total">(\d+)<', page)[1])
    assert total > 200  # every task of the plan, however many
    ids = set()
    for n in range(1, total // 25 + 2):
        body = coordinator.get(f"/dashboard/tasks?plan={PLAN}&period=all&size=25&page={n}"
                               ).get_data(as_text=True)
        ids |= set(re.findall(r'href="/tasks/(\d+)"', body))
    assert len(ids) == total
    found = coordinator.get(f"/dashboard/tasks?plan={PLAN}&period=all&q=cao%20b%E1%BA%B1ng"
                            ).get_data(as_text=True)
    assert int(re.search(r'id="task-total">(\d+)<', found)[1]) < total


def test_the_scorecard_shows_the_period_month_by_month(coordinator, seed, session):
    page = coordinator.get(f"/dashboard/?plan={PLAN}&period=2025").get_data(as_text=True)
    code, counts = next(iter(agency_rows(page).items()))
    card = coordinator.get(f"/dashboard/agency/{code}?plan={PLAN}&period=2025"
                           ).get_data(as_text=True)
    for c in CATEGORIES:
        assert int(re.search(rf'id="card-{c}">(\d+)<', card)[1]) == counts[c]
    months = card.split('id="scorecard-months"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert months.count("<tr>") == 12 and "tháng 12 năm 2025" in months
    assert "print.css" in card and 'id="print-button"' in card
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(coordinator.get(
        f"/exports/scorecard/{code}.xlsx?plan={PLAN}&period=2025").get_data())).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
    total = next(r for r in rows if r[0] == "Tổng số")
    assert list(total[2:7]) == [counts[c] for c in CATEGORIES]
    assert sum(1 for r in rows if str(r[0]).startswith("tháng ")) == 12
