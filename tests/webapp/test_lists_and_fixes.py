"""Issue 16: the inbox people can work with (period, note, files, bulk accept) and the small
fixes a user trips over, each seen as the page shows it."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.notify.entities import Notification
from models.oversight.corrective_actions import extend_action
from models.tasks.entities import Task
from tests.factories import at, make_notification, make_world
from tests.webapp.conftest import submit


def text(response) -> str:
    """The page's visible text, tags stripped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _submitted(world, client, items=("M-RPT-Q", "M-RPT-M", "M-PLAN")) -> list[int]:
    ids = []
    for item in items:
        task_id = world["task_of"]("AG-A", item)
        assert submit(client, task_id, note=f"Báo cáo {item} kèm số liệu",
                      name=f"{item}.pdf").status_code == 302
        ids.append(task_id)
    return ids


def _versions(session, ids) -> dict:
    session.expire_all()
    return {f"version-{i}": str(session.get(Task, i).version) for i in ids}


def test_the_inbox_shows_period_note_and_files_and_titles_as_links(world, as_user):
    ids = _submitted(world, as_user("officer_a"))
    page = as_user("coordinator").get("/review/").get_data(as_text=True)
    row = page.split(f'id="submission-{ids[0]}"')[1].split("</tr>")[0]
    assert "Báo cáo M-RPT-Q kèm số liệu" in row and "M-RPT-Q.pdf" in row
    assert "01/07/2025 – 30/09/2025" in row  # the period, not just the due date
    link = re.search(rf'<a href="/tasks/{ids[0]}">([^<]+)</a>', row).group(1)
    assert link != "M-RPT-Q" and len(link) > 10  # the item's title is the link text
    assert "Đơn vị A" in row  # the agency's name, not only its code


def test_bulk_accept_accepts_three_each_audited(world, as_user, session):
    ids = _submitted(world, as_user("officer_a"))
    coordinator = as_user("coordinator")
    answer = coordinator.post("/review/accept", data={"task_ids": [str(i) for i in ids],
                                                      **_versions(session, ids)})
    assert answer.status_code == 302
    assert "Đã tiếp nhận 3 báo cáo." in text(coordinator.get(answer.headers["Location"]))
    session.expire_all()
    assert {session.get(Task, i).status for i in ids} == {"accepted"}
    audited = session.scalars(sa.select(AuditEvent.entity_id)
                              .where(AuditEvent.action == "task.accept")).all()
    assert sorted(audited) == sorted(str(i) for i in ids)


def test_bulk_accept_with_one_changed_report_accepts_none_and_says_which(world, as_user,
                                                                          session):
    ids = _submitted(world, as_user("officer_a"))
    coordinator = as_user("coordinator")
    versions = _versions(session, ids)
    coordinator.post(f"/review/{ids[1]}/return", data={"reason": "Thiếu phụ lục",
                                                       "version": versions[f"version-{ids[1]}"]})
    answer = coordinator.post("/review/accept", data={"task_ids": [str(i) for i in ids],
                                                      **versions})
    assert answer.status_code == 409
    assert "Chưa tiếp nhận báo cáo nào" in text(answer)
    session.expire_all()
    assert [session.get(Task, i).status for i in ids] == ["submitted", "returned", "submitted"]
    assert as_user("coordinator").post("/review/accept", data={}).status_code == 422


def test_the_officers_status_form_does_not_speak_of_returning(world, as_user):
    page = as_user("officer_a").get(f"/tasks/{world['task_of']('AG-A', 'M-PLAN')}")
    assert 'id="status-form"' in page.get_data(as_text=True)
    assert "bắt buộc khi trả lại báo cáo" not in text(page)


def test_a_returned_task_shows_the_reason_at_the_top(world, as_user, session):
    task_id = _submitted(world, as_user("officer_a"), items=("M-RPT-Q",))[0]
    version = _versions(session, [task_id])[f"version-{task_id}"]
    as_user("coordinator").post(f"/review/{task_id}/return",
                                data={"reason": "Thiếu số liệu tháng 9", "version": version})
    page = as_user("officer_a").get(f"/tasks/{task_id}").get_data(as_text=True)
    top = page.split('id="returned-reason"')[1].split("</section>")[0]
    assert "Thiếu số liệu tháng 9" in top and "Trả lại, đề nghị bổ sung" in top
    assert page.index('id="returned-reason"') < page.index('id="report"')


def test_the_plan_quote_is_folded_and_not_repeated(world, as_user):
    page = as_user("officer_a").get(f"/tasks/{world['task_of']('AG-A')}").get_data(as_text=True)
    outside = re.sub(r"<details.*?</details>", "", page, flags=re.S)
    assert "Định kỳ báo cáo hằng tháng, quý" in page  # the section's text is still there
    assert "Định kỳ báo cáo hằng tháng, quý" not in outside  # folded, not above the form
    item_text = re.search(r'id="item-text">([^<]+)<', page)
    if item_text:
        assert outside.count(item_text.group(1).strip()) == 1


