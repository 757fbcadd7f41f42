"""The coordinator's dashboard: figures, roll-up, chart, drill-down; viewers read only."""

from __future__ import annotations

import re

from tests.webapp.conftest import submit


def _figure(page: str, ident: str) -> str:
    return re.search(rf'id="{ident}">([^<]*)<', page).group(1)


def test_dashboard_shows_rates_and_follows_a_submission(world, as_user):
    coordinator = as_user("coordinator")
    default = coordinator.get("/dashboard/").get_data(as_text=True)
    assert "tháng 10 năm 2025" in default  # this month on the app clock, by default
    assert _figure(default, "total-due") == "0"  # nothing of October is due yet on 01/10
    page = coordinator.get("/dashboard/?period=2025-09").get_data(as_text=True)
    # on 01/10/2025: each of AG-A and AG-B owes M-PLAN (30/09) and M-RPT-Q (22/09)
    assert _figure(page, "total-due") == "4"
    assert _figure(page, "total-overdue") == "4"
    assert _figure(page, "total-completion") == "0%"
    assert "<svg" in page and "chart-done" in page
    task_id = world["task_of"]("AG-A")
    submit(as_user("officer_a"), task_id)
    coordinator.post(f"/review/{task_id}/accept")
    page = coordinator.get("/dashboard/?period=2025-09").get_data(as_text=True)
    assert _figure(page, "total-completion") == "25%"
    assert _figure(page, "total-accepted") == "1"
    assert _figure(page, "total-overdue") == "3"


def test_section_roll_up_and_drill_down_to_the_tasks(world, as_user):
    coordinator = as_user("coordinator")
    page = coordinator.get("/dashboard/?period=2025-Q3").get_data(as_text=True)
    section = page.split('id="by-section"')[1]
    assert "<strong>I</strong>" in section and "<strong>I.1</strong>" in section
    assert "M-RPT-Q" in section
    drill = coordinator.get("/dashboard/tasks?plan=MINI-1&agency=AG-B&state=overdue")
    text = drill.get_data(as_text=True)
    assert f'/tasks/{world["task_of"]("AG-B")}"' in text
    assert f'/tasks/{world["task_of"]("AG-A")}"' not in text
    by_item = coordinator.get("/dashboard/tasks?plan=MINI-1&item=M-PLAN&state=due")
    assert by_item.get_data(as_text=True).count('href="/tasks/') == 2
    assert coordinator.get("/dashboard/tasks?state=bogus").status_code == 404


def test_viewers_read_the_dashboard_without_any_action(world, as_user):
    viewer = as_user("viewer")
    page = viewer.get("/dashboard/").get_data(as_text=True)
    assert "Tổng hợp" in page
    forms = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page)
    assert set(forms) == {"/language", "/logout"}
    assert viewer.get("/review/").status_code == 403
