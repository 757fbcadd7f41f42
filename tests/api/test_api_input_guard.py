"""Control characters and over-long queries are refused before any view: 4xx, nothing changed."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.core.db import db
from tests.factories import real_file


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def _files(app) -> list:
    from pathlib import Path

    return sorted(p.name for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file())


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_a_control_character_in_a_json_field_is_refused_and_changes_nothing(
        app, world, as_role, char):
    before = _audit_count(app)
    response = as_role("officer").post(
        f"/tasks/{world.task_a}/status", etag='"1"',
        json={"status": "in_progress", "note": f"đã bắt{char}đầu"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and "note" in body["message"]
    assert _audit_count(app) == before


def test_a_nul_in_a_file_name_leaves_no_file(app, world, as_role):
    before, files = _audit_count(app), _files(app)
    response = as_role("officer").post(
        f"/tasks/{world.open_a}/submissions", etag='"1"', content_type="multipart/form-data",
        data={"note": "xong", "files": [(io.BytesIO(real_file("x.pdf", "ok")), "bao\x00cao.pdf")]})
    assert response.status_code == 422
    assert _files(app) == files and _audit_count(app) == before


def test_a_nul_in_a_query_parameter_is_refused(as_role, world):
    response = as_role("coordinator").get("/tasks?agency=AG%00A")
    assert response.status_code == 422 and response.get_json()["code"] == 422


def test_a_query_over_four_kilobytes_gets_the_json_error(as_role, world):
    response = as_role("coordinator").get("/tasks?agency=" + "A" * 5000)
    assert response.status_code == 414
    assert response.is_json and response.get_json()["code"] == 414


def test_a_nul_in_the_login_form_is_refused_without_a_server_error(app, client, world):
    before = _audit_count(app)
    response = client.post("/login", data={"email": "a\x00b@example.org", "password": "x"})
    assert response.status_code == 422
    assert _audit_count(app) == before


def test_tabs_and_line_breaks_stay_allowed(as_role, world):
    response = as_role("officer").post(
        f"/tasks/{world.task_a}/status", etag='"1"',
        json={"status": "in_progress", "note": "dòng 1\r\n\tdòng 2"})
    assert response.status_code == 200, response.get_json()
