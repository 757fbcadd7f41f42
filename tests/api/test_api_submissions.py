"""Submitting a report with evidence (multipart) and reading it back."""

from __future__ import annotations

import io

import sqlalchemy as sa

from models.core.attachments import Attachment
from models.tasks.entities import Task
from tests.factories import real_file


def _submit(c, task_id, files, **fields):
    etag = c.get(f"/tasks/{task_id}").headers["ETag"]
    data = {**fields, "files": [(io.BytesIO(content), name) for name, content in files]}
    return c.post(f"/tasks/{task_id}/submissions", data=data, etag=etag)


def test_submit_with_files_then_read_them_back(as_role, world):
    c = as_role("officer")
    response = _submit(c, world.open_a, [("báo cáo quý.pdf", real_file("x.pdf", "quy")),
                                         ("so-lieu.xlsx", real_file("x.xlsx"))], note="Đã xong")
    assert response.status_code == 201, response.get_json()
    update = response.get_json()
    assert update["to_status"] == "submitted" and update["note"] == "Đã xong"
    assert [a["filename"] for a in update["attachments"]] == ["báo cáo quý.pdf", "so-lieu.xlsx"]
    task = c.get(f"/tasks/{world.open_a}").get_json()
    assert task["status"] == "submitted" and task["late"] is True  # due 22 Sep, sent 1 Oct
    assert response.headers["ETag"] == f'"{task["version"]}"'

    history = c.get(f"/tasks/{world.open_a}/history").get_json()
    url = history[-1]["attachments"][0]["url"]
    download = c.client.get(url, headers={"Authorization": f"Bearer {c.token}"})
    assert download.status_code == 200 and download.data == real_file("x.pdf", "quy")
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    other = as_role("officer_b")
    assert other.client.get(url, headers={"Authorization": f"Bearer {other.token}"}
                            ).status_code == 404


def test_a_refused_file_leaves_the_task_unchanged(as_role, world, session):
    c = as_role("officer")
    response = _submit(c, world.open_a, [("virus.exe", b"MZ")], note="x")
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]["multipart"]
    session.expire_all()
    assert session.get(Task, world.open_a).status == "not_started"
    assert session.scalar(sa.select(sa.func.count(Attachment.id))) == 1  # the fixture's only


def test_nil_return_only_where_the_item_allows_it(as_role, world):
    c = as_role("officer")
    refused = _submit(c, world.open_a, [], nil_return="true")  # quarterly: no nil return
    assert refused.status_code == 422
    bad = _submit(c, world.open_a, [], nil_return="yes")
    assert bad.status_code == 422 and "nil_return" in bad.get_json()["errors"]["multipart"]


def test_a_text_field_named_files_is_not_a_file(as_role, world):
    c = as_role("officer")
    etag = c.get(f"/tasks/{world.open_a}").headers["ETag"]
    response = c.post(f"/tasks/{world.open_a}/submissions", data={"files": "nope"}, etag=etag,
                      content_type="multipart/form-data")
    assert response.status_code == 422


def test_submission_without_if_match_is_428(as_role, world):
    c = as_role("officer")
    response = c.post(f"/tasks/{world.open_a}/submissions",
                      data={"files": [(io.BytesIO(real_file("x.pdf")), "a.pdf")]})
    assert response.status_code == 428


def test_odd_error_keys_still_give_json(app):
    from webapp.api.errors import error_response

    with app.test_request_context():
        response = error_response(422, "bad", {"multipart": {None: ["x"], "files": {4: ["y"]}}})
    assert response.get_json()["errors"] == {"multipart": {"None": ["x"], "files": {"4": ["y"]}}}


def _files_under(folder) -> list:
    """Every file under the upload folder, its staging folder included."""
    from pathlib import Path

    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def test_an_empty_submission_is_refused_like_the_web_form(as_role, world, app, session):
    from models.tasks.errors import ReportNeedsContent

    response = _submit(as_role("officer"), world.open_a, [], note="   ")
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == ReportNeedsContent.code == "task.report_needs_content"
    assert body["message"] == "Hãy đính kèm tệp hoặc ghi chú để gửi báo cáo."  # as on the form
    assert any("files" in fields for fields in body["errors"].values()), body
    session.expire_all()
    assert session.get(Task, world.open_a).status == "not_started"


def test_a_refused_second_file_of_three_leaves_no_file_and_no_row(as_role, world, app, session):
    folder = app.config["UPLOAD_FOLDER"]
    before = _files_under(folder)
    assert len(before) == 1  # the fixture's evidence
    response = _submit(as_role("officer"), world.open_a,
                       [("a.pdf", real_file("x.pdf", "a")), ("b.exe", b"MZ"),
                        ("c.pdf", real_file("x.pdf", "c"))],
                       note="ba tệp")
    assert response.status_code == 422
    assert _files_under(folder) == before
    assert session.scalar(sa.select(sa.func.count(Attachment.id))) == 1
    session.expire_all()
    assert session.get(Task, world.open_a).status == "not_started"


def test_accepted_files_are_in_place_after_the_commit(as_role, world, app, session):
    folder = app.config["UPLOAD_FOLDER"]
    response = _submit(as_role("officer"), world.open_a,
                       [("a.pdf", real_file("x.pdf", "a")), ("b.pdf", real_file("x.pdf", "b"))],
                       note="")
    assert response.status_code == 201
    stored = session.scalars(sa.select(Attachment.stored_name)).all()
    assert sorted(p.name for p in _files_under(folder)) == sorted(stored)
    assert all(p.parent.name != ".staging" for p in _files_under(folder))


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(as_role, world, app, session):
    folder = app.config["UPLOAD_FOLDER"]
    before = _files_under(folder)
    page = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    response = _submit(as_role("officer"), world.open_a,
                       [("a.pdf", real_file("x.pdf", "a")), ("anh.png", page)], note="ảnh")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "file.content_mismatch"
    assert "anh.png" in body["message"] and "không đúng như tên gọi" in body["message"]
    assert _files_under(folder) == before
    assert session.scalar(sa.select(sa.func.count(Attachment.id))) == 1  # the fixture's
    session.expire_all()
    assert session.get(Task, world.open_a).status == "not_started"
