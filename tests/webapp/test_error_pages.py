"""Error pages say the refusal in the reader's language, found by the error's code; a web route
asked for JSON answers in the API's one error shape."""

from __future__ import annotations

import re

SHAPE = {"code", "error", "message", "errors"}
JSON = {"Accept": "application/json"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _empty_report(client, task_id: int, **kwargs):
    return client.post(f"/tasks/{task_id}/report", data={"note": ""},
                       content_type="multipart/form-data", **kwargs)


def test_a_refused_report_is_explained_in_vietnamese_then_in_english(world, as_user):
    client = as_user("officer_a")
    task_id = world["task_of"]("AG-A")
    response = _empty_report(client, task_id)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "Hãy đính kèm tệp hoặc ghi chú để gửi báo cáo." in _text(response)
    client.post("/language", data={"lang": "en"})
    response = _empty_report(client, task_id)
    assert response.status_code == 422
    assert "Attach a file or write a note to submit a report." in _text(response)
    assert "Hãy đính kèm" not in _text(response)


def test_a_web_route_answers_json_in_the_api_shape(world, as_user, client):
    officer = as_user("officer_a")
    refused = _empty_report(officer, world["task_of"]("AG-A"), headers=JSON)
    body = refused.get_json()
    assert refused.status_code == 422 and set(body) == SHAPE
    assert body["code"] == 422 and body["error"] == "task.report_needs_content"
    assert body["message"] == "Hãy đính kèm tệp hoặc ghi chú để gửi báo cáo."
    assert list(body["errors"]) == ["form"]  # the field (files or note) with the same words
    assert list(body["errors"]["form"].values()) == [[body["message"]]]

    hidden = officer.get(f"/tasks/{world['task_of']('AG-B')}", headers=JSON)
    assert hidden.status_code == 404 and set(hidden.get_json()) == SHAPE
    assert hidden.get_json()["error"] == "task.not_found"
    assert hidden.get_json()["message"] == "Nhiệm vụ này không tồn tại."

    unknown = officer.get("/no-such-page", headers=JSON)
    assert unknown.status_code == 404 and set(unknown.get_json()) == SHAPE
    assert unknown.get_json() == {"code": 404, "error": "http.not_found",
                                  "message": "Không tìm thấy", "errors": {}}

    anonymous = client.get("/tasks", headers=JSON)
    assert anonymous.status_code == 401 and set(anonymous.get_json()) == SHAPE
    assert anonymous.get_json()["error"] == "http.unauthorized"
