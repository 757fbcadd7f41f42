"""A form posted on a stale read answers "changed by someone else" with what was typed, never a
500: the task status form and the review form."""

from __future__ import annotations

import sqlalchemy as sa

from models.tasks.entities import Task
from tests.webapp.conftest import submit


def _task(session, task_id: int) -> Task:
    session.expire_all()
    return session.get(Task, task_id)


def test_a_stale_status_form_keeps_what_was_typed(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    mine, colleague = as_user("officer_a"), as_user("officer_a")
    version = _task(session, task_id).version
    colleague.post(f"/tasks/{task_id}/status",
                   data={"status": "in_progress", "note": "đã bắt đầu", "version": str(version)})
    response = mine.post(f"/tasks/{task_id}/status",
                         data={"status": "in_progress", "version": str(version),
                               "note": "Ghi chú dài em vừa gõ"},
                         headers={"Referer": f"http://localhost/tasks/{task_id}"})
    assert response.status_code == 412
    page = response.get_data(as_text=True)
    assert "đã được người khác thay đổi" in page
    assert "Ghi chú dài em vừa gõ" in page  # nothing typed is lost
    assert f'href="http://localhost/tasks/{task_id}"' in page
    assert _task(session, task_id).version == version + 1  # only the colleague's change


def test_a_stale_review_form_keeps_the_reason(world, as_user, session):
    task_id = world["task_of"]("AG-A")
    assert submit(as_user("officer_a"), task_id).status_code == 302
    version = _task(session, task_id).version
    first, second = as_user("coordinator"), as_user("coordinator")  # two tabs, or two people
    assert first.post(f"/review/{task_id}/accept",
                      data={"version": str(version)}).status_code == 302
    response = second.post(f"/review/{task_id}/return",
                           data={"version": str(version), "reason": "Thiếu biểu số liệu quý"})
    assert response.status_code == 412
    page = response.get_data(as_text=True)
    assert "đã được người khác thay đổi" in page and "Thiếu biểu số liệu quý" in page
    assert _task(session, task_id).status == "accepted"


def test_a_lost_race_in_the_database_is_the_same_page_not_a_500(world, as_user, session, app,
                                                                 monkeypatch):
    """Two saves read the same version at once: the later UPDATE matches no row (StaleDataError)."""
    task_id = world["task_of"]("AG-A")
    client = as_user("officer_a")
    version = _task(session, task_id).version
    # what a concurrent save does between this request's read and its write
    from models.tasks import operations

    real = operations.check_version

    def race(obj, expected):
        real(obj, expected)
        with sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"]).begin() as other:
            other.execute(sa.text("UPDATE task SET version = version + 1 WHERE id = :i"),
                          {"i": task_id})
    monkeypatch.setattr(operations, "check_version", race)
    response = client.post(f"/tasks/{task_id}/status",
                           data={"status": "in_progress", "version": str(version),
                                 "note": "gõ trong lúc người khác lưu"})
    assert response.status_code == 412
    assert "gõ trong lúc người khác lưu" in response.get_data(as_text=True)