def test_days_left_are_also_counted_in_working_days(world, as_user):
    # 01/10/2025 (Wednesday): the October monthly report is due on a later working day
    page = text(as_user("officer_a").get(f"/tasks/{world['task_of']('AG-A', 'M-RPT-M')}"))
    assert re.search(r"(còn|chậm) \d+ ngày, tức \d+ ngày làm việc", page)


def test_the_notifications_page_shows_the_title_and_the_text(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    make_notification(session, recipient_id=world["users"]["officer_a"], subject_id=task_id)
    session.commit()
    page = text(as_user("officer_a").get("/notifications/"))
    assert f"#{task_id}" not in page and "Nhiệm vụ #" not in page
    task = session.get(Task, task_id)
    assert f"Nhắc hạn: {task.item.title_vi}" in page
    assert "Đơn vị thực hiện: Đơn vị A" in page  # the message's text
    assert session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_every_page_has_a_skip_link_and_a_favicon(world, as_user):
    client = as_user("coordinator")
    page = client.get("/review/").get_data(as_text=True)
    assert 'class="skip-link" href="#content"' in page and '<main id="content"' in page
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    assert client.get(icon).status_code == 200


def test_no_template_uses_a_multi_select_or_an_unlabelled_file_input():
    folder = Path(__file__).resolve().parents[2] / "webapp" / "templates"
    for template in folder.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"<select[^>]*\bmultiple", source), template.name
        for match in re.finditer(r'<input type="file"[^>]*>', source):
            before = source[:match.start()]
            inside = before.rfind("<label") > before.rfind("</label>")
            named = re.search(r'\bid="([^"]+)"', match.group(0))
            labelled = named and f'<label for="{named.group(1)}"' in source
            assert inside or labelled, template.name


def test_the_new_inspection_form_offers_checkboxes(app, as_user, session):
    world = make_world(session)
    session.commit()
    app.config["PLANWATCH_NOW"] = at(8)
    page = as_user(world["inspector"]).get("/inspections/new").get_data(as_text=True)
    assert 'type="checkbox" name="agency_ids"' in page
    assert 'type="checkbox" name="inspector_ids"' in page


def test_the_annual_plan_does_not_call_a_running_inspection_done(app, as_user, session):
    world = make_world(session)  # AG-A's inspection is started, not concluded
    session.commit()
    app.config["PLANWATCH_NOW"] = at(8)
    page = as_user(world["inspector"]).get("/inspections/plan?year=2025").get_data(as_text=True)
    row = page.split('<tr class="state-')[1:]
    ag_a = next(r for r in row if "AG-A" in r.split("</tr>")[0])
    assert ag_a.startswith("in_progress") and "Đã kiểm tra" not in ag_a.split("</tr>")[0]


def test_the_corrective_action_page_says_why_its_due_date_moved(app, as_user, session):
    world = make_world(session)
    extend_action(session, world["inspector"], world.action, reason="Đơn vị đề nghị do lũ",
                  due_in_working_days=5, now=at(9))
    session.commit()
    app.config["PLANWATCH_NOW"] = at(9)
    page = as_user(world["officer"]).get(f"/inspections/actions/{world.action.id}")
    due = page.get_data(as_text=True).split('id="due"')[1].split("</dd>")[0]
    assert "Đơn vị đề nghị do lũ" in due and "điều chỉnh thời hạn từ" in due


def test_the_task_list_pages_searches_and_sorts_on_the_seed_plan(app, as_user, session):
    from datetime import date

    from models.tasks.generation import generate_tasks
    from tests.factories import T0, load_seed, make_user

    load_seed(session)
    generate_tasks(session, through=date(2026, 12, 31), now=T0)
    make_user(session, email="coord@example.org", role="coordinator", agency=None)
    session.commit()
    app.config["PLANWATCH_NOW"] = at(1, 10, 2025)
    client = as_user("coord@example.org")
    first = client.get("/tasks").get_data(as_text=True)
    upcoming = first.split('id="group-upcoming"')[1].split("</section>")[0]
    total = int(re.search(r'<span class="count">(\d+)</span>', upcoming).group(1))
    assert total > 100  # more than the 100 rows the groups stopped at
    assert "upcoming_page=2" in upcoming
    ids = lambda html: re.findall(r'href="/tasks/(\d+)"', html)  # noqa: E731
    second = client.get("/tasks?upcoming_page=2").get_data(as_text=True)
    second_rows = ids(second.split('id="group-upcoming"')[1].split("</section>")[0])
    assert len(second_rows) == 50 and not set(second_rows) & set(ids(upcoming))
    found = client.get("/tasks?q=Ban+Tuyên+giáo").get_data(as_text=True)
    found_upcoming = found.split('id="group-upcoming"')[1].split("</section>")[0]
    assert 0 < int(re.search(r'<span class="count">(\d+)</span>', found_upcoming).group(1)) < total
    by_agency = client.get("/tasks?sort=agency").get_data(as_text=True)
    codes = re.findall(r'<td class="agency">[^<]*<span class="muted code">([^<]+)</span>',
                       by_agency.split('id="group-upcoming"')[1].split("</section>")[0])
    runs = [c for i, c in enumerate(codes) if i == 0 or codes[i - 1] != c]
    assert len(codes) == 50 and len(runs) == len(set(runs)) > 1  # one run per agency
